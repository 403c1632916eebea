import { createHash } from 'node:crypto';
import { type AuditDraft, anonymousAuditOf, auditOf, type PendingAuditEvent } from '../audit/audit-event.ts';
import type { ReleaseEndedEvent } from '../contracts/domain-events.ts';
import { authorize } from '../identity/policy.ts';
import type { Clock } from '../kernel/clock.ts';
import { ConflictError, NotFoundError, ValidationError } from '../kernel/errors.ts';
import { newId } from '../kernel/ids.ts';
import type { AnonymousContext, RequestContext } from '../kernel/request-context.ts';
import type { PasswordRules } from '../vault/password-generator.ts';
import type { AccountRecord, AccountRepository, SystemRepository } from '../vault/vault.ports.ts';
import type {
  RotationJob,
  RotationQueue,
  RotationRecord,
  RotationRepository,
  RotationTrigger,
} from './rotation.ports.ts';
import type { RotationSettings } from './rotation.schemas.ts';
import { connectorKindOf, laneOf } from './rotation-engine.ts';
import { insideWindow, nextWindowStart } from './rotation-schedule.ts';
import { checkFunctionalAccount, scheduledDueAt } from './rotation-settings.ts';

/**
 * Starting rotations (on demand, on schedule, after a release) and reading their state. Running
 * them is the engine's job (rotation-engine.ts), driven by the rotation queue.
 */
export interface RotationServiceDeps {
  readonly rotations: RotationRepository;
  readonly accounts: Pick<AccountRepository, 'get' | 'update'>;
  readonly systems: Pick<SystemRepository, 'get'>;
  readonly rulesFor: (account: AccountRecord) => Promise<PasswordRules>;
  readonly queue: RotationQueue;
  readonly clock: Clock;
}

/** A started rotation whose job was lost is found again through the due index after this. */
const lostJobRetryMinutes = 15;
/** An account without a stored credential is looked at again after this. */
const noCredentialRetryMinutes = 60;

const rotationView = ({ tenantId: _tenant, revision: _revision, ...rotation }: RotationRecord) => rotation;
export type RotationView = ReturnType<typeof rotationView>;

const systemActor = (id: string, name: string) => ({ type: 'system' as const, id, name });

