import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { type AccessWorld, createAccessWorld, type Person } from '../support/access-setup.ts';
import { createHarness, type Harness } from '../support/api-harness.ts';

/**
 * `GET /v1/access-requests?scope=decided`: what an approver decided, newest decision first, read
 * through the approver's own decision index (written in the decision's audited transaction).
 */

/**
 * A clock that moves only when the tests move it, so that every decision has its own instant and
 * a release expires when the test says so, however slow the machine is.
 */
let nowMs = Date.now();
const clock = { now: () => new Date(nowMs) };
const advanceSeconds = (seconds: number) => {
  nowMs += seconds * 1000;
};

let harness: Harness;
let world: AccessWorld;
let other: AccessWorld;
let requester: Person;
/** Approver who also requests (in both groups). */
let alice: Person;
let bob: Person;
/** An approver of the other tenant. */
let carol: Person;
let otherRequester: Person;
let policyId: string;
let otherPolicyId: string;

before(async () => {
  harness = await createHarness({ clock });
  [world, other] = await Promise.all([
    createAccessWorld(harness, 'decided'),
    createAccessWorld(harness, 'decided-other'),
  ]);
  [requester, alice, bob, carol, otherRequester] = await Promise.all([
    world.person(['requester'], [world.requesterGroupId]),
    world.person(['requester'], [world.requesterGroupId, world.approverGroupId]),
    world.person([], [world.approverGroupId]),
    other.person([], [other.approverGroupId]),
    other.person(['requester'], [other.requesterGroupId]),
  ]);
  const single = {
    approval: { mode: 'approval', requiredApprovals: 1, approverGroupIds: [world.approverGroupId] },
    release: { exclusive: false },
  };
  policyId = (await world.policy(single)).id;
  otherPolicyId = (
    await other.policy({
      ...single,
      approval: { ...single.approval, approverGroupIds: [other.approverGroupId] },
    })
  ).id;
});

const call = <T = any>(person: Person, method: string, path: string, body?: unknown) =>
  harness.call<T>(method, path, { token: person.token, body });

async function newRequest(who: Person, reason: string, durationMinutes = 60): Promise<string> {
  const onOther = who === otherRequester;
  const created = await call(who, 'POST', '/v1/access-requests', {
    accountId: onOther ? other.accountId : world.accountId,
    policyId: onOther ? otherPolicyId : policyId,
    reason,
    durationMinutes,
  });
  assert.equal(created.status, 201, created.text);
  return created.body.id;
}

async function decideOn(who: Person, requestId: string, decision: 'approve' | 'deny', comment: string) {
  advanceSeconds(1);
  const response = await call(who, 'POST', `/v1/access-requests/${requestId}/${decision}`, { comment });
  assert.equal(response.status, 200, response.text);
  return response.body;
}

interface Listed {
  id: string;
  status: string;
  requesterId: string;
  approval: { decisions: { approverId: string; decision: string; comment: string; at: string }[] };
}

async function decided(who: Person, query = ''): Promise<{ items: Listed[]; nextCursor?: string }> {
  const response = await call(who, 'GET', `/v1/access-requests?scope=decided${query}`);
  assert.equal(response.status, 200, response.text);
  return response.body;
}

/** Every page of the caller's decisions, following the cursor. */
async function allDecided(who: Person, query = '&limit=200'): Promise<Listed[]> {
  const items: Listed[] = [];
  let cursor: string | undefined;
  do {
    const page = await decided(who, `${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

const decisionItem = (tenantId: string, requestId: string, approverId: string) =>
  harness.clients.dynamo.send(
    new GetCommand({
      TableName: harness.config.mainTable,
      Key: { pk: `T#${tenantId}`, sk: `REQ_DECISION#${requestId}#${approverId}` },
      ConsistentRead: true,
    }),
  );

