import { type AuditDraft, anonymousAuditOf } from '../audit/audit-event.ts';
import { bucketOf } from '../kernel/buckets.ts';
import type { Clock } from '../kernel/clock.ts';
import { AppError, ConflictError } from '../kernel/errors.ts';
import type { AnonymousContext } from '../kernel/request-context.ts';
import { generatePassword, type PasswordRules } from '../vault/password-generator.ts';
import { generateEd25519KeyPair } from '../vault/ssh-key-generator.ts';
import type {
  AccountRecord,
  CredentialCipher,
  CredentialRepository,
  CredentialVersionRecord,
  SystemRecord,
  SystemRepository,
  TenantKeyDirectory,
} from '../vault/vault.ports.ts';
import {
  type ConnectorKind,
  type LoginCredential,
  type RotationConnector,
  type TargetEndpoint,
  TargetError,
  TargetRejectedError,
} from './connector.ts';
import {
  type RotationError,
  type RotationRecord,
  type RotationRepository,
  type RotationStep,
  StaleRotationError,
} from './rotation.ports.ts';
import { scheduledDueAt } from './rotation-settings.ts';

/**
 * Runs a rotation's four persisted steps against its target, resuming from whatever step was
 * persisted last:
 *
 *   create  generate per policy, store encrypted as PENDING  ─┐  each step ends in one
 *   set     change it on the target (idempotent)               │  conditional write on the
 *   test    log in with PENDING                                │  rotation's revision, so a
 *   finish  PENDING → CURRENT, CURRENT → PREVIOUS             ─┘  duplicate or a second worker
 *                                                                 cannot apply a step twice.
 *
 * Invariant: the target accepts CURRENT or PENDING at every instant, and both stay stored until
 * `finish`. After a crash anywhere, the engine finds out which one the target takes by testing
 * both, then completes (PENDING works) or sets again (CURRENT works). No credential is lost.
 */

export interface RotationEngineDeps {
  readonly rotations: RotationRepository;
  readonly accounts: { get(tenantId: string, accountId: string): Promise<AccountRecord | null> };
  readonly systems: Pick<SystemRepository, 'get'>;
  readonly credentials: Pick<CredentialRepository, 'getVersion'>;
  readonly rulesFor: (account: AccountRecord) => Promise<PasswordRules>;
  readonly cipher: CredentialCipher;
  readonly tenantKeys: Pick<TenantKeyDirectory, 'keyArnOf'>;
  readonly connectorFor: (kind: ConnectorKind) => RotationConnector;
  readonly clock: Clock;
  /** Per target call (connecting included). */
  readonly targetTimeoutMs?: number;
  /** `set` attempts whose `test` found the target still on CURRENT before the rotation fails. */
  readonly maxSetAttempts?: number;
}

export const defaultPorts: Record<ConnectorKind, number> = {
  'ssh-password': 22,
  'ssh-key': 22,
  postgresql: 5432,
  mariadb: 3306,
  'active-directory': 636,
};

/** The connector an account uses: its setting, else what its platform and kind imply. */
export function connectorKindOf(
  account: Pick<AccountRecord, 'rotation' | 'platform' | 'kind'>,
): ConnectorKind | null {
  if (account.rotation.connector) return account.rotation.connector;
  if (account.kind === 'ssh-key') return 'ssh-key';
  switch (account.platform) {
    case 'linux':
    case 'unix':
    case 'macos':
      return 'ssh-password';
    case 'postgresql':
      return 'postgresql';
    case 'mysql':
    case 'mariadb':
      return 'mariadb';
    case 'active-directory':
    case 'ldap':
      return 'active-directory';
    default:
      return null;
  }
}

export function targetOf(system: SystemRecord, kind: ConnectorKind): TargetEndpoint {
  const host = system.hostname ?? system.ipAddress;
  if (!host) throw new AppError('conflict', 'no-target-address', 'The system has no hostname or IP address.');
  const connection = system.connection ?? { maxConcurrentRotations: 2 };
  return {
    host,
    port: connection.port ?? defaultPorts[kind],
    ...(connection.tls ? { tls: connection.tls } : {}),
    ...(connection.hostKeySha256 ? { hostKeySha256: connection.hostKeySha256 } : {}),
    ...(connection.database ? { database: connection.database } : {}),
  };
}

/** The rotation's concurrency lane on its system: `maxConcurrentRotations` lanes per system. */
export function laneOf(accountId: string, system: Pick<SystemRecord, 'connection'>): number {
  return bucketOf(accountId, system.connection?.maxConcurrentRotations ?? 2);
}

/** A failed attempt: recorded on the rotation and the account; the job is retried later. */
export class RotationAttemptFailedError extends AppError {
  constructor(error: RotationError) {
    super('unavailable', 'rotation-attempt-failed', `Rotation step ${error.step} failed: ${error.message}`);
    this.name = 'RotationAttemptFailedError';
  }
}

