'use server';

import { api } from '@/lib/api';
import { formStateOf } from '@/lib/api-problem';
import { verifyCsrf } from '@/lib/csrf';
import type { ChainVerification, VerificationState } from './verification';

/**
 * Recomputes the tenant's audit hash chain through the API, over everything or over the time
 * range the form carries (already ISO-8601 UTC, from the page's filters).
 */
export async function verifyChainAction(
  _previous: VerificationState,
  formData: FormData,
): Promise<VerificationState> {
  await verifyCsrf(formData);
  const text = (name: string) => {
    const value = formData.get(name);
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
  };
  const scoped = formData.get('scope') === 'range';
  const from = scoped ? text('from') : undefined;
  const to = scoped ? text('to') : undefined;
  const body = { ...(from ? { from } : {}), ...(to ? { to } : {}) };
  try {
    const result = await api<ChainVerification>('/v1/audit/verify', { method: 'POST', body });
    return { ok: true, result, checkedAt: new Date().toISOString(), scoped };
  } catch (error) {
    const state = formStateOf(error);
    const fields = Object.entries(state.fieldErrors ?? {});
    const message = fields.length
      ? `${state.message ?? 'The time range was refused.'} Adjust the From and To filters and try again.`
      : state.message;
    return { ...state, scoped, ...(message ? { message } : {}) };
  }
}
