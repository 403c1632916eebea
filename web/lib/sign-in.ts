import 'server-only';
import { randomBytes } from 'node:crypto';
import { apiFetch, readResponse } from './api';
import type { SessionData } from './session-cookie';

interface TokenPair {
  accessToken: string;
  expiresIn: number;
  refreshToken: string;
  refreshExpiresAt: string;
}

interface Me {
  tenant: { id: string; slug: string; name: string } | null;
  user: { id: string; email: string; displayName: string } | null;
  roles: string[];
  permissions: string[];
}

/** Signs in through the API and builds the portal session (the tokens never reach the browser's JS). */
export async function signIn(tenant: string, email: string, password: string): Promise<SessionData> {
  const now = Date.now();
  const pair = await readResponse<TokenPair>(
    await apiFetch('/v1/auth/login', { method: 'POST', body: { tenant, email, password } }),
  );
  const me = await readResponse<Me>(await apiFetch('/v1/me', {}, pair.accessToken));
  return {
    accessToken: pair.accessToken,
    refreshToken: pair.refreshToken,
    accessExpiresAt: now + pair.expiresIn * 1000,
    sessionExpiresAt: Date.parse(pair.refreshExpiresAt),
    lastActivityAt: now,
    csrfToken: randomBytes(24).toString('base64url'),
    user: {
      id: me.user?.id ?? '',
      email: me.user?.email ?? email,
      displayName: me.user?.displayName ?? email,
      tenant: me.tenant?.slug ?? tenant,
      tenantName: me.tenant?.name ?? tenant,
      roles: me.roles,
      permissions: me.permissions,
    },
  };
}
