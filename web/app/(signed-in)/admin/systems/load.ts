import 'server-only';
import { notFound } from 'next/navigation';
import { cache } from 'react';
import { ApiProblem, api, can } from '@/lib/api';
import type { SessionData } from '@/lib/session-cookie';
import type { Account, Page, PasswordPolicy, System } from './inventory';

/** Every password policy of the tenant (a handful), or none when the user may not read them. */
export async function loadPasswordPolicies(session: SessionData): Promise<PasswordPolicy[]> {
  if (!can(session, 'password-policy:read')) return [];
  const policies: PasswordPolicy[] = [];
  let cursor: string | undefined;
  do {
    const page = await api<Page<PasswordPolicy>>('/v1/password-policies', { query: { limit: 200, cursor } });
    policies.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && policies.length < 1000);
  return policies;
}

/** One resource; a 404 from the API (or an id of the wrong shape) shows the not-found page. */
export async function loadOr404<T>(path: string): Promise<T> {
  try {
    return await api<T>(path);
  } catch (error) {
    if (error instanceof ApiProblem && (error.status === 404 || error.status === 400)) notFound();
    throw error;
  }
}

export function policyOptions(policies: readonly PasswordPolicy[], inheritLabel: string) {
  return [
    { value: '', label: inheritLabel },
    ...policies.map((policy) => ({
      value: policy.id,
      label: policy.isDefault ? `${policy.name} (tenant default)` : policy.name,
    })),
  ];
}

/** The system of this request (once per render, shared by the page and its metadata). */
export const loadSystem = cache((systemId: string) =>
  loadOr404<System>(`/v1/systems/${encodeURIComponent(systemId)}`),
);

/** The account of this request (once per render). */
export const loadAccount = cache((accountId: string) =>
  loadOr404<Account>(`/v1/accounts/${encodeURIComponent(accountId)}`),
);

/**
 * Display names of the users behind ids (for "created by" columns): the signed-in user by the
 * session, others through the users API when the user may read users; anything else stays an id.
 */
export async function userNames(session: SessionData, ids: readonly string[]): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  const others = [...new Set(ids)].filter((id) => {
    if (id === session.user.id) {
      names.set(id, `${session.user.displayName} (you)`);
      return false;
    }
    return id.startsWith('usr_');
  });
  if (can(session, 'user:read')) {
    await Promise.all(
      others.map(async (id) => {
        try {
          const user = await api<{ displayName: string }>(`/v1/users/${encodeURIComponent(id)}`);
          names.set(id, user.displayName);
        } catch (error) {
          if (!(error instanceof ApiProblem)) throw error;
        }
      }),
    );
  }
  return names;
}
