'use server';

import { revalidatePath } from 'next/cache';
import { api } from '@/lib/api';
import type { FormState } from '@/lib/api-problem';
import { verifyCsrf } from '@/lib/csrf';
import { type User, userIdPattern } from '../_lib/identity';
import { readableState } from '../_lib/messages';

const text = (formData: FormData, name: string) => {
  const value = formData.get(name);
  return typeof value === 'string' ? value : '';
};

async function patchUser(userId: string, formData: FormData, body: Record<string, unknown>): Promise<User> {
  if (!userIdPattern.test(userId)) throw new Error('Not a user id');
  await verifyCsrf(formData);
  return api<User>(`/v1/users/${userId}`, { method: 'PATCH', body });
}

/** Name and direct roles (roles from groups are managed on the groups). */
export async function updateUserAction(
  userId: string,
  _previous: FormState,
  formData: FormData,
): Promise<FormState> {
  const values = { displayName: text(formData, 'displayName').trim() };
  const roles = formData.getAll('roles').filter((role) => typeof role === 'string');
  let user: User;
  try {
    user = await patchUser(userId, formData, { ...values, roles });
  } catch (error) {
    return readableState(error, values);
  }
  revalidatePath('/admin', 'layout');
  return {
    ok: true,
    message: `Saved. ${user.displayName}’s new roles apply when their session next refreshes (within 10 minutes).`,
  };
}

/** Disabling stops sign-in and token refresh at once; enabling lets the user sign in again. */
export async function setUserStatusAction(
  userId: string,
  status: 'active' | 'disabled',
  _previous: FormState,
  formData: FormData,
): Promise<FormState> {
  let user: User;
  try {
    user = await patchUser(userId, formData, { status });
  } catch (error) {
    return readableState(error);
  }
  revalidatePath('/admin', 'layout');
  return {
    ok: true,
    message:
      user.status === 'disabled'
        ? `${user.displayName} is disabled and can no longer sign in.`
        : `${user.displayName} is enabled and can sign in again.`,
  };
}

/** An administrator sets a new sign-in password (also lifts a lockout). The password is never echoed. */
export async function resetPasswordAction(
  userId: string,
  _previous: FormState,
  formData: FormData,
): Promise<FormState> {
  let user: User;
  try {
    user = await patchUser(userId, formData, { password: text(formData, 'password') });
  } catch (error) {
    return readableState(error);
  }
  revalidatePath('/admin', 'layout');
  return { ok: true, message: `New password set for ${user.displayName}; any lockout is lifted.` };
}
