import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { DeleteCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { createHarness, type Harness, type TestTenant } from '../support/api-harness.ts';
import { createFixture } from '../support/endpoint-catalogue.ts';

let harness: Harness;
let tenant: TestTenant;
let auditor: { token: string; id: string };

before(async () => {
  harness = await createHarness();
  tenant = await harness.newTenant('chain');
  await createFixture(harness, tenant);
  auditor = await tenant.userWithRoles(['auditor']);
});

type Item = Record<string, unknown> & { pk: string; sk: string; seq: number };

/** The lane holding the most events of the tenant, in sequence order. */
async function busiestLane(): Promise<Item[]> {
  const lanes = await Promise.all(
    Array.from({ length: 16 }, async (_, lane) => {
      const { Items } = await harness.clients.dynamo.send(
        new QueryCommand({
          TableName: harness.config.auditTable,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :e)',
          ExpressionAttributeValues: {
            ':pk': `T#${tenant.id}#L#${String(lane).padStart(2, '0')}`,
            ':e': 'E#',
          },
        }),
      );
      return (Items ?? []) as Item[];
    }),
  );
  return lanes.sort((a, b) => b.length - a.length)[0]!.sort((a, b) => a.seq - b.seq);
}

const put = (item: Item) =>
  harness.clients.dynamo.send(new PutCommand({ TableName: harness.config.auditTable, Item: item }));
const remove = (item: Item) =>
  harness.clients.dynamo.send(
    new DeleteCommand({ TableName: harness.config.auditTable, Key: { pk: item.pk, sk: item.sk } }),
  );

async function verify() {
  const response = await harness.call('POST', '/v1/audit/verify', { token: auditor.token, body: {} });
  assert.equal(response.status, 200, response.text);
  return response.body as {
    verified: boolean;
    eventsChecked: number;
    problems: { kind: string; seq: number }[];
  };
}

