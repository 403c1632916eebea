import { type AuditDraft, anonymousAuditOf, auditOf, type PendingAuditEvent } from '../audit/audit-event.ts';
import type { ReleaseEndedEvent } from '../contracts/domain-events.ts';
import type { GroupRepository, UserRecord, UserRepository } from '../identity/identity.ports.ts';
import { authorize, can } from '../identity/policy.ts';
import type { Clock } from '../kernel/clock.ts';
import { AppError, ConflictError, NotFoundError, ValidationError } from '../kernel/errors.ts';
import { newId } from '../kernel/ids.ts';
import type { Page } from '../kernel/page.ts';
import type { AnonymousContext, RequestContext } from '../kernel/request-context.ts';
import type {
  AccountGroupRepository,
  AccountRecord,
  AccountRepository,
  CredentialCipher,
  CredentialRepository,
  SystemRecord,
  SystemRepository,
  TenantKeyDirectory,
} from '../vault/vault.ports.ts';
import type {
  AccessPolicyRecord,
  AccessPolicyRepository,
  AccessRequestRecord,
  AccessRequestRepository,
  EventPublisher,
  NotificationRecord,
  NotificationRepository,
  RequestEffects,
} from './access.ports.ts';
import { StaleRequestError } from './access.ports.ts';
import type {
  CreateAccessPolicyInput,
  CreateAccessRequestInput,
  LookupTargetInput,
  RequestScope,
  RequestStatus,
  RetrieveForInjectionInput,
  UpdateAccessPolicyInput,
} from './access.schemas.ts';
import {
  type AccountFacts,
  applicablePolicies,
  buildPolicyIndex,
  conditionMessages,
  failedCondition,
  type PolicyIndex,
} from './access-policy-evaluator.ts';
import {
  type Actor,
  activate,
  approve,
  decide,
  effectiveStatus,
  lapsingStatuses,
  releaseIdOf,
  requestIdOf,
  transition,
} from './access-request-lifecycle.ts';
import { candidateEmails, parseConsoleUser } from './console-user.ts';
import type { CredentialSealer } from './credential-sealer.ts';
import type { EmailSender } from './email-sender.ts';
import { type NotificationKind, renderNotification } from './notification-templates.ts';

/** Asks a ticketing system whether a ticket id is valid (a webhook with a timeout). */
export interface TicketValidator {
  /** 'accepted' | 'rejected'; throws when the ticketing system cannot be reached in time. */
  validate(
    url: string,
    ticket: { ticketId: string; requester: string; account: string; tenantId: string },
    timeoutMs: number,
  ): Promise<'accepted' | 'rejected'>;
}

export interface AccessServiceDeps {
  readonly policies: AccessPolicyRepository;
  readonly requests: AccessRequestRepository;
  readonly notifications: NotificationRepository;
  readonly accounts: Pick<AccountRepository, 'get' | 'list'>;
  readonly systems: Pick<SystemRepository, 'get' | 'findByTarget'>;
  readonly accountGroups: Pick<AccountGroupRepository, 'get'>;
  readonly credentials: Pick<CredentialRepository, 'getVersion'>;
  readonly users: Pick<UserRepository, 'get' | 'getByEmail' | 'findByLocalName'>;
  readonly groups: Pick<GroupRepository, 'getMany' | 'listMemberIds'>;
  readonly cipher: CredentialCipher;
  readonly tenantKeys: Pick<TenantKeyDirectory, 'keyArnOf'>;
  readonly sealer: CredentialSealer;
  readonly events: EventPublisher;
  readonly tickets: TicketValidator;
  /** Null when e-mail is not configured: in-app notifications only. */
  readonly email: EmailSender | null;
  readonly audit: { record(event: PendingAuditEvent): Promise<unknown> };
  readonly clock: Clock;
  /** Base URL of the portal, for links in notifications. */
  readonly portalUrl: string;
  /** Ticket webhooks on loopback (plain http) are allowed: the local stack only. */
  readonly allowLoopbackWebhooks?: boolean;
  /** Notification delivery is best effort after the change committed; failures land here. */
  readonly onDeliveryError?: (error: unknown) => void;
  /** Tenants whose compiled policy index stays in memory. */
  readonly policyIndexCacheSize?: number;
}

export interface ReleasedSecret {
  readonly releaseId: string;
  readonly accountId: string;
  readonly username: string;
  readonly version: number;
  readonly type: 'password' | 'ssh-key';
  readonly password?: string;
  readonly privateKey?: string;
  readonly publicKey?: string;
  readonly endsAt: string;
  readonly retrievedAt: string;
}

const maxNotifiedApprovers = 50;
const sweeperActor: Actor = { id: 'expiry-sweeper', name: 'Expiry sweeper', sourceIp: 'internal' };

const policyView = ({ tenantId: _tenant, ...policy }: AccessPolicyRecord) => policy;
export type AccessPolicyView = ReturnType<typeof policyView>;

function requestView(request: AccessRequestRecord, now: Date) {
  const status = effectiveStatus(request, now);
  const released = request.approvedAt !== null;
  return {
    id: request.id,
    status,
    accountId: request.accountId,
    accountName: request.accountName,
    systemId: request.systemId,
    requesterId: request.requesterId,
    requesterName: request.requesterName,
    policyId: request.policyId,
    policyVersion: request.policyVersion,
    durationMinutes: request.durationMinutes,
    reason: request.reason,
    ticketId: request.ticketId,
    approval: {
      required: request.requiredApprovals,
      approverGroupIds: request.approverGroupIds,
      decisions: request.approvals,
    },
    release: released
      ? {
          id: releaseIdOf(request.id),
          type: request.releaseType,
          exclusive: request.exclusive,
          rotateOnCheckIn: request.rotateOnCheckIn,
          approvedAt: request.approvedAt,
          activateBy: request.activateBy,
          activatedAt: request.activatedAt,
          endsAt: request.endsAt,
        }
      : null,
    createdAt: request.createdAt,
    expiresAt: request.expiresAt,
    closedAt: status === 'expired' && request.closedAt === null ? deadlineAt(request) : request.closedAt,
    history: request.transitions,
  };
}
export type AccessRequestView = ReturnType<typeof requestView>;

