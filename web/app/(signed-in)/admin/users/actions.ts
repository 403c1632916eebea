'use server';

import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { api } from '@/lib/api';
import type { FormState } from '@/lib/api-problem';
import { verifyCsrf } from '@/lib/csrf';
import type { User } from './_lib/identity';
import { readableState } from './_lib/messages';

const text = (formData: FormData, name: string) => {
  const value = formData.get(name);
  return typeof value === 'string' ? value : '';
};

/** Creates a local user with direct roles, then opens the new user to add group memberships. */
export async function createUserAction(_previous: FormState, formData: FormData): Promise<FormState> {
  const values = { email: text(formData, 'email').trim(), displayName: text(formData, 'displayName').trim() };
  let created: User;
  try {
    await verifyCsrf(formData);
    created = await api<User>('/v1/users', {
      method: 'POST',
      body: {
        ...values,
        password: text(formData, 'password'),
        roles: formData.getAll('roles').filter((role) => typeof role === 'string'),
      },
    });
  } catch (error) {
    return readableState(error, values);
  }
  revalidatePath('/admin/users');
  redirect(`/admin/users/${created.id}?created=1`);
}
