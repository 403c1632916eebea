'use server';

import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { ApiProblem, api } from '@/lib/api';
import { type FormState, formStateOf } from '@/lib/api-problem';
import { verifyCsrf } from '@/lib/csrf';
import { type AccessPolicy, policyIdPattern } from '../_lib/policy';
import { draftFromFormData, formErrors, policyBody, refusedState } from '../_lib/policy-body';

/**
 * Stores a new version of the policy, based on the version the form was opened with. If someone
 * saved in between, the API answers 409 and nothing is overwritten.
 */
export async function updatePolicyAction(
  policyId: string,
  expectedVersion: number,
  _previous: FormState,
  formData: FormData,
): Promise<FormState> {
  if (!policyIdPattern.test(policyId)) throw new Error('Not an access policy id');
  try {
    await verifyCsrf(formData);
  } catch (error) {
    return formStateOf(error);
  }
  const built = policyBody(draftFromFormData(formData));
  if (Object.keys(built.localErrors).length > 0) return refusedState('', built.localErrors);
  let updated: AccessPolicy;
  try {
    updated = await api<AccessPolicy>(`/v1/access-policies/${policyId}`, {
      method: 'PATCH',
      body: { expectedVersion, ...built.body },
    });
  } catch (error) {
    if (error instanceof ApiProblem && error.status === 409) {
      return {
        ok: false,
        message:
          'Someone changed this policy after you opened it, so your changes were not saved. Reload the policy to see the current version, then make your change again.',
        fieldErrors: { expectedVersion: error.detail || 'The policy has a newer version.' },
      };
    }
    if (error instanceof ApiProblem)
      return refusedState(error.detail || error.title, formErrors(error.fieldErrors, built));
    throw error;
  }
  revalidatePath('/admin', 'layout');
  redirect(`/admin/access-policies/${policyId}?saved=${updated.version}`);
}
