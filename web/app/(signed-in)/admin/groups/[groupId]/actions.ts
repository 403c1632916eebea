'use server';

import { revalidatePath } from 'next/cache';
import { api } from '@/lib/api';
import type { FormState } from '@/lib/api-problem';
import { verifyCsrf } from '@/lib/csrf';
import { type Group, groupIdPattern } from '../../users/_lib/identity';
import { readableState } from '../../users/_lib/messages';

const text = (formData: FormData, name: string) => {
  const value = formData.get(name);
  return typeof value === 'string' ? value : '';
};

/**
 * Renames a group or changes its description (PATCH /v1/groups/{id}). The API keeps names unique
 * in the tenant and audits the change; a taken name comes back as an error on the name field.
 */
export async function updateGroupAction(
  groupId: string,
  _previous: FormState,
  formData: FormData,
): Promise<FormState> {
  const values = { name: text(formData, 'name').trim(), description: text(formData, 'description').trim() };
  if (!groupIdPattern.test(groupId)) return { ok: false, message: 'There is no such group.' };
  let group: Group;
  try {
    await verifyCsrf(formData);
    group = await api<Group>(`/v1/groups/${groupId}`, { method: 'PATCH', body: values });
  } catch (error) {
    return readableState(error, values);
  }
  revalidatePath('/admin', 'layout');
  return { ok: true, message: `Saved. The group is now named ${group.name}.` };
}
