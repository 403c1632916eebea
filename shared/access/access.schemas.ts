import { isIP } from 'node:net';
import { z } from 'zod';
import { timeOfDaySchema, timezoneSchema, weekdays } from '../kernel/local-time.ts';
import { accountIdSchema, accountKinds, platforms, systemIdSchema } from '../vault/vault.schemas.ts';

/**
 * Access policies say who may request which accounts, who must approve, when and from where, and
 * what a release allows. Requests carry one policy version from creation to their end.
 */

const ulid = '[0-9A-HJKMNP-TV-Z]{26}';
export const accessPolicyIdSchema = z
  .string()
  .regex(new RegExp(`^apo_${ulid}$`), 'must be an access policy id');
export const requestIdSchema = z.string().regex(new RegExp(`^req_${ulid}$`), 'must be an access request id');
export const releaseIdSchema = z.string().regex(new RegExp(`^rel_${ulid}$`), 'must be a release id');
const groupIdSchema = z.string().regex(new RegExp(`^grp_${ulid}$`), 'must be a group id');
const accountGroupIdSchema = z.string().regex(new RegExp(`^agr_${ulid}$`), 'must be an account group id');
const tagSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[\w.:/=+@-]+$/, 'may hold letters, digits and _ . : / = + @ -');
const workgroupSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9-_]*$/, 'must be lowercase letters, digits, - and _');

export { type Weekday, weekdays } from '../kernel/local-time.ts';

/** `10.0.0.0/8`, `2001:db8::/32`, or a single address (a /32 or /128). */
export const cidrSchema = z
  .string()
  .max(64)
  .refine((value) => {
    const [address, prefix, ...rest] = value.split('/');
    if (rest.length > 0 || address === undefined) return false;
    const family = isIP(address);
    if (family === 0) return false;
    if (prefix === undefined) return true;
    if (!/^\d{1,3}$/.test(prefix)) return false;
    return Number(prefix) <= (family === 4 ? 32 : 128);
  }, 'must be an IP address or CIDR block such as 10.0.0.0/8');

/**
 * Which accounts a policy covers. Criteria are dynamic: an account onboarded tomorrow that
 * matches is covered without touching the policy. All fields given in one criteria selector
 * must match (AND); several selectors add up (OR).
 */
export const accountSelectorSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('accounts'), accountIds: z.array(accountIdSchema).min(1).max(100) }).strict(),
  z.object({ type: z.literal('account-group'), accountGroupId: accountGroupIdSchema }).strict(),
  z.object({ type: z.literal('system'), systemId: systemIdSchema }).strict(),
  z
    .object({
      type: z.literal('criteria'),
      platform: z.enum(platforms).optional(),
      workgroup: workgroupSchema.optional(),
      accountKind: z.enum(accountKinds).optional(),
      /** Every tag listed must be on the account's system. */
      tags: z.array(tagSchema).min(1).max(10).optional(),
    })
    .strict(),
]);
export type AccountSelector = z.infer<typeof accountSelectorSchema>;

export const approvalRuleSchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('auto') }).strict(),
  z
    .object({
      mode: z.literal('approval'),
      /** Distinct people who must approve; 2 is dual control. */
      requiredApprovals: z.number().int().min(1).max(5),
      approverGroupIds: z.array(groupIdSchema).min(1).max(10),
    })
    .strict(),
]);
export type ApprovalRule = z.infer<typeof approvalRuleSchema>;

export const accessConditionsSchema = z
  .object({
    daysOfWeek: z.array(z.enum(weekdays)).min(1).max(7).optional(),
    /** Allowed local time; `to` before `from` spans midnight (22:00–06:00). */
    hours: z.object({ from: timeOfDaySchema, to: timeOfDaySchema }).strict().optional(),
    timezone: timezoneSchema.default('UTC'),
    sourceCidrs: z.array(cidrSchema).min(1).max(50).optional(),
  })
  .strict()
  .refine((c) => c.hours === undefined || c.hours.from !== c.hours.to, {
    path: ['hours', 'to'],
    message: 'must differ from hours.from',
  });
