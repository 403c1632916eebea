import 'server-only';
import { cookies, headers as requestHeaders } from 'next/headers';
import { redirect } from 'next/navigation';
import { cache } from 'react';
import { apiBaseUrl } from './api-base';
import { ApiProblem, problemFrom } from './api-problem';
import { clientAttestationHeaders, clientOfRequest } from './client-attestation';
import { type SessionData, sessionCookieName, sessionState, unsealSession } from './session-cookie';

/**
 * The portal's only way to data: the public Strongroom API, called from the server with the
 * signed-in user's access token. Nothing here reaches DynamoDB or KMS.
 */
/** The signed-in session of this request (once per render), or null. */
export const currentSession = cache(async (): Promise<SessionData | null> => {
  const jar = await cookies();
  const session = await unsealSession(jar.get(sessionCookieName)?.value);
  if (!session || sessionState(session, Date.now()) !== 'valid') return null;
  return session;
});

export async function requireSession(): Promise<SessionData> {
  const session = await currentSession();
  if (!session) redirect('/sign-in?reason=expired');
  return session;
}

export function can(session: SessionData, permission: string): boolean {
  return session.user.permissions.includes(permission);
}

type Query = Record<string, string | number | undefined | null>;

export interface ApiOptions {
  readonly method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly body?: unknown;
  readonly query?: Query;
}

export function pathWithQuery(path: string, query?: Query): string {
  if (!query) return path;
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `${path}?${text}` : path;
}

/** Calls the API as the signed-in user. A 401 ends the portal session; other errors throw ApiProblem. */
export async function api<T>(path: string, options: ApiOptions = {}): Promise<T> {
  const session = await requireSession();
  const response = await apiFetch(path, options, session.accessToken);
  if (response.status === 401) redirect('/sign-in?reason=expired');
  return readResponse<T>(response);
}

/** The raw response (for streaming exports); the caller checks the status. */
export async function apiRaw(path: string, options: ApiOptions = {}): Promise<Response> {
  const session = await requireSession();
  return apiFetch(path, options, session.accessToken);
}

/**
 * One call to the API, as the person behind this request: besides the token, the portal forwards
 * their address and browser, signed (lib/client-attestation.ts), for the audit trail and for
 * access policies' source-address conditions.
 */
export async function apiFetch(path: string, options: ApiOptions, token?: string): Promise<Response> {
  const authorization = token ? `Bearer ${token}` : '';
  const client = clientOfRequest(await requestHeaders());
  const headers: Record<string, string> = {
    accept: 'application/json',
    ...(await clientAttestationHeaders(client, authorization)),
  };
  if (authorization) headers.authorization = authorization;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  return fetch(`${apiBaseUrl()}${pathWithQuery(path, options.query)}`, {
    method: options.method ?? 'GET',
    headers,
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    cache: 'no-store',
  });
}

export async function readResponse<T>(response: Response): Promise<T> {
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  const body: unknown = text ? JSON.parse(text) : undefined;
  if (!response.ok) throw problemFrom(response.status, body);
  return body as T;
}

export { ApiProblem };
