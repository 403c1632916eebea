'use server';

import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import type { RevealResult } from '@/components/secret-reveal';
import { ApiProblem, api } from '@/lib/api';
import { type FormState, formStateOf } from '@/lib/api-problem';
import { verifyCsrf } from '@/lib/csrf';
import { isReleaseId, isRequestId } from './access-data';

const invalid: FormState = { ok: false, message: 'This item is not valid any more. Reload the page.' };

function refresh() {
  revalidatePath('/releases');
  revalidatePath('/');
}

/**
 * One step of a request's or release's life: checks the form's CSRF token and the id, posts the
 * step to the API, and shows the list saying what happened (or the API's error in the form).
 */
async function lifecycleStep(
  formData: FormData,
  id: string,
  isValid: (id: unknown) => boolean,
  step: { readonly path: string; readonly body?: object; readonly done: string },
): Promise<FormState> {
  await verifyCsrf(formData);
  if (!isValid(id)) return invalid;
  try {
    await api(step.path, { method: 'POST', ...(step.body ? { body: step.body } : {}) });
  } catch (error) {
    return formStateOf(error);
  }
  refresh();
  redirect(`/releases?${step.done}=${id}`);
}

/** Cancels one of my pending requests. */
export async function cancelRequestAction(
  requestId: string,
  _previous: FormState,
  formData: FormData,
): Promise<FormState> {
  return lifecycleStep(formData, requestId, isRequestId, {
    path: `/v1/access-requests/${requestId}/cancel`,
    body: {},
    done: 'cancelled',
  });
}

/** Starts an approved release that waited for the account to be free. */
export async function activateReleaseAction(
  releaseId: string,
  _previous: FormState,
  formData: FormData,
): Promise<FormState> {
  return lifecycleStep(formData, releaseId, isReleaseId, {
    path: `/v1/releases/${releaseId}/activate`,
    done: 'activated',
  });
}

/** Ends my release now (the account may be rotated afterwards, as its policy says). */
export async function checkInReleaseAction(
  releaseId: string,
  _previous: FormState,
  formData: FormData,
): Promise<FormState> {
  return lifecycleStep(formData, releaseId, isReleaseId, {
    path: `/v1/releases/${releaseId}/check-in`,
    done: 'checkedIn',
  });
}

interface ReleasedSecret {
  readonly releaseId: string;
  readonly username: string;
  readonly version: number;
  readonly type: 'password' | 'ssh-key';
  readonly password?: string;
  readonly privateKey?: string;
  readonly publicKey?: string;
  readonly retrievedAt: string;
}

/**
 * Reveals the credential of my active `reveal` release (the API audits every call). Called only
 * when the user presses "Reveal": the secret goes to that client component in this response and
 * is never part of a page's HTML. Nothing here logs it.
 */
export async function revealCredentialAction(formData: FormData): Promise<RevealResult> {
  await verifyCsrf(formData);
  const releaseId = formData.get('releaseId');
  if (!isReleaseId(releaseId)) return { ok: false, message: 'This release is not valid. Reload the page.' };
  try {
    const released = await api<ReleasedSecret>(`/v1/releases/${releaseId}/credential`, {
      method: 'POST',
      body: {},
    });
    const secret = released.type === 'ssh-key' ? released.privateKey : released.password;
    if (!secret) return { ok: false, message: 'The vault returned no secret for this credential.' };
    return {
      ok: true,
      type: released.type,
      username: released.username,
      version: released.version,
      secret,
      retrievedAt: released.retrievedAt,
    };
  } catch (error) {
    if (error instanceof ApiProblem) return { ok: false, message: error.detail || error.title };
    throw error;
  }
}
