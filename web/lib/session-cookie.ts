import { CompactEncrypt, compactDecrypt } from 'jose';
import { sessionKey } from './session-key';

/**
 * The signed-in state lives in one cookie, sealed (AES-256-GCM, `dir`) so that the browser can
 * neither read the API tokens in it nor change the times the portal relies on. It is httpOnly,
 * Secure and SameSite=Strict, and named with the `__Host-` prefix (no Domain, Path=/).
 *
 * This module has no Next imports: `proxy.ts` (edge of every request) and the route code share it.
 */
export const sessionCookieName = '__Host-strongroom-session';

/**
 * Sign-out after this long without the user doing anything (seed 004 §18.3: 15 minutes).
 * STRONGROOM_WEB_INACTIVITY_SECONDS shortens it for the browser tests.
 */
export const inactivityLimitMs = Number(process.env.STRONGROOM_WEB_INACTIVITY_SECONDS ?? 900) * 1000;
/**
 * The warning shows this long before the inactivity sign-out: 2 minutes, or a fifth of a short
 * limit. STRONGROOM_WEB_INACTIVITY_WARNING_SECONDS sets it for the browser tests, which need time
 * to examine the dialog on a busy machine.
 */
export const inactivityWarningMs = process.env.STRONGROOM_WEB_INACTIVITY_WARNING_SECONDS
  ? Math.min(inactivityLimitMs - 1000, Number(process.env.STRONGROOM_WEB_INACTIVITY_WARNING_SECONDS) * 1000)
  : Math.min(2 * 60_000, Math.floor(inactivityLimitMs / 5));
/** Access tokens are refreshed when they have less than this left. */
export const refreshMarginMs = 3 * 60_000;

export interface SessionUser {
  readonly id: string;
  readonly email: string;
  readonly displayName: string;
  readonly tenant: string;
  readonly tenantName: string;
  readonly roles: readonly string[];
  readonly permissions: readonly string[];
}

export interface SessionData {
  readonly accessToken: string;
  readonly refreshToken: string;
  /** Epoch milliseconds. */
  readonly accessExpiresAt: number;
  readonly sessionExpiresAt: number;
  readonly lastActivityAt: number;
  /** Random per session; every mutation must echo it (see csrf.ts). */
  readonly csrfToken: string;
  readonly user: SessionUser;
}

export const sessionCookieOptions = {
  httpOnly: true,
  secure: true,
  sameSite: 'strict' as const,
  path: '/',
};

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export async function sealSession(session: SessionData): Promise<string> {
  return new CompactEncrypt(encoder.encode(JSON.stringify(session)))
    .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
    .encrypt(await sessionKey());
}

/** The session in the cookie, or null when it is missing, forged, or from another key. */
export async function unsealSession(value: string | undefined): Promise<SessionData | null> {
  if (!value) return null;
  try {
    const { plaintext } = await compactDecrypt(value, await sessionKey(), {
      keyManagementAlgorithms: ['dir'],
      contentEncryptionAlgorithms: ['A256GCM'],
    });
    return JSON.parse(decoder.decode(plaintext)) as SessionData;
  } catch {
    return null;
  }
}

export type SessionState = 'valid' | 'inactive' | 'expired';

/** Whether a session may still be used at `now`: inactivity and the session's own end both count. */
export function sessionState(session: SessionData, now: number): SessionState {
  if (now - session.lastActivityAt >= inactivityLimitMs) return 'inactive';
  if (now >= session.sessionExpiresAt) return 'expired';
  return 'valid';
}
