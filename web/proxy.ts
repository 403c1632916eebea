import { type NextRequest, NextResponse } from 'next/server';
import { apiBaseUrl } from './lib/api-base';
import { clientAttestationHeaders, clientOfRequest } from './lib/client-attestation';
import { fromTrustedOrigin, originVerifyHeader } from './lib/origin-verify';
import {
  refreshMarginMs,
  type SessionData,
  sealSession,
  sessionCookieName,
  sessionCookieOptions,
  sessionState,
  unsealSession,
} from './lib/session-cookie';
import { refreshSession } from './lib/session-refresh';

/**
 * Runs before every page, action and route of the portal:
 *
 *   request ─▶ from CloudFront (origin secret header, on AWS only)? ──no──▶ 403
 *      │
 *      ▼
 *   CSP nonce ─▶ public path? ──yes──▶ render
 *                               │ no
 *                               ▼
 *               sealed session cookie valid? ──no──▶ /sign-in?reason=… (pages) or 401 (api, actions)
 *                               │ yes
 *                               ▼
 *      user activity (not a prefetch, not the background refresh)? ─▶ lastActivityAt = now
 *      access token ends within 3 min? ─▶ refresh it through the API
 *                               ▼
 *               render with the updated cookie (request and response)
 *
 * Mutations from another origin are refused here as well as by the per-session CSRF token.
 */
const publicPaths = ['/sign-in'];

function contentSecurityPolicy(nonce: string, secureOrigin: boolean): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'`,
    `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(secureOrigin ? ['upgrade-insecure-requests'] : []),
  ].join('; ');
}

function isMutation(request: NextRequest): boolean {
  return !['GET', 'HEAD', 'OPTIONS'].includes(request.method);
}

function crossOrigin(request: NextRequest): boolean {
  const site = request.headers.get('sec-fetch-site');
  if (site) return site !== 'same-origin' && site !== 'none';
  const origin = request.headers.get('origin');
  return origin !== null && origin !== request.nextUrl.origin;
}

/** A request the user caused (not a router prefetch, not the session keeper's background check). */
function isUserActivity(request: NextRequest): boolean {
  if (request.headers.has('next-router-prefetch') || request.headers.get('purpose') === 'prefetch')
    return false;
  if (request.nextUrl.pathname === '/api/session') {
    return request.headers.get('x-strongroom-activity') === 'active';
  }
  return true;
}

export async function proxy(request: NextRequest) {
  const nonce = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(18))));
  const csp = contentSecurityPolicy(nonce, request.nextUrl.protocol === 'https:');
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set('x-nonce', nonce);
  requestHeaders.set('content-security-policy', csp);
  const { pathname } = request.nextUrl;
  const isApi = pathname.startsWith('/api/');

  const finish = (response: NextResponse) => {
    response.headers.set('content-security-policy', csp);
    response.headers.set('cache-control', 'no-store');
    return response;
  };

  if (!(await fromTrustedOrigin(request.headers.get(originVerifyHeader)))) {
    return finish(new NextResponse('Forbidden', { status: 403 }));
  }
  // The secret header is CloudFront's business only: the rendering code never sees it.
  requestHeaders.delete(originVerifyHeader);

  if (isMutation(request) && crossOrigin(request)) {
    return finish(NextResponse.json({ title: 'Cross-site request refused' }, { status: 403 }));
  }

  const now = Date.now();
  let session = await unsealSession(request.cookies.get(sessionCookieName)?.value);
  const state = session ? sessionState(session, now) : null;

  if (publicPaths.includes(pathname)) {
    return finish(NextResponse.next({ request: { headers: requestHeaders } }));
  }

  if (!session || state !== 'valid') {
    // Inactivity ends the API session too, so its refresh token dies with the cookie.
    if (session && state === 'inactive' && session.accessExpiresAt > now) {
      const authorization = `Bearer ${session.accessToken}`;
      await fetch(`${apiBaseUrl()}/v1/auth/logout`, {
        method: 'POST',
        headers: {
          authorization,
          ...(await clientAttestationHeaders(clientOfRequest(request.headers), authorization, now)),
        },
        cache: 'no-store',
      }).catch(() => undefined);
    }
    const reason = state === 'inactive' ? 'inactive' : state === 'expired' ? 'expired' : null;
    let response: NextResponse;
    if (isApi || isMutation(request)) {
      response = NextResponse.json({ title: 'Signed out', reason }, { status: 401 });
    } else {
      const target = new URL('/sign-in', request.nextUrl.origin);
      if (reason) target.searchParams.set('reason', reason);
      if (pathname !== '/') target.searchParams.set('next', `${pathname}${request.nextUrl.search}`);
      response = NextResponse.redirect(target);
    }
    if (session || request.cookies.has(sessionCookieName)) {
      response.cookies.set(sessionCookieName, '', { ...sessionCookieOptions, maxAge: 0 });
    }
    return finish(response);
  }

  let changed = false;
  if (isUserActivity(request)) {
    session = { ...session, lastActivityAt: now };
    changed = true;
  }
  if (session.accessExpiresAt - now < refreshMarginMs) {
    const refreshed: SessionData | null = await refreshSession(
      session,
      now,
      clientOfRequest(request.headers),
    );
    if (refreshed) {
      session = refreshed;
      changed = true;
    } else if (session.accessExpiresAt <= now) {
      const response = isApi
        ? NextResponse.json({ title: 'Signed out', reason: 'expired' }, { status: 401 })
        : NextResponse.redirect(new URL('/sign-in?reason=expired', request.nextUrl.origin));
      response.cookies.set(sessionCookieName, '', { ...sessionCookieOptions, maxAge: 0 });
      return finish(response);
    }
  }
  if (!changed) return finish(NextResponse.next({ request: { headers: requestHeaders } }));

  const sealed = await sealSession(session);
  // The updated cookie for the code rendering this request, and for the browser.
  const cookieHeader = request.cookies
    .getAll()
    .filter((cookie) => cookie.name !== sessionCookieName)
    .map((cookie) => `${cookie.name}=${cookie.value}`)
    .concat(`${sessionCookieName}=${sealed}`)
    .join('; ');
  requestHeaders.set('cookie', cookieHeader);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.cookies.set(sessionCookieName, sealed, {
    ...sessionCookieOptions,
    expires: new Date(session.sessionExpiresAt),
  });
  return finish(response);
}

export const config = {
  matcher: ['/((?!_next/static|_next/image|favicon.ico|icon.svg).*)'],
};
