import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  type AccessWorld,
  awaitReleaseEnded,
  createAccessWorld,
  type Person,
} from '../support/access-setup.ts';
import { createHarness, type Harness } from '../support/api-harness.ts';
import { sentEmails } from '../support/moto-ses.ts';

let harness: Harness;
let world: AccessWorld;
let requester: Person;
let alice: Person;
let bob: Person;
let outsider: Person;
let ticketServer: Server;
let ticketUrl: string;
const ticketCalls: { ticketId: string; requester: string }[] = [];

before(async () => {
  harness = await createHarness();
  world = await createAccessWorld(harness, 'access');
  requester = await world.person(['requester'], [world.requesterGroupId]);
  alice = await world.person(['requester'], [world.approverGroupId]);
  bob = await world.person([], [world.approverGroupId]);
  outsider = await world.person(['requester'], []);
  // A ticketing system: accepts CHG tickets, rejects others, and never answers for SLOW ones.
  ticketServer = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      const ticket = JSON.parse(body) as { ticketId: string; requester: string };
      ticketCalls.push(ticket);
      if (ticket.ticketId.startsWith('SLOW')) return;
      response.writeHead(ticket.ticketId.startsWith('CHG') ? 204 : 404).end();
    });
  });
  await new Promise<void>((resolve) => ticketServer.listen(0, '127.0.0.1', resolve));
  ticketUrl = `http://127.0.0.1:${(ticketServer.address() as AddressInfo).port}/validate`;
});

after(() => {
  ticketServer.closeAllConnections();
  ticketServer.close();
});

const call = <T = any>(person: Person | string, method: string, path: string, body?: unknown) =>
  harness.call<T>(method, path, { token: typeof person === 'string' ? person : person.token, body });

describe('access policies', () => {
  it('are versioned, and every change is audited', async () => {
    const admin = world.tenant.adminToken;
    const created = await call(admin, 'POST', '/v1/access-policies', {
      name: 'Versioned policy',
      requesterGroupIds: [world.requesterGroupId],
      selectors: [{ type: 'criteria', platform: 'linux', tags: ['never-present'] }],
      approval: { mode: 'approval', requiredApprovals: 2, approverGroupIds: [world.approverGroupId] },
    });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.body.version, 1);
    assert.equal(created.body.release.defaultMinutes, 360, 'the default release is 360 minutes');
    const updated = await call(admin, 'PATCH', `/v1/access-policies/${created.body.id}`, {
      expectedVersion: 1,
      priority: 5,
    });
    assert.equal(updated.status, 200, updated.text);
    assert.equal(updated.body.version, 2);
    const stale = await call(admin, 'PATCH', `/v1/access-policies/${created.body.id}`, {
      expectedVersion: 1,
      priority: 6,
    });
    assert.equal(stale.status, 409, 'a change based on an old version is refused');
    const versions = await call(admin, 'GET', `/v1/access-policies/${created.body.id}/versions`);
    assert.deepEqual(
      versions.body.items.map((v: { version: number; priority: number }) => [v.version, v.priority]),
      [
        [2, 5],
        [1, 100],
      ],
    );
    const trail = await call(admin, 'GET', `/v1/audit/events?targetId=${created.body.id}`);
    const actions = trail.body.items.map((e: { action: string }) => e.action).sort();
    assert.deepEqual(actions, ['access-policy.create', 'access-policy.update']);
  });

  it('refuse unknown groups and accounts, naming the field', async () => {
    const admin = world.tenant.adminToken;
    const badGroup = await call(admin, 'POST', '/v1/access-policies', {
      name: 'Bad group',
      requesterGroupIds: ['grp_01JDQ4V6S5Y7R1B8K3M2N9P0QW'],
      selectors: [{ type: 'system', systemId: world.systemId }],
      approval: { mode: 'auto' },
    });
    assert.equal(badGroup.status, 400);
    assert.equal(badGroup.body.errors[0].field, 'requesterGroupIds.0');
    const badAccount = await call(admin, 'POST', '/v1/access-policies', {
      name: 'Bad account',
      requesterGroupIds: [world.requesterGroupId],
      selectors: [{ type: 'accounts', accountIds: ['acc_01JDQ4V6S5Y7R1B8K3M2N9P0QW'] }],
      approval: { mode: 'auto' },
    });
    assert.equal(badAccount.status, 400);
    assert.equal(badAccount.body.errors[0].field, 'selectors.0.accountIds.0');
  });
});