export type AccessConditions = z.infer<typeof accessConditionsSchema>;

const webhookUrlSchema = z
  .url({ protocol: /^https?$/ })
  .max(2048)
  .refine((value) => {
    const url = new URL(value);
    return url.protocol === 'https:' || ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  }, 'must be https (plain http only to a loopback address)');

export const ticketRuleSchema = z
  .object({
    required: z.boolean().default(false),
    /** Regular expression the whole ticket id must match, e.g. `^(INC|CHG)\d{6,}$`. */
    pattern: z
      .string()
      .min(1)
      .max(200)
      .refine((source) => {
        try {
          new RegExp(source, 'u');
          return true;
        } catch {
          return false;
        }
      }, 'must be a valid regular expression')
      .optional(),
    /** Called with the ticket id before the request is accepted; a 2xx answer accepts it. */
    validationUrl: webhookUrlSchema.optional(),
    validationTimeoutMs: z.number().int().min(100).max(10_000).default(3_000),
  })
  .strict();

export const releaseRuleSchema = z
  .object({
    defaultMinutes: z.number().int().min(1).max(10_080).default(360),
    maxMinutes: z.number().int().min(1).max(10_080).default(360),
    /** At most one active release of an account at a time. */
    exclusive: z.boolean().default(true),
    /** `reveal`: the user may see the secret; `inject`: only a session proxy may use it. */
    type: z.enum(['reveal', 'inject']).default('reveal'),
    rotateOnCheckIn: z.boolean().default(false),
    requireReason: z.boolean().default(true),
    ticket: ticketRuleSchema.default({ required: false, validationTimeoutMs: 3_000 }),
    /** How long a request may wait for its approvals before it expires. */
    requestTimeoutMinutes: z.number().int().min(5).max(10_080).default(1_440),
  })
  .strict()
  .refine((r) => r.defaultMinutes <= r.maxMinutes, {
    path: ['defaultMinutes'],
    message: 'must not exceed maxMinutes',
  });
export type ReleaseRule = z.infer<typeof releaseRuleSchema>;

const policyNameSchema = z.string().trim().min(1).max(120);

const policyFields = {
  name: policyNameSchema,
  description: z.string().max(1000),
  /** Lower wins when several policies cover one request. */
  priority: z.number().int().min(1).max(1000),
  status: z.enum(['active', 'disabled']),
  requesterGroupIds: z.array(groupIdSchema).min(1).max(50),
  selectors: z.array(accountSelectorSchema).min(1).max(50),
  approval: approvalRuleSchema,
  conditions: accessConditionsSchema,
  release: releaseRuleSchema,
};

export const createAccessPolicyBodySchema = z
  .object({
    ...policyFields,
    description: policyFields.description.default(''),
    priority: policyFields.priority.default(100),
    status: policyFields.status.default('active'),
    conditions: policyFields.conditions.default({ timezone: 'UTC' }),
    release: policyFields.release.default(releaseRuleSchema.parse({})),
  })
  .strict();
export type CreateAccessPolicyInput = z.infer<typeof createAccessPolicyBodySchema>;

