import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { AccessPolicyRecord } from './access.ports.ts';
import {
  type AccessConditions,
  type AccountSelector,
  accessConditionsSchema,
  weekdays,
} from './access.schemas.ts';
import {
  type AccountFacts,
  addressAllowed,
  applicablePolicies,
  buildPolicyIndex,
  failedCondition,
  selectorMatches,
} from './access-policy-evaluator.ts';

const groups = ['grp_A', 'grp_B', 'grp_C', 'grp_D'];
const accountIds = ['acc_1', 'acc_2', 'acc_3', 'acc_4', 'acc_5'];
const systemIds = ['sys_1', 'sys_2', 'sys_3'];
const platformsUsed = ['linux', 'windows', 'postgresql'] as const;
const workgroups = ['default', 'paris', 'lyon'];
const kinds = ['local', 'domain', 'database'] as const;
const tagPool = ['prod', 'pci', 'dev', 'eu'];
const accountGroups = ['agr_1', 'agr_2'];

const selectorArbitrary: fc.Arbitrary<AccountSelector> = fc.oneof(
  fc.record({
    type: fc.constant('accounts' as const),
    accountIds: fc.uniqueArray(fc.constantFrom(...accountIds), { minLength: 1, maxLength: 3 }),
  }),
  fc.record({
    type: fc.constant('account-group' as const),
    accountGroupId: fc.constantFrom(...accountGroups),
  }),
  fc.record({ type: fc.constant('system' as const), systemId: fc.constantFrom(...systemIds) }),
  fc.record(
    {
      type: fc.constant('criteria' as const),
      platform: fc.constantFrom(...platformsUsed),
      workgroup: fc.constantFrom(...workgroups),
      accountKind: fc.constantFrom(...kinds),
      tags: fc.uniqueArray(fc.constantFrom(...tagPool), { minLength: 1, maxLength: 2 }),
    },
    { requiredKeys: ['type'] },
  ),
);

const policyArbitrary = (index: number): fc.Arbitrary<AccessPolicyRecord> =>
  fc
    .record({
      priority: fc.integer({ min: 1, max: 5 }),
      status: fc.constantFrom('active' as const, 'active' as const, 'disabled' as const),
      requesterGroupIds: fc.uniqueArray(fc.constantFrom(...groups), { minLength: 1, maxLength: 2 }),
      selectors: fc.array(selectorArbitrary, { minLength: 1, maxLength: 3 }),
    })
    .map((fields) => ({
      id: `apo_${String(index).padStart(4, '0')}`,
      tenantId: 'ten_X',
      version: 1,
      name: `policy ${index}`,
      description: '',
      approval: { mode: 'auto' as const },
      conditions: { timezone: 'UTC' },
      release: {
        defaultMinutes: 60,
        maxMinutes: 60,
        exclusive: true,
        type: 'reveal' as const,
        rotateOnCheckIn: false,
        requireReason: false,
        ticket: { required: false, validationTimeoutMs: 3000 },
        requestTimeoutMinutes: 60,
      },
      createdAt: '',
      updatedAt: '',
      updatedBy: '',
      ...fields,
    }));

const accountArbitrary: fc.Arbitrary<AccountFacts> = fc.record({
  id: fc.constantFrom(...accountIds),
  systemId: fc.constantFrom(...systemIds),
  platform: fc.constantFrom(...platformsUsed),
  workgroup: fc.constantFrom(...workgroups),
  kind: fc.constantFrom(...kinds),
  tags: fc.uniqueArray(fc.constantFrom(...tagPool), { maxLength: 4 }),
  accountGroupIds: fc.uniqueArray(fc.constantFrom(...accountGroups), { maxLength: 2 }),
});

/** The specification, written the slow and obvious way. */
function bruteForce(
  policies: readonly AccessPolicyRecord[],
  userGroups: readonly string[],
  account: AccountFacts,
) {
  return policies
    .filter((p) => p.status === 'active')
    .filter((p) => p.requesterGroupIds.some((g) => userGroups.includes(g)))
    .filter((p) =>
      p.selectors.some((s) => {
        switch (s.type) {
          case 'accounts':
            return s.accountIds.includes(account.id);
          case 'account-group':
            return account.accountGroupIds?.includes(s.accountGroupId) ?? false;
          case 'system':
            return s.systemId === account.systemId;
          case 'criteria':
            return (
              (!s.platform || s.platform === account.platform) &&
              (!s.workgroup || s.workgroup === account.workgroup) &&
              (!s.accountKind || s.accountKind === account.kind) &&
              (!s.tags || s.tags.every((t) => account.tags.includes(t)))
            );
          default:
            return false;
        }
      }),
    )
    .sort((a, b) => a.priority - b.priority || (a.id < b.id ? -1 : 1))
    .map((p) => p.id);
}

