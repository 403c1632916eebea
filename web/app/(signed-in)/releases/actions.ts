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

/** Cancels one of my pending requests. */
export async function cancelRequestAction(
  requestId: string,
  _previous: FormState,
  formData: FormData,
): Promise<FormState> {
  await verifyCsrf(formData);
  if (!isRequestId(requestId)) return invalid;
  try {
    await api(`/v1/access-requests/${requestId}/cancel`, { method: 'POST', body: {} });
  } catch (error) {
    return formStateOf(error);
  }
  refresh();
  redirect(`/releases?cancelled=${requestId}`);
}

/** Starts an approved release that waited for the account to be free. */
export async function activateReleaseAction(
  releaseId: string,
  _previous: FormState,
  formData: FormData,
): Promise<FormState> {
  await verifyCsrf(formData);
  if (!isReleaseId(releaseId)) return invalid;
  try {
    await api(`/v1/releases/${releaseId}/activate`, { method: 'POST' });
  } catch (error) {
    return formStateOf(error);
  }
  refresh();
  redirect(`/releases?activated=${releaseId}`);
}

/** Ends my release now (the account may be rotated afterwards, as its policy says). */
export async function checkInReleaseAction(
  releaseId: string,
  _previous: FormState,
  formData: FormData,
): Promise<FormState> {
  await verifyCsrf(formData);
  if (!isReleaseId(releaseId)) return invalid;
  try {
    await api(`/v1/releases/${releaseId}/check-in`, { method: 'POST' });
  } catch (error) {
    return formStateOf(error);
  }
  refresh();
  redirect(`/releases?checkedIn=${releaseId}`);
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