const engineActor = { type: 'system' as const, id: 'rotation-engine', name: 'Rotation engine' };
const backoffMinutes = (attempts: number) => Math.min(24 * 60, 2 ** Math.min(attempts, 10));

export function createRotationEngine(deps: RotationEngineDeps) {
  const { rotations, accounts, systems, credentials, cipher, tenantKeys, clock } = deps;
  const timeoutMs = deps.targetTimeoutMs ?? 20_000;
  const maxSetAttempts = deps.maxSetAttempts ?? 3;

  const context = (rotation: RotationRecord): AnonymousContext => ({
    requestId: `rotation:${rotation.id}`,
    sourceIp: 'internal',
    userAgent: 'strongroom-rotation-engine',
  });
  const audit = (
    rotation: RotationRecord,
    account: AccountRecord | null,
    draft: Omit<AuditDraft, 'target'>,
  ) =>
    anonymousAuditOf(context(rotation), rotation.tenantId, engineActor, {
      ...draft,
      target: {
        type: 'account',
        id: rotation.accountId,
        ...(account ? { name: `${account.username}@${account.systemName}` } : {}),
      },
      details: { rotationId: rotation.id, trigger: rotation.trigger, ...(draft.details ?? {}) },
    });

  const moved = (
    rotation: RotationRecord,
    now: Date,
    changes: Partial<RotationRecord>,
    outcome: RotationRecord['history'][number]['outcome'],
    detail: string | null = null,
  ): RotationRecord => ({
    ...rotation,
    ...changes,
    revision: rotation.revision + 1,
    updatedAt: now.toISOString(),
    history: [...rotation.history, { step: rotation.step, outcome, at: now.toISOString(), detail }].slice(
      -30,
    ),
  });

  type Secrets = (
    account: AccountRecord,
    version: number,
  ) => Promise<{ record: CredentialVersionRecord; secret: string }>;

  /**
   * Decrypted versions, kept for one run only: a version's ciphertext never changes, so the set
   * and test steps of one run need not read and decrypt the same version twice.
   */
  function secretsForOneRun(): Secrets {
    const decrypted = new Map<string, Promise<{ record: CredentialVersionRecord; secret: string }>>();
    return (account, version) => {
      const key = `${account.id}:${version}`;
      let found = decrypted.get(key);
      if (!found) {
        found = decryptVersion(account, version);
        found.catch(() => decrypted.delete(key));
        decrypted.set(key, found);
      }
      return found;
    };
  }

  async function decryptVersion(
    account: AccountRecord,
    version: number,
  ): Promise<{ record: CredentialVersionRecord; secret: string }> {
    const [record, keyArn] = await Promise.all([
      credentials.getVersion(account.tenantId, account.id, version),
      tenantKeys.keyArnOf(account.tenantId),
    ]);
    if (!record)
      throw new AppError('conflict', 'credential-version-missing', `Version ${version} is not stored.`);
    const secret = await cipher.decrypt(keyArn, record.ciphertext, {
      tenantId: account.tenantId,
      accountId: account.id,
      version,
    });
    return { record, secret };
  }

  const loginWith = (
    account: AccountRecord,
    secret: string,
    type: CredentialVersionRecord['type'],
  ): LoginCredential =>
    type === 'ssh-key'
      ? { username: account.username, privateKey: secret }
      : { username: account.username, password: secret };

  async function functionalLogin(
    account: AccountRecord,
    secretOf: Secrets,
  ): Promise<LoginCredential | undefined> {
    const functionalId = account.rotation.functionalAccountId;
    if (!functionalId) return undefined;
    const functional = await accounts.get(account.tenantId, functionalId);
    if (functional?.currentVersion === null || functional?.currentVersion === undefined) {
      throw new TargetError(
        'functional-account-unusable',
        'The functional account has no stored credential.',
      );
    }
    const { record, secret } = await secretOf(functional, functional.currentVersion);
    return loginWith(functional, secret, record.type);
  }

  /** One step; returns the state it persisted (or throws). */
  async function step(
    rotation: RotationRecord,
    account: AccountRecord,
    system: SystemRecord,
    kind: ConnectorKind,
    secretOf: Secrets,
  ): Promise<{ rotation: RotationRecord; account: AccountRecord }> {
    const connector = deps.connectorFor(kind);
    const target = targetOf(system, kind);
    const now = () => clock.now();
    const targetAccount = {
      username: account.username,
      ...(account.rotation.distinguishedName
        ? { distinguishedName: account.rotation.distinguishedName }
        : {}),
      ...(account.rotation.databaseHost ? { host: account.rotation.databaseHost } : {}),
    };

    switch (rotation.step) {
      case 'create': {
        const at = now();
        const version = account.latestVersion + 1;
        let secret: string;
        let publicKey: string | null = null;
        let fingerprint: string | null = null;
        if (kind === 'ssh-key') {
          const pair = generateEd25519KeyPair(`strongroom:${account.id}:v${version}`);
          secret = pair.privateKey;
          publicKey = pair.publicKey;
          fingerprint = pair.fingerprint;
        } else {
          secret = generatePassword(await deps.rulesFor(account));
        }
        const keyArn = await tenantKeys.keyArnOf(account.tenantId);
        const pending: CredentialVersionRecord = {
          tenantId: account.tenantId,
          accountId: account.id,
          version,
          status: 'pending',
          type: kind === 'ssh-key' ? 'ssh-key' : 'password',
          ciphertext: await cipher.encrypt(keyArn, secret, {
            tenantId: account.tenantId,
            accountId: account.id,
            version,
          }),
          publicKey,
          fingerprint,
          source: 'generated',
          createdAt: at.toISOString(),
          createdBy: `rotation:${rotation.id}`,
        };
        const next = moved(
          rotation,
          at,
          { step: 'set', pendingVersion: version },
          'done',
          `pending v${version}`,
        );
        await rotations.storePending(
          rotation,
          next,
          account,
          pending,
          audit(rotation, account, { action: 'rotation.create', details: { pendingVersion: version } }),
        );
        return { rotation: next, account: { ...account, latestVersion: version } };
      }
      case 'set': {
        const pending = await secretOf(account, rotation.pendingVersion as number);
        const current =
          account.currentVersion === null ? null : await secretOf(account, account.currentVersion);
        const functional = await functionalLogin(account, secretOf);
        let detail: string | null = null;
        try {
          if (connector.kind === 'ssh-key') {
            if (!current)
              throw new TargetError('no-current-credential', 'There is no current key to log in with.');
            await connector.setKey({
              target,
              account: targetAccount,
              current: loginWith(account, current.secret, current.record.type),
              newPrivateKey: pending.secret,
              timeoutMs,
            });
          } else {
            await connector.setPassword({
              target,
              account: targetAccount,
              ...(current ? { current: loginWith(account, current.secret, current.record.type) } : {}),
              ...(functional ? { functional } : {}),
              newPassword: pending.secret,
              timeoutMs,
            });
          }
        } catch (error) {
          // After a crash the target may already hold PENDING, so CURRENT is refused: find out.
          if (!(error instanceof TargetRejectedError) || error.credential !== 'current') throw error;
          const verdict = await connector.verify({
            target,
            credential: loginWith(account, pending.secret, pending.record.type),
            timeoutMs,
          });
          if (verdict !== 'accepted') throw error;
          detail = 'the target already had the pending secret';
        }
        const next = moved(rotation, now(), { step: 'test' }, detail ? 'recovered' : 'done', detail);
        await rotations.advance(
          rotation,
          next,
          audit(rotation, account, {
            action: 'rotation.set',
            details: { pendingVersion: rotation.pendingVersion, recovered: detail !== null },
          }),
        );
        return { rotation: next, account };
      }
      case 'test': {
        const pending = await secretOf(account, rotation.pendingVersion as number);
        const verdict = await connector.verify({
          target,
          credential: loginWith(account, pending.secret, pending.record.type),
          timeoutMs,
        });
        if (verdict === 'accepted') {
          const next = moved(rotation, now(), { step: 'finish' }, 'done');
          await rotations.advance(
            rotation,
            next,
            audit(rotation, account, {
              action: 'rotation.test',
              details: { pendingVersion: rotation.pendingVersion },
            }),
          );
          return { rotation: next, account };
        }
        // PENDING refused: is the target still on CURRENT? Then set again.
        const current =
          account.currentVersion === null ? null : await secretOf(account, account.currentVersion);
        const onCurrent =
          current !== null &&
          (await connector.verify({
            target,
            credential: loginWith(account, current.secret, current.record.type),
            timeoutMs,
          })) === 'accepted';
        if (!onCurrent) {
          throw new TargetError(
            'no-stored-credential-works',
            'The target accepts neither the current nor the pending secret; it was changed outside Strongroom.',
          );
        }
        const setAttempts =
          rotation.history.filter((h) => h.step === 'test' && h.outcome === 'retry').length + 1;
        if (setAttempts >= maxSetAttempts) {
          throw new TargetError(
            'target-kept-current',
            `The target kept the current secret after ${setAttempts} attempts.`,
          );
        }
        const next = moved(
          rotation,
          now(),
          { step: 'set' },
          'retry',
          'the target still takes the current secret',
        );
        await rotations.advance(
          rotation,
          next,
          audit(rotation, account, {
            action: 'rotation.test',
            outcome: 'failure',
            details: { pendingVersion: rotation.pendingVersion, targetOn: 'current' },
          }),
        );
        return { rotation: next, account };
      }
      case 'finish': {
        const at = now();
        const due = await scheduledDueAt(
          { lastRotatedAt: at.toISOString(), credentialUpdatedAt: null },
          account.rotation,
          async () => (await deps.rulesFor(account)).maxAgeDays,
          at,
        );
        const next = moved(
          rotation,
          at,
          { status: 'succeeded', finishedAt: at.toISOString(), lastError: null },
          'done',
        );
        await rotations.finish(
          rotation,
          next,
          account,
          due,
          audit(rotation, account, {
            action: 'rotation.finish',
            details: { fromVersion: rotation.fromVersion, toVersion: rotation.pendingVersion },
          }),
        );
        return { rotation: next, account };
      }
    }
  }

  async function fail(rotation: RotationRecord, account: AccountRecord, error: TargetError | AppError) {
    const at = clock.now();
    const failure: RotationError = {
      step: rotation.step,
      code: error.code,
      message: error.message.slice(0, 500),
      at: at.toISOString(),
    };
    const attempts = rotation.attempts + 1;
    const next = moved(rotation, at, { attempts, lastError: failure }, 'failed', error.code);
    await rotations.recordFailure(
      rotation,
      next,
      account,
      new Date(at.getTime() + backoffMinutes(attempts) * 60_000).toISOString(),
      audit(rotation, account, {
        action: 'rotation.attempt',
        outcome: 'failure',
        details: { step: rotation.step, code: error.code, attempts },
      }),
    );
    return failure;
  }

  async function abandon(rotation: RotationRecord, account: AccountRecord | null, why: string) {
    const at = clock.now();
    const next = moved(rotation, at, { status: 'cancelled', finishedAt: at.toISOString() }, 'failed', why);
    await rotations.abandon(
      rotation,
      next,
      account,
      audit(rotation, account, { action: 'rotation.cancel', outcome: 'failure', details: { why } }),
    );
  }

  return {
    /**
     * Runs the rotation from its persisted step to the end. Returns the rotation as it ended (or
     * null if unknown); throws `RotationAttemptFailedError` after recording a failed attempt, so
     * that the queue retries the job later.
     */
    async run(tenantId: string, rotationId: string): Promise<RotationRecord | null> {
      // What the last successful write left: the next round goes on from it without reading
      // again. Any failure or conflict forgets it, so the next round reads the stored state.
      type Known = { rotation: RotationRecord; account: AccountRecord; system: SystemRecord };
      const memory: { known: Known | null } = { known: null };
      const secretOf = secretsForOneRun();
      for (let round = 0; round < 40; round++) {
        const remembered: Known | null = memory.known;
        memory.known = null;
        const rotation = remembered?.rotation ?? (await rotations.get(tenantId, rotationId));
        if (rotation?.status !== 'running') return rotation;
        const account: AccountRecord | null =
          remembered?.account ?? (await accounts.get(tenantId, rotation.accountId));
        const why = !account
          ? 'the account was deleted'
          : account.activeRotationId !== rotation.id
            ? 'another rotation owns the account'
            : account.currentVersion !== rotation.fromVersion
              ? 'the credential was changed outside the rotation'
              : null;
        if (why !== null || !account) {
          await abandon(rotation, account, why ?? 'the account was deleted').catch((error) => {
            if (!(error instanceof StaleRotationError)) throw error;
          });
          continue;
        }
        const system: SystemRecord | null =
          remembered?.system ?? (await systems.get(tenantId, account.systemId));
        const kind = connectorKindOf(account);
        try {
          if (!system)
            throw new AppError('conflict', 'system-missing', 'The account’s system does not exist.');
          if (!kind) {
            throw new AppError(
              'conflict',
              'no-connector',
              `No connector rotates ${account.platform} accounts yet.`,
            );
          }
          if (rotation.step !== 'create' && rotation.pendingVersion === null) {
            throw new AppError('internal', 'pending-missing', 'The rotation lost its pending version.');
          }
          const persisted = await step(rotation, account, system, kind, secretOf);
          memory.known = { ...persisted, system };
        } catch (error) {
          if (error instanceof StaleRotationError) continue;
          if (error instanceof ConflictError && /changed|stale/.test(error.code)) continue;
          if (error instanceof TargetError || (error instanceof AppError && error.kind !== 'internal')) {
            let failure: RotationError;
            try {
              failure = await fail(rotation, account, error);
            } catch (recording) {
              // Someone else moved the rotation meanwhile: look again instead.
              if (recording instanceof StaleRotationError) continue;
              throw recording;
            }
            throw new RotationAttemptFailedError(failure);
          }
          throw error;
        }
      }
      throw new AppError(
        'internal',
        'rotation-not-converging',
        'The rotation kept changing under the worker.',
      );
    },
  };
}

export type RotationEngine = ReturnType<typeof createRotationEngine>;
export type { RotationStep };