describe('access policy evaluator', () => {
  it('the index decides exactly like a scan of every policy', () => {
    const policiesArbitrary = fc
      .integer({ min: 0, max: 25 })
      .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => policyArbitrary(i))));
    fc.assert(
      fc.property(
        policiesArbitrary,
        fc.uniqueArray(fc.constantFrom(...groups), { maxLength: 3 }),
        accountArbitrary,
        (policies, userGroups, account) => {
          const index = buildPolicyIndex(policies, 1);
          assert.deepEqual(
            applicablePolicies(index, userGroups, account).map((p) => p.id),
            bruteForce(policies, userGroups, account),
          );
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it('a criteria selector with every field requires every field', () => {
    const selector: AccountSelector = {
      type: 'criteria',
      platform: 'linux',
      workgroup: 'paris',
      tags: ['prod', 'pci'],
    };
    const account: AccountFacts = {
      id: 'acc_1',
      systemId: 'sys_1',
      platform: 'linux',
      workgroup: 'paris',
      kind: 'local',
      tags: ['prod'],
    };
    assert.equal(selectorMatches(selector, account), false);
    assert.equal(selectorMatches(selector, { ...account, tags: ['pci', 'prod', 'eu'] }), true);
  });
});

describe('access conditions', () => {
  const conditions = (input: object): AccessConditions => accessConditionsSchema.parse(input);

  it('nothing is allowed outside the window or from a denied network (property, UTC)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 7 * 24 * 60 - 1 }),
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 0, max: 23 }),
        fc.uniqueArray(fc.constantFrom(...weekdays), { minLength: 1, maxLength: 7 }),
        fc.ipV4(),
        (minuteOfWeek, fromHour, toHour, days, ip) => {
          fc.pre(fromHour !== toHour);
          // 2026-11-23 is a Monday.
          const now = new Date(Date.parse('2026-11-23T00:00:00Z') + minuteOfWeek * 60_000);
          const pad = (h: number) => `${String(h).padStart(2, '0')}:00`;
          const policy = conditions({
            daysOfWeek: days,
            hours: { from: pad(fromHour), to: pad(toHour) },
            timezone: 'UTC',
            sourceCidrs: ['10.0.0.0/8', '192.0.2.0/24'],
          });
          const hour = now.getUTCHours();
          const dayIndex = (now.getUTCDay() + 6) % 7;
          const inHours =
            fromHour < toHour ? hour >= fromHour && hour < toHour : hour >= fromHour || hour < toHour;
          // An overnight window belongs to the day it opened.
          const windowDay = fromHour > toHour && hour < toHour ? (dayIndex + 6) % 7 : dayIndex;
          const inDays = days.includes(weekdays[windowDay]!);
          const inNetwork = ip.startsWith('10.') || ip.startsWith('192.0.2.');
          const allowed = failedCondition(policy, now, ip) === null;
          assert.equal(allowed, inHours && inDays && inNetwork);
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('evaluates hours in the policy’s time zone, across daylight-saving changes', () => {
    const paris = conditions({ hours: { from: '08:00', to: '18:00' }, timezone: 'Europe/Paris' });
    // 07:30 UTC is 08:30 in Paris in winter (UTC+1) and 09:30 in summer (UTC+2).
    assert.equal(failedCondition(paris, new Date('2026-11-23T07:30:00Z'), '192.0.2.1'), null);
    assert.equal(failedCondition(paris, new Date('2026-11-23T06:30:00Z'), '192.0.2.1'), 'outside-hours');
    assert.equal(failedCondition(paris, new Date('2026-07-01T06:30:00Z'), '192.0.2.1'), null);
    assert.equal(failedCondition(paris, new Date('2026-07-01T16:30:00Z'), '192.0.2.1'), 'outside-hours');
  });

  it('matches IPv6 blocks and IPv4-mapped addresses', () => {
    assert.equal(addressAllowed(['2001:db8::/32'], '2001:db8:1::5'), true);
    assert.equal(addressAllowed(['2001:db8::/32'], '2001:db9::5'), false);
    assert.equal(addressAllowed(['10.1.0.0/16'], '::ffff:10.1.2.3'), true);
    assert.equal(addressAllowed(['10.1.0.0/16'], 'unknown'), false);
    assert.equal(addressAllowed(['203.0.113.7'], '203.0.113.7'), true);
  });
});
