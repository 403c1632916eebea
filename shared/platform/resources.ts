/**
 * One source of truth for the shape of Strongroom's AWS resources.
 *
 * The CDK data stack and the local-stack bootstrap (DynamoDB Local, moto) both build their
 * tables, keys and queues from these definitions, so key schemas, indexes, TTL attributes and
 * queue settings can never drift between what is tested and what is deployed.
 */

export type AttributeType = 'S' | 'N' | 'B';

export interface KeyAttribute {
  readonly name: string;
  readonly type: AttributeType;
}

export interface GlobalIndexDefinition {
  readonly indexName: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey: KeyAttribute;
}

export interface TableDefinition {
  /** Logical id (CDK construct id, and the suffix of the physical name). */
  readonly id: string;
  /** Environment variable through which the functions learn the physical table name. */
  readonly envVar: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey: KeyAttribute;
  readonly globalIndexes: readonly GlobalIndexDefinition[];
  readonly timeToLiveAttribute: string;
  readonly stream: 'NEW_IMAGE' | 'NEW_AND_OLD_IMAGES';
}

export interface QueueDefinition {
  readonly id: string;
  readonly envVar: string;
  readonly fifo: boolean;
  readonly visibilityTimeoutSeconds: number;
  readonly retentionSeconds: number;
  /** Deliveries before a message moves to the queue's dead-letter queue. */
  readonly maxReceiveCount: number;
}

const stringKey = (name: string): KeyAttribute => ({ name, type: 'S' });

/**
 * The main table holds every tenant-owned object. Items are partitioned per tenant
 * (`pk = T#<tenantId>`) with a typed sort key (`ACC#<accountId>`, `SYS#<systemId>`, …) so a
 * tenant's objects of one kind are a single Query, and DynamoDB splits a large tenant's item
 * collection by sort-key range as it grows (no LSIs, so no 10 GB collection limit).
 */
export const mainTable: TableDefinition = {
  id: 'Main',
  envVar: 'STRONGROOM_MAIN_TABLE',
  partitionKey: stringKey('pk'),
  sortKey: stringKey('sk'),
  globalIndexes: [
    { indexName: 'gsi1', partitionKey: stringKey('gsi1pk'), sortKey: stringKey('gsi1sk') },
    { indexName: 'gsi2', partitionKey: stringKey('gsi2pk'), sortKey: stringKey('gsi2sk') },
  ],
  timeToLiveAttribute: 'ttl',
  stream: 'NEW_AND_OLD_IMAGES',
};

/**
 * The audit table holds the tamper-evident trail: per-tenant hash chains split into lanes
 * (`pk = T#<tenantId>#L#<lane>`), plus sparse indexes by actor (gsi1) and by target (gsi2).
 * It is a table of its own so that IAM can grant the API append-only access to it.
 */
export const auditTable: TableDefinition = {
  id: 'Audit',
  envVar: 'STRONGROOM_AUDIT_TABLE',
  partitionKey: stringKey('pk'),
  sortKey: stringKey('sk'),
  globalIndexes: [
    { indexName: 'gsi1', partitionKey: stringKey('gsi1pk'), sortKey: stringKey('gsi1sk') },
    { indexName: 'gsi2', partitionKey: stringKey('gsi2pk'), sortKey: stringKey('gsi2sk') },
  ],
  timeToLiveAttribute: 'ttl',
  stream: 'NEW_IMAGE',
};

export const tables = [mainTable, auditTable] as const;

/**
 * Domain events (credential changed, account onboarded, release ended…) for the workers that
 * later waves add (rotation, notifications, SIEM export). Standard queue: consumers are idempotent.
 */
export const domainEventsQueue: QueueDefinition = {
  id: 'DomainEvents',
  envVar: 'STRONGROOM_EVENTS_QUEUE_URL',
  fifo: false,
  visibilityTimeoutSeconds: 60,
  retentionSeconds: 4 * 24 * 3600,
  maxReceiveCount: 5,
};

/**
 * Rotation jobs. FIFO, so that the message group (`<systemId>#<lane>`) bounds how many rotations
 * of one system run at once (a system's `maxConcurrentRotations` lanes): a fleet rotation cannot
 * lock out a domain controller. Deduplicated by rotation id for five minutes.
 */
export const rotationQueue: QueueDefinition = {
  id: 'Rotations',
  envVar: 'STRONGROOM_ROTATION_QUEUE_URL',
  fifo: true,
  visibilityTimeoutSeconds: 180,
  retentionSeconds: 4 * 24 * 3600,
  maxReceiveCount: 6,
};

export const queues = [domainEventsQueue, rotationQueue] as const;

/** The platform key encrypts platform-level secrets (token signing keys) and the data bucket. */
export const platformKey = {
  id: 'PlatformKey',
  /** Stage-qualified, so several stages can share one account and region. */
  alias: (stage: string) => `alias/strongroom-platform-${stage}`,
  envVar: 'STRONGROOM_PLATFORM_KEY_ID',
} as const;

/** Alias prefix of the per-tenant customer keys (one symmetric KMS key per tenant). */
export const tenantKeyAliasPrefix = 'alias/strongroom-tenant-';

/** Bucket for session recordings and audit exports. */
export const dataBucket = {
  id: 'DataBucket',
  envVar: 'STRONGROOM_DATA_BUCKET',
} as const;

/** Physical name of a resource for one deployment stage (`dev`, `prod`, `local`, …). */
export const physicalName = (stage: string, id: string): string =>
  `strongroom-${stage}-${id.replace(/[A-Z]/g, (c, i: number) => (i === 0 ? c.toLowerCase() : `-${c.toLowerCase()}`))}`;

/** SQS's maximum retention (14 days): a dead letter must outlive any chance of someone looking at it. */
export const deadLetterRetentionSeconds = 14 * 24 * 3600;

/** Physical name of a queue for one stage (a FIFO queue's name must end in `.fifo`). */
export const queueName = (stage: string, definition: QueueDefinition): string =>
  `${physicalName(stage, definition.id)}${definition.fifo ? '.fifo' : ''}`;

/** Physical name of a queue's dead-letter queue (the same kind of queue: FIFO for a FIFO queue). */
export const deadLetterQueueName = (stage: string, definition: QueueDefinition): string =>
  `${physicalName(stage, definition.id)}-dlq${definition.fifo ? '.fifo' : ''}`;

/**
 * The SES identity that notification e-mails come from (verified in SES; in the local stack the
 * bootstrap verifies the local address in moto).
 */
export const notificationSender = {
  envVar: 'STRONGROOM_EMAIL_FROM',
  localAddress: 'notifications@strongroom.local',
} as const;
