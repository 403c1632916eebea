import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  generateRecipientKeyPair,
  openSealedCredential,
} from '@strongroom/functions/adapters/crypto/hpke-recipient';
import { type AccessWorld, createAccessWorld, type Person } from '../support/access-setup.ts';
import { createHarness, type Harness } from '../support/api-harness.ts';

let harness: Harness;
let world: AccessWorld;
let requester: Person;
let integration: Person;
let injectReleaseId: string;
let revealReleaseId: string;
let tenantSlugDomain: string;

before(async () => {
  harness = await createHarness();
  world = await createAccessWorld(harness, 'jump');
  requester = await world.person(['requester'], [world.requesterGroupId]);
  integration = await world.person(['integration'], []);
  tenantSlugDomain = requester.email.split('@')[1]!;
  const inject = await world.policy({
    priority: 1,
    selectors: [{ type: 'accounts', accountIds: [world.accountId] }],
    approval: { mode: 'auto' },
    release: { type: 'inject', exclusive: false, requireReason: false },
  });
  const reveal = await world.policy({
    priority: 2,
    selectors: [{ type: 'system', systemId: world.systemId }],
    approval: { mode: 'auto' },
    release: { type: 'reveal', exclusive: false, requireReason: false },
  });
  const first = await harness.call('POST', '/v1/access-requests', {
    token: requester.token,
    body: { accountId: world.accountId, policyId: inject.id },
  });
  assert.equal(first.status, 201, first.text);
  injectReleaseId = first.body.release.id;
  const second = await harness.call('POST', '/v1/access-requests', {
    token: requester.token,
    body: { accountId: world.secondAccountId, policyId: reveal.id },
  });
  assert.equal(second.status, 201, second.text);
  revealReleaseId = second.body.release.id;
});

const localName = () => requester.email.split('@')[0]!;

describe('credential injection (HPKE)', () => {
  it('an inject release never reveals the secret, but seals it to the proxy’s ephemeral key', async () => {
    const reveal = await harness.call('POST', `/v1/releases/${injectReleaseId}/credential`, {
      token: requester.token,
      body: {},
    });
    assert.equal(reveal.status, 403);
    assert.ok(!reveal.text.includes(world.password));

    const recipient = await generateRecipientKeyPair();
    const sealed = await harness.call('POST', `/v1/releases/${injectReleaseId}/injection`, {
      token: requester.token,
      body: { publicKey: recipient.publicKey },
    });
    assert.equal(sealed.status, 200, sealed.text);
    assert.ok(!sealed.text.includes(world.password), 'the plaintext never crosses the wire');
    const opened = JSON.parse(
      await openSealedCredential(recipient.privateKey, sealed.body.sealed, {
        info: sealed.body.info,
        aad: sealed.body.aad,
      }),
    );
    assert.deepEqual(opened, { username: 'root', type: 'password', password: world.password });

    const other = await generateRecipientKeyPair();
    await assert.rejects(
      openSealedCredential(other.privateKey, sealed.body.sealed, {
        info: sealed.body.info,
        aad: sealed.body.aad,
      }),
      'another key cannot open it',
    );
    const trail = await harness.call(
      'GET',
      `/v1/audit/events?targetId=${world.accountId}&action=credential.inject`,
      {
        token: world.tenant.adminToken,
      },
    );
    assert.ok(trail.body.items.length >= 1, trail.text);
  });

  it('an integration retrieves for the console user in each of their name formats', async () => {
    const formats = [
      { username: requester.email },
      { username: localName() },
      { username: `ACME\\${localName()}` },
      {
        username: localName(),
        distinguishedName: `uid=${localName()},ou=HelpDesk,dc=${tenantSlugDomain.replace(/\./g, ',dc=')}`,
      },
    ];
    for (const consoleUser of formats) {
      const recipient = await generateRecipientKeyPair();
      const sealed = await harness.call('POST', `/v1/releases/${injectReleaseId}/injection`, {
        token: integration.token,
        body: { publicKey: recipient.publicKey, consoleUser },
      });
      assert.equal(sealed.status, 200, `${JSON.stringify(consoleUser)}: ${sealed.text}`);
      const opened = JSON.parse(
        await openSealedCredential(recipient.privateKey, sealed.body.sealed, {
          info: sealed.body.info,
          aad: sealed.body.aad,
        }),
      );
      assert.equal(opened.password, world.password);
    }
    const recipient = await generateRecipientKeyPair();
    const wrongUser = await harness.call('POST', `/v1/releases/${injectReleaseId}/injection`, {
      token: integration.token,
      body: { publicKey: recipient.publicKey, consoleUser: { username: 'somebody.else' } },
    });
    assert.equal(wrongUser.status, 404, 'a release is only handed out for its holder');
    const noUser = await harness.call('POST', `/v1/releases/${injectReleaseId}/injection`, {
      token: integration.token,
      body: { publicKey: recipient.publicKey },
    });
    assert.equal(noUser.status, 400);
    assert.equal(noUser.body.errors[0].field, 'consoleUser');
    const badKey = await harness.call('POST', `/v1/releases/${injectReleaseId}/injection`, {
      token: requester.token,
      body: { publicKey: 'A'.repeat(43) },
    });
    assert.equal(badKey.status, 400, badKey.text);
    assert.equal(badKey.body.errors[0].field, 'publicKey');
  });
});