function deadlineAt(request: AccessRequestRecord): string | null {
  if (request.status === 'requested') return request.expiresAt;
  if (request.status === 'approved') return request.activateBy;
  if (request.status === 'active') return request.endsAt;
  return null;
}

function releaseView(request: AccessRequestRecord, now: Date) {
  const status = effectiveStatus(request, now);
  return {
    id: releaseIdOf(request.id),
    requestId: request.id,
    status,
    accountId: request.accountId,
    accountName: request.accountName,
    systemId: request.systemId,
    type: request.releaseType,
    exclusive: request.exclusive,
    activateBy: request.activateBy,
    activatedAt: request.activatedAt,
    endsAt: request.endsAt,
    secondsLeft:
      status === 'active' && request.endsAt
        ? Math.max(0, Math.floor((Date.parse(request.endsAt) - now.getTime()) / 1000))
        : null,
  };
}
export type ReleaseView = ReturnType<typeof releaseView>;

const notificationView = ({ tenantId: _t, userId: _u, ...notification }: NotificationRecord) => notification;

export const accountFactsOf = (account: AccountRecord): AccountFacts => ({
  id: account.id,
  systemId: account.systemId,
  platform: account.platform,
  workgroup: account.workgroup,
  kind: account.kind,
  tags: account.tags,
  accountGroupIds: account.accountGroupIds ?? [],
});

const accountNameOf = (account: AccountRecord) => `${account.username}@${account.systemName}`;

