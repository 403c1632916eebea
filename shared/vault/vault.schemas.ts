import { z } from 'zod';
import { rotationSettingsSchema, systemConnectionSchema } from '../rotation/rotation.schemas.ts';
import { passwordRulesSchema } from './password-generator.ts';
import { hostOfUrl, normalizeAddress } from './target-address.ts';

export const platforms = [
  'linux',
  'unix',
  'windows',
  'macos',
  'active-directory',
  'ldap',
  'postgresql',
  'mysql',
  'mariadb',
  'mssql',
  'oracle',
  'network-device',
  'application',
  'cloud',
] as const;
export type Platform = (typeof platforms)[number];

export const accountKinds = ['local', 'domain', 'database', 'ssh-key', 'service'] as const;
export type AccountKind = (typeof accountKinds)[number];

const hostnameSchema = z
  .string()
  .max(253)
  .regex(
    /^(?=.{1,253}$)([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*\.?$/,
    'must be a DNS hostname',
  );
const ipAddressSchema = z.union([z.ipv4(), z.ipv6()], { message: 'must be an IPv4 or IPv6 address' });
const tagSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[\w.:/=+@-]+$/, 'may hold letters, digits and _ . : / = + @ -');
const nameSchema = z.string().trim().min(1).max(120);
const workgroupSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9-_]*$/, 'must be lowercase letters, digits, - and _');
const policyIdSchema = z.string().regex(/^pwp_[0-9A-HJKMNP-TV-Z]{26}$/, 'must be a password policy id');
export const accountGroupIdSchema = z
  .string()
  .regex(/^agr_[0-9A-HJKMNP-TV-Z]{26}$/, 'must be an account group id');
export const accountIdSchema = z.string().regex(/^acc_[0-9A-HJKMNP-TV-Z]{26}$/, 'must be an account id');
export const systemIdSchema = z.string().regex(/^sys_[0-9A-HJKMNP-TV-Z]{26}$/, 'must be a system id');

/** An IP address or a DNS hostname (stored normalized: see target-address.ts). */
const addressSchema = z
  .string()
  .max(253)
  .refine((value) => normalizeAddress(value) !== null, 'must be an IP address or a DNS hostname');
const additionalAddressesSchema = z.array(addressSchema).max(20);
/** Where the system's web console is: http(s), no user name or password in it. */
const websiteUrlSchema = z
  .string()
  .max(2048)
  .refine((value) => hostOfUrl(value) !== null, 'must be an http or https URL with a host')
  .refine((value) => {
    try {
      const url = new URL(value);
      return url.username === '' && url.password === '';
    } catch {
      return true;
    }
  }, 'must not contain a user name or password');
/** Application names for app-launch jump items (`sqlplus`, `ssms`, …). */
const applicationSchema = z
  .string()
  .trim()
  .min(1)
  .max(120)
  .regex(/^[^\p{Cc}]+$/u, 'must not contain control characters');
const applicationsSchema = z.array(applicationSchema).max(20);

export const createSystemBodySchema = z
  .object({
    name: nameSchema,
    hostname: hostnameSchema.optional(),
    ipAddress: ipAddressSchema.optional(),
    additionalAddresses: additionalAddressesSchema.default([]),
    websiteUrl: websiteUrlSchema.nullable().optional(),
    applications: applicationsSchema.default([]),
    platform: z.enum(platforms),
    workgroup: workgroupSchema.default('default'),
    tags: z.array(tagSchema).max(50).default([]),
    description: z.string().max(1000).default(''),
    passwordPolicyId: policyIdSchema.optional(),
    connection: systemConnectionSchema.default({ maxConcurrentRotations: 2 }),
  })
  .strict()
  .refine((s) => s.hostname !== undefined || s.ipAddress !== undefined, {
    path: ['hostname'],
    message: 'a hostname or an ipAddress is required',
  });
export type CreateSystemInput = z.infer<typeof createSystemBodySchema>;

export { rotationSettingsSchema, systemConnectionSchema } from '../rotation/rotation.schemas.ts';

export const createAccountBodySchema = z
  .object({
    systemId: systemIdSchema,
    username: z
      .string()
      .trim()
      .min(1)
      .max(256)
      .regex(
        /^[^\s"/[\]:;|=,+*?<>]+([ ][^\s"/[\]:;|=,+*?<>]+)*$/,
        'contains characters not allowed in a user name',
      ),
    kind: z.enum(accountKinds),
    description: z.string().max(1000).default(''),
    apiEnabled: z.boolean().default(false),
    passwordPolicyId: policyIdSchema.optional(),
    rotation: rotationSettingsSchema.default({ enabled: false, rotateAfterRelease: false }),
  })
  .strict();
