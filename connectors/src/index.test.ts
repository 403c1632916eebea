import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectorFor, connectors } from './index.ts';

test('every connector is registered under its own kind', () => {
  for (const [kind, connector] of Object.entries(connectors)) {
    assert.equal(connector.kind, kind);
    assert.equal(connectorFor(connector.kind), connector);
    assert.equal(typeof connector.verify, 'function');
    assert.equal(typeof ('setKey' in connector ? connector.setKey : connector.setPassword), 'function');
  }
  assert.deepEqual(Object.keys(connectors).sort(), [
    'active-directory',
    'mariadb',
    'postgresql',
    'ssh-key',
    'ssh-password',
  ]);
});