export function createAccessService(deps: AccessServiceDeps) {
  const { policies, requests, notifications, accounts, systems, accountGroups, credentials, users, groups } =
    deps;
  const { cipher, tenantKeys, sealer, events, tickets, email, audit, clock } = deps;
  const indexCacheSize = deps.policyIndexCacheSize ?? 200;
  const indexes = new Map<string, PolicyIndex>();

  /** The tenant's compiled policies; rebuilt only when the policy-set version moved. */
  async function policyIndexOf(tenantId: string): Promise<PolicyIndex> {
    const version = await policies.setVersion(tenantId);
    const cached = indexes.get(tenantId);
    if (cached && cached.version === version) {
      indexes.delete(tenantId);
      indexes.set(tenantId, cached);
      return cached;
    }
    const index = buildPolicyIndex(await policies.loadAll(tenantId), version);
    indexes.set(tenantId, index);
    if (indexes.size > indexCacheSize) indexes.delete(indexes.keys().next().value as string);
    return index;
  }

  const actorOf = (context: RequestContext): Actor => ({
    id: context.principal.subject,
    name: context.principal.name,
    sourceIp: context.sourceIp,
  });

  /** The caller as a user of the tenant, read fresh: group changes apply at once. */
  async function callerUser(context: RequestContext): Promise<UserRecord> {
    const user =
      context.principal.kind === 'user'
        ? await users.get(context.principal.tenantId, context.principal.subject)
        : null;
    if (user?.status !== 'active') {
      throw new AppError('forbidden', 'not-a-user', 'Only active users of the tenant can do this.');
    }
    return user;
  }

  async function requireAccount(tenantId: string, accountId: string, field?: readonly string[]) {
    const account = await accounts.get(tenantId, accountId);
    if (!account) {
      if (field) throw ValidationError.field(field, 'no such account');
      throw new NotFoundError('account');
    }
    return account;
  }

  async function requireRequest(tenantId: string, requestId: string): Promise<AccessRequestRecord> {
    const request = await requests.get(tenantId, requestId);
    if (!request) throw new NotFoundError('access-request');
    return request;
  }

  async function validatePolicyReferences(tenantId: string, policy: Omit<AccessPolicyRecord, 'id'>) {
    const groupIds = [
      ...policy.requesterGroupIds,
      ...(policy.approval.mode === 'approval' ? policy.approval.approverGroupIds : []),
    ];
    const found = new Set((await groups.getMany(tenantId, [...new Set(groupIds)])).map((g) => g.id));
    policy.requesterGroupIds.forEach((id, i) => {
      if (!found.has(id)) throw ValidationError.field(['body', 'requesterGroupIds', i], 'no such group');
    });
    if (policy.approval.mode === 'approval') {
      policy.approval.approverGroupIds.forEach((id, i) => {
        if (!found.has(id))
          throw ValidationError.field(['body', 'approval', 'approverGroupIds', i], 'no such group');
      });
    }
    const webhook = policy.release.ticket.validationUrl;
    if (webhook && !deps.allowLoopbackWebhooks && new URL(webhook).protocol !== 'https:') {
      throw ValidationError.field(['body', 'release', 'ticket', 'validationUrl'], 'must be an https URL');
    }
    const checks: Promise<void>[] = [];
    policy.selectors.forEach((selector, i) => {
      if (selector.type === 'accounts') {
        selector.accountIds.forEach((accountId, j) => {
          checks.push(
            accounts.get(tenantId, accountId).then((account) => {
              if (!account)
                throw ValidationError.field(['body', 'selectors', i, 'accountIds', j], 'no such account');
            }),
          );
        });
      } else if (selector.type === 'account-group') {
        checks.push(
          accountGroups.get(tenantId, selector.accountGroupId).then((group) => {
            if (!group)
              throw ValidationError.field(
                ['body', 'selectors', i, 'accountGroupId'],
                'no such account group',
              );
          }),
        );
      } else if (selector.type === 'system') {
        checks.push(
          systems.get(tenantId, selector.systemId).then((system) => {
            if (!system) throw ValidationError.field(['body', 'selectors', i, 'systemId'], 'no such system');
          }),
        );
      }
    });
    await Promise.all(checks);
  }

  /** In-app notifications and e-mails after a change committed; never fails the change. */
  async function notify(
    kind: NotificationKind,
    request: AccessRequestRecord,
    recipientIds: readonly string[],
  ) {
    if (recipientIds.length === 0) return;
    try {
      const lastDecision = request.approvals.at(-1);
      const closing = request.transitions.at(-1);
      const rendered = renderNotification(kind, {
        requestId: request.id,
        requesterName: request.requesterName,
        accountName: request.accountName,
        reason: request.reason,
        ticketId: request.ticketId,
        durationMinutes: request.durationMinutes,
        decidedBy: lastDecision?.approverName ?? closing?.actorName ?? null,
        comment: closing?.comment ?? lastDecision?.comment ?? null,
        endsAt: request.endsAt,
        portalUrl: deps.portalUrl,
      });
      const createdAt = clock.now().toISOString();
      await notifications.add(
        recipientIds.map((userId) => ({
          id: newId('notification'),
          tenantId: request.tenantId,
          userId,
          kind,
          title: rendered.title,
          requestId: request.id,
          createdAt,
        })),
      );
      if (email) {
        const recipients = await Promise.all(recipientIds.map((id) => users.get(request.tenantId, id)));
        const to = recipients.filter((u) => u?.status === 'active').map((u) => (u as UserRecord).email);
        if (to.length > 0) {
          await email.send({ to, subject: rendered.subject, text: rendered.text, html: rendered.html });
        }
      }
    } catch (error) {
      deps.onDeliveryError?.(error);
    }
  }

  async function approverIdsOf(request: AccessRequestRecord): Promise<string[]> {
    const ids = new Set<string>();
    for (const groupId of request.approverGroupIds) {
      for (const id of await groups.listMemberIds(request.tenantId, groupId, maxNotifiedApprovers)) {
        if (id !== request.requesterId) ids.add(id);
      }
      if (ids.size >= maxNotifiedApprovers) break;
    }
    return [...ids].slice(0, maxNotifiedApprovers);
  }

  const requestTarget = (request: AccessRequestRecord) => ({
    type: 'access-request',
    id: request.id,
    name: request.accountName,
  });

  function auditDraft(
    request: AccessRequestRecord,
    action: string,
    extra: Partial<AuditDraft> = {},
  ): AuditDraft {
    return {
      action,
      target: requestTarget(request),
      ...extra,
      details: {
        accountId: request.accountId,
        status: request.status,
        policyId: request.policyId,
        policyVersion: request.policyVersion,
        ...(extra.details ?? {}),
      },
    };
  }

  async function releaseEndedEvent(
    request: AccessRequestRecord,
    endedBy: ReleaseEndedEvent['endedBy'],
    at: Date,
  ): Promise<ReleaseEndedEvent> {
    const account = await accounts.get(request.tenantId, request.accountId);
    return {
      id: newId('domainEvent'),
      type: 'release.ended',
      version: 1,
      tenantId: request.tenantId,
      releaseId: releaseIdOf(request.id),
      requestId: request.id,
      accountId: request.accountId,
      endedBy,
      rotate: request.rotateOnCheckIn || (account?.rotation.rotateAfterRelease ?? false),
      at: at.toISOString(),
    };
  }

  /**
   * Runs a change on a request: reads it, lets `change` compute the next record, its effects and
   * audit events, and writes them in one conditional transaction; a concurrent change makes it
   * re-read and try again.
   */
  async function mutate<T>(
    tenantId: string,
    requestId: string,
    change: (
      request: AccessRequestRecord,
    ) => Promise<
      | { next: AccessRequestRecord; effects: RequestEffects; audit: PendingAuditEvent[]; result: T }
      | { unchanged: T }
    >,
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const current = await requireRequest(tenantId, requestId);
      const planned = await change(current);
      if ('unchanged' in planned) return planned.unchanged;
      try {
        await requests.transition(current, planned.next, planned.effects, planned.audit);
        if (planned.effects.events?.length) {
          await events
            .publishCommitted(planned.effects.events)
            .catch((error) => deps.onDeliveryError?.(error));
        }
        return planned.result;
      } catch (error) {
        if (error instanceof StaleRequestError && attempt < 8) continue;
        if (error instanceof StaleRequestError) {
          throw new ConflictError('request-busy', 'The request is changing concurrently; retry.');
        }
        throw error;
      }
    }
  }

  async function checkTicket(
    context: RequestContext,
    policy: AccessPolicyRecord,
    input: CreateAccessRequestInput,
    account: AccountRecord,
  ) {
    const rule = policy.release.ticket;
    if (input.ticketId === undefined) {
      if (rule.required)
        throw ValidationError.field(['body', 'ticketId'], 'this policy requires a ticket id');
      return;
    }
    if (rule.pattern && !new RegExp(`^(?:${rule.pattern})$`, 'u').test(input.ticketId)) {
      throw ValidationError.field(
        ['body', 'ticketId'],
        `must match the policy's ticket format ${rule.pattern}`,
      );
    }
    if (!rule.validationUrl) return;
    if (!deps.allowLoopbackWebhooks && new URL(rule.validationUrl).protocol !== 'https:') {
      throw new AppError(
        'unavailable',
        'ticket-validation-unavailable',
        'The ticket webhook is not an https URL.',
      );
    }
    let verdict: 'accepted' | 'rejected';
    try {
      verdict = await tickets.validate(
        rule.validationUrl,
        {
          ticketId: input.ticketId,
          requester: context.principal.name,
          account: accountNameOf(account),
          tenantId: context.principal.tenantId,
        },
        rule.validationTimeoutMs,
      );
    } catch (cause) {
      throw new AppError(
        'unavailable',
        'ticket-validation-unavailable',
        `The ticketing system did not answer within ${rule.validationTimeoutMs} ms; the request was not created.`,
        { cause },
      );
    }
    if (verdict === 'rejected') {
      throw ValidationError.field(['body', 'ticketId'], 'the ticketing system does not accept this ticket');
    }
  }

  /** The tenant user a console identity names, or null when it names nobody or several. */
  async function mapConsoleUser(
    tenantId: string,
    consoleUser: { username: string; distinguishedName?: string | undefined },
  ): Promise<UserRecord | null> {
    const identity = parseConsoleUser(consoleUser);
    for (const address of candidateEmails(identity, [])) {
      const user = await users.getByEmail(tenantId, address);
      if (user) return user.status === 'active' ? user : null;
    }
    const sameName = (await users.findByLocalName(tenantId, identity.localName)).filter(
      (u) => u.status === 'active',
    );
    const domain = identity.domain;
    const narrowed =
      sameName.length > 1 && domain
        ? sameName.filter((u) => {
            const emailDomain = u.email.split('@')[1]?.toLowerCase() ?? '';
            return emailDomain === domain || emailDomain.split('.')[0] === domain;
          })
        : sameName;
    return narrowed.length === 1 ? (narrowed[0] as UserRecord) : null;
  }

  async function decryptCurrent(account: AccountRecord) {
    if (account.currentVersion === null) throw new NotFoundError('credential');
    const [version, keyArn] = await Promise.all([
      credentials.getVersion(account.tenantId, account.id, account.currentVersion),
      tenantKeys.keyArnOf(account.tenantId),
    ]);
    if (!version) throw new NotFoundError('credential');
    try {
      const secret = await cipher.decrypt(keyArn, version.ciphertext, {
        tenantId: account.tenantId,
        accountId: account.id,
        version: version.version,
      });
      return { version, secret };
    } catch (cause) {
      throw new AppError(
        'internal',
        'credential-undecryptable',
        'The stored credential could not be decrypted.',
        {
          cause,
        },
      );
    }
  }

  /** The release is usable now: active, not expired, and its policy's conditions hold. */
  async function requireUsableRelease(context: RequestContext, request: AccessRequestRecord, now: Date) {
    const status = effectiveStatus(request, now);
    if (status !== 'active') {
      throw new ConflictError('release-not-active', `The release is ${status}; nothing can be retrieved.`);
    }
    const policy = await policies.get(request.tenantId, request.policyId);
    if (policy?.status !== 'active') {
      throw new AppError(
        'forbidden',
        'policy-withdrawn',
        'The access policy of this release is no longer active.',
      );
    }
    const failure = failedCondition(policy.conditions, now, context.sourceIp);
    if (failure) throw new AppError('forbidden', `condition-${failure}`, conditionMessages[failure]);
  }

  async function pageOf(
    page: Page<AccessRequestRecord>,
    now: Date,
    keep: (request: AccessRequestRecord) => boolean = () => true,
  ) {
    return {
      items: page.items.filter(keep).map((r) => requestView(r, now)),
      ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
    };
  }

  const service = {
    // ── Access policies ────────────────────────────────────────────────────────────────────
    async createAccessPolicy(
      context: RequestContext,
      input: CreateAccessPolicyInput,
    ): Promise<AccessPolicyView> {
      authorize(context.principal, 'access-policy:create');
      const tenantId = context.principal.tenantId;
      const at = clock.now().toISOString();
      const policy: AccessPolicyRecord = {
        id: newId('accessPolicy'),
        tenantId,
        version: 1,
        ...input,
        createdAt: at,
        updatedAt: at,
        updatedBy: context.principal.subject,
      };
      await validatePolicyReferences(tenantId, policy);
      await policies.create(
        policy,
        auditOf(context, {
          action: 'access-policy.create',
          target: { type: 'access-policy', id: policy.id, name: policy.name },
          details: { version: 1, approval: policy.approval.mode, releaseType: policy.release.type },
        }),
      );
      return policyView(policy);
    },

    async updateAccessPolicy(
      context: RequestContext,
      policyId: string,
      input: UpdateAccessPolicyInput,
    ): Promise<AccessPolicyView> {
      authorize(context.principal, 'access-policy:update');
      const tenantId = context.principal.tenantId;
      const previous = await policies.get(tenantId, policyId);
      if (!previous) throw new NotFoundError('access-policy');
      const { expectedVersion, ...changes } = input;
      if (previous.version !== expectedVersion) {
        throw new ConflictError(
          'version-conflict',
          `The policy is at version ${previous.version}, not ${expectedVersion}; reload and retry.`,
        );
      }
      const next: AccessPolicyRecord = {
        ...previous,
        ...Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)),
        version: previous.version + 1,
        updatedAt: clock.now().toISOString(),
        updatedBy: context.principal.subject,
      };
      await validatePolicyReferences(tenantId, next);
      await policies.update(
        previous,
        next,
        auditOf(context, {
          action: 'access-policy.update',
          target: { type: 'access-policy', id: next.id, name: next.name },
          details: { version: next.version, changed: Object.keys(changes).sort().join(',') },
        }),
      );
      return policyView(next);
    },

    async getAccessPolicy(context: RequestContext, policyId: string): Promise<AccessPolicyView> {
      authorize(context.principal, 'access-policy:read');
      const policy = await policies.get(context.principal.tenantId, policyId);
      if (!policy) throw new NotFoundError('access-policy');
      return policyView(policy);
    },

    async listAccessPolicies(context: RequestContext, page: { limit?: number; cursor?: string }) {
      authorize(context.principal, 'access-policy:read');
      const result = await policies.list(context.principal.tenantId, page.limit ?? 50, page.cursor);
      return { ...result, items: result.items.map(policyView) };
    },

    async listAccessPolicyVersions(context: RequestContext, policyId: string) {
      authorize(context.principal, 'access-policy:read');
      const versions = await policies.listVersions(context.principal.tenantId, policyId);
      if (versions.length === 0) throw new NotFoundError('access-policy');
      return { items: versions.map(policyView) };
    },

    // ── Requests ───────────────────────────────────────────────────────────────────────────
    async createAccessRequest(
      context: RequestContext,
      input: CreateAccessRequestInput,
    ): Promise<AccessRequestView> {
      authorize(context.principal, 'access-request:create');
      const tenantId = context.principal.tenantId;
      const now = clock.now();
      const [user, account] = await Promise.all([
        callerUser(context),
        requireAccount(tenantId, input.accountId, ['body', 'accountId']),
      ]);
      const covering = applicablePolicies(
        await policyIndexOf(tenantId),
        user.groupIds,
        accountFactsOf(account),
      );
      const policy = input.policyId ? covering.find((p) => p.id === input.policyId) : covering[0];
      if (!policy) {
        throw new AppError(
          'forbidden',
          'no-access-policy',
          input.policyId
            ? 'That access policy does not let you request this account.'
            : 'No access policy lets you request this account.',
        );
      }
      const failure = failedCondition(policy.conditions, now, context.sourceIp);
      if (failure) throw new AppError('forbidden', `condition-${failure}`, conditionMessages[failure]);
      const durationMinutes = input.durationMinutes ?? policy.release.defaultMinutes;
      if (durationMinutes > policy.release.maxMinutes) {
        throw ValidationError.field(
          ['body', 'durationMinutes'],
          `must be at most ${policy.release.maxMinutes} minutes under this policy`,
        );
      }
      if (policy.release.requireReason && input.reason === undefined) {
        throw ValidationError.field(['body', 'reason'], 'this policy requires a reason');
      }
      await checkTicket(context, policy, input, account);

      const actor = actorOf(context);
      const at = now.toISOString();
      const id = newId('request');
      let request: AccessRequestRecord = {
        id,
        tenantId,
        revision: 1,
        status: 'requested',
        requesterId: user.id,
        requesterName: user.email,
        accountId: account.id,
        accountName: accountNameOf(account),
        systemId: account.systemId,
        policyId: policy.id,
        policyVersion: policy.version,
        releaseType: policy.release.type,
        exclusive: policy.release.exclusive,
        rotateOnCheckIn: policy.release.rotateOnCheckIn,
        durationMinutes,
        reason: input.reason ?? null,
        ticketId: input.ticketId ?? null,
        requiredApprovals: policy.approval.mode === 'approval' ? policy.approval.requiredApprovals : 0,
        approverGroupIds: policy.approval.mode === 'approval' ? policy.approval.approverGroupIds : [],
        approvals: [],
        sourceIp: context.sourceIp,
        createdAt: at,
        expiresAt: new Date(now.getTime() + policy.release.requestTimeoutMinutes * 60_000).toISOString(),
        approvedAt: null,
        activateBy: null,
        activatedAt: null,
        endsAt: null,
        closedAt: null,
        transitions: [
          {
            from: null,
            to: 'requested',
            actorId: actor.id,
            actorName: actor.name,
            at,
            sourceIp: actor.sourceIp,
            comment: input.reason ?? null,
          },
        ],
      };
      const trail = [
        auditOf(context, auditDraft(request, 'access-request.create', { reason: input.reason })),
      ];
      let effects: RequestEffects = {};
      if (policy.approval.mode === 'auto') {
        const autoApprover: Actor = {
          ...actor,
          name: `${actor.name} (auto-approved by policy ${policy.name})`,
        };
        request = activate(approve(request, autoApprover, now, 'auto-approved'), actor, now);
        trail.push(
          auditOf(context, auditDraft(request, 'access-request.approve', { details: { automatic: true } })),
          auditOf(context, auditDraft(request, 'release.activate', { details: { endsAt: request.endsAt } })),
        );
        if (request.exclusive) {
          effects = {
            acquireLock: { tenantId, accountId: account.id, requestId: id, endsAt: request.endsAt as string },
          };
        }
      }
      await requests.create(request, effects, trail);
      if (request.status === 'requested') {
        await notify('approval-requested', request, await approverIdsOf(request));
      }
      return requestView(request, now);
    },

    /**
     * What the caller may ask for on one account: every covering policy, best first, with its
     * approval rule (and the approver groups by name), release bounds, ticket and reason rules, and
     * whether its conditions allow a request now. Reads only; nothing secret, nothing audited.
     */
    async getAccessOptions(context: RequestContext, accountId: string) {
      authorize(context.principal, 'access-request:create');
      const tenantId = context.principal.tenantId;
      const now = clock.now();
      const [user, account] = await Promise.all([callerUser(context), requireAccount(tenantId, accountId)]);
      const covering = applicablePolicies(
        await policyIndexOf(tenantId),
        user.groupIds,
        accountFactsOf(account),
      );
      const approverGroupIds = [
        ...new Set(
          covering.flatMap((p) => (p.approval.mode === 'approval' ? p.approval.approverGroupIds : [])),
        ),
      ];
      const groupNames = new Map(
        (approverGroupIds.length > 0 ? await groups.getMany(tenantId, approverGroupIds) : []).map((g) => [
          g.id,
          g.name,
        ]),
      );
      return {
        accountId: account.id,
        accountName: accountNameOf(account),
        options: covering.map((policy) => {
          const failure = failedCondition(policy.conditions, now, context.sourceIp);
          return {
            policyId: policy.id,
            policyName: policy.name,
            priority: policy.priority,
            approval:
              policy.approval.mode === 'approval'
                ? {
                    mode: 'approval' as const,
                    requiredApprovals: policy.approval.requiredApprovals,
                    approverGroups: policy.approval.approverGroupIds.map((id) => ({
                      id,
                      name: groupNames.get(id) ?? id,
                    })),
                  }
                : {
                    mode: 'auto' as const,
                    requiredApprovals: 0,
                    approverGroups: [] as { id: string; name: string }[],
                  },
            release: {
              type: policy.release.type,
              defaultMinutes: policy.release.defaultMinutes,
              maxMinutes: policy.release.maxMinutes,
              exclusive: policy.release.exclusive,
              rotateOnCheckIn: policy.release.rotateOnCheckIn,
              requireReason: policy.release.requireReason,
              ticketRequired: policy.release.ticket.required,
              ticketPattern: policy.release.ticket.pattern ?? null,
            },
            conditions: policy.conditions,
            availableNow: failure === null,
            unavailableReason: failure === null ? null : conditionMessages[failure],
          };
        }),
      };
    },

    async getAccessRequest(context: RequestContext, requestId: string): Promise<AccessRequestView> {
      const tenantId = context.principal.tenantId;
      const request = await requests.get(tenantId, requestId);
      if (!request) throw new NotFoundError('access-request');
      if (
        request.requesterId !== context.principal.subject &&
        !can(context.principal, 'access-request:read-all')
      ) {
        const user = await users.get(tenantId, context.principal.subject);
        const approver = user?.groupIds.some((id) => request.approverGroupIds.includes(id)) ?? false;
        if (!approver) throw new NotFoundError('access-request');
      }
      return requestView(request, clock.now());
    },

    async listAccessRequests(
      context: RequestContext,
      query: { scope: RequestScope; status?: RequestStatus; limit?: number; cursor?: string },
    ) {
      const tenantId = context.principal.tenantId;
      const now = clock.now();
      const limit = query.limit ?? 50;
      // The indexes of `all` and `mine` filter on the stored status. An expiry the sweeper has not
      // saved yet is still stored as requested, approved or active, so `expired` reads those too;
      // `effectiveMatches` then keeps what is wanted now. `decided` filters on the effective
      // status itself.
      const storedStatuses: readonly RequestStatus[] | undefined =
        query.status === 'expired' ? ['expired', ...lapsingStatuses] : query.status && [query.status];
      const statusFilter = storedStatuses ? { statuses: storedStatuses } : {};
      const effectiveMatches = (r: AccessRequestRecord) =>
        query.status === undefined || effectiveStatus(r, now) === query.status;
      if (query.scope === 'all') {
        authorize(context.principal, 'access-request:read-all');
        return pageOf(
          await requests.listAll(tenantId, statusFilter, limit, query.cursor),
          now,
          effectiveMatches,
        );
      }
      if (query.scope === 'mine' || query.scope === 'decided') {
        // Only the caller's own requests or decisions: both indexes are keyed by the token's
        // tenant and subject.
        const me = context.principal.subject;
        const page =
          query.scope === 'mine'
            ? await requests.listByRequester(tenantId, me, statusFilter, limit, query.cursor)
            : await requests.listDecidedBy(
                tenantId,
                me,
                query.status ? { statuses: [query.status] } : {},
                limit,
                query.cursor,
              );
        return pageOf(page, now, effectiveMatches);
      }
      const user = await users.get(tenantId, context.principal.subject);
      const myGroups = user?.groupIds ?? [];
      return pageOf(
        await requests.listPending(tenantId, limit, query.cursor),
        now,
        (r) =>
          r.requesterId !== context.principal.subject &&
          r.approverGroupIds.some((id) => myGroups.includes(id)) &&
          effectiveStatus(r, now) === 'requested' &&
          !r.approvals.some((a) => a.approverId === context.principal.subject),
      );
    },

    /**
     * Requests made per UTC day over the last `days` days (oldest first, today last, empty days as
     * 0): the caller's own, or the tenant's for overseers. Counted by the index, so the figure is
     * exact however many requests there are.
     */
    async getAccessActivity(context: RequestContext, query: { scope: 'mine' | 'all'; days: number }) {
      if (query.scope === 'all') authorize(context.principal, 'access-request:read-all');
      const dayMs = 86_400_000;
      const now = clock.now();
      const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
      const windows = Array.from({ length: query.days }, (_, index) => {
        const from = today - (query.days - 1 - index) * dayMs;
        return { from: new Date(from), to: new Date(from + dayMs) };
      });
      const counts = await requests.countCreated(
        context.principal.tenantId,
        query.scope === 'mine' ? context.principal.subject : null,
        windows,
      );
      return {
        scope: query.scope,
        days: windows.map((window, index) => ({
          day: window.from.toISOString().slice(0, 10),
          requests: counts[index] ?? 0,
        })),
      };
    },

    async decideAccessRequest(
      context: RequestContext,
      requestId: string,
      decision: 'approve' | 'deny',
      comment: string,
    ): Promise<AccessRequestView> {
      const tenantId = context.principal.tenantId;
      const approver = await callerUser(context);
      const actor = { ...actorOf(context), groupIds: approver.groupIds };
      let notice: { kind: NotificationKind; request: AccessRequestRecord } | null = null;
      const attemptDecision = () =>
        mutate<AccessRequestView>(tenantId, requestId, async (request) => {
          notice = null;
          const now = clock.now();
          const outcome = decide(request, actor, decision, comment, now);
          if (outcome.kind === 'unchanged') return { unchanged: requestView(request, now) };
          const trail = [
            auditOf(
              context,
              auditDraft(
                outcome.request,
                decision === 'approve' ? 'access-request.approve' : 'access-request.deny',
                {
                  reason: comment,
                  details: {
                    approvals: outcome.request.approvals.filter((a) => a.decision === 'approve').length,
                    required: request.requiredApprovals,
                  },
                },
              ),
            ),
          ];
          let next = outcome.request;
          // The decision joins the caller's "decided" index in the same transaction as the change.
          const recordDecision = outcome.request.approvals.find((a) => a.approverId === actor.id);
          let effects: RequestEffects = recordDecision ? { recordDecision } : {};
          if (outcome.kind === 'approved') {
            // Start the release at once unless another exclusive release holds the account.
            const lock = next.exclusive ? await requests.getLock(tenantId, next.accountId) : null;
            const lockLive =
              lock !== null && lock.requestId !== next.id && Date.parse(lock.endsAt) > now.getTime();
            if (!lockLive) {
              next = activate(next, actor, now);
              trail.push(
                auditOf(context, auditDraft(next, 'release.activate', { details: { endsAt: next.endsAt } })),
              );
              if (next.exclusive) {
                effects = {
                  ...effects,
                  acquireLock: {
                    tenantId,
                    accountId: next.accountId,
                    requestId: next.id,
                    endsAt: next.endsAt as string,
                  },
                };
              }
            }
            notice = { kind: 'request-approved', request: next };
          } else if (outcome.kind === 'denied') {
            notice = { kind: 'request-denied', request: next };
          }
          return { next, effects, audit: trail, result: requestView(next, now) };
        });
      let view: AccessRequestView;
      for (let attempt = 0; ; attempt++) {
        try {
          view = await attemptDecision();
          break;
        } catch (error) {
          // The lock was taken between our read and our write: decide again, which now sees it.
          if (error instanceof ConflictError && error.code === 'account-checked-out' && attempt < 3) continue;
          throw error;
        }
      }
      const sent = notice as { kind: NotificationKind; request: AccessRequestRecord } | null;
      if (sent) await notify(sent.kind, sent.request, [sent.request.requesterId]);
      return view;
    },

    async cancelAccessRequest(context: RequestContext, requestId: string, comment?: string) {
      authorize(context.principal, 'access-request:create');
      const tenantId = context.principal.tenantId;
      return mutate(tenantId, requestId, async (request) => {
        if (request.requesterId !== context.principal.subject) {
          throw new AppError('forbidden', 'not-requester', 'Only the requester can cancel a request.');
        }
        const now = clock.now();
        const next = transition(request, 'cancelled', actorOf(context), now, comment ?? null);
        return {
          next,
          effects: {},
          audit: [auditOf(context, auditDraft(next, 'access-request.cancel', { reason: comment }))],
          result: requestView(next, now),
        };
      });
    },

    // ── Releases ───────────────────────────────────────────────────────────────────────────
    async listMyReleases(context: RequestContext) {
      const now = clock.now();
      const page = await requests.listByRequester(
        context.principal.tenantId,
        context.principal.subject,
        { statuses: ['approved', 'active'] },
        200,
      );
      return {
        items: page.items
          .filter((r) => ['approved', 'active'].includes(effectiveStatus(r, now)))
          .map((r) => releaseView(r, now)),
      };
    },

    /** Starts an approved release that was waiting for the account to be free. */
    async activateRelease(context: RequestContext, releaseId: string) {
      authorize(context.principal, 'access-request:create');
      const tenantId = context.principal.tenantId;
      return mutate(tenantId, requestIdOf(releaseId), async (request) => {
        if (request.requesterId !== context.principal.subject) throw new NotFoundError('release');
        const now = clock.now();
        // Already started: activation is idempotent.
        if (effectiveStatus(request, now) === 'active') return { unchanged: releaseView(request, now) };
        const next = activate(request, actorOf(context), now);
        return {
          next,
          effects: next.exclusive
            ? {
                acquireLock: {
                  tenantId,
                  accountId: next.accountId,
                  requestId: next.id,
                  endsAt: next.endsAt as string,
                },
              }
            : {},
          audit: [
            auditOf(context, auditDraft(next, 'release.activate', { details: { endsAt: next.endsAt } })),
          ],
          result: releaseView(next, now),
        };
      });
    },

    async checkInRelease(context: RequestContext, releaseId: string) {
      authorize(context.principal, 'access-request:create');
      const tenantId = context.principal.tenantId;
      return mutate(tenantId, requestIdOf(releaseId), async (request) => {
        if (request.requesterId !== context.principal.subject) throw new NotFoundError('release');
        const now = clock.now();
        const next = transition(request, 'checked-in', actorOf(context), now, null);
        const ended = await releaseEndedEvent(next, 'checked-in', now);
        return {
          next,
          effects: { releaseLock: next.exclusive, events: [ended] },
          audit: [
            auditOf(context, auditDraft(next, 'release.check-in', { details: { rotate: ended.rotate } })),
          ],
          result: releaseView(next, now),
        };
      });
    },

    async revokeRelease(context: RequestContext, releaseId: string, reason: string) {
      authorize(context.principal, 'release:revoke');
      const tenantId = context.principal.tenantId;
      let revoked: AccessRequestRecord | null = null;
      const view = await mutate(tenantId, requestIdOf(releaseId), async (request) => {
        const now = clock.now();
        const next = transition(request, 'revoked', actorOf(context), now, reason);
        const ended = await releaseEndedEvent(next, 'revoked', now);
        revoked = next;
        return {
          next,
          effects: { releaseLock: next.exclusive, events: [ended] },
          audit: [
            auditOf(
              context,
              auditDraft(next, 'release.revoke', { reason, details: { rotate: ended.rotate } }),
            ),
          ],
          result: releaseView(next, now),
        };
      }).catch((error) => {
        if (error instanceof NotFoundError) throw new NotFoundError('release');
        throw error;
      });
      const ended = revoked as AccessRequestRecord | null;
      if (ended) await notify('release-revoked', ended, [ended.requesterId]);
      return view;
    },

    /** Reveals the secret to the requester of an active `reveal` release; audited before it leaves. */
    async retrieveReleasedCredential(context: RequestContext, releaseId: string): Promise<ReleasedSecret> {
      authorize(context.principal, 'access-request:create');
      const tenantId = context.principal.tenantId;
      const request = await requests.get(tenantId, requestIdOf(releaseId));
      if (!request || request.requesterId !== context.principal.subject || request.approvedAt === null) {
        throw new NotFoundError('release');
      }
      const now = clock.now();
      if (request.releaseType !== 'reveal') {
        throw new AppError(
          'forbidden',
          'inject-only',
          'This release can only be used by a session proxy; the secret is never shown.',
        );
      }
      await requireUsableRelease(context, request, now);
      const account = await requireAccount(tenantId, request.accountId);
      const { version, secret } = await decryptCurrent(account);
      await audit.record(
        auditOf(context, {
          action: 'credential.reveal',
          target: { type: 'account', id: account.id, name: accountNameOf(account) },
          reason: request.reason ?? undefined,
          details: { releaseId, version: version.version, type: version.type },
        }),
      );
      return {
        releaseId,
        accountId: account.id,
        username: account.username,
        version: version.version,
        type: version.type,
        ...(version.type === 'ssh-key'
          ? { privateKey: secret, publicKey: version.publicKey ?? undefined }
          : { password: secret }),
        endsAt: request.endsAt as string,
        retrievedAt: now.toISOString(),
      };
    },

    /**
     * Hands one released credential to a session proxy, encrypted (HPKE) to the proxy's ephemeral
     * key: the plaintext never crosses the wire. Either the requester calls it, or an integration
     * (credential:inject) calls it for the console user who holds the release.
     */
    async retrieveForInjection(context: RequestContext, releaseId: string, input: RetrieveForInjectionInput) {
      if (!can(context.principal, 'access-request:create')) authorize(context.principal, 'credential:inject');
      const tenantId = context.principal.tenantId;
      const request = await requests.get(tenantId, requestIdOf(releaseId));
      if (!request || request.approvedAt === null) throw new NotFoundError('release');
      let onBehalfOf: string | null = null;
      if (request.requesterId !== context.principal.subject) {
        authorize(context.principal, 'credential:inject');
        if (!input.consoleUser) {
          throw ValidationError.field(['body', 'consoleUser'], 'name the console user whose release this is');
        }
        const user = await mapConsoleUser(tenantId, input.consoleUser);
        if (!user || user.id !== request.requesterId) throw new NotFoundError('release');
        onBehalfOf = user.email;
      }
      const now = clock.now();
      await requireUsableRelease(context, request, now);
      const account = await requireAccount(tenantId, request.accountId);
      const { version, secret } = await decryptCurrent(account);
      const binding = {
        info: 'strongroom/credential-injection/v1',
        aad: `${tenantId}|${releaseId}|${account.id}|${version.version}`,
      };
      const payload = JSON.stringify({
        username: account.username,
        type: version.type,
        ...(version.type === 'ssh-key' ? { privateKey: secret } : { password: secret }),
      });
      const sealed = await sealer.seal(input.publicKey, payload, binding);
      await audit.record(
        auditOf(context, {
          action: 'credential.inject',
          target: { type: 'account', id: account.id, name: accountNameOf(account) },
          reason: request.reason ?? undefined,
          details: { releaseId, version: version.version, onBehalfOf, suite: sealed.suite },
        }),
      );
      return {
        releaseId,
        accountId: account.id,
        username: account.username,
        version: version.version,
        type: version.type,
        sealed,
        aad: binding.aad,
        info: binding.info,
        endsAt: request.endsAt as string,
      };
    },

    // ── Credential lookup by target (jump items) ──────────────────────────────────────────
    async lookupCredentialsForTarget(context: RequestContext, input: LookupTargetInput) {
      authorize(context.principal, 'credential:lookup');
      const tenantId = context.principal.tenantId;
      const now = clock.now();
      const user = await mapConsoleUser(tenantId, input.consoleUser);
      const items: {
        accountId: string;
        username: string;
        kind: string;
        systemId: string;
        systemName: string;
        platform: string;
        release: { id: string; type: 'reveal' | 'inject'; endsAt: string | null } | null;
        requestable: {
          policyId: string;
          approval: 'auto' | 'approval';
          releaseType: 'reveal' | 'inject';
        } | null;
      }[] = [];
      if (user) {
        const { target } = input;
        const hostIsIp = target.hostname !== undefined && /^[\d.]+$|:/.test(target.hostname);
        const found = await systems.findByTarget(tenantId, {
          ...(target.hostname && !hostIsIp ? { hostname: target.hostname } : {}),
          ipAddresses: [
            ...(hostIsIp && target.hostname ? [target.hostname] : []),
            ...(target.additionalIpAddresses ?? []),
          ],
          ...(target.url ? { url: target.url } : {}),
        });
        const application = target.application?.toLowerCase();
        const matching = found.filter(
          (system: SystemRecord) =>
            application === undefined ||
            (system.applications ?? []).some((name) => name.toLowerCase() === application),
        );
        const [releases, index] = await Promise.all([
          requests.listByRequester(tenantId, user.id, { statuses: ['active'] }, 200),
          policyIndexOf(tenantId),
        ]);
        const activeByAccount = new Map(
          releases.items.filter((r) => effectiveStatus(r, now) === 'active').map((r) => [r.accountId, r]),
        );
        for (const system of matching.slice(0, 20)) {
          const page = await accounts.list(tenantId, { systemId: system.id }, 200);
          for (const account of page.items) {
            const release = activeByAccount.get(account.id);
            const policy = applicablePolicies(index, user.groupIds, accountFactsOf(account))[0];
            if (!release && !policy) continue;
            items.push({
              accountId: account.id,
              username: account.username,
              kind: account.kind,
              systemId: system.id,
              systemName: system.name,
              platform: system.platform,
              release: release
                ? { id: releaseIdOf(release.id), type: release.releaseType, endsAt: release.endsAt }
                : null,
              requestable: policy
                ? { policyId: policy.id, approval: policy.approval.mode, releaseType: policy.release.type }
                : null,
            });
          }
        }
      }
      await audit.record(
        auditOf(context, {
          action: 'credential.lookup',
          target: { type: 'target', id: input.target.hostname ?? input.target.url ?? 'addresses' },
          details: {
            consoleUser: input.consoleUser.username.slice(0, 200),
            mappedUserId: user?.id ?? null,
            results: items.length,
          },
        }),
      );
      return { consoleUserId: user?.id ?? null, items };
    },

    // ── Notifications ──────────────────────────────────────────────────────────────────────
    async listNotifications(context: RequestContext, page: { limit?: number; cursor?: string }) {
      const result = await notifications.listForUser(
        context.principal.tenantId,
        context.principal.subject,
        page.limit ?? 50,
        page.cursor,
      );
      return { ...result, items: result.items.map(notificationView) };
    },

    // ── Expiry sweeper ─────────────────────────────────────────────────────────────────────
    /**
     * Persists the expiry of pending requests, unused approvals and ended releases whose deadline
     * passed (reads already treat them as expired), frees their locks, emits `release.ended`, and
     * re-sends events whose first publication failed.
     */
    async sweepExpired(context: AnonymousContext, limit = 500) {
      const now = clock.now();
      const due = await requests.listDue(now.toISOString(), limit);
      let expired = 0;
      for (const { tenantId, requestId } of due) {
        let closed: AccessRequestRecord | null = null;
        await mutate(tenantId, requestId, async (request) => {
          if (effectiveStatus(request, now) !== 'expired' || request.status === 'expired') {
            return { unchanged: undefined };
          }
          const wasActive = request.status === 'active';
          const next = transition(request, 'expired', sweeperActor, now, null);
          const ended = wasActive ? [await releaseEndedEvent(next, 'expired', now)] : [];
          closed = next;
          return {
            next,
            effects: { releaseLock: wasActive && next.exclusive, events: ended },
            audit: [
              anonymousAuditOf(
                context,
                tenantId,
                { type: 'system', id: sweeperActor.id, name: sweeperActor.name },
                auditDraft(next, wasActive ? 'release.expire' : 'access-request.expire', {
                  details: { deadline: deadlineAt(request) },
                }),
              ),
            ],
            result: undefined,
          };
        }).catch((error) => {
          if (!(error instanceof NotFoundError)) throw error;
        });
        const done = closed as AccessRequestRecord | null;
        if (done) {
          expired++;
          const wasRelease = done.activatedAt !== null;
          await notify(wasRelease ? 'release-expired' : 'request-expired', done, [done.requesterId]);
        }
      }
      const republished = await events.flushOutbox(new Date(now.getTime() - 60_000).toISOString(), limit);
      return { examined: due.length, expired, republished };
    },
  };
  return service;
}

export type AccessService = ReturnType<typeof createAccessService>;