export function createRotationService(deps: RotationServiceDeps) {
  const { rotations, accounts, systems, queue, clock } = deps;

  async function requireAccount(tenantId: string, accountId: string, field?: readonly string[]) {
    const account = await accounts.get(tenantId, accountId);
    if (!account) {
      if (field) throw ValidationError.field(field, 'no such account');
      throw new NotFoundError('account');
    }
    return account;
  }

  async function jobFor(rotation: RotationRecord): Promise<RotationJob> {
    const system = await systems.get(rotation.tenantId, rotation.systemId);
    return {
      tenantId: rotation.tenantId,
      accountId: rotation.accountId,
      rotationId: rotation.id,
      step: rotation.step,
      systemId: rotation.systemId,
      lane: system ? laneOf(rotation.accountId, system) : 0,
    };
  }

  /**
   * Starts a rotation of the account and queues its job. With `rotationId` given (derived from an
   * event), a second start with the same id is recognised and does nothing.
   */
  async function start(
    account: AccountRecord,
    trigger: RotationTrigger,
    requestedBy: string,
    reason: string | null,
    audit: (rotation: RotationRecord) => PendingAuditEvent,
    rotationId: string = newId('rotation'),
  ): Promise<RotationRecord> {
    if (account.currentVersion === null) {
      throw new ConflictError('no-credential', 'The account has no stored credential to rotate.');
    }
    if (connectorKindOf(account) === null) {
      throw new ConflictError('no-connector', `No connector rotates ${account.platform} accounts yet.`);
    }
    const now = clock.now();
    const rotation: RotationRecord = {
      id: rotationId,
      tenantId: account.tenantId,
      accountId: account.id,
      systemId: account.systemId,
      trigger,
      requestedBy,
      reason,
      status: 'running',
      step: 'create',
      revision: 1,
      fromVersion: account.currentVersion,
      pendingVersion: null,
      attempts: 0,
      lastError: null,
      history: [],
      startedAt: now.toISOString(),
      updatedAt: now.toISOString(),
      finishedAt: null,
    };
    const retryAt = new Date(now.getTime() + lostJobRetryMinutes * 60_000).toISOString();
    await rotations.start(account, rotation, retryAt, audit(rotation));
    await queue.enqueue([await jobFor(rotation)]);
    return rotation;
  }

  const startAudit =
    (context: AnonymousContext, account: AccountRecord, actor: ReturnType<typeof systemActor> | null) =>
    (rotation: RotationRecord) => {
      const draft: AuditDraft = {
        action: 'rotation.start',
        target: { type: 'account', id: account.id, name: `${account.username}@${account.systemName}` },
        details: { rotationId: rotation.id, trigger: rotation.trigger, fromVersion: rotation.fromVersion },
        ...(rotation.reason ? { reason: rotation.reason } : {}),
      };
      return actor
        ? anonymousAuditOf(context, account.tenantId, actor, draft)
        : auditOf(context as RequestContext, draft);
    };

  return {
    async rotateAccountNow(
      context: RequestContext,
      accountId: string,
      reason: string | null,
    ): Promise<RotationView> {
      authorize(context.principal, 'rotation:run');
      const account = await requireAccount(context.principal.tenantId, accountId);
      if (account.activeRotationId) {
        const running = await rotations.get(account.tenantId, account.activeRotationId);
        if (running?.status === 'running') {
          // Already under way: make sure its job is queued, and answer with it.
          await queue.enqueue([await jobFor(running)]);
          return rotationView(running);
        }
      }
      const rotation = await start(
        account,
        'manual',
        context.principal.subject,
        reason,
        startAudit(context, account, null),
      );
      return rotationView(rotation);
    },

    async getRotationStatus(context: RequestContext, rotationId: string): Promise<RotationView> {
      authorize(context.principal, 'rotation:read');
      const rotation = await rotations.get(context.principal.tenantId, rotationId);
      if (!rotation) throw new NotFoundError('rotation');
      return rotationView(rotation);
    },

    async listRotations(
      context: RequestContext,
      accountId: string,
      page: { limit?: number; cursor?: string },
    ) {
      authorize(context.principal, 'rotation:read');
      await requireAccount(context.principal.tenantId, accountId);
      const result = await rotations.listForAccount(
        context.principal.tenantId,
        accountId,
        page.limit ?? 50,
        page.cursor,
      );
      return { ...result, items: result.items.map(rotationView) };
    },

    async listFailingRotations(context: RequestContext, page: { limit?: number; cursor?: string }) {
      authorize(context.principal, 'rotation:read');
      const result = await rotations.listFailing(context.principal.tenantId, page.limit ?? 50, page.cursor);
      return { ...result, items: result.items.map(rotationView) };
    },

    /** Replaces the account's rotation settings and files its next scheduled rotation. */
    async setRotationSchedule(context: RequestContext, accountId: string, settings: RotationSettings) {
      authorize(context.principal, 'rotation:configure');
      const tenantId = context.principal.tenantId;
      const account = await requireAccount(tenantId, accountId);
      await checkFunctionalAccount(accounts, tenantId, settings, account.id, ['body', 'functionalAccountId']);
      const due = await scheduledDueAt(
        account,
        settings,
        async () => (await deps.rulesFor(account)).maxAgeDays,
        clock.now(),
      );
      // A running rotation keeps its retry time; the next schedule is filed when it finishes.
      const keepDue = account.activeRotationId ? (account.nextRotationDueAt ?? due) : due;
      const updated: AccountRecord = { ...account, rotation: settings, nextRotationDueAt: keepDue };
      await accounts.update(
        updated,
        auditOf(context, {
          action: 'rotation.schedule',
          target: { type: 'account', id: account.id, name: `${account.username}@${account.systemName}` },
          details: {
            enabled: settings.enabled,
            rotateAfterRelease: settings.rotateAfterRelease,
            maxAgeDays: settings.maxAgeDays ?? null,
            window: settings.window
              ? `${settings.window.from}-${settings.window.to} ${settings.window.timezone}`
              : null,
            nextDueAt: due,
          },
        }),
      );
      return { accountId: account.id, rotation: settings, nextDueAt: due };
    },

    /**
     * The scheduler: starts the rotations that are due (inside their window), re-queues running
     * ones whose job may have been lost, and moves what cannot run now to later.
     */
    async startDueRotations(context: AnonymousContext, limit = 500) {
      const now = clock.now();
      const due = await rotations.listDue(now.toISOString(), limit);
      const counts = { due: due.length, started: 0, requeued: 0, deferred: 0, unscheduled: 0 };
      for (const { tenantId, accountId } of due) {
        const account = await accounts.get(tenantId, accountId);
        if (!account) continue;
        const later = (minutes: number) => new Date(now.getTime() + minutes * 60_000).toISOString();
        if (account.activeRotationId) {
          const running = await rotations.get(tenantId, account.activeRotationId);
          if (running?.status === 'running') {
            await queue.enqueue([await jobFor(running)]);
            await rotations.reschedule(account, later(lostJobRetryMinutes));
            counts.requeued++;
            continue;
          }
        }
        if (!account.rotation.enabled) {
          await rotations.reschedule(account, null);
          counts.unscheduled++;
          continue;
        }
        if (account.currentVersion === null || connectorKindOf(account) === null) {
          await rotations.reschedule(account, later(noCredentialRetryMinutes));
          counts.deferred++;
          continue;
        }
        const window = account.rotation.window;
        if (window && !insideWindow(window, now)) {
          await rotations.reschedule(account, nextWindowStart(window, now)?.toISOString() ?? null);
          counts.deferred++;
          continue;
        }
        try {
          await start(
            account,
            account.lastRotatedAt || account.rotationStatus !== 'never' ? 'schedule' : 'onboarding',
            'scheduler',
            null,
            startAudit(context, account, systemActor('rotation-scheduler', 'Rotation scheduler')),
          );
          counts.started++;
        } catch (error) {
          if (!(error instanceof ConflictError)) throw error;
        }
      }
      return counts;
    },

    /**
     * Consumes `release.ended`: when the policy or the account asks for it, rotates the account.
     * The rotation id derives from the event id, so a redelivered event starts nothing twice.
     */
    async onReleaseEnded(context: AnonymousContext, event: ReleaseEndedEvent) {
      if (!event.rotate) return { started: false as const, why: 'no rotation asked' };
      const account = await accounts.get(event.tenantId, event.accountId);
      if (!account) return { started: false as const, why: 'account gone' };
      const rotationId = `rot_${createHash('sha256').update(event.id).digest('hex').slice(0, 26).toUpperCase()}`;
      if (await rotations.get(event.tenantId, rotationId))
        return { started: false as const, why: 'duplicate event' };
      if (account.activeRotationId) return { started: false as const, why: 'a rotation is already running' };
      try {
        await start(
          account,
          'release',
          event.releaseId,
          `release ${event.endedBy}`,
          startAudit(context, account, systemActor('release-events', 'Release events')),
          rotationId,
        );
        return { started: true as const, rotationId };
      } catch (error) {
        if (error instanceof ConflictError) return { started: false as const, why: error.code };
        throw error;
      }
    },
  };
}

export type RotationService = ReturnType<typeof createRotationService>;