describe('requests, approvals and releases', () => {
  let dualPolicyId: string;
  before(async () => {
    dualPolicyId = (
      await world.policy({
        priority: 50,
        approval: { mode: 'approval', requiredApprovals: 2, approverGroupIds: [world.approverGroupId] },
        release: { exclusive: false, maxMinutes: 480, rotateOnCheckIn: true },
      })
    ).id;
  });

  it('dual approval: two distinct approvers, counted once each, never the requester', async () => {
    const created = await call(requester, 'POST', '/v1/access-requests', {
      accountId: world.accountId,
      policyId: dualPolicyId,
      reason: 'patching the database <b>tonight</b>',
      durationMinutes: 90,
    });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.body.status, 'requested');
    assert.equal(created.body.release, null);
    const id = created.body.id;

    const self = await call(requester, 'POST', `/v1/access-requests/${id}/approve`, { comment: 'me' });
    assert.equal(self.status, 403, 'the requester never approves their own request');
    const stranger = await call(outsider, 'POST', `/v1/access-requests/${id}/approve`, { comment: 'me too' });
    assert.equal(stranger.status, 403);

    const first = await call(alice, 'POST', `/v1/access-requests/${id}/approve`, {
      comment: 'ok from alice',
    });
    assert.equal(first.status, 200, first.text);
    assert.equal(first.body.status, 'requested', 'one approval of two');
    const twice = await Promise.all(
      [1, 2, 3].map(() => call(alice, 'POST', `/v1/access-requests/${id}/approve`, { comment: 'again' })),
    );
    for (const response of twice) assert.equal(response.status, 200, response.text);
    const stillOne = await call(requester, 'GET', `/v1/access-requests/${id}`);
    assert.equal(stillOne.body.status, 'requested', 'the same approver counts once');
    assert.equal(stillOne.body.approval.decisions.length, 1);

    const inbox = await call(bob, 'GET', '/v1/access-requests?scope=approvals');
    assert.ok(
      inbox.body.items.some((r: { id: string }) => r.id === id),
      'waiting in the second approver’s inbox',
    );
    const aliceInbox = await call(alice, 'GET', '/v1/access-requests?scope=approvals');
    assert.ok(
      !aliceInbox.body.items.some((r: { id: string }) => r.id === id),
      'not again for the first approver',
    );

    const second = await call(bob, 'POST', `/v1/access-requests/${id}/approve`, { comment: 'ok from bob' });
    assert.equal(second.status, 200, second.text);
    assert.equal(second.body.status, 'active');
    assert.ok(second.body.release.endsAt);
    assert.deepEqual(
      second.body.history.map((h: { to: string }) => h.to),
      ['requested', 'approved', 'active'],
    );
    for (const step of second.body.history) {
      assert.ok(step.actorId && step.at && step.sourceIp, 'each transition records actor, time and source');
    }

    const releases = await call(requester, 'GET', '/v1/releases');
    const release = releases.body.items.find((r: { requestId: string }) => r.requestId === id);
    assert.ok(release, releases.text);
    assert.ok(release.secondsLeft > 85 * 60 && release.secondsLeft <= 90 * 60);

    const stolen = await call(alice, 'POST', `/v1/releases/${release.id}/credential`, {});
    assert.equal(stolen.status, 404, 'an approver cannot use the requester’s release');
    const revealed = await call(requester, 'POST', `/v1/releases/${release.id}/credential`, {});
    assert.equal(revealed.status, 200, revealed.text);
    assert.equal(revealed.body.password, world.password);

    const trail = await call(world.tenant.adminToken, 'GET', `/v1/audit/events?targetId=${world.accountId}`);
    const reveal = trail.body.items.find(
      (e: { action: string; details: { releaseId: string } }) =>
        e.action === 'credential.reveal' && e.details.releaseId === release.id,
    );
    assert.ok(reveal, 'every reveal is audited');
    assert.ok(!JSON.stringify(trail.body).includes(world.password), 'the audit never holds the secret');

    const checkedIn = await call(requester, 'POST', `/v1/releases/${release.id}/check-in`);
    assert.equal(checkedIn.status, 200, checkedIn.text);
    assert.equal(checkedIn.body.status, 'checked-in');
    const afterCheckIn = await call(requester, 'POST', `/v1/releases/${release.id}/credential`, {});
    assert.equal(afterCheckIn.status, 409, 'nothing is retrievable after check-in');
    const again = await call(requester, 'POST', `/v1/releases/${release.id}/check-in`);
    assert.equal(again.status, 409, 'checking in twice is an illegal transition');

    const event = await awaitReleaseEnded(release.id);
    assert.equal(event.endedBy, 'checked-in');
    assert.equal(event.rotate, true, 'the policy rotates on check-in');
    assert.equal(event.accountId, world.accountId);
  });

  it('notifies approvers of new requests and requesters of decisions, in-app and by e-mail', async () => {
    const created = await call(requester, 'POST', '/v1/access-requests', {
      accountId: world.secondAccountId,
      policyId: dualPolicyId,
      reason: 'quarterly <script>alert(1)</script> audit',
    });
    assert.equal(created.status, 201, created.text);
    const id = created.body.id;
    const bobsNotes = await call(bob, 'GET', '/v1/notifications');
    const note = bobsNotes.body.items.find((n: { requestId: string }) => n.requestId === id);
    assert.ok(note, bobsNotes.text);
    assert.equal(note.kind, 'approval-requested');
    const denied = await call(bob, 'POST', `/v1/access-requests/${id}/deny`, { comment: 'not this quarter' });
    assert.equal(denied.status, 200, denied.text);
    assert.equal(denied.body.status, 'denied');
    const late = await call(alice, 'POST', `/v1/access-requests/${id}/approve`, { comment: 'too late' });
    assert.equal(late.status, 409, 'a denied request can no longer be approved');
    const mine = await call(requester, 'GET', '/v1/notifications');
    assert.ok(
      mine.body.items.some(
        (n: { requestId: string; kind: string }) => n.requestId === id && n.kind === 'request-denied',
      ),
    );

    const emails = (await sentEmails()).filter((e) => e.text.includes(id) || e.body.includes(id));
    const toBob = emails.find((e) => e.to.includes(bob.email));
    const toRequester = emails.find((e) => e.to.includes(requester.email));
    assert.ok(toBob, 'the approver got an e-mail');
    assert.ok(toRequester, 'the requester got the decision by e-mail');
    assert.ok(toRequester.body.includes('not this quarter') || toRequester.text.includes('not this quarter'));
    assert.ok(!toBob.html.includes('<script>') && !toBob.body.includes('<script>'), 'the reason is escaped');
    for (const email of emails) assert.ok(!JSON.stringify(email).includes(world.password));
  });

  it('a requester cancels a pending request; cancelling again is 409', async () => {
    const created = await call(requester, 'POST', '/v1/access-requests', {
      accountId: world.accountId,
      policyId: dualPolicyId,
      reason: 'changed my mind later',
    });
    const id = created.body.id;
    const notMine = await call(alice, 'POST', `/v1/access-requests/${id}/cancel`, {});
    assert.equal(notMine.status, 403);
    const cancelled = await call(requester, 'POST', `/v1/access-requests/${id}/cancel`, { comment: 'done' });
    assert.equal(cancelled.status, 200, cancelled.text);
    assert.equal(cancelled.body.status, 'cancelled');
    const again = await call(requester, 'POST', `/v1/access-requests/${id}/cancel`, {});
    assert.equal(again.status, 409);
    const approve = await call(alice, 'POST', `/v1/access-requests/${id}/approve`, { comment: 'x' });
    assert.equal(approve.status, 409);
  });

  it('an administrator revokes an active release; the requester can no longer retrieve', async () => {
    const created = await call(requester, 'POST', '/v1/access-requests', {
      accountId: world.accountId,
      policyId: dualPolicyId,
      reason: 'emergency fix',
    });
    const id = created.body.id;
    await call(alice, 'POST', `/v1/access-requests/${id}/approve`, { comment: 'ok' });
    const approved = await call(bob, 'POST', `/v1/access-requests/${id}/approve`, { comment: 'ok' });
    const releaseId = approved.body.release.id;
    const byRequester = await call(requester, 'POST', `/v1/releases/${releaseId}/revoke`, { reason: 'mine' });
    assert.equal(byRequester.status, 403, 'revoking takes the release:revoke permission');
    const revoked = await call(world.tenant.adminToken, 'POST', `/v1/releases/${releaseId}/revoke`, {
      reason: 'suspicious activity',
    });
    assert.equal(revoked.status, 200, revoked.text);
    assert.equal(revoked.body.status, 'revoked');
    const reveal = await call(requester, 'POST', `/v1/releases/${releaseId}/credential`, {});
    assert.equal(reveal.status, 409);
    const event = await awaitReleaseEnded(releaseId);
    assert.equal(event.endedBy, 'revoked');
  });

  it('nobody can request an account no policy covers for them', async () => {
    const response = await call(outsider, 'POST', '/v1/access-requests', {
      accountId: world.accountId,
      reason: 'I would like it',
    });
    assert.equal(response.status, 403);
    assert.equal(response.body.type.endsWith('no-access-policy'), true, response.text);
  });
});

