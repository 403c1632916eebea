import type { Principal } from '../identity/principal.ts';

/**
 * Who is asking, from where. Built by the HTTP edge from the verified token (never from the body
 * or path) and handed to every service call so that decisions and audit events carry it.
 */
export interface RequestContext {
  readonly principal: Principal;
  readonly requestId: string;
  readonly sourceIp: string;
  readonly userAgent: string;
}

/** Context of a caller that has not authenticated yet (sign-in, token refresh). */
export interface AnonymousContext {
  readonly requestId: string;
  readonly sourceIp: string;
  readonly userAgent: string;
}
