import { z } from 'zod';
import { tenantRoleSchema } from './roles.ts';

export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(254)
  .pipe(z.email({ message: 'must be an email address' }));

/** Sign-in passwords of local users: long passphrases welcome, no composition rules (NIST 800-63B). */
export const userPasswordSchema = z
  .string()
  .min(12, 'must be at least 12 characters')
  .max(256, 'must be at most 256 characters');

export const tenantSlugSchema = z
  .string()
  .min(3)
  .max(40)
  .regex(/^[a-z][a-z0-9-]*[a-z0-9]$/, 'must be lowercase letters, digits and dashes')
  .refine((slug) => slug !== 'provider', 'is reserved');

const displayNameSchema = z.string().trim().min(1).max(120);

export const loginBodySchema = z
  .object({
    tenant: z.string().min(1).max(40),
    email: z.string().min(1).max(254),
    password: z.string().min(1).max(256),
  })
  .strict();

export const refreshBodySchema = z.object({ refreshToken: z.string().min(20).max(200) }).strict();

export const createTenantBodySchema = z
  .object({
    slug: tenantSlugSchema,
    name: displayNameSchema,
    admin: z
      .object({
        email: emailSchema,
        displayName: displayNameSchema,
        password: userPasswordSchema,
      })
      .strict(),
  })
  .strict();

export const offboardTenantBodySchema = z
  .object({
    /** The tenant's slug, typed again: offboarding destroys every credential of the tenant. */
    confirmSlug: z.string().min(1).max(40),
    reason: z.string().trim().min(3, 'must say why (at least 3 characters)').max(500),
    /** KMS waiting period before the tenant key (and with it every credential) is gone. */
    pendingWindowDays: z.int().min(7).max(30).default(30),
  })
  .strict();
export type OffboardTenantInput = z.infer<typeof offboardTenantBodySchema>;

export const createUserBodySchema = z
  .object({
    email: emailSchema,
    displayName: displayNameSchema,
    password: userPasswordSchema,
    roles: z.array(tenantRoleSchema).max(8).default([]),
  })
  .strict();

export const updateUserBodySchema = z
  .object({
    displayName: displayNameSchema.optional(),
    roles: z.array(tenantRoleSchema).max(8).optional(),
    status: z.enum(['active', 'disabled']).optional(),
    /** A new sign-in password set by an admin (for a user who forgot theirs); also lifts a lockout. */
    password: userPasswordSchema.optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, {
    path: ['displayName'],
    message: 'give at least one field to change',
  });
export type UpdateUserInput = z.infer<typeof updateUserBodySchema>;

export const changeOwnPasswordBodySchema = z
  .object({
    currentPassword: z.string().min(1).max(256),
    newPassword: userPasswordSchema,
  })
  .strict()
  .refine((b) => b.currentPassword !== b.newPassword, {
    path: ['newPassword'],
    message: 'must differ from the current password',
  });
export type ChangeOwnPasswordInput = z.infer<typeof changeOwnPasswordBodySchema>;

/** A group's name (unique in its tenant, ignoring case) and description: the same rules at creation and rename. */
const groupNameSchema = displayNameSchema;
const groupDescriptionSchema = z.string().max(500);

export const createGroupBodySchema = z
  .object({
    name: groupNameSchema,
    description: groupDescriptionSchema.default(''),
    roles: z.array(tenantRoleSchema).max(8).default([]),
  })
  .strict();

/** Renames a group or changes its description (its roles are set at creation). */
export const updateGroupBodySchema = z
  .object({
    name: groupNameSchema.optional(),
    description: groupDescriptionSchema.optional(),
  })
  .strict()
  .refine((b) => b.name !== undefined || b.description !== undefined, {
    path: ['name'],
    message: 'give at least one field to change',
  });
export type UpdateGroupInput = z.infer<typeof updateGroupBodySchema>;

export type CreateTenantInput = z.infer<typeof createTenantBodySchema>;
export type CreateUserInput = z.infer<typeof createUserBodySchema>;
export type CreateGroupInput = z.infer<typeof createGroupBodySchema>;
export type LoginInput = z.infer<typeof loginBodySchema>;