describe('policy rules at request time', () => {
  it('enforce the maximum duration, a reason, and the ticket pattern and webhook', async () => {
    const policy = await world.policy({
      priority: 1,
      requesterGroupIds: [world.requesterGroupId],
      selectors: [{ type: 'accounts', accountIds: [world.secondAccountId] }],
      approval: { mode: 'auto' },
      release: {
        exclusive: false,
        defaultMinutes: 30,
        maxMinutes: 60,
        ticket: {
          required: true,
          pattern: '(CHG|INC|SLOW)\\d{4}',
          validationUrl: ticketUrl,
          validationTimeoutMs: 300,
        },
      },
    });
    const base = { accountId: world.secondAccountId, policyId: policy.id, reason: 'change window' };
    const cases: [Record<string, unknown>, number, string | null][] = [
      [{ durationMinutes: 61, ticketId: 'CHG1234' }, 400, 'durationMinutes'],
      [{ reason: undefined, ticketId: 'CHG1234' }, 400, 'reason'],
      [{}, 400, 'ticketId'],
      [{ ticketId: 'TASK1234' }, 400, 'ticketId'],
      [{ ticketId: 'INC1234' }, 400, 'ticketId'],
      [{ ticketId: 'SLOW1234' }, 503, null],
    ];
    for (const [change, status, field] of cases) {
      const response = await call(requester, 'POST', '/v1/access-requests', { ...base, ...change });
      assert.equal(response.status, status, `${JSON.stringify(change)}: ${response.text}`);
      if (field) assert.equal(response.body.errors[0].field, field);
      if (status === 503) assert.match(response.body.detail, /ticketing system did not answer/);
    }
    const accepted = await call(requester, 'POST', '/v1/access-requests', { ...base, ticketId: 'CHG1234' });
    assert.equal(accepted.status, 201, accepted.text);
    assert.equal(accepted.body.status, 'active');
    assert.equal(accepted.body.durationMinutes, 30, 'the policy default applies');
    assert.equal(accepted.body.ticketId, 'CHG1234');
    assert.ok(ticketCalls.some((c) => c.ticketId === 'CHG1234' && c.requester === requester.email));
  });

  it('enforce source networks at request time and at every retrieval', async () => {
    const policy = await world.policy({
      priority: 1,
      selectors: [{ type: 'accounts', accountIds: [world.accountId] }],
      approval: { mode: 'auto' },
      conditions: { sourceCidrs: ['198.51.100.0/24'] },
      release: { exclusive: false, requireReason: false },
    });
    const body = { accountId: world.accountId, policyId: policy.id };
    const outside = await call(requester, 'POST', '/v1/access-requests', body);
    assert.equal(outside.status, 403, outside.text);
    assert.match(outside.body.type, /condition-source-address/);
    const inside = await harness.call('POST', '/v1/access-requests', {
      token: requester.token,
      body,
      headers: { 'x-test-source-ip': '198.51.100.7' },
    });
    assert.equal(inside.status, 201, inside.text);
    const releaseId = inside.body.release.id;
    const fromElsewhere = await call(requester, 'POST', `/v1/releases/${releaseId}/credential`, {});
    assert.equal(fromElsewhere.status, 403, 'conditions are evaluated again at retrieval');
    const fromInside = await harness.call('POST', `/v1/releases/${releaseId}/credential`, {
      token: requester.token,
      body: {},
      headers: { 'x-test-source-ip': '198.51.100.7' },
    });
    assert.equal(fromInside.status, 200, fromInside.text);
  });

  it('enforce allowed hours in the policy’s time zone', async () => {
    const now = new Date();
    const hour = now.getUTCHours();
    const closed = {
      from: `${String((hour + 2) % 24).padStart(2, '0')}:00`,
      to: `${String((hour + 3) % 24).padStart(2, '0')}:00`,
    };
    const policy = await world.policy({
      priority: 1,
      selectors: [{ type: 'accounts', accountIds: [world.accountId] }],
      approval: { mode: 'auto' },
      conditions: { hours: closed, timezone: 'UTC' },
      release: { exclusive: false, requireReason: false },
    });
    const response = await call(requester, 'POST', '/v1/access-requests', {
      accountId: world.accountId,
      policyId: policy.id,
    });
    assert.equal(response.status, 403);
    assert.match(response.body.type, /condition-outside-hours/);
  });
});