describe('audit trail', () => {
  it('verifies an untouched chain', async () => {
    const result = await verify();
    assert.equal(result.verified, true, JSON.stringify(result.problems));
    assert.ok(result.eventsChecked >= 10);
  });

  it('detects an altered event, then verifies again once restored', async () => {
    const events = await busiestLane();
    assert.ok(events.length >= 4, `lane has ${events.length} events`);
    const victim = events[2]!;
    await put({ ...victim, reason: 'nothing to see here' });
    const result = await verify();
    assert.equal(result.verified, false);
    assert.ok(
      result.problems.some((p) => p.kind === 'hash-mismatch' && p.seq === victim.seq),
      JSON.stringify(result.problems),
    );
    await put(victim);
    assert.equal((await verify()).verified, true);
  });

  it('detects a deleted event', async () => {
    const events = await busiestLane();
    const victim = events[1]!;
    await remove(victim);
    const result = await verify();
    assert.equal(result.verified, false);
    assert.ok(
      result.problems.some((p) => ['sequence-gap', 'broken-link'].includes(p.kind)),
      JSON.stringify(result.problems),
    );
    await put(victim);
    assert.equal((await verify()).verified, true);
  });

  it('detects a deleted last event (the lane head no longer matches)', async () => {
    const events = await busiestLane();
    const last = events.at(-1)!;
    await remove(last);
    const result = await verify();
    assert.equal(result.verified, false);
    assert.ok(
      result.problems.some((p) => p.kind === 'head-mismatch'),
      JSON.stringify(result.problems),
    );
    await put(last);
  });

  it('detects reordered events', async () => {
    const events = await busiestLane();
    const [a, b] = [events[1]!, events[2]!];
    await Promise.all([remove(a), remove(b)]);
    // Swap their positions: each keeps its content but takes the other's sequence number and key.
    await put({ ...a, seq: b.seq, sk: b.sk });
    await put({ ...b, seq: a.seq, sk: a.sk });
    const result = await verify();
    assert.equal(result.verified, false);
    assert.ok(result.problems.length >= 2, JSON.stringify(result.problems));
    await Promise.all([remove({ ...a, sk: b.sk }), remove({ ...b, sk: a.sk })]);
    await put(a);
    await put(b);
    assert.equal((await verify()).verified, true);
  });

  it('records who did what, from where, and can be searched and exported', async () => {
    const token = tenant.adminToken;
    const byAction = await harness.call('GET', '/v1/audit/events?action=system.create', { token });
    assert.equal(byAction.status, 200, byAction.text);
    assert.ok(byAction.body.items.length >= 1);
    const event = byAction.body.items[0];
    for (const field of [
      'id',
      'tenantId',
      'time',
      'actor',
      'sourceIp',
      'userAgent',
      'action',
      'target',
      'outcome',
      'reason',
      'requestId',
    ]) {
      assert.ok(field in event, `event has ${field}`);
    }
    assert.equal(event.tenantId, tenant.id);
    const byActor = await harness.call('GET', `/v1/audit/events?actorId=${event.actor.id}&limit=200`, {
      token,
    });
    assert.ok(byActor.body.items.every((e: { actor: { id: string } }) => e.actor.id === event.actor.id));
    const byTarget = await harness.call('GET', `/v1/audit/events?targetId=${event.target.id}`, { token });
    assert.ok(byTarget.body.items.some((e: { id: string }) => e.id === event.id));
    const future = await harness.call('GET', '/v1/audit/events?from=2099-01-01T00:00:00Z', { token });
    assert.deepEqual(future.body.items, []);
    const window = await harness.call(
      'GET',
      `/v1/audit/events?from=${encodeURIComponent(new Date(Date.parse(event.time) - 1).toISOString())}&to=${encodeURIComponent(new Date(Date.parse(event.time) + 1).toISOString())}`,
      { token },
    );
    assert.ok(window.body.items.some((e: { id: string }) => e.id === event.id));

    const signIns = await harness.call('GET', '/v1/audit/events?action=auth.sign-in', { token });
    assert.ok(signIns.body.items.length >= 1, signIns.text);

    const csv = await harness.call('GET', '/v1/audit/export?format=csv', { token });
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-type') ?? '', /^text\/csv/);
    assert.match(csv.text.split('\n')[0]!, /^id,time,/);
    const jsonl = await harness.call('GET', '/v1/audit/export?format=jsonl&limit=5', { token });
    const lines = jsonl.text.trim().split('\n');
    assert.equal(lines.length, 5);
    for (const line of lines) assert.equal(JSON.parse(line).tenantId, tenant.id);
    assert.ok(jsonl.headers.get('strongroom-next-cursor'));
    const exports = await harness.call('GET', '/v1/audit/events?action=audit.export', { token });
    assert.ok(exports.body.items.length >= 2);
  });
  it('refuses a time range whose end is not after its start, in search, export and verify (400 naming to)', async () => {
    const range = 'from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z';
    for (const [method, path, body] of [
      ['GET', `/v1/audit/events?${range}`, undefined],
      ['GET', `/v1/audit/export?${range}`, undefined],
      ['POST', '/v1/audit/verify', { from: '2026-11-02T00:00:00Z', to: '2026-11-02T00:00:00Z' }],
    ] as const) {
      const response = await harness.call<any>(method, path, { token: auditor.token, body });
      assert.equal(response.status, 400, `${method} ${path}: ${response.text}`);
      assert.equal(response.body.errors[0].field, 'to');
    }
  });

  it('pages through a filtered search to the end, even when most events do not match', async () => {
    const token = tenant.adminToken;
    const all: { id: string; action: string }[] = [];
    let cursor: string | undefined;
    do {
      const page = await harness.call(
        'GET',
        `/v1/audit/events?limit=200${cursor ? `&cursor=${cursor}` : ''}`,
        { token },
      );
      all.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor);
    const times = all.map((e) => (e as unknown as { time: string }).time);
    assert.deepEqual(times, [...times].sort().reverse(), 'newest first across lanes');
    const expected = all.filter((e) => e.action === 'credential.set').map((e) => e.id);
    assert.ok(expected.length >= 2);
    const found: string[] = [];
    let pages = 0;
    do {
      const page = await harness.call(
        'GET',
        `/v1/audit/events?action=credential.set&limit=1${cursor ? `&cursor=${cursor}` : ''}`,
        { token },
      );
      assert.equal(page.status, 200, page.text);
      found.push(...page.body.items.map((e: { id: string }) => e.id));
      cursor = page.body.nextCursor;
      pages += 1;
    } while (cursor && pages < 200);
    assert.deepEqual(found, expected);
  });
  it('keeps every lane verifiable under 40 concurrent audited writes', async () => {
    const responses = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        harness.call('POST', '/v1/systems', {
          token: tenant.adminToken,
          body: { name: `concurrent-${i}`, hostname: 'c.example', platform: 'linux' },
        }),
      ),
    );
    assert.deepEqual(
      responses.map((r) => r.status),
      Array.from({ length: 40 }, () => 201),
    );
    const result = await verify();
    assert.equal(result.verified, true, JSON.stringify(result.problems));
    const lanesUsed = new Set(
      (
        await harness.call('GET', '/v1/audit/events?action=system.create&limit=200', {
          token: tenant.adminToken,
        })
      ).body.items.map((e: { lane: number }) => e.lane),
    );
    assert.ok(lanesUsed.size > 1, 'concurrent writers spread over lanes');
  });
});
