'use server';

import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { api } from '@/lib/api';
import { ApiProblem, type FormState, formStateOf } from '@/lib/api-problem';
import { verifyCsrf } from '@/lib/csrf';
import { attempt } from '../../_lib/attempt';
import type { AccessOptions } from '../../_lib/model';

interface CreatedRequest {
  readonly id: string;
  readonly status: string;
}

const textOf = (formData: FormData, name: string) => {
  const value = formData.get(name);
  return typeof value === 'string' ? value.trim() : '';
};

/**
 * Asks for access to one account under the chosen policy (POST /v1/access-requests). An
 * auto-approved request comes back active with its release; either way the requester lands on
 * "My access" with the new request picked out.
 */
export async function requestAccessAction(
  accountId: string,
  _previous: FormState,
  formData: FormData,
): Promise<FormState> {
  try {
    await verifyCsrf(formData);
  } catch (error) {
    return formStateOf(error);
  }
  const policyId = textOf(formData, 'policyId');
  const duration = textOf(formData, 'durationMinutes');
  const reason = textOf(formData, 'reason');
  const ticketId = textOf(formData, 'ticketId');
  const values = { reason, ticketId };

  const fieldErrors = await checkAgainstPolicy(accountId, { policyId, duration, reason, ticketId });
  if (Object.keys(fieldErrors).length > 0) {
    return {
      ok: false,
      message: 'The request was not created: check the fields marked below.',
      fieldErrors,
      values,
    };
  }

  let created: CreatedRequest;
  try {
    created = await api<CreatedRequest>('/v1/access-requests', {
      method: 'POST',
      body: {
        accountId,
        durationMinutes: Number(duration),
        ...(policyId ? { policyId } : {}),
        ...(reason ? { reason } : {}),
        ...(ticketId ? { ticketId } : {}),
      },
    });
  } catch (error) {
    const state = formStateOf(error, values);
    if (error instanceof ApiProblem && (error.status === 403 || error.status === 409)) {
      return { ...state, message: `The request was not created. ${error.detail || error.title}` };
    }
    if (error instanceof ApiProblem && Object.keys(error.fieldErrors).length > 0) {
      return { ...state, message: 'The request was not created: check the fields marked below.' };
    }
    return state;
  }
  revalidatePath('/releases');
  redirect(`/releases?requested=${encodeURIComponent(created.id)}`);
}

/**
 * Every mistake at once, by the rules of the chosen policy as the API describes them (the API
 * stops at the first one and stays the judge: it checks everything again).
 */
async function checkAgainstPolicy(
  accountId: string,
  input: { policyId: string; duration: string; reason: string; ticketId: string },
): Promise<Record<string, string>> {
  const errors: Record<string, string> = {};
  const minutes = /^\d{1,6}$/.test(input.duration) ? Number(input.duration) : Number.NaN;
  if (!(minutes >= 1)) errors.durationMinutes = 'Enter a whole number of minutes, at least 1.';
  if (input.reason !== '' && input.reason.length < 3) errors.reason = 'must say why (at least 3 characters)';

  const loaded = await attempt(api<AccessOptions>(`/v1/access-options/${accountId}`));
  const option = loaded.ok
    ? (loaded.value.options.find((candidate) => candidate.policyId === input.policyId) ??
      (input.policyId ? undefined : loaded.value.options[0]))
    : undefined;
  if (!option) return errors;
  const { release } = option;
  if (minutes > release.maxMinutes)
    errors.durationMinutes = `must be at most ${release.maxMinutes} minutes under this policy`;
  if (release.requireReason && input.reason === '') errors.reason = 'this policy requires a reason';
  if (release.ticketRequired && input.ticketId === '') errors.ticketId = 'this policy requires a ticket id';
  if (input.ticketId.length > 64) errors.ticketId = 'must be at most 64 characters';
  else if (
    input.ticketId !== '' &&
    release.ticketPattern &&
    !matchesWhole(release.ticketPattern, input.ticketId)
  )
    errors.ticketId = `must match the policy's ticket format ${release.ticketPattern}`;
  return errors;
}

function matchesWhole(pattern: string, value: string): boolean {
  try {
    return new RegExp(`^(?:${pattern})$`, 'u').test(value);
  } catch {
    return true;
  }
}
