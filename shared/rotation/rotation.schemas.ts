import { z } from 'zod';
import { rotationWindowSchema } from './rotation-schedule.ts';

/** How the rotation engine changes an account's secret on its target (see docs/rotation.md). */
export const connectorKinds = [
  'ssh-password',
  'ssh-key',
  'postgresql',
  'mariadb',
  'active-directory',
] as const;

const accountIdPattern = /^acc_[0-9A-HJKMNP-TV-Z]{26}$/;

/** An account's rotation settings (part of the account; changed by `setRotationSchedule`). */
export const rotationSettingsSchema = z
  .object({
    /** Rotate on schedule (the password policy's maxAgeDays, or `maxAgeDays` here). */
    enabled: z.boolean().default(false),
    /** Rotate after every use (check-in, revoke or expiry of a release). */
    rotateAfterRelease: z.boolean().default(false),
    /** Derived from the platform and account kind when absent. */
    connector: z.enum(connectorKinds).optional(),
    /** Change the secret through this privileged account of the same tenant instead of as the account itself. */
    functionalAccountId: z.string().regex(accountIdPattern, 'must be an account id').optional(),
    /** Overrides the password policy's maximum age. */
    maxAgeDays: z.int().min(1).max(3650).optional(),
    /** Rotate only inside this window (scheduled rotations; on-demand ones run at once). */
    window: rotationWindowSchema.optional(),
    /** Active Directory: the account's DN (looked up by user name when absent). */
    distinguishedName: z.string().min(3).max(1024).optional(),
    /** MariaDB: the host part of `'user'@'host'` (default `%`). */
    databaseHost: z.string().min(1).max(255).optional(),
  })
  .strict();
export type RotationSettings = z.infer<typeof rotationSettingsSchema>;

/** How the rotation engine reaches a system (part of the system). */
export const systemConnectionSchema = z
  .object({
    /** Default per connector: 22, 5432, 3306, 636. */
    port: z.int().min(1).max(65535).optional(),
    /** SSH host key fingerprint as `ssh-keygen -l` prints it; any other key aborts. */
    hostKeySha256: z
      .string()
      .regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'must be an SSH SHA256 fingerprint')
      .optional(),
    tls: z
      .object({
        caCertificate: z.string().min(1).max(16_384).optional(),
        serverName: z.string().min(1).max(253).optional(),
      })
      .strict()
      .optional(),
    /** PostgreSQL database to connect to (default `postgres`). */
    database: z.string().min(1).max(63).optional(),
    /** Rotations of this system's accounts running at the same time (protects e.g. a domain controller). */
    maxConcurrentRotations: z.int().min(1).max(50).default(2),
  })
  .strict();
export type SystemConnection = z.infer<typeof systemConnectionSchema>;