describe('dynamic selectors', () => {
  it('criteria and account groups cover accounts onboarded after the policy', async () => {
    const admin = world.tenant.adminToken;
    const tag = `team-${Date.now()}`;
    const group = await call(admin, 'POST', '/v1/account-groups', { name: `Late accounts ${tag}` });
    assert.equal(group.status, 201, group.text);
    const criteria = await world.policy({
      selectors: [{ type: 'criteria', platform: 'postgresql', tags: [tag] }],
      approval: { mode: 'auto' },
      release: { exclusive: false, requireReason: false },
    });
    const byGroup = await world.policy({
      selectors: [{ type: 'account-group', accountGroupId: group.body.id }],
      approval: { mode: 'auto' },
      release: { exclusive: false, requireReason: false },
    });
    const badGroup = await call(admin, 'POST', '/v1/access-policies', {
      name: `Bad account group ${tag}`,
      requesterGroupIds: [world.requesterGroupId],
      selectors: [{ type: 'account-group', accountGroupId: 'agr_01JDQ4V6S5Y7R1B8K3M2N9P0QW' }],
      approval: { mode: 'auto' },
    });
    assert.equal(badGroup.status, 400);
    assert.equal(badGroup.body.errors[0].field, 'selectors.0.accountGroupId');

    // Onboarded after the policies were written.
    const system = await call(admin, 'POST', '/v1/systems', {
      name: `pg ${tag}`,
      hostname: `pg-${tag}.corp.example`,
      platform: 'postgresql',
      tags: [tag],
    });
    const account = await call(admin, 'POST', '/v1/accounts', {
      systemId: system.body.id,
      username: 'postgres',
      kind: 'database',
    });
    await call(admin, 'POST', `/v1/accounts/${account.body.id}/credential`, { generate: true });
    const viaCriteria = await call(requester, 'POST', '/v1/access-requests', {
      accountId: account.body.id,
      policyId: criteria.id,
    });
    assert.equal(viaCriteria.status, 201, viaCriteria.text);

    const other = await call(admin, 'POST', '/v1/accounts', {
      systemId: world.systemId,
      username: `svc-${tag}`,
      kind: 'service',
    });
    const notYet = await call(requester, 'POST', '/v1/access-requests', {
      accountId: other.body.id,
      policyId: byGroup.id,
    });
    assert.equal(notYet.status, 403, 'not in the account group yet');
    const added = await call(admin, 'PUT', `/v1/account-groups/${group.body.id}/accounts/${other.body.id}`);
    assert.equal(added.status < 300, true, added.text);
    const viaGroup = await call(requester, 'POST', '/v1/access-requests', {
      accountId: other.body.id,
      policyId: byGroup.id,
    });
    assert.equal(viaGroup.status, 201, viaGroup.text);
  });
});
