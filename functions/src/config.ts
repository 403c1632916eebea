import {
  auditTable,
  domainEventsQueue,
  mainTable,
  platformKey,
  rotationQueue,
} from '@strongroom/shared/platform/resources';
import { z } from 'zod';

/**
 * Runtime configuration, from the environment only (CDK sets it in AWS, the local stack locally).
 * AWS endpoints are not configuration here: the SDK reads AWS_ENDPOINT_URL and its per-service
 * variants itself, so the same code reaches moto, LocalStack or AWS.
 */
const configSchema = z.object({
  stage: z.string().regex(/^[a-z][a-z0-9-]{0,15}$/),
  mainTable: z.string().min(3),
  auditTable: z.string().min(3),
  platformKeyId: z.string().min(1),
  /** Data-key cache of the credential cipher: on unless explicitly turned off (benchmarks compare). */
  dataKeyCache: z.enum(['on', 'off']).default('on'),
  logLevel: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  /** scrypt cost (log2 N); 17 in production, lower only for tests. */
  passwordHashCost: z.coerce.number().int().min(14).max(20).default(17),
  /** Queue of domain events (release ended → rotation); required by the access context. */
  eventsQueueUrl: z.url().optional(),
  /** FIFO queue of rotation jobs; required by the rotation context. */
  rotationQueueUrl: z.url().optional(),
  /** Verified SES sender of notification e-mails; without it, notifications are in-app only. */
  emailFrom: z.email().optional(),
  /** Ticket webhooks may target loopback over http (local stack only; never in AWS). */
  allowLoopbackWebhooks: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  /** The portal's base URL, for links in notifications. */
  portalUrl: z.url().default('http://127.0.0.1:3000'),
  /** The portal's client-address key, inline (local stack) … */
  clientAddressKey: z.string().min(32).optional(),
  /** … or the Secrets Manager secret holding it (AWS, when the stage has a portal). */
  clientAddressKeyArn: z.string().startsWith('arn:').optional(),
});
export type StrongroomConfig = z.infer<typeof configSchema>;

export function configFromEnvironment(environment: NodeJS.ProcessEnv = process.env): StrongroomConfig {
  const result = configSchema.safeParse({
    stage: environment.STRONGROOM_STAGE,
    mainTable: environment[mainTable.envVar],
    auditTable: environment[auditTable.envVar],
    platformKeyId: environment[platformKey.envVar],
    dataKeyCache: environment.STRONGROOM_DATA_KEY_CACHE || undefined,
    logLevel: environment.STRONGROOM_LOG_LEVEL || undefined,
    passwordHashCost: environment.STRONGROOM_PASSWORD_HASH_COST || undefined,
    eventsQueueUrl: environment[domainEventsQueue.envVar] || undefined,
    rotationQueueUrl: environment[rotationQueue.envVar] || undefined,
    emailFrom: environment.STRONGROOM_EMAIL_FROM || undefined,
    portalUrl: environment.STRONGROOM_PORTAL_URL || undefined,
    allowLoopbackWebhooks: environment.STRONGROOM_ALLOW_LOOPBACK_WEBHOOKS || undefined,
    clientAddressKey: environment.STRONGROOM_CLIENT_ADDRESS_KEY || undefined,
    clientAddressKeyArn: environment.STRONGROOM_CLIENT_ADDRESS_KEY_ARN || undefined,
  });
  if (!result.success) {
    const fields = result.error.issues.map((issue) => issue.path.join('.')).join(', ');
    throw new Error(`Strongroom configuration is incomplete or invalid: ${fields}`);
  }
  return result.data;
}
