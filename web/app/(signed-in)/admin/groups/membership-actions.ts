'use server';

import { revalidatePath } from 'next/cache';
import { api } from '@/lib/api';
import type { FormState } from '@/lib/api-problem';
import { verifyCsrf } from '@/lib/csrf';
import { groupIdPattern, type User, userIdPattern } from '../users/_lib/identity';
import { readableState } from '../users/_lib/messages';

/**
 * Group memberships, changed from a user's page or a group's page. Adding a member grants the
 * group's roles and removing one takes them away; the API audits both as role changes.
 */

function parties(formData: FormData): { groupId: string; userId: string } | FormState {
  const groupId = formData.get('groupId');
  const userId = formData.get('userId');
  if (typeof groupId !== 'string' || !groupIdPattern.test(groupId)) {
    return { ok: false, message: 'Choose a group.', fieldErrors: { groupId: 'Choose a group.' } };
  }
  if (typeof userId !== 'string' || !userIdPattern.test(userId)) {
    return { ok: false, message: 'Choose a user.', fieldErrors: { userId: 'Choose a user.' } };
  }
  return { groupId, userId };
}

export async function addMembershipAction(_previous: FormState, formData: FormData): Promise<FormState> {
  const chosen = parties(formData);
  if (!('groupId' in chosen)) return chosen;
  let user: User;
  try {
    await verifyCsrf(formData);
    user = await api<User>(`/v1/groups/${chosen.groupId}/members/${chosen.userId}`, { method: 'PUT' });
  } catch (error) {
    return readableState(error);
  }
  revalidatePath('/admin', 'layout');
  return { ok: true, message: `${user.displayName} was added to the group.` };
}

export async function removeMembershipAction(_previous: FormState, formData: FormData): Promise<FormState> {
  const chosen = parties(formData);
  if (!('groupId' in chosen)) return chosen;
  let user: User;
  try {
    await verifyCsrf(formData);
    user = await api<User>(`/v1/groups/${chosen.groupId}/members/${chosen.userId}`, { method: 'DELETE' });
  } catch (error) {
    return readableState(error);
  }
  revalidatePath('/admin', 'layout');
  return { ok: true, message: `${user.displayName} was removed from the group.` };
}
