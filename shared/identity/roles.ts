import { z } from 'zod';

/**
 * Roles a tenant can hand out, and what each may do. Users get roles directly or through groups;
 * the token carries the effective set. `provider-operator` exists only in the provider realm.
 */
export const tenantRoles = [
  'tenant-admin',
  'password-admin',
  'auditor',
  'requester',
  // A session proxy or remote-support console that logs users into targets (the jump-item API).
  'integration',
] as const;
export const roles = [...tenantRoles, 'provider-operator'] as const;

export type TenantRole = (typeof tenantRoles)[number];

export const roleDescriptions: Record<TenantRole, string> = {
  'tenant-admin': 'Runs the tenant: users, groups, systems, accounts, policies, and reads the audit trail.',
  'password-admin': 'Onboards systems and accounts, sets credentials and rotation, oversees releases.',
  auditor:
    'Reads the inventory, every request and release, and searches, exports and verifies the audit trail.',
  requester: 'Sees the inventory and asks for time-limited access under the access policies.',
  integration: 'A session proxy: looks up and receives sealed credentials for releases of console users.',
};
export type Role = (typeof roles)[number];

export const tenantRoleSchema = z.enum(tenantRoles);

export const permissions = [
  'tenant:create',
  'tenant:offboard',
  'tenant:read',
  'user:create',
  'user:read',
  'user:update',
  'group:create',
  'group:read',
  'group:update',
  'system:create',
  'system:read',
  'system:update',
  'system:delete',
  'account:create',
  'account:read',
  'account:update',
  'account:delete',
  'credential:set',
  'credential:retrieve',
  'credential:read-versions',
  'credential:lookup',
  'credential:inject',
  'account-group:create',
  'account-group:read',
  'account-group:update',
  'access-policy:create',
  'access-policy:read',
  'access-policy:update',
  'access-request:create',
  'access-request:read-all',
  'release:revoke',
  'rotation:read',
  'rotation:run',
  'rotation:configure',
  'password-policy:create',
  'password-policy:read',
  'password:generate',
  'audit:read',
  'audit:export',
  'audit:verify',
] as const;

export type Permission = (typeof permissions)[number];

const readInventory: Permission[] = [
  'system:read',
  'account:read',
  'account-group:read',
  'password-policy:read',
  'access-policy:read',
  'rotation:read',
];
/** Onboarding, changing and offboarding systems and accounts, and their credentials. */
const manageVault: Permission[] = [
  'system:create',
  'system:update',
  'system:delete',
  'account:create',
  'account:update',
  'account:delete',
  ...readInventory,
  'credential:set',
  'credential:retrieve',
  'credential:read-versions',
  'account-group:create',
  'account-group:update',
  'password-policy:create',
  'password:generate',
  'rotation:run',
  'rotation:configure',
];
/** Seeing every request and release of the tenant (everyone sees their own and those they approve). */
const overseeAccess: Permission[] = ['access-request:read-all'];

export const permissionsOfRole: Record<Role, readonly Permission[]> = {
  // Operators read and verify their own realm's trail (their tokens carry tenant "provider").
  'provider-operator': [
    'tenant:create',
    'tenant:read',
    'tenant:offboard',
    'audit:read',
    'audit:export',
    'audit:verify',
  ],
  'tenant-admin': [
    'user:create',
    'user:read',
    'user:update',
    'group:create',
    'group:read',
    'group:update',
    ...manageVault,
    'access-policy:create',
    'access-policy:update',
    ...overseeAccess,
    'release:revoke',
    'access-request:create',
    'audit:read',
    'audit:export',
    'audit:verify',
  ],
  'password-admin': [...manageVault, ...overseeAccess, 'release:revoke', 'access-request:create'],
  auditor: [
    ...readInventory,
    'user:read',
    'group:read',
    'credential:read-versions',
    ...overseeAccess,
    'audit:read',
    'audit:export',
    'audit:verify',
  ],
  requester: [...readInventory, 'password:generate', 'access-request:create'],
  integration: ['system:read', 'account:read', 'credential:lookup', 'credential:inject'],
};