describe('credential lookup by target', () => {
  const lookup = (body: unknown) =>
    harness.call('POST', '/v1/credential-lookup', { token: integration.token, body });

  it('finds the console user’s credentials by hostname and short name, without secrets', async () => {
    for (const hostname of [world.hostname, world.hostname.split('.')[0]!, world.hostname.toUpperCase()]) {
      const response = await lookup({
        consoleUser: { username: `ACME\\${localName()}` },
        target: { hostname },
      });
      assert.equal(response.status, 200, response.text);
      assert.equal(response.body.consoleUserId, requester.id);
      const byAccount = new Map(response.body.items.map((i: { accountId: string }) => [i.accountId, i]));
      const root = byAccount.get(world.accountId) as { release: { id: string; type: string } };
      const oracle = byAccount.get(world.secondAccountId) as { release: { id: string; type: string } };
      assert.equal(root?.release.id, injectReleaseId, hostname);
      assert.equal(root.release.type, 'inject');
      assert.equal(oracle?.release.id, revealReleaseId);
      assert.ok(!response.text.includes(world.password));
    }
  });

  it('an unknown target, an unknown user or a user without access is an empty list', async () => {
    const nowhere = await lookup({
      consoleUser: { username: requester.email },
      target: { hostname: 'nowhere.corp.example', additionalIpAddresses: ['203.0.113.99'] },
    });
    assert.equal(nowhere.status, 200);
    assert.deepEqual(nowhere.body.items, []);
    const nobody = await lookup({
      consoleUser: { username: 'no.such.user' },
      target: { hostname: world.hostname },
    });
    assert.equal(nobody.status, 200);
    assert.equal(nobody.body.consoleUserId, null);
    assert.deepEqual(nobody.body.items, []);
    const stranger = await world.person(['requester'], []);
    const noAccess = await lookup({
      consoleUser: { username: stranger.email },
      target: { hostname: world.hostname },
    });
    assert.equal(noAccess.status, 200);
    assert.equal(noAccess.body.consoleUserId, stranger.id);
    assert.deepEqual(noAccess.body.items, []);
  });

  it('lists requestable accounts the user has no release for yet', async () => {
    const colleague = await world.person(['requester'], [world.requesterGroupId]);
    const response = await lookup({
      consoleUser: { username: colleague.email },
      target: { hostname: world.hostname },
    });
    assert.equal(response.status, 200, response.text);
    assert.equal(response.body.items.length, 2);
    for (const item of response.body.items) {
      assert.equal(item.release, null);
      assert.equal(item.requestable.approval, 'auto');
    }
  });

  it('needs the credential:lookup permission', async () => {
    const response = await harness.call('POST', '/v1/credential-lookup', {
      token: requester.token,
      body: { consoleUser: { username: requester.email }, target: { hostname: world.hostname } },
    });
    assert.equal(response.status, 403);
  });
});
