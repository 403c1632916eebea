'use server';

import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { api } from '@/lib/api';
import { type FormState, formStateOf } from '@/lib/api-problem';
import { verifyCsrf } from '@/lib/csrf';
import { isRequestId } from '../releases/access-data';

/** Approves or denies a request, by the button pressed (`decision`), with the approver's comment. */
export async function decideAction(
  requestId: string,
  _previous: FormState,
  formData: FormData,
): Promise<FormState> {
  await verifyCsrf(formData);
  const decision = formData.get('decision');
  const comment = String(formData.get('comment') ?? '');
  const values = { comment };
  if (!isRequestId(requestId)) return { ok: false, message: 'This request is not valid. Reload the page.' };
  if (decision !== 'approve' && decision !== 'deny')
    return { ok: false, message: 'Choose Approve or Deny.', values };
  const trimmed = comment.trim();
  if (trimmed.length === 0 || trimmed.length > 500) {
    return {
      ok: false,
      message: 'Add a comment before you decide.',
      fieldErrors: {
        comment:
          trimmed.length === 0
            ? 'Write why you decide this way: the requester sees it and the audit trail keeps it.'
            : `At most 500 characters (this one has ${trimmed.length}).`,
      },
      values,
    };
  }
  try {
    await api(`/v1/access-requests/${requestId}/${decision}`, { method: 'POST', body: { comment: trimmed } });
  } catch (error) {
    return formStateOf(error, values);
  }
  revalidatePath('/approvals');
  revalidatePath('/');
  redirect(`/approvals?${decision === 'approve' ? 'approved' : 'denied'}=${requestId}`);
}
