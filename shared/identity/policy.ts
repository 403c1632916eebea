import { ForbiddenError } from '../kernel/errors.ts';
import type { Principal } from './principal.ts';
import { type Permission, permissionsOfRole } from './roles.ts';

/**
 * The one place where permission decisions are made. Every service asks here before it acts;
 * nothing else inspects roles. Tenant scoping is not decided here: every repository is keyed by
 * the principal's tenant, so another tenant's object is simply not found.
 */
export function can(principal: Principal, permission: Permission): boolean {
  return principal.roles.some((role) => permissionsOfRole[role]?.includes(permission) ?? false);
}

export function authorize(principal: Principal, permission: Permission): void {
  if (!can(principal, permission)) throw new ForbiddenError(permission);
}

export function effectivePermissions(principal: Principal): Permission[] {
  const granted = new Set<Permission>();
  for (const role of principal.roles) for (const p of permissionsOfRole[role] ?? []) granted.add(p);
  return [...granted].sort();
}
