import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  type AccessWorld,
  awaitReleaseEnded,
  createAccessWorld,
  type Person,
} from '../support/access-setup.ts';
import { createHarness, type Harness } from '../support/api-harness.ts';

/**
 * A clock that moves only when the tests move it; everything (tokens included) runs on it, so a
 * release of a few minutes lapses when the test says so, not when a slow machine lets it.
 */
let nowMs = Date.now();
const clock = { now: () => new Date(nowMs) };
const advanceMinutes = (minutes: number) => {
  nowMs += minutes * 60_000;
};

let harness: Harness;
let world: AccessWorld;

before(async () => {
  harness = await createHarness({ clock });
  world = await createAccessWorld(harness, 'racing');
});

const call = <T = any>(person: Person, method: string, path: string, body?: unknown) =>
  harness.call<T>(method, path, { token: person.token, body });

describe('exclusive releases under concurrency', () => {
  it('≥ 50 concurrent requests for one account: exactly one active release', async () => {
    const policy = await world.policy({
      selectors: [{ type: 'accounts', accountIds: [world.accountId] }],
      approval: { mode: 'auto' },
      release: { exclusive: true, requireReason: false },
    });
    const people = await Promise.all(
      Array.from({ length: 10 }, () => world.person(['requester'], [world.requesterGroupId])),
    );
    const responses = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        call(people[i % people.length]!, 'POST', '/v1/access-requests', {
          accountId: world.accountId,
          policyId: policy.id,
        }),
      ),
    );
    const created = responses.filter((r) => r.status === 201);
    const refused = responses.filter((r) => r.status === 409);
    assert.equal(created.length, 1, responses.map((r) => `${r.status}`).join(','));
    assert.equal(refused.length, 59, 'every other request is refused (account checked out)');
    for (const response of refused) assert.match(response.body.type, /account-checked-out/);
    assert.equal(created[0]!.body.status, 'active');

    const overseer = world.tenant.adminToken;
    const all = await harness.call('GET', '/v1/access-requests?scope=all&status=active&limit=200', {
      token: overseer,
    });
    const active = all.body.items.filter((r: { accountId: string }) => r.accountId === world.accountId);
    assert.equal(active.length, 1, 'nothing half-written: one request, one release');

    // Once checked in, the account is free again.
    const holder = people.find((p) => p.id === created[0]!.body.requesterId)!;
    const checkIn = await call(holder, 'POST', `/v1/releases/${created[0]!.body.release.id}/check-in`);
    assert.equal(checkIn.status, 200, checkIn.text);
    const next = await call(people[0]!, 'POST', '/v1/access-requests', {
      accountId: world.accountId,
      policyId: policy.id,
    });
    assert.equal(next.status, 201, next.text);
    await call(people[0]!, 'POST', `/v1/releases/${next.body.release.id}/check-in`);
  });

  it('an approved exclusive release waits for the account, then starts', async () => {
    const policy = await world.policy({
      selectors: [{ type: 'accounts', accountIds: [world.secondAccountId] }],
      approval: { mode: 'approval', requiredApprovals: 1, approverGroupIds: [world.approverGroupId] },
      release: { exclusive: true },
    });
    const [first, second, approver] = await Promise.all([
      world.person(['requester'], [world.requesterGroupId]),
      world.person(['requester'], [world.requesterGroupId]),
      world.person([], [world.approverGroupId]),
    ]);
    const body = { accountId: world.secondAccountId, policyId: policy.id, reason: 'maintenance window' };
    const one = await call(first, 'POST', '/v1/access-requests', body);
    const two = await call(second, 'POST', '/v1/access-requests', body);
    const [approvedOne, approvedTwo] = await Promise.all([
      call(approver, 'POST', `/v1/access-requests/${one.body.id}/approve`, { comment: 'ok' }),
      call(approver, 'POST', `/v1/access-requests/${two.body.id}/approve`, { comment: 'ok' }),
    ]);
    const statuses = [approvedOne.body.status, approvedTwo.body.status].sort();
    assert.deepEqual(statuses, ['active', 'approved'], 'one starts, the other waits');
    const [running, waiting, runner, waiter] =
      approvedOne.body.status === 'active'
        ? [approvedOne, approvedTwo, first, second]
        : [approvedTwo, approvedOne, second, first];
    const early = await call(waiter, 'POST', `/v1/releases/${waiting.body.release.id}/activate`);
    assert.equal(early.status, 409, 'cannot start while the account is checked out');
    const reveal = await call(waiter, 'POST', `/v1/releases/${waiting.body.release.id}/credential`, {});
    assert.equal(reveal.status, 409, 'nothing to retrieve before it starts');
    await call(runner, 'POST', `/v1/releases/${running.body.release.id}/check-in`);
    const started = await call(waiter, 'POST', `/v1/releases/${waiting.body.release.id}/activate`);
    assert.equal(started.status, 200, started.text);
    assert.equal(started.body.status, 'active');
    await call(waiter, 'POST', `/v1/releases/${waiting.body.release.id}/check-in`);
  });
});