describe('scope=decided: the requests I approved or denied', () => {
  let approvedByAlice: string;
  let deniedByAlice: string;
  let laterByAlice: string;
  let approvedByBob: string;
  let requestedByAlice: string;
  let otherTenantRequest: string;

  before(async () => {
    approvedByAlice = await newRequest(requester, 'patch the kernel');
    deniedByAlice = await newRequest(requester, 'look around', 1);
    // A release long enough that no other test file's expiry sweeper reaches it during this suite:
    // the sweeper works across tenants, and another file runs it on a clock up to 9 minutes ahead;
    // a one-minute release was once expired by it.
    laterByAlice = await newRequest(requester, 'restart the service', 30);
    approvedByBob = await newRequest(requester, 'rotate the logs');
    requestedByAlice = await newRequest(alice, 'my own work');
    otherTenantRequest = await newRequest(otherRequester, 'elsewhere');

    await decideOn(alice, approvedByAlice, 'approve', 'fine, go ahead');
    await decideOn(alice, deniedByAlice, 'deny', 'not without a ticket');
    await decideOn(bob, approvedByBob, 'approve', 'ok from bob');
    await decideOn(bob, requestedByAlice, 'approve', 'ok for alice');
    await decideOn(carol, otherTenantRequest, 'approve', 'other tenant, fine');
    await decideOn(alice, laterByAlice, 'approve', 'last one');
    // Approving again changes nothing and files nothing twice.
    await decideOn(alice, approvedByAlice, 'approve', 'fine, go ahead');
  });

  it('lists only my own decisions, newest decision first, with my decision and comment', async () => {
    const mine = await allDecided(alice);
    assert.deepEqual(
      mine.map((r) => r.id),
      [laterByAlice, deniedByAlice, approvedByAlice],
    );
    const mineOf = (r: Listed) => r.approval.decisions.find((d) => d.approverId === alice.id);
    assert.deepEqual(
      mine.map((r) => [mineOf(r)?.decision, mineOf(r)?.comment, r.status]),
      [
        ['approve', 'last one', 'active'],
        ['deny', 'not without a ticket', 'denied'],
        ['approve', 'fine, go ahead', 'active'],
      ],
    );
    const times = mine.map((r) => mineOf(r)!.at);
    assert.deepEqual(times, [...times].sort().reverse(), 'newest decision first');

    const bobs = await allDecided(bob);
    assert.deepEqual(
      bobs.map((r) => r.id),
      [requestedByAlice, approvedByBob],
      'another approver sees only their own decisions',
    );
  });

  it('never lists a request I merely requested, nor another tenant’s decisions', async () => {
    const mine = (await allDecided(alice)).map((r) => r.id);
    assert.ok(!mine.includes(requestedByAlice), 'alice requested it; bob decided it');
    assert.ok(!mine.includes(otherTenantRequest));
    const requesters = await allDecided(requester);
    assert.deepEqual(requesters, [], 'a requester who decided nothing has an empty list');
    const carols = (await allDecided(carol)).map((r) => r.id);
    assert.deepEqual(carols, [otherTenantRequest], 'the other tenant sees only its own');
  });

  it('pages with a cursor, newest first, without repeating or skipping', async () => {
    const first = await decided(alice, '&limit=2');
    assert.deepEqual(
      first.items.map((r) => r.id),
      [laterByAlice, deniedByAlice],
    );
    assert.ok(first.nextCursor, 'a second page exists');
    const second = await decided(alice, `&limit=2&cursor=${encodeURIComponent(first.nextCursor!)}`);
    assert.deepEqual(
      second.items.map((r) => r.id),
      [approvedByAlice],
    );
    assert.equal(second.nextCursor, undefined, 'nothing after the last page');
  });

  it('filters by the current status, like the other scopes (expiry by the clock included)', async () => {
    const denied = await allDecided(alice, '&status=denied&limit=1');
    assert.deepEqual(
      denied.map((r) => r.id),
      [deniedByAlice],
    );
    const active = await allDecided(alice, '&status=active&limit=1');
    assert.deepEqual(
      active.map((r) => r.id),
      [laterByAlice, approvedByAlice],
    );
    // laterByAlice was released for 30 minutes: once they have passed, the release counts as
    // expired (approvedByAlice, released for 60, is still active). Alice signs in again (her
    // token has expired by then); the clock goes back afterwards for the other tests' tokens.
    advanceSeconds(31 * 60);
    try {
      const later = { ...alice, token: await harness.login(world.tenant.slug, alice.email, alice.password) };
      const expired = await allDecided(later, '&status=expired');
      assert.deepEqual(
        expired.map((r) => r.id),
        [laterByAlice],
      );
      const stillActive = await allDecided(later, '&status=active');
      assert.deepEqual(
        stillActive.map((r) => r.id),
        [approvedByAlice],
      );
    } finally {
      advanceSeconds(-31 * 60);
    }
  });

  it('files the decision under the approver’s own index key, once', async () => {
    const { Item } = await decisionItem(world.tenant.id, deniedByAlice, alice.id);
    assert.ok(Item, 'the decision item exists');
    assert.equal(Item.gsi1pk, `T#${world.tenant.id}#DECIDEDBY#${alice.id}`);
    assert.match(Item.gsi1sk, new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[^#]+Z#${deniedByAlice}$`));
    assert.equal(Item.decision, 'deny');
    const { Item: none } = await decisionItem(world.tenant.id, requestedByAlice, alice.id);
    assert.equal(none, undefined, 'no decision item for a request alice only requested');
  });

  it('refuses a cursor of another approver or another list (400 naming the cursor)', async () => {
    const bobs = await decided(bob, '&limit=1');
    assert.ok(bobs.nextCursor);
    const forged = await call(
      alice,
      'GET',
      `/v1/access-requests?scope=decided&limit=1&cursor=${encodeURIComponent(bobs.nextCursor!)}`,
    );
    assert.equal(forged.status, 400, forged.text);
    assert.equal(forged.headers.get('content-type'), 'application/problem+json');
    assert.ok(forged.body.errors.some((e: { field: string }) => e.field === 'cursor'));

    // The requester's own list, same tenant: its cursor names the requester's index partition.
    const theirs = await call(requester, 'GET', '/v1/access-requests?scope=mine&limit=1');
    assert.ok(theirs.body.nextCursor, theirs.text);
    const wrongList = await call(
      alice,
      'GET',
      `/v1/access-requests?scope=decided&cursor=${encodeURIComponent(theirs.body.nextCursor)}`,
    );
    assert.equal(wrongList.status, 400, wrongList.text);

    const carolsCursor = Buffer.from(
      JSON.stringify({
        pk: `T#${other.tenant.id}`,
        sk: `REQ_DECISION#${otherTenantRequest}#${carol.id}`,
        gsi1pk: `T#${other.tenant.id}#DECIDEDBY#${carol.id}`,
        gsi1sk: `9999#${otherTenantRequest}`,
      }),
    ).toString('base64url');
    const crossTenant = await call(
      alice,
      'GET',
      `/v1/access-requests?scope=decided&cursor=${encodeURIComponent(carolsCursor)}`,
    );
    assert.equal(crossTenant.status, 400, 'another tenant’s key in a cursor is refused');
  });

  it('rejects an unknown scope naming the field', async () => {
    const response = await call(alice, 'GET', '/v1/access-requests?scope=decided-by-bob');
    assert.equal(response.status, 400, response.text);
    assert.ok(response.body.errors.some((e: { field: string }) => e.field === 'scope'));
  });
});

describe('the decision index is written atomically with the decision and its audit event', () => {
  it('when the audit trail cannot be written, neither the decision nor its index entry is', async () => {
    const broken = await createHarness({
      clock,
      config: { auditTable: 'strongroom-test-no-such-audit-table' },
      seedOperator: false,
    });
    const id = await newRequest(requester, 'during an audit outage');
    const refused = await broken.call('POST', `/v1/access-requests/${id}/approve`, {
      token: bob.token,
      body: { comment: 'cannot be recorded' },
    });
    assert.equal(refused.status, 503, refused.text);
    assert.equal(refused.body.code, 'audit-unavailable');
    const { Item } = await decisionItem(world.tenant.id, id, bob.id);
    assert.equal(Item, undefined, 'no index entry without its decision');
    assert.ok(!(await allDecided(bob)).some((r) => r.id === id));
    const request = await call(requester, 'GET', `/v1/access-requests/${id}`);
    assert.equal(request.body.status, 'requested');
    assert.deepEqual(request.body.approval.decisions, []);

    await decideOn(bob, id, 'deny', 'recorded this time');
    assert.equal((await allDecided(bob))[0]?.id, id, 'the retried decision is listed first');
  });
});
