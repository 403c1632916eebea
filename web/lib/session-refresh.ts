import { apiBaseUrl } from './api-base';
import { clientAttestationHeaders, type PortalClient } from './client-attestation';
import type { SessionData } from './session-cookie';

interface TokenPair {
  accessToken: string;
  expiresIn: number;
  refreshToken: string;
  refreshExpiresAt: string;
}

/**
 * Exchanges the session's refresh token for a new pair. `null` when the API refuses it (session
 * revoked or ended, or another tab refreshed a moment ago: then the browser already has the new
 * cookie and the current access token is still good for the rest of the margin).
 */
export async function refreshSession(
  session: SessionData,
  now: number,
  client: PortalClient | null,
): Promise<SessionData | null> {
  const response = await fetch(`${apiBaseUrl()}/v1/auth/refresh`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json',
      ...(await clientAttestationHeaders(client, '', now)),
    },
    body: JSON.stringify({ refreshToken: session.refreshToken }),
    cache: 'no-store',
  });
  if (!response.ok) return null;
  const pair = (await response.json()) as TokenPair;
  return {
    ...session,
    accessToken: pair.accessToken,
    refreshToken: pair.refreshToken,
    accessExpiresAt: now + pair.expiresIn * 1000,
    sessionExpiresAt: Date.parse(pair.refreshExpiresAt),
  };
}
