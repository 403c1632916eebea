import 'server-only';
import { can } from '@/lib/api';
import type { SessionData } from '@/lib/session-cookie';
import { type Group, listAllIfAllowed } from '../../users/_lib/identity';
import type { AccountGroupItem, GroupItem } from '../_components/policy-form';
import type { SystemItem } from './policy';

interface System {
  readonly id: string;
  readonly name: string;
  readonly platform: string;
  readonly workgroup: string;
}

export interface PolicyOptions {
  readonly groups: GroupItem[];
  readonly systems: SystemItem[];
  readonly accountGroups: AccountGroupItem[];
}

const byName = <T extends { name: string }>(a: T, b: T) => a.name.localeCompare(b.name);

/** What policies refer to by id: user groups, systems and account groups, sorted by name. */
export async function policyOptions(session: SessionData): Promise<PolicyOptions> {
  const empty = Promise.resolve({ items: [], complete: false });
  const [groups, systems, accountGroups] = await Promise.all([
    can(session, 'group:read') ? listAllIfAllowed<Group>('/v1/groups') : empty,
    can(session, 'system:read') ? listAllIfAllowed<System>('/v1/systems') : empty,
    can(session, 'account-group:read') ? listAllIfAllowed<AccountGroupItem>('/v1/account-groups') : empty,
  ]);
  return {
    groups: groups.items
      .map((group) => ({ id: group.id, name: group.name, description: group.description }))
      .sort(byName),
    systems: systems.items
      .map((system) => ({
        id: system.id,
        name: system.name,
        platform: system.platform,
        workgroup: system.workgroup,
      }))
      .sort(byName),
    accountGroups: accountGroups.items
      .map((group) => ({ id: group.id, name: group.name, memberCount: group.memberCount }))
      .sort(byName),
  };
}

/** IANA time zones the runtime knows, UTC first. */
export function timeZones(): string[] {
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return ['UTC', ...zones.filter((zone) => zone !== 'UTC')];
}
