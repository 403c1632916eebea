'use server';

import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { api } from '@/lib/api';
import type { FormState } from '@/lib/api-problem';
import { verifyCsrf } from '@/lib/csrf';
import type { Group } from '../users/_lib/identity';
import { readableState } from '../users/_lib/messages';

const text = (formData: FormData, name: string) => {
  const value = formData.get(name);
  return typeof value === 'string' ? value : '';
};

/** Creates a group, then opens it to add members. */
export async function createGroupAction(_previous: FormState, formData: FormData): Promise<FormState> {
  const values = { name: text(formData, 'name').trim(), description: text(formData, 'description').trim() };
  let created: Group;
  try {
    await verifyCsrf(formData);
    created = await api<Group>('/v1/groups', {
      method: 'POST',
      body: { ...values, roles: formData.getAll('roles').filter((role) => typeof role === 'string') },
    });
  } catch (error) {
    return readableState(error, values);
  }
  revalidatePath('/admin', 'layout');
  redirect(`/admin/groups/${created.id}?created=1`);
}
