import type { AccessService } from '@strongroom/shared/access/access.service';
import type { AuditService } from '@strongroom/shared/audit/audit.service';
import type { IdentityService } from '@strongroom/shared/identity/identity.service';
import { AppError } from '@strongroom/shared/kernel/errors';
import type { RequestContext } from '@strongroom/shared/kernel/request-context';
import type { RotationService } from '@strongroom/shared/rotation/rotation.service';
import type { VaultService } from '@strongroom/shared/vault/vault.service';

/**
 * The services one deployment unit serves. Each Lambda gets only its own bounded context (and
 * only that context's IAM grants); the local server gets all of them. Routes of an absent
 * context still exist, so every unit serves the same OpenAPI document.
 */
export interface ApiServices {
  readonly identity?: IdentityService;
  readonly vault?: VaultService;
  readonly access?: AccessService;
  readonly rotation?: RotationService;
  readonly audit?: AuditService;
  readonly jwks?: () => Promise<{ keys: readonly object[] }>;
  /** Writes an `authorization.denied` event for a refused request (any context can). */
  readonly recordDenial?: (
    context: RequestContext,
    denial: { readonly permission: string | null; readonly method: string; readonly route: string },
  ) => Promise<unknown>;
}

export function need<T>(service: T | undefined, name: string): T {
  if (service === undefined) {
    throw new AppError(
      'unavailable',
      'context-not-served',
      `This endpoint does not serve the ${name} context.`,
    );
  }
  return service;
}
