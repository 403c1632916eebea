import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { createAccessRepositories } from '@strongroom/functions/adapters/dynamo/access.repo.dynamo';
import { systemClock } from '@strongroom/shared/kernel/clock';
import { timeOfId } from '@strongroom/shared/kernel/ids';
import { type AccessWorld, createAccessWorld, type Person } from '../support/access-setup.ts';
import { createHarness, type Harness } from '../support/api-harness.ts';

/**
 * `GET /v1/access-activity`: requests made per UTC day, counted through the indexes (the home
 * page's chart), for the caller's own requests or, for overseers, the tenant's.
 */

let harness: Harness;
let world: AccessWorld;
let other: AccessWorld;
let alice: Person;
let bob: Person;
let otherRequester: Person;
/** Alice's requests, in the order made, with their creation instants. */
const aliceRequests: { id: string; createdAt: string }[] = [];

interface Activity {
  scope: string;
  days: { day: string; requests: number }[];
}

before(async () => {
  harness = await createHarness();
  [world, other] = await Promise.all([
    createAccessWorld(harness, 'activity'),
    createAccessWorld(harness, 'activity-other'),
  ]);
  [alice, bob, otherRequester] = await Promise.all([
    world.person(['requester'], [world.requesterGroupId]),
    world.person(['requester'], [world.requesterGroupId]),
    other.person(['requester'], [other.requesterGroupId]),
  ]);
  const approval = (groupId: string) => ({
    approval: { mode: 'approval', requiredApprovals: 1, approverGroupIds: [groupId] },
    release: { exclusive: false },
  });
  const policyId = (await world.policy(approval(world.approverGroupId))).id;
  const otherPolicyId = (await other.policy(approval(other.approverGroupId))).id;
  const request = async (who: Person, accountId: string, policy: string) => {
    const created = await harness.call<{ id: string; createdAt: string }>('POST', '/v1/access-requests', {
      token: who.token,
      body: { accountId, policyId: policy, reason: 'activity chart', durationMinutes: 30 },
    });
    assert.equal(created.status, 201, created.text);
    return created.body;
  };
  for (let i = 0; i < 3; i++) aliceRequests.push(await request(alice, world.accountId, policyId));
  await request(bob, world.secondAccountId, policyId);
  await request(otherRequester, other.accountId, otherPolicyId);
});

const activity = (token: string, query: string) =>
  harness.call<Activity>('GET', `/v1/access-activity?${query}`, { token });

const utcToday = () => new Date().toISOString().slice(0, 10);
const total = (body: Activity) => body.days.reduce((sum, day) => sum + day.requests, 0);

describe('access activity (requests per day)', () => {
  it('counts my own requests per UTC day, oldest first, today last, empty days included', async () => {
    const before = utcToday();
    const response = await activity(alice.token, 'scope=mine');
    const after = utcToday();
    assert.equal(response.status, 200, response.text);
    assert.equal(response.body.scope, 'mine');
    const days = response.body.days;
    assert.equal(days.length, 30, 'thirty days by default');
    for (let i = 1; i < days.length; i++) {
      assert.equal(
        Date.parse(days[i]!.day) - Date.parse(days[i - 1]!.day),
        86_400_000,
        'consecutive days, oldest first',
      );
    }
    assert.ok([before, after].includes(days.at(-1)!.day), 'the last day is today (UTC)');
    assert.equal(total(response.body), 3, 'alice made three requests; bob’s are not hers');
    assert.ok(
      days.slice(0, -2).every((day) => day.requests === 0),
      'nothing before yesterday',
    );
  });

  it('counts every request of the tenant for an overseer, and none of another tenant', async () => {
    const mine = await activity(world.tenant.adminToken, 'scope=all&days=7');
    assert.equal(mine.status, 200, mine.text);
    assert.equal(mine.body.days.length, 7);
    assert.equal(total(mine.body), 4, 'alice’s three and bob’s one');
    const theirs = await activity(other.tenant.adminToken, 'scope=all');
    assert.equal(total(theirs.body), 1, 'the other tenant counts only its own');
  });

  it('refuses the whole tenant’s figures to a requester (403), and bad input naming the field', async () => {
    const refused = await activity(alice.token, 'scope=all');
    assert.equal(refused.status, 403, refused.text);
    assert.equal(refused.headers.get('content-type'), 'application/problem+json');
    for (const [query, field] of [
      ['days=0', 'days'],
      ['days=91', 'days'],
      ['scope=approvals', 'scope'],
      ['tenantId=ten_01', 'tenantId'],
    ] as const) {
      const bad = await activity(alice.token, query);
      assert.equal(bad.status, 400, `${query}: ${bad.text}`);
      assert.ok(
        (bad.body as unknown as { errors: { field: string }[] }).errors.some((e) => e.field.endsWith(field)),
        `${query} names ${field}: ${bad.text}`,
      );
    }
  });

  for (const [path, activityKeysPerRead] of [
    ['with one read of the keys', undefined],
    ['with a COUNT query per window (more requests than one read takes)', 2],
  ] as const) {
    it(`counts each request in exactly one window, from its first instant up to but not including the next (${path})`, async () => {
      const repositories = createAccessRepositories({
        client: harness.clients.dynamo,
        table: harness.config.mainTable,
        writer: harness.writer,
        clock: systemClock,
        ...(activityKeysPerRead ? { activityKeysPerRead } : {}),
      });
      const tenantId = world.tenant.id;
      // The tenant's requests are counted by the time in their id, a requester's by `createdAt`.
      const idTimes = aliceRequests.map((r) => timeOfId(r.id));
      const created = aliceRequests.map((r) => new Date(r.createdAt));
      for (const [requesterId, times] of [
        [null, idTimes],
        [alice.id, created],
      ] as const) {
        const [first, second, third] = times as [Date, Date, Date];
        assert.ok(first < second && second < third, 'made in three different milliseconds');
        const counts = await repositories.accessRequests.countCreated(tenantId, requesterId, [
          { from: first, to: second },
          { from: second, to: third },
          { from: third, to: new Date(third.getTime() + 1) },
          { from: first, to: first },
          { from: new Date(first.getTime() - 60_000), to: first },
        ]);
        // Bob's request came after alice's third, in a later millisecond.
        assert.deepEqual(counts, [1, 1, 1, 0, 0], `requester ${requesterId ?? '(all)'}`);
      }
    });
  }
});
