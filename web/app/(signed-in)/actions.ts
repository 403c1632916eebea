'use server';

import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { apiFetch, currentSession } from '@/lib/api';
import { verifyCsrf } from '@/lib/csrf';
import { sessionCookieName, sessionCookieOptions } from '@/lib/session-cookie';

/** Ends the API session (its refresh token stops working) and clears the cookie. */
export async function signOutAction(formData: FormData): Promise<void> {
  await verifyCsrf(formData);
  const session = await currentSession();
  if (session)
    await apiFetch('/v1/auth/logout', { method: 'POST' }, session.accessToken).catch(() => undefined);
  (await cookies()).set(sessionCookieName, '', { ...sessionCookieOptions, maxAge: 0 });
  redirect('/sign-in?reason=signed-out');
}
