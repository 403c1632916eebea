import { BlockList, isIP } from 'node:net';
import { dayBefore, localTime, minutesOf } from '../kernel/local-time.ts';
import type { AccessPolicyRecord } from './access.ports.ts';
import type { AccessConditions, AccountSelector } from './access.schemas.ts';

/**
 * Decides which access policies cover a (requester, account) pair, and whether a policy's
 * conditions hold at an instant from an address. Pure: the policies come in as an index built
 * once per policy-set version, so a decision is a handful of map lookups however many policies
 * and accounts a tenant has.
 */

/** What the evaluator needs of an account. */
export interface AccountFacts {
  readonly id: string;
  readonly systemId: string;
  readonly platform: string;
  readonly workgroup: string;
  readonly kind: string;
  readonly tags: readonly string[];
  readonly accountGroupIds?: readonly string[];
}

/** The keys under which a selector is filed, and under which an account is looked up. */
function selectorKeys(selector: AccountSelector): string[] {
  switch (selector.type) {
    case 'accounts':
      return selector.accountIds.map((id) => `acc:${id}`);
    case 'account-group':
      return [`agr:${selector.accountGroupId}`];
    case 'system':
      return [`sys:${selector.systemId}`];
    case 'criteria':
      // Filed under its most selective field; the other fields are checked on the candidate.
      if (selector.tags?.[0] !== undefined) return [`tag:${selector.tags[0]}`];
      if (selector.workgroup !== undefined) return [`wg:${selector.workgroup}`];
      if (selector.platform !== undefined) return [`plat:${selector.platform}`];
      if (selector.accountKind !== undefined) return [`kind:${selector.accountKind}`];
      return ['all'];
  }
}

function accountKeys(account: AccountFacts): string[] {
  return [
    `acc:${account.id}`,
    `sys:${account.systemId}`,
    ...(account.accountGroupIds ?? []).map((id) => `agr:${id}`),
    ...account.tags.map((tag) => `tag:${tag}`),
    `wg:${account.workgroup}`,
    `plat:${account.platform}`,
    `kind:${account.kind}`,
    'all',
  ];
}

export function selectorMatches(selector: AccountSelector, account: AccountFacts): boolean {
  switch (selector.type) {
    case 'accounts':
      return selector.accountIds.includes(account.id);
    case 'account-group':
      return (account.accountGroupIds ?? []).includes(selector.accountGroupId);
    case 'system':
      return selector.systemId === account.systemId;
    case 'criteria':
      return (
        (selector.platform === undefined || selector.platform === account.platform) &&
        (selector.workgroup === undefined || selector.workgroup === account.workgroup) &&
        (selector.accountKind === undefined || selector.accountKind === account.kind) &&
        (selector.tags === undefined || selector.tags.every((tag) => account.tags.includes(tag)))
      );
  }
}

export function policyCovers(policy: AccessPolicyRecord, account: AccountFacts): boolean {
  return policy.selectors.some((selector) => selectorMatches(selector, account));
}

export interface PolicyIndex {
  readonly version: number;
  readonly size: number;
  /** requester group → selector key → policies filed there. */
  readonly byGroup: ReadonlyMap<string, ReadonlyMap<string, readonly AccessPolicyRecord[]>>;
}

/** Files each active policy under each of its requester groups and selector keys. */
export function buildPolicyIndex(policies: readonly AccessPolicyRecord[], version: number): PolicyIndex {
  const byGroup = new Map<string, Map<string, AccessPolicyRecord[]>>();
  let size = 0;
  for (const policy of policies) {
    if (policy.status !== 'active') continue;
    size++;
    const keys = new Set(policy.selectors.flatMap(selectorKeys));
    for (const groupId of policy.requesterGroupIds) {
      let byKey = byGroup.get(groupId);
      if (!byKey) {
        byKey = new Map();
        byGroup.set(groupId, byKey);
      }
      for (const key of keys) {
        const filed = byKey.get(key);
        if (filed) filed.push(policy);
        else byKey.set(key, [policy]);
      }
    }
  }
  return { version, size, byGroup };
}

/** Active policies that let a member of `groupIds` request `account`, best first (priority, then id). */
export function applicablePolicies(
  index: PolicyIndex,
  groupIds: readonly string[],
  account: AccountFacts,
): AccessPolicyRecord[] {
  const found = new Map<string, AccessPolicyRecord>();
  const keys = accountKeys(account);
  for (const groupId of groupIds) {
    const byKey = index.byGroup.get(groupId);
    if (!byKey) continue;
    for (const key of keys) {
      for (const policy of byKey.get(key) ?? []) {
        if (!found.has(policy.id) && policyCovers(policy, account)) found.set(policy.id, policy);
      }
    }
  }
  return [...found.values()].sort((a, b) => a.priority - b.priority || (a.id < b.id ? -1 : 1));
}

export type ConditionFailure = 'outside-days' | 'outside-hours' | 'source-address';

const blockLists = new WeakMap<readonly string[], BlockList>();
function blockListOf(cidrs: readonly string[]): BlockList {
  let list = blockLists.get(cidrs);
  if (!list) {
    list = new BlockList();
    for (const cidr of cidrs) {
      const [address = '', prefix] = cidr.split('/');
      const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
      if (prefix === undefined) list.addAddress(address, family);
      else list.addSubnet(address, Number(prefix), family);
    }
    blockLists.set(cidrs, list);
  }
  return list;
}

/** Whether `address` lies in one of the CIDR blocks (IPv4-mapped IPv6 counts as IPv4). */
export function addressAllowed(cidrs: readonly string[], address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  const ip = mapped ?? address;
  const family = isIP(ip);
  if (family === 0) return false;
  return blockListOf(cidrs).check(ip, family === 6 ? 'ipv6' : 'ipv4');
}

/**
 * Checks a policy's conditions at `now` from `sourceIp`; returns the first that fails, or null.
 * An overnight window (22:00–06:00) belongs to the day it starts on.
 */
export function failedCondition(
  conditions: AccessConditions,
  now: Date,
  sourceIp: string,
): ConditionFailure | null {
  if (conditions.daysOfWeek || conditions.hours) {
    const local = localTime(now, conditions.timezone);
    let day = local.weekday;
    if (conditions.hours) {
      const from = minutesOf(conditions.hours.from);
      const to = minutesOf(conditions.hours.to);
      const inside =
        from < to ? local.minutes >= from && local.minutes < to : local.minutes >= from || local.minutes < to;
      if (!inside) return 'outside-hours';
      if (from > to && local.minutes < to) {
        // Early-morning part of a window that opened the evening before.
        day = dayBefore(day);
      }
    }
    if (conditions.daysOfWeek && !conditions.daysOfWeek.includes(day)) return 'outside-days';
  }
  if (conditions.sourceCidrs && !addressAllowed(conditions.sourceCidrs, sourceIp)) return 'source-address';
  return null;
}

export const conditionMessages: Record<ConditionFailure, string> = {
  'outside-days': 'The policy does not allow access on this day of the week.',
  'outside-hours': 'The policy does not allow access at this time of day.',
  'source-address': 'The policy does not allow access from your network address.',
};