describe('expiry', () => {
  it('is decided at read time, and the sweeper persists it, frees nothing it does not hold, and emits events', async () => {
    const policy = await world.policy({
      priority: 1,
      selectors: [{ type: 'system', systemId: world.systemId }],
      approval: { mode: 'auto' },
      release: { exclusive: true, requireReason: false, defaultMinutes: 2, maxMinutes: 5 },
    });
    const [early, late] = await Promise.all([
      world.person(['requester'], [world.requesterGroupId]),
      world.person(['requester'], [world.requesterGroupId]),
    ]);
    const first = await call(early, 'POST', '/v1/access-requests', {
      accountId: world.accountId,
      policyId: policy.id,
    });
    assert.equal(first.status, 201, first.text);
    const releaseId = first.body.release.id;
    const busy = await call(late, 'POST', '/v1/access-requests', {
      accountId: world.accountId,
      policyId: policy.id,
    });
    assert.equal(busy.status, 409);

    advanceMinutes(3);
    const reveal = await call(early, 'POST', `/v1/releases/${releaseId}/credential`, {});
    assert.equal(reveal.status, 409, 'an expired release reveals nothing, before any sweeper ran');
    const mine = await call(early, 'GET', '/v1/releases');
    assert.ok(!mine.body.items.some((r: { id: string }) => r.id === releaseId));
    const seen = await call(early, 'GET', `/v1/access-requests/${first.body.id}`);
    assert.equal(seen.body.status, 'expired');
    // The lists agree with it before the sweeper saves it: filtering on expired finds it.
    const listed = (who: Person, query: string) =>
      call(who, 'GET', `/v1/access-requests?${query}&limit=200`).then((response) =>
        response.body.items.map((r: { id: string; status: string }) => [r.id, r.status]),
      );
    assert.deepEqual(await listed(early, 'scope=mine&status=expired'), [[first.body.id, 'expired']]);
    assert.deepEqual(await listed(early, 'scope=mine&status=active'), []);
    const auditorsView = (
      await harness.call('GET', '/v1/access-requests?scope=all&status=expired&limit=200', {
        token: world.tenant.adminToken,
      })
    ).body.items.map((r: { id: string }) => r.id);
    assert.ok(auditorsView.includes(first.body.id), 'scope=all finds the unsaved expiry too');
    const checkIn = await call(early, 'POST', `/v1/releases/${releaseId}/check-in`);
    assert.equal(checkIn.status, 409);

    // The lapsed lock is free: the next exclusive release starts without waiting for the sweeper.
    const second = await call(late, 'POST', '/v1/access-requests', {
      accountId: world.accountId,
      policyId: policy.id,
    });
    assert.equal(second.status, 201, second.text);

    const context = { requestId: 'sweep-test', sourceIp: 'internal', userAgent: 'test' };
    const swept = await harness.composition.services.access!.sweepExpired(context);
    assert.ok(swept.expired >= 1, JSON.stringify(swept));
    const persisted = await harness.call('GET', `/v1/access-requests/${first.body.id}`, {
      token: world.tenant.adminToken,
    });
    assert.equal(persisted.body.status, 'expired');
    assert.equal(persisted.body.history.at(-1).actorId, 'expiry-sweeper');
    const event = await awaitReleaseEnded(releaseId);
    assert.equal(event.endedBy, 'expired');

    const stillHeld = await call(late, 'POST', `/v1/releases/${second.body.release.id}/credential`, {});
    assert.equal(stillHeld.status, 200, 'the sweeper left the new holder’s release alone');
    const trail = await harness.call('GET', `/v1/audit/events?targetId=${first.body.id}`, {
      token: world.tenant.adminToken,
    });
    const expiry = trail.body.items.find((e: { action: string }) => e.action === 'release.expire');
    assert.ok(expiry, trail.text);
    assert.equal(expiry.actor.type, 'system');
    await call(late, 'POST', `/v1/releases/${second.body.release.id}/check-in`);
  });

  it('pending requests expire after the policy’s request timeout', async () => {
    const policy = await world.policy({
      priority: 2,
      selectors: [{ type: 'accounts', accountIds: [world.secondAccountId] }],
      approval: { mode: 'approval', requiredApprovals: 1, approverGroupIds: [world.approverGroupId] },
      release: { requestTimeoutMinutes: 5 },
    });
    const [requester, approver] = await Promise.all([
      world.person(['requester'], [world.requesterGroupId]),
      world.person([], [world.approverGroupId]),
    ]);
    const created = await call(requester, 'POST', '/v1/access-requests', {
      accountId: world.secondAccountId,
      policyId: policy.id,
      reason: 'will wait too long',
    });
    assert.equal(created.status, 201, created.text);
    advanceMinutes(6);
    const seen = await call(requester, 'GET', `/v1/access-requests/${created.body.id}`);
    assert.equal(seen.body.status, 'expired');
    const approve = await call(approver, 'POST', `/v1/access-requests/${created.body.id}/approve`, {
      comment: 'late',
    });
    assert.equal(approve.status, 409);
    const inbox = await call(approver, 'GET', '/v1/access-requests?scope=approvals');
    assert.ok(!inbox.body.items.some((r: { id: string }) => r.id === created.body.id));
    await harness.composition.services.access!.sweepExpired({
      requestId: 'sweep-test-2',
      sourceIp: 'internal',
      userAgent: 'test',
    });
    const notes = await call(requester, 'GET', '/v1/notifications');
    assert.ok(
      notes.body.items.some(
        (n: { requestId: string; kind: string }) =>
          n.requestId === created.body.id && n.kind === 'request-expired',
      ),
    );
  });
});
