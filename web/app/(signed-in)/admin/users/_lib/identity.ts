import 'server-only';
import { ApiProblem, api } from '@/lib/api';

/** Shapes of the identity API (users, groups, roles) as the admin pages read them. */

export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor?: string;
}

export interface User {
  readonly id: string;
  readonly email: string;
  readonly displayName: string;
  readonly roles: readonly string[];
  readonly groupIds: readonly string[];
  readonly status: 'active' | 'disabled';
  readonly lockedUntil: string | null;
  readonly lastSignInAt: string | null;
  readonly createdAt: string;
}

export interface Group {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly roles: readonly string[];
  readonly createdAt: string;
}

export interface RoleInfo {
  readonly role: string;
  readonly description: string;
  readonly permissions: readonly string[];
}

export interface RoleOption {
  readonly value: string;
  readonly label: string;
  readonly hint: string;
}

/** Pages read by one list call at most: 20 pages of 200. */
const maxPages = 20;

/**
 * Every item of a cursor-paged list (up to 4,000). `complete` is false when the list was longer,
 * so callers can say their counts are partial instead of wrong.
 */
export async function listAll<T>(
  path: string,
  query: Record<string, string | undefined> = {},
): Promise<{ items: T[]; complete: boolean }> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const result = await api<Page<T>>(path, { query: { ...query, limit: 200, cursor } });
    items.push(...result.items);
    if (!result.nextCursor) return { items, complete: true };
    cursor = result.nextCursor;
  }
  return { items, complete: false };
}

/** Like listAll, but an empty list when the caller may not read it (403): names then fall back to ids. */
export async function listAllIfAllowed<T>(path: string): Promise<{ items: T[]; complete: boolean }> {
  try {
    return await listAll<T>(path);
  } catch (error) {
    if (error instanceof ApiProblem && error.status === 403) return { items: [], complete: false };
    throw error;
  }
}

/** A single object, or null when the API says it does not exist (404) or the id is malformed (400). */
export async function getOrNull<T>(path: string): Promise<T | null> {
  try {
    return await api<T>(path);
  } catch (error) {
    if (error instanceof ApiProblem && (error.status === 404 || error.status === 400)) return null;
    throw error;
  }
}

export async function listRoles(): Promise<RoleInfo[]> {
  const result = await api<{ items: readonly RoleInfo[] }>('/v1/roles');
  return [...result.items];
}

export function roleOptions(roles: readonly RoleInfo[]): RoleOption[] {
  return roles.map((role) => ({ value: role.role, label: roleLabel(role.role), hint: role.description }));
}

const roleLabels: Record<string, string> = {
  'tenant-admin': 'Tenant administrator',
  'password-admin': 'Password administrator',
  auditor: 'Auditor',
  requester: 'Requester',
  integration: 'Integration (session proxy)',
  'provider-operator': 'Provider operator',
};

export function roleLabel(role: string): string {
  return roleLabels[role] ?? role;
}

/** Roles a user holds through the groups they belong to (not their direct roles). */
export function rolesFromGroups(user: User, groups: readonly Group[]): string[] {
  const roles = new Set<string>();
  for (const group of groups)
    if (user.groupIds.includes(group.id)) for (const role of group.roles) roles.add(role);
  return [...roles].sort();
}

export const userIdPattern = /^usr_[0-9A-HJKMNP-TV-Z]{26}$/;
export const groupIdPattern = /^grp_[0-9A-HJKMNP-TV-Z]{26}$/;

/** The first value of a search parameter. */
export function searchValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
