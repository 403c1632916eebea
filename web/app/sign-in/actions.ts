'use server';

import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { ApiProblem, type FormState } from '@/lib/api-problem';
import { sealSession, sessionCookieName, sessionCookieOptions } from '@/lib/session-cookie';
import { signIn } from '@/lib/sign-in';

/** Only same-site relative paths; anything else goes home (no open redirect). */
function safeNext(value: FormDataEntryValue | null): string {
  return typeof value === 'string' && /^\/(?!\/)[\w\-/?=&%.~]*$/.test(value) && !value.startsWith('/sign-in')
    ? value
    : '/';
}

export async function signInAction(_previous: FormState, formData: FormData): Promise<FormState> {
  const tenant = String(formData.get('tenant') ?? '').trim();
  const email = String(formData.get('email') ?? '').trim();
  const password = String(formData.get('password') ?? '');
  const values = { tenant, email };
  const missing: Record<string, string> = {};
  if (!tenant) missing.tenant = 'Enter your organisation';
  if (!email) missing.email = 'Enter your e-mail address';
  if (!password) missing.password = 'Enter your password';
  if (Object.keys(missing).length > 0) {
    return { ok: false, message: 'Fill in every field.', fieldErrors: missing, values };
  }
  let sealed: string;
  let expires: Date;
  try {
    const session = await signIn(tenant, email, password);
    sealed = await sealSession(session);
    expires = new Date(session.sessionExpiresAt);
  } catch (error) {
    if (error instanceof ApiProblem) {
      const message =
        error.status === 401
          ? 'That organisation, e-mail and password do not match an active user.'
          : error.status === 423 || error.status === 429
            ? error.detail || 'Too many attempts: try again later.'
            : error.detail || error.title;
      return { ok: false, message, values };
    }
    throw error;
  }
  const jar = await cookies();
  jar.set(sessionCookieName, sealed, { ...sessionCookieOptions, expires });
  redirect(safeNext(formData.get('next')));
}