export type CreateAccountInput = z.infer<typeof createAccountBodySchema>;

export const updateSystemBodySchema = z
  .object({
    hostname: hostnameSchema.nullable().optional(),
    ipAddress: ipAddressSchema.nullable().optional(),
    additionalAddresses: additionalAddressesSchema.optional(),
    websiteUrl: websiteUrlSchema.nullable().optional(),
    applications: applicationsSchema.optional(),
    description: z.string().max(1000).optional(),
    passwordPolicyId: policyIdSchema.nullable().optional(),
    connection: systemConnectionSchema.optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, {
    path: ['hostname'],
    message: 'give at least one field to change',
  });
export type UpdateSystemInput = z.infer<typeof updateSystemBodySchema>;

export const updateAccountBodySchema = z
  .object({
    description: z.string().max(1000).optional(),
    apiEnabled: z.boolean().optional(),
    passwordPolicyId: policyIdSchema.nullable().optional(),
    rotation: rotationSettingsSchema.optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, {
    path: ['description'],
    message: 'give at least one field to change',
  });
export type UpdateAccountInput = z.infer<typeof updateAccountBodySchema>;

export const listSystemsQuerySchema = z
  .object({
    platform: z.enum(platforms).optional(),
    workgroup: workgroupSchema.optional(),
    tag: tagSchema.optional(),
    /** Systems reachable at this hostname (FQDN or short name) or IP; one page, no cursor. */
    address: addressSchema.optional(),
    limit: z.coerce.number().int().min(1).max(200).optional(),
    cursor: z.string().max(2048).optional(),
  })
  .strict();
export type SystemFilter = Omit<z.infer<typeof listSystemsQuerySchema>, 'limit' | 'cursor'>;

export const listAccountsQuerySchema = z
  .object({
    systemId: systemIdSchema.optional(),
    /** Members of this account group (the other filters then apply to the page read). */
    accountGroupId: accountGroupIdSchema.optional(),
    platform: z.enum(platforms).optional(),
    workgroup: workgroupSchema.optional(),
    kind: z.enum(accountKinds).optional(),
    tag: tagSchema.optional(),
    username: z.string().min(1).max(256).optional(),
    limit: z.coerce.number().int().min(1).max(200).optional(),
    cursor: z.string().max(2048).optional(),
  })
  .strict();
export type AccountFilter = Omit<z.infer<typeof listAccountsQuerySchema>, 'limit' | 'cursor'>;

/**
 * Account groups one account can be in. Deleting an account removes its memberships in the same
 * transaction (two items per group, of DynamoDB's 100), so the cap keeps that transaction whole.
 */
export const maxAccountGroupsPerAccount = 45;

export const createAccountGroupBodySchema = z
  .object({
    name: nameSchema,
    description: z.string().max(1000).default(''),
  })
  .strict();
export type CreateAccountGroupInput = z.infer<typeof createAccountGroupBodySchema>;

const reasonSchema = z.string().trim().min(3, 'must say why (at least 3 characters)').max(500);

export const setCredentialBodySchema = z
  .object({
    password: z.string().min(1).max(1024).optional(),
    privateKey: z.string().min(1).max(16_384).optional(),
    generate: z.literal(true).optional(),
    reason: reasonSchema.optional(),
  })
  .strict()
  .refine((b) => [b.password, b.privateKey, b.generate].filter((v) => v !== undefined).length === 1, {
    path: ['password'],
    message: 'give exactly one of password, privateKey or generate',
  });
export type SetCredentialInput = z.infer<typeof setCredentialBodySchema>;

export const retrieveCredentialBodySchema = z.object({ reason: reasonSchema }).strict();

export const createPasswordPolicyBodySchema = z
  .object({
    name: nameSchema,
    description: z.string().max(1000).default(''),
    isDefault: z.boolean().default(false),
    rules: passwordRulesSchema,
  })
  .strict();
export type CreatePasswordPolicyInput = z.infer<typeof createPasswordPolicyBodySchema>;

export const generatePasswordBodySchema = z
  .object({
    policyId: policyIdSchema.optional(),
    accountId: accountIdSchema.optional(),
  })
  .strict();
