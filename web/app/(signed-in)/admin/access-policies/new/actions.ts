'use server';

import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { ApiProblem, api } from '@/lib/api';
import { type FormState, formStateOf } from '@/lib/api-problem';
import { verifyCsrf } from '@/lib/csrf';
import type { AccessPolicy } from '../_lib/policy';
import { draftFromFormData, formErrors, policyBody, refusedState } from '../_lib/policy-body';

export async function createPolicyAction(_previous: FormState, formData: FormData): Promise<FormState> {
  try {
    await verifyCsrf(formData);
  } catch (error) {
    return formStateOf(error);
  }
  const built = policyBody(draftFromFormData(formData));
  if (Object.keys(built.localErrors).length > 0) return refusedState('', built.localErrors);
  let created: AccessPolicy;
  try {
    created = await api<AccessPolicy>('/v1/access-policies', { method: 'POST', body: built.body });
  } catch (error) {
    if (error instanceof ApiProblem)
      return refusedState(error.detail || error.title, formErrors(error.fieldErrors, built));
    throw error;
  }
  revalidatePath('/admin', 'layout');
  redirect(`/admin/access-policies/${created.id}?saved=${created.version}`);
}
