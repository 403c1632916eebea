import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as api from '@strongroom/shared/vault/vault.schemas';
import * as portal from '../../web/lib/inventory-terms.ts';

/**
 * The portal keeps its own list of platforms and account kinds (web/lib/inventory-terms.ts: it
 * talks to the public API only and shares no code with it). This checks that the lists agree with
 * the API's, so that no value the API accepts lacks a name or a choice in the portal.
 */
describe('the portal’s inventory terms', () => {
  it('offer exactly the platforms and account kinds the API accepts', () => {
    assert.deepEqual([...portal.platforms], [...api.platforms]);
    assert.deepEqual([...portal.accountKinds], [...api.accountKinds]);
  });

  it('name every platform and account kind', () => {
    for (const platform of api.platforms) assert.ok(portal.platformLabels[platform], platform);
    for (const kind of api.accountKinds) assert.ok(portal.accountKindLabels[kind], kind);
  });
});