export const updateAccessPolicyBodySchema = z
  .object({
    /** The version the change is based on; a concurrent change makes it 409. */
    expectedVersion: z.number().int().min(1),
    name: policyFields.name.optional(),
    description: policyFields.description.optional(),
    priority: policyFields.priority.optional(),
    status: policyFields.status.optional(),
    requesterGroupIds: policyFields.requesterGroupIds.optional(),
    selectors: policyFields.selectors.optional(),
    approval: policyFields.approval.optional(),
    conditions: policyFields.conditions.optional(),
    release: policyFields.release.optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 1, {
    path: ['name'],
    message: 'give at least one field to change',
  });
export type UpdateAccessPolicyInput = z.infer<typeof updateAccessPolicyBodySchema>;

const reasonSchema = z.string().trim().min(3, 'must say why (at least 3 characters)').max(500);
const commentSchema = z.string().trim().min(1).max(500);

export const createAccessRequestBodySchema = z
  .object({
    accountId: accountIdSchema,
    durationMinutes: z.number().int().min(1).max(10_080).optional(),
    reason: reasonSchema.optional(),
    ticketId: z.string().trim().min(1).max(64).optional(),
    /** Ask under this policy; by default the covering policy with the lowest priority number. */
    policyId: accessPolicyIdSchema.optional(),
  })
  .strict();
export type CreateAccessRequestInput = z.infer<typeof createAccessRequestBodySchema>;

export const decisionBodySchema = z.object({ comment: commentSchema }).strict();
export const optionalCommentBodySchema = z.object({ comment: commentSchema.optional() }).strict();
export const revokeBodySchema = z.object({ reason: reasonSchema }).strict();
export const retrieveReleasedBodySchema = z.object({}).strict();

export const requestStatuses = [
  'requested',
  'approved',
  'denied',
  'expired',
  'cancelled',
  'active',
  'checked-in',
  'revoked',
] as const;
export type RequestStatus = (typeof requestStatuses)[number];

export const requestScopes = ['mine', 'approvals', 'decided', 'all'] as const;
export type RequestScope = (typeof requestScopes)[number];

export const listAccessRequestsQuerySchema = z
  .object({
    /**
     * `mine`: my requests; `approvals`: pending requests I may decide; `decided`: requests I approved
     * or denied, newest decision first; `all`: every request (overseers).
     */
    scope: z.enum(requestScopes).default('mine'),
    status: z.enum(requestStatuses).optional(),
    limit: z.coerce.number().int().min(1).max(200).optional(),
    cursor: z.string().max(2048).optional(),
  })
  .strict();

/** Longest window of `GET /v1/access-activity`, in days. */
export const maxActivityDays = 90;

export const accessActivityQuerySchema = z
  .object({
    /** `mine`: requests I made; `all`: every request of the tenant (overseers). */
    scope: z.enum(['mine', 'all']).default('mine'),
    /** How many UTC days, ending today. */
    days: z.coerce.number().int().min(1).max(maxActivityDays).default(30),
  })
  .strict();

export const pageQuerySchema = z
  .object({
    limit: z.coerce.number().int().min(1).max(200).optional(),
    cursor: z.string().max(2048).optional(),
  })
  .strict();

const hostnameSchema = z
  .string()
  .max(253)
  .regex(
    /^(?=.{1,253}$)([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*\.?$/,
    'must be a DNS hostname',
  );
const ipSchema = z.string().refine((v) => isIP(v) !== 0, 'must be an IPv4 or IPv6 address');

export const consoleUserSchema = z
  .object({
    /** `joe.user`, `ACME\joe.user` or `joe.user@acme.com`. */
    username: z.string().trim().min(1).max(256),
    /** An LDAP DN such as `uid=joe.user,ou=HelpDesk,dc=acme-inc,dc=com`. */
    distinguishedName: z.string().trim().min(3).max(1024).optional(),
  })
  .strict();

export const lookupTargetBodySchema = z
  .object({
    consoleUser: consoleUserSchema,
    target: z
      .object({
        hostname: z.union([hostnameSchema, ipSchema]).optional(),
        additionalIpAddresses: z.array(ipSchema).max(10).optional(),
        url: z
          .url({ protocol: /^https?$/ })
          .max(2048)
          .optional(),
        application: z.string().trim().min(1).max(120).optional(),
      })
      .strict()
      .refine((t) => t.hostname !== undefined || t.url !== undefined || t.additionalIpAddresses?.length, {
        path: ['hostname'],
        message: 'give a hostname or IP address, additional IP addresses, or a URL',
      }),
  })
  .strict();
export type LookupTargetInput = z.infer<typeof lookupTargetBodySchema>;

export const retrieveForInjectionBodySchema = z
  .object({
    /** The recipient's ephemeral X25519 public key, base64url (32 bytes). */
    publicKey: z.string().min(40).max(64),
    /** For an integration acting for a console user: whose release this is. */
    consoleUser: consoleUserSchema.optional(),
  })
  .strict();
export type RetrieveForInjectionInput = z.infer<typeof retrieveForInjectionBodySchema>;
