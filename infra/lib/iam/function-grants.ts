import { Validations } from 'aws-cdk-lib';
import { type Policy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import {
  auditTable,
  domainEventsQueue,
  mainTable,
  rotationQueue,
} from '../../../shared/platform/resources.ts';
import type { StrongroomFunction } from '../constructs/strongroom-function.ts';
import { wildcardResourceFinding } from '../nag-findings.ts';
import type { DataStack } from '../stacks/data-stack.ts';
import { auditAppendActions, tableAccessStatements, tableKeyStatement } from './dynamodb-statements.ts';
import {
  anyKeyArn,
  tenantAliasArn,
  tenantKeyCryptoStatement,
  tenantKeyDecryptStatement,
  tenantKeyLifecycleStatements,
  tokenSigningStatement,
} from './kms-statements.ts';
import {
  notificationEmailStatement,
  queueConsumeStatements,
  queueSendStatements,
} from './messaging-statements.ts';

/**
 * The permissions of each function, one API function per bounded context plus the background
 * functions (access sweeper; rotation worker, scheduler and release-events consumer), derived
 * from what the code does (functions/src/composition-root.ts wires, per context, which adapters
 * run):
 *
 * | function | main table                                         | audit table                 | KMS                                      | other |
 * |----------|----------------------------------------------------|-----------------------------|------------------------------------------|-------|
 * | identity | Get, BatchGet, Query (+gsi1), Put, Update, ConditionCheck | append (Get, Put, Update) | tenant key lifecycle; platform key for token signing | |
 * | vault    | Get, Query (+gsi1), Put, Update, Delete, ConditionCheck | append (Get, Put, Update) | tenant keys: Encrypt/Decrypt/GenerateDataKey | |
 * | access   | Get, BatchGet, Query (+gsi1, gsi2), Put, Update, Delete, BatchWrite | append    | tenant keys: Decrypt only                | domain-events queue: send; SES: one sender, if configured |
 * | access sweeper | Get, Query (+gsi2), Put, Delete, BatchWrite  | append (Get, Put, Update)   | none (platform key via DynamoDB/SQS only) | domain-events queue: send; SES: one sender, if configured |
 * | rotation | Get, Query (+gsi1), Put, Update                    | append (Get, Put, Update)   | none                                     | rotation queue: send |
 * | rotation worker | Get, Put, Update, Delete                    | append (Get, Put, Update)   | tenant keys: Encrypt/Decrypt/GenerateDataKey | rotation queue: consume |
 * | rotation scheduler | Get, Query (gsi2 only), Put, Update      | append (Get, Put, Update)   | none                                     | rotation queue: send |
 * | release events | Get, Put, Update                             | append (Get, Put, Update)   | none                                     | domain-events queue: consume; rotation queue: send |
 * | audit    | Get (token verification)                           | Query (+gsi1, gsi2) + append | none                                    | |
 *
 * Every function verifies access tokens by reading public signing keys from the main table
 * (GetItem), and every state change is written together with its audit event in one DynamoDB
 * transaction. Nothing scans. Only the access context batch-writes (in-app notifications) and
 * deletes outside offboarding (withdrawn name claims, released locks, acknowledged outbox items),
 * besides the rotation worker (the failing-rotation pointer). Only the access functions publish
 * to the domain-events queue, only the release-events consumer reads it; the rotation API,
 * scheduler and release-events consumer queue rotation jobs, only the worker receives them.
 * Credentials are decrypted by vault, access and the rotation worker, and written (encrypted) by
 * vault and the rotation worker only. Nothing touches the data bucket. When the stage has a
 * portal, every HTTP API function (identity, vault, access, rotation, audit; no background
 * function) may also read the client-address key, GetSecretValue on that one secret
 * ({@link grantClientAddressKey}).
 *
 * Written as explicit statements rather than CDK `grant*` helpers, which are too broad here:
 * `grantReadWriteData` adds Scan/BatchWrite/DeleteItem/DescribeTable and `index/*`,
 * `grantEncryptDecrypt` adds ReEncrypt*, `grantSendMessages` adds Encrypt/ReEncrypt* without
 * conditions, `SqsEventSource` grants kms:Decrypt on the platform key without conditions.
 * infra/test/iam.test.ts pins each role to exactly these actions.
 */

const addAll = (fn: StrongroomFunction, statements: readonly PolicyStatement[]): void => {
  for (const statement of statements) fn.addToRolePolicy(statement);
};

const tenantKeysReason = (stage: string) =>
  `Tenant keys are created at runtime, one per tenant, so their ARNs cannot be listed at deploy time. \`key/*\` is confined to this account and region, and every Allow on it is conditioned on the key's tags strongroom:purpose=tenant-data and strongroom:stage=${stage} (aws:ResourceTag, or aws:RequestTag/aws:TagKeys when tagging a key being created).`;

/**
 * Tenant-key statements live in their own policy so that their wildcard acknowledgements cover
 * exactly these statements and nothing else on the role.
 */
function attachTenantKeyLifecyclePolicy(fn: StrongroomFunction, stage: string): void {
  const policy = fn.attachPolicy('TenantKeyLifecyclePolicy', tenantKeyLifecycleStatements(fn, stage));
  Validations.of(policy).acknowledge(
    {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: `kms:CreateKey supports no resource-level permissions, so its resource must be "*"; the statement only allows creating a SYMMETRIC_DEFAULT ENCRYPT_DECRYPT key whose request tags it strongroom:purpose=tenant-data and strongroom:stage=${stage}, with no other tag keys than the tenant-key set.`,
    },
    { id: wildcardResourceFinding(policy, anyKeyArn(fn)), reason: tenantKeysReason(stage) },
    {
      id: wildcardResourceFinding(policy, tenantAliasArn(fn, stage)),
      reason: `One alias per tenant (alias/strongroom-tenant-${stage}-<tenantId>) is created at onboarding; the wildcard is limited to this stage's tenant prefix in this account and region, and the alias target must be a tenant key of this stage (separate statement on key/* with tag conditions).`,
    },
  );
}

function attachTenantKeyCryptoPolicy(fn: StrongroomFunction, stage: string): Policy {
  const policy = fn.attachPolicy('TenantKeyCryptoPolicy', [tenantKeyCryptoStatement(fn, stage)]);
  Validations.of(policy).acknowledge({
    id: wildcardResourceFinding(policy, anyKeyArn(fn)),
    reason: `${tenantKeysReason(stage)} The statement further requires the credential encryption context (kms:EncryptionContext:strongroom:purpose=credential).`,
  });
  return policy;
}

function attachTenantKeyDecryptPolicy(fn: StrongroomFunction, stage: string): void {
  const policy = fn.attachPolicy('TenantKeyDecryptPolicy', [tenantKeyDecryptStatement(fn, stage)]);
  Validations.of(policy).acknowledge({
    id: wildcardResourceFinding(policy, anyKeyArn(fn)),
    reason: `${tenantKeysReason(stage)} The statement allows kms:Decrypt only and further requires the credential encryption context (kms:EncryptionContext:strongroom:purpose=credential).`,
  });
}

/** Settings that change what the access functions may do. */
export interface AccessGrantOptions {
  /** Verified SES sender of notification e-mails; without it no SES permission is granted. */
  readonly notificationSender?: string;
}

/** Publishing to the domain-events queue and, when configured, sending notification e-mail. */
function accessMessagingStatements(
  fn: StrongroomFunction,
  data: DataStack,
  options: AccessGrantOptions,
): PolicyStatement[] {
  return [
    ...queueSendStatements('DomainEventsQueue', data.queueFor(domainEventsQueue).queue, data.platformKey),
    ...(options.notificationSender ? [notificationEmailStatement(fn, options.notificationSender)] : []),
  ];
}

/**
 * access: access policies, requests and approvals, releases, credential lookup, notifications.
 *
 * - Main table: policies, requests, locks, outbox and notifications are read and written here;
 *   accounts, systems (incl. the target-address index items), credential versions, users and
 *   groups are read. BatchGetItem: pending requests and policy groups; BatchWriteItem: in-app
 *   notifications; DeleteItem: withdrawn policy-name claims, pending markers and released locks
 *   (in transactions) and acknowledged outbox items. gsi1: a requester's requests, a system's
 *   accounts; gsi2: users by the local part of their e-mail (console-user mapping).
 * - Decrypts credentials to reveal or inject a released one; never encrypts.
 * - Publishes `release.ended` to the domain-events queue; e-mails notifications if configured.
 */
export function grantAccess(fn: StrongroomFunction, data: DataStack, options: AccessGrantOptions = {}): void {
  addAll(fn, [
    ...tableAccessStatements({
      sid: 'MainTable',
      table: data.tableFor(mainTable),
      definition: mainTable,
      actions: [
        'dynamodb:GetItem',
        'dynamodb:BatchGetItem',
        'dynamodb:Query',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
        'dynamodb:BatchWriteItem',
      ],
      queriedIndexes: ['gsi1', 'gsi2'],
    }),
    ...tableAccessStatements({
      sid: 'AuditTableAppend',
      table: data.tableFor(auditTable),
      definition: auditTable,
      actions: auditAppendActions,
    }),
    tableKeyStatement(data.platformKey),
    ...accessMessagingStatements(fn, data, options),
  ]);
  attachTenantKeyDecryptPolicy(fn, data.stage);
}

/**
 * access sweeper (EventBridge, every minute): finds lapsed requests and releases through the
 * deadline index (gsi2), closes each in an audited transaction (Put of the request, Delete of
 * its pending marker and lock, Put of its outbox event), reads the account for the event,
 * notifies the requester (BatchWriteItem; GetItem of the user and SES when e-mail is on), and
 * re-sends outbox events (Query, SendMessage, DeleteItem). No credential is ever decrypted, so
 * no tenant-key permission at all; no UpdateItem, BatchGetItem or gsi1 either.
 */
export function grantAccessSweeper(
  fn: StrongroomFunction,
  data: DataStack,
  options: AccessGrantOptions = {},
): void {
  addAll(fn, [
    ...tableAccessStatements({
      sid: 'MainTable',
      table: data.tableFor(mainTable),
      definition: mainTable,
      actions: [
        'dynamodb:GetItem',
        'dynamodb:Query',
        'dynamodb:PutItem',
        'dynamodb:DeleteItem',
        'dynamodb:BatchWriteItem',
      ],
      queriedIndexes: ['gsi2'],
    }),
    ...tableAccessStatements({
      sid: 'AuditTableAppend',
      table: data.tableFor(auditTable),
      definition: auditTable,
      actions: auditAppendActions,
    }),
    tableKeyStatement(data.platformKey),
    ...accessMessagingStatements(fn, data, options),
  ]);
}

/**
 * identity: tenants, users, groups, sessions and token signing.
 * Owns the tenant key lifecycle (creates a tenant's KMS key at onboarding, schedules its
 * deletion when onboarding fails or the tenant is offboarded) and encrypts the private token
 * signing key with the platform key.
 */
export function grantIdentity(fn: StrongroomFunction, data: DataStack): void {
  addAll(fn, [
    ...tableAccessStatements({
      sid: 'MainTable',
      table: data.tableFor(mainTable),
      definition: mainTable,
      // BatchGetItem: a user's groups are resolved in batches of 100.
      actions: [
        'dynamodb:GetItem',
        'dynamodb:BatchGetItem',
        'dynamodb:Query',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:ConditionCheckItem',
      ],
      // Operators list tenants through gsi1 (gsi1pk = TENANTS).
      queriedIndexes: ['gsi1'],
    }),
    ...tableAccessStatements({
      sid: 'AuditTableAppend',
      table: data.tableFor(auditTable),
      definition: auditTable,
      actions: auditAppendActions,
    }),
    tableKeyStatement(data.platformKey),
    tokenSigningStatement(data.platformKey),
  ]);
  attachTenantKeyLifecyclePolicy(fn, data.stage);
}

/**
 * vault: systems, accounts, password policies and credential check-out.
 * Encrypts credentials under the owning tenant's key (AWS Encryption SDK, envelope encryption).
 */
export function grantVault(fn: StrongroomFunction, data: DataStack): void {
  addAll(fn, [
    ...tableAccessStatements({
      sid: 'MainTable',
      table: data.tableFor(mainTable),
      definition: mainTable,
      actions: [
        'dynamodb:GetItem',
        'dynamodb:Query',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        // Offboarding: systems, accounts and their credential versions (in a transaction).
        'dynamodb:DeleteItem',
        'dynamodb:ConditionCheckItem',
      ],
      // Accounts of a system are listed through gsi1.
      queriedIndexes: ['gsi1'],
    }),
    ...tableAccessStatements({
      sid: 'AuditTableAppend',
      table: data.tableFor(auditTable),
      definition: auditTable,
      actions: auditAppendActions,
    }),
    tableKeyStatement(data.platformKey),
  ]);
  attachTenantKeyCryptoPolicy(fn, data.stage);
}

/**
 * audit: trail queries, exports and chain verification.
 * Reads the audit trail (by lane, by actor through gsi1, by target through gsi2) and appends to
 * it (exports and verifications are audited events themselves); reads the main table only to
 * verify access tokens and resolve tenant records.
 */
export function grantAudit(fn: StrongroomFunction, data: DataStack): void {
  addAll(fn, [
    ...tableAccessStatements({
      sid: 'AuditTable',
      table: data.tableFor(auditTable),
      definition: auditTable,
      actions: ['dynamodb:Query', ...auditAppendActions],
      queriedIndexes: ['gsi1', 'gsi2'],
    }),
    ...tableAccessStatements({
      sid: 'MainTableRead',
      table: data.tableFor(mainTable),
      definition: mainTable,
      actions: ['dynamodb:GetItem'],
    }),
    tableKeyStatement(data.platformKey),
  ]);
}

/** Appending to the audit trail: every rotation step, start and schedule change is audited. */
const auditAppendStatements = (data: DataStack): PolicyStatement[] =>
  tableAccessStatements({
    sid: 'AuditTableAppend',
    table: data.tableFor(auditTable),
    definition: auditTable,
    actions: auditAppendActions,
  });

/** Queuing rotation jobs on the FIFO rotation queue (platform key through SQS, for that queue only). */
const rotationQueueSendStatements = (data: DataStack): PolicyStatement[] =>
  queueSendStatements('RotationQueue', data.queueFor(rotationQueue).queue, data.platformKey);

/**
 * rotation (API): rotateAccountNow, getRotationStatus, listRotations, listFailingRotations,
 * setRotationSchedule (functions/src/http/routes/rotation.routes.ts, shared/rotation/rotation.service.ts).
 *
 * - Main table: accounts, systems, password policies (rules for the next due date), rotations
 *   and tenants are read (GetItem; also token verification). A start is one audited transaction
 *   (Put of the rotation, Update of the account); a schedule change updates the account. The
 *   failing pointers are a Query on the table, an account's rotations a Query on gsi1. No
 *   DeleteItem, no ConditionCheckItem (none of these transactions has a condition-check item),
 *   no gsi2 (the due index is written as attributes of the account, never queried here).
 * - Queues the job of a started (or still running) rotation.
 * - No KMS beyond the tables: the service never decrypts or encrypts a credential.
 */
export function grantRotation(fn: StrongroomFunction, data: DataStack): void {
  addAll(fn, [
    ...tableAccessStatements({
      sid: 'MainTable',
      table: data.tableFor(mainTable),
      definition: mainTable,
      actions: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      queriedIndexes: ['gsi1'],
    }),
    ...auditAppendStatements(data),
    tableKeyStatement(data.platformKey),
    ...rotationQueueSendStatements(data),
  ]);
}

/**
 * rotation worker (event source mapping on the rotation queue): runs each job's rotation from its
 * persisted step (shared/rotation/rotation-engine.ts).
 *
 * - Main table: reads the rotation, the account (and its functional account), the system, the
 *   credential versions, password policies and the tenant record (its key ARN); each step is one
 *   audited transaction of Put (rotation, PENDING version), Update (account, version statuses)
 *   and Delete (the failing pointer, when a rotation finishes or is abandoned). No Query at all.
 * - Tenant keys: GenerateDataKey/Encrypt for the new PENDING version, Decrypt for CURRENT,
 *   PENDING and the functional account's secret; credential encryption context only (own policy).
 * - Receives from the rotation queue only; it never sends (a failed job is retried by SQS, a
 *   lost one re-queued by the scheduler).
 *
 * Returns the tenant-key policy, which is not part of the role's default policy: the event source
 * mapping should depend on it, so that no job runs before the worker may use tenant keys.
 */
export function grantRotationWorker(fn: StrongroomFunction, data: DataStack): Policy {
  addAll(fn, [
    ...tableAccessStatements({
      sid: 'MainTable',
      table: data.tableFor(mainTable),
      definition: mainTable,
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
    }),
    ...auditAppendStatements(data),
    tableKeyStatement(data.platformKey),
    // In the default policy (not a separate one): the function, and hence its event source
    // mapping, depends on it, and Lambda checks these permissions when it creates the mapping.
    ...queueConsumeStatements('RotationQueue', data.queueFor(rotationQueue).queue, data.platformKey),
  ]);
  return attachTenantKeyCryptoPolicy(fn, data.stage);
}

/**
 * rotation scheduler (EventBridge, every 5 minutes): lists due accounts through the due index
 * (gsi2 `ROTDUE#<shard>`, no scan), reads each account and its running rotation, starts a
 * rotation (audited Put + Update) or moves the account's due time (UpdateItem), and queues jobs.
 * No Query on the table or gsi1, no DeleteItem, no tenant keys.
 */
export function grantRotationScheduler(fn: StrongroomFunction, data: DataStack): void {
  addAll(fn, [
    ...tableAccessStatements({
      sid: 'MainTable',
      table: data.tableFor(mainTable),
      definition: mainTable,
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      queriedIndexes: ['gsi2'],
    }),
    ...auditAppendStatements(data),
    tableKeyStatement(data.platformKey),
    ...rotationQueueSendStatements(data),
  ]);
}

/**
 * release events (event source mapping on the domain-events queue): a `release.ended` event that
 * asks for rotation starts one (reads the account, its system and the event's rotation id; an
 * audited Put + Update) and queues its job. No Query, no DeleteItem, no tenant keys.
 */
export function grantReleaseEvents(fn: StrongroomFunction, data: DataStack): void {
  addAll(fn, [
    ...tableAccessStatements({
      sid: 'MainTable',
      table: data.tableFor(mainTable),
      definition: mainTable,
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
    }),
    ...auditAppendStatements(data),
    tableKeyStatement(data.platformKey),
    ...queueConsumeStatements('DomainEventsQueue', data.queueFor(domainEventsQueue).queue, data.platformKey),
    ...rotationQueueSendStatements(data),
  ]);
}

/**
 * client-address key (only when the stage has a portal): every HTTP API function may read this one
 * secret, the key with which it verifies the viewer address and user agent the portal forwards
 * (HMAC). GetSecretValue on exactly its ARN; no DescribeSecret, no other secret. The background
 * functions serve no HTTP request and are not granted it.
 */
export function grantClientAddressKey(fn: StrongroomFunction, key: ISecret): void {
  fn.addToRolePolicy(
    new PolicyStatement({
      sid: 'ReadClientAddressKey',
      actions: ['secretsmanager:GetSecretValue'],
      resources: [key.secretArn],
    }),
  );
}
