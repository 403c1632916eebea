import type { Role } from './roles.ts';

/**
 * The authenticated caller, as read from a verified access token.
 * - `user`: a person in a tenant (or, in the reserved provider realm, a Strongroom operator);
 * - `client`: an API consumer using OAuth client credentials (a later wave);
 * - `support`: Strongroom support staff acting under a tenant-approved grant (a later wave).
 */
export type PrincipalKind = 'user' | 'client' | 'support';

export interface Principal {
  readonly kind: PrincipalKind;
  readonly tenantId: string;
  /** User id, client id or support-grant id. */
  readonly subject: string;
  /** Display name for audit trails (the user's email). */
  readonly name: string;
  readonly roles: readonly Role[];
  /** Refresh-token family the access token belongs to (a sign-in session). */
  readonly sessionId: string;
}

/** The realm of Strongroom's own operators; no customer tenant can take this id or slug. */
export const providerTenantId = 'provider';
