import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { createAccessRepositories } from '@strongroom/functions/adapters/dynamo/access.repo.dynamo';
import { keys } from '@strongroom/functions/adapters/dynamo/keys';
import type { AccessPolicyRecord } from '@strongroom/shared/access/access.ports';
import type { AccountSelector } from '@strongroom/shared/access/access.schemas';
import {
  type AccountFacts,
  applicablePolicies,
  buildPolicyIndex,
} from '@strongroom/shared/access/access-policy-evaluator';
import { systemClock } from '@strongroom/shared/kernel/clock';
import type { Harness } from '../support/api-harness.ts';

/**
 * Access-workflow figures:
 *   - approve-and-retrieve round trip through the API: request → approval → reveal, p50/p99;
 *   - policy evaluation for a tenant with 10,000 policies over 1,000,000 accounts: the time of one
 *     decision (the strongly consistent read of the tenant's policy-set version, then the indexed
 *     evaluation), and the time to load and index all 10,000 policies after a change.
 */

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const round = (value: number, digits = 2) => Number(value.toFixed(digits));

/** Deterministic PRNG (mulberry32), so every run draws the same tenant. */
function random(seed: number) {
  let a = seed;
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ulidOf = (prefix: string, n: number) => `${prefix}_${n.toString(32).toUpperCase().padStart(26, '0')}`;

export async function benchApproveAndRetrieve(
  harness: Harness,
  roundTrips: number,
  log: (line: string) => void,
) {
  const tenant = await harness.newTenant('bench-access');
  const token = tenant.adminToken;
  const ok = async (method: string, path: string, body?: unknown, as = token) => {
    const response = await harness.call(method, path, { token: as, body });
    if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${response.text}`);
    return response.body;
  };
  const system = await ok('POST', '/v1/systems', {
    name: 'bench-access',
    hostname: 'ba.example',
    platform: 'linux',
  });
  const account = await ok('POST', '/v1/accounts', { systemId: system.id, username: 'dba', kind: 'local' });
  await ok('POST', `/v1/accounts/${account.id}/credential`, { generate: true });
  const requesters = await ok('POST', '/v1/groups', { name: 'bench requesters', roles: [] });
  const approvers = await ok('POST', '/v1/groups', { name: 'bench approvers', roles: [] });
  const requester = await tenant.userWithRoles(['requester']);
  const approver = await tenant.userWithRoles([]);
  await ok('PUT', `/v1/groups/${requesters.id}/members/${requester.id}`);
  await ok('PUT', `/v1/groups/${approvers.id}/members/${approver.id}`);
  const policy = await ok('POST', '/v1/access-policies', {
    name: 'bench approval',
    requesterGroupIds: [requesters.id],
    selectors: [{ type: 'system', systemId: system.id }],
    approval: { mode: 'approval', requiredApprovals: 1, approverGroupIds: [approvers.id] },
    release: { exclusive: false },
  });
  const roundTrip = async () => {
    const request = await ok(
      'POST',
      '/v1/access-requests',
      { accountId: account.id, policyId: policy.id, reason: 'benchmark round trip' },
      requester.token,
    );
    const approved = await ok(
      'POST',
      `/v1/access-requests/${request.id}/approve`,
      { comment: 'ok' },
      approver.token,
    );
    await ok('POST', `/v1/releases/${approved.release.id}/credential`, {}, requester.token);
  };
  for (let i = 0; i < 5; i++) await roundTrip();
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < roundTrips) {
        next++;
        const begin = performance.now();
        await roundTrip();
        latencies.push(performance.now() - begin);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const figures = {
    approveAndRetrieveRoundTrips: roundTrips,
    approveAndRetrievePerSecond: round(roundTrips / seconds, 1),
    approveAndRetrieveP50Ms: round(percentile(latencies, 50)),
    approveAndRetrieveP99Ms: round(percentile(latencies, 99)),
  };
  log(`  ${JSON.stringify(figures)}`);
  return figures;
}

export async function benchPolicyEvaluation(
  harness: Harness,
  options: { policies: number; accounts: number; decisions: number },
  log: (line: string) => void,
) {
  const draw = random(20261123);
  const pick = (n: number) => Math.floor(draw() * n);
  const tenantId = `ten_BENCHPOLICIES${Date.now()}`;
  const groups = 500;
  const systems = 10_000;
  const accountGroups = 2_000;
  const platforms = ['linux', 'windows', 'postgresql', 'mysql', 'active-directory'] as const;
  const workgroups = ['default', 'paris', 'lyon', 'berlin', 'madrid', 'rome', 'oslo', 'dublin'];
  const tags = Array.from({ length: 200 }, (_, i) => `tag-${i}`);
  const kinds = ['local', 'domain', 'database', 'ssh-key', 'service'] as const;

  const selector = (): AccountSelector => {
    const kind = pick(10);
    if (kind < 3)
      return {
        type: 'accounts',
        accountIds: Array.from({ length: 1 + pick(20) }, () => ulidOf('acc', pick(options.accounts))),
      };
    if (kind < 5) return { type: 'account-group', accountGroupId: ulidOf('agr', pick(accountGroups)) };
    if (kind < 8) return { type: 'system', systemId: ulidOf('sys', pick(systems)) };
    return {
      type: 'criteria',
      platform: platforms[pick(platforms.length)],
      ...(draw() < 0.5 ? { workgroup: workgroups[pick(workgroups.length)] } : {}),
      ...(draw() < 0.7 ? { tags: [tags[pick(tags.length)]!] } : {}),
    };
  };
  const at = new Date().toISOString();
  const policies: AccessPolicyRecord[] = Array.from({ length: options.policies }, (_, i) => ({
    id: ulidOf('apo', i),
    tenantId,
    version: 1,
    name: `bench policy ${i}`,
    description: '',
    priority: 1 + pick(1000),
    status: draw() < 0.95 ? 'active' : 'disabled',
    requesterGroupIds: Array.from({ length: 1 + pick(3) }, () => ulidOf('grp', pick(groups))),
    selectors: Array.from({ length: 1 + pick(3) }, selector),
    approval:
      draw() < 0.5
        ? { mode: 'auto' }
        : {
            mode: 'approval',
            requiredApprovals: 1 + pick(2),
            approverGroupIds: [ulidOf('grp', pick(groups))],
          },
    conditions: { timezone: 'UTC' },
    release: {
      defaultMinutes: 360,
      maxMinutes: 360,
      exclusive: true,
      type: 'reveal',
      rotateOnCheckIn: false,
      requireReason: true,
      ticket: { required: false, validationTimeoutMs: 3000 },
      requestTimeoutMinutes: 1440,
    },
    createdAt: at,
    updatedAt: at,
    updatedBy: 'bench',
  }));

  // Seed the tenant's policies straight into the table (an API create per policy would measure
  // the audit trail, not the evaluator), plus its policy-set version.
  const table = harness.config.mainTable;
  const items = [
    ...policies.map((p) => ({ ...keys.accessPolicy(tenantId, p.id), entity: 'access-policy', ...p })),
    { ...keys.accessPolicySet(tenantId), entity: 'access-policy-set', version: 1 },
  ];
  const seedStarted = performance.now();
  const batches: (typeof items)[] = [];
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
  await Promise.all(
    Array.from({ length: 8 }, async (_, worker) => {
      for (let b = worker; b < batches.length; b += 8) {
        let pending: Record<string, { PutRequest: { Item: Record<string, unknown> } }[]> | undefined = {
          [table]: batches[b]!.map((Item) => ({ PutRequest: { Item } })),
        };
        while (pending && Object.keys(pending).length > 0) {
          const result = await harness.clients.dynamo.send(new BatchWriteCommand({ RequestItems: pending }));
          pending = result.UnprocessedItems as typeof pending;
        }
      }
    }),
  );
  log(`  seeded ${options.policies} policies in ${round((performance.now() - seedStarted) / 1000, 1)} s`);

  const writer = harness.writer;
  const repositories = createAccessRepositories({
    client: harness.clients.dynamo,
    table,
    writer,
    clock: systemClock,
  });
  const loadStarted = performance.now();
  const index = buildPolicyIndex(await repositories.accessPolicies.loadAll(tenantId), 1);
  const indexLoadMs = round(performance.now() - loadStarted, 1);

  const account = (): AccountFacts => {
    const id = pick(options.accounts);
    return {
      id: ulidOf('acc', id),
      systemId: ulidOf('sys', id % systems),
      platform: platforms[id % platforms.length]!,
      workgroup: workgroups[id % workgroups.length]!,
      kind: kinds[id % kinds.length]!,
      tags: [tags[id % tags.length]!, tags[(id * 7) % tags.length]!],
      accountGroupIds: id % 3 === 0 ? [ulidOf('agr', id % accountGroups)] : [],
    };
  };
  const userGroups = () => Array.from({ length: 1 + pick(5) }, () => ulidOf('grp', pick(groups)));

  const latencies: number[] = [];
  const evaluationOnly: number[] = [];
  let covered = 0;
  for (let i = 0; i < options.decisions; i++) {
    const facts = account();
    const memberOf = userGroups();
    const begin = performance.now();
    const version = await repositories.accessPolicies.setVersion(tenantId);
    if (version !== index.version) throw new Error('policy set changed during the benchmark');
    const evaluateBegin = performance.now();
    const found = applicablePolicies(index, memberOf, facts);
    const end = performance.now();
    if (found.length > 0) covered++;
    latencies.push(end - begin);
    evaluationOnly.push(end - evaluateBegin);
  }
  latencies.sort((a, b) => a - b);
  evaluationOnly.sort((a, b) => a - b);
  const figures = {
    policyCount: options.policies,
    accountSpace: options.accounts,
    policyDecisions: options.decisions,
    policyDecisionsCovered: covered,
    policyDecisionP50Ms: round(percentile(latencies, 50), 3),
    policyDecisionP99Ms: round(percentile(latencies, 99), 3),
    policyEvaluationOnlyP99Ms: round(percentile(evaluationOnly, 99), 4),
    policyIndexLoadMs: indexLoadMs,
  };
  log(`  ${JSON.stringify(figures)}`);
  return figures;
}
