import { NextResponse } from 'next/server';
import { apiFetch, currentSession } from '@/lib/api';
import { ApiProblem } from '@/lib/api-problem';
import { verifyCsrfHeader } from '@/lib/csrf';
import { sessionCookieName, sessionCookieOptions } from '@/lib/session-cookie';

/**
 * The session keeper's heartbeat. The proxy has already done the work by the time this runs:
 * it refreshed the access token if it was close to its end and, for a POST marked
 * `x-strongroom-activity: active`, recorded the user's activity. This only reports the times.
 * No token ever appears in the answer.
 */
async function state() {
  const session = await currentSession();
  if (!session) return NextResponse.json({ signedIn: false }, { status: 401 });
  return NextResponse.json({ signedIn: true, lastActivityAt: session.lastActivityAt });
}

export async function GET() {
  return state();
}

export async function POST(request: Request) {
  try {
    await verifyCsrfHeader(request.headers.get('x-csrf-token'));
  } catch (error) {
    if (error instanceof ApiProblem) return NextResponse.json({ title: error.title }, { status: 403 });
    throw error;
  }
  return state();
}

/** "Sign out now": ends the API session and clears the cookie. */
export async function DELETE(request: Request) {
  try {
    await verifyCsrfHeader(request.headers.get('x-csrf-token'));
  } catch (error) {
    if (error instanceof ApiProblem) return NextResponse.json({ title: error.title }, { status: 403 });
    throw error;
  }
  const session = await currentSession();
  if (session)
    await apiFetch('/v1/auth/logout', { method: 'POST' }, session.accessToken).catch(() => undefined);
  const response = NextResponse.json({ signedIn: false });
  response.cookies.set(sessionCookieName, '', { ...sessionCookieOptions, maxAge: 0 });
  return response;
}
