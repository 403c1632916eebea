import { Duration, RemovalPolicy, Stack, type StackProps, Tags, Validations } from 'aws-cdk-lib';
import { AttributeType, BillingMode, StreamViewType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import {
  auditTable as auditTableDefinition,
  type AttributeType as DefinitionAttributeType,
  dataBucket,
  deadLetterQueueName,
  deadLetterRetentionSeconds,
  mainTable as mainTableDefinition,
  physicalName,
  platformKey,
  type QueueDefinition,
  queueName,
  queues,
  type TableDefinition,
  tables,
} from '../../../shared/platform/resources.ts';
import { platformKeyPurpose, purposeTagKey } from '../tenant-keys.ts';

export interface DataStackProps extends StackProps {
  /** Deployment stage; part of every physical name. */
  readonly stage: string;
}

/** A table together with the definition it was built from. */
export interface ProvisionedTable {
  readonly definition: TableDefinition;
  readonly table: Table;
}

/** A queue, its dead-letter queue, and the definition they were built from. */
export interface ProvisionedQueue {
  readonly definition: QueueDefinition;
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
}

const attributeTypes: Record<DefinitionAttributeType, AttributeType> = {
  S: AttributeType.STRING,
  N: AttributeType.NUMBER,
  B: AttributeType.BINARY,
};

const streamViewTypes: Record<TableDefinition['stream'], StreamViewType> = {
  NEW_IMAGE: StreamViewType.NEW_IMAGE,
  NEW_AND_OLD_IMAGES: StreamViewType.NEW_AND_OLD_IMAGES,
};

/**
 * Stateful resources: the platform KMS key, the DynamoDB tables, the data bucket and the queues.
 *
 * Everything is built from shared/platform/resources.ts, the definitions the local stack also
 * uses, so a new table, index or queue is added there and appears here without code changes.
 * Stateful resources are retained on stack deletion; tables additionally carry deletion
 * protection, because losing the audit trail of a PAM product is not recoverable.
 */
export class DataStack extends Stack {
  readonly stage: string;
  readonly platformKey: Key;
  readonly tables: readonly ProvisionedTable[];
  readonly mainTable: Table;
  readonly auditTable: Table;
  readonly dataBucket: Bucket;
  readonly accessLogBucket: Bucket;
  readonly queues: readonly ProvisionedQueue[];

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);
    this.stage = props.stage;

    this.platformKey = this.createPlatformKey();
    this.tables = tables.map((definition) => ({ definition, table: this.createTable(definition) }));
    this.mainTable = this.tableFor(mainTableDefinition);
    this.auditTable = this.tableFor(auditTableDefinition);
    this.accessLogBucket = this.createAccessLogBucket();
    this.dataBucket = this.createDataBucket();
    this.queues = queues.map((definition) => this.createQueue(definition));
  }

  /** The table built from a definition of resources.ts. */
  tableFor(definition: TableDefinition): Table {
    const found = this.tables.find((provisioned) => provisioned.definition === definition);
    if (!found) throw new Error(`No table was built for definition ${definition.id}`);
    return found.table;
  }

  /** The queue (and its dead-letter queue) built from a definition of resources.ts. */
  queueFor(definition: QueueDefinition): ProvisionedQueue {
    const found = this.queues.find((provisioned) => provisioned.definition === definition);
    if (!found) throw new Error(`No queue was built for definition ${definition.id}`);
    return found;
  }

  /**
   * The platform key encrypts the tables, the data bucket, the queues and platform-level secrets
   * (token signing keys). It is retained on deletion: destroying it would make every backup and
   * every retained table unreadable. Its default key policy delegates to IAM, so each function
   * gets exactly the key operations its role grants.
   */
  private createPlatformKey(): Key {
    const key = new Key(this, platformKey.id, {
      alias: platformKey.alias(this.stage),
      description: `Strongroom ${this.stage} platform key (tables, data bucket, queues, platform secrets)`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Explicitly not a tenant key: it can never match an `aws:ResourceTag` tenant-key condition.
    Tags.of(key).add(purposeTagKey, platformKeyPurpose);
    return key;
  }

  private createTable(definition: TableDefinition): Table {
    const keyAttribute = (attribute: TableDefinition['partitionKey']) => ({
      name: attribute.name,
      type: attributeTypes[attribute.type],
    });
    const table = new Table(this, `${definition.id}Table`, {
      tableName: physicalName(this.stage, definition.id),
      partitionKey: keyAttribute(definition.partitionKey),
      sortKey: keyAttribute(definition.sortKey),
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      timeToLiveAttribute: definition.timeToLiveAttribute,
      stream: streamViewTypes[definition.stream],
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.platformKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of definition.globalIndexes) {
      table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: keyAttribute(index.partitionKey),
        sortKey: keyAttribute(index.sortKey),
      });
    }
    return table;
  }

  /**
   * Destination of the data bucket's S3 server access logs. S3 log delivery only supports SSE-S3
   * on the target bucket, hence S3-managed rather than KMS encryption here.
   */
  private createAccessLogBucket(): Bucket {
    const bucket = new Bucket(this, 'AccessLogBucket', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      lifecycleRules: [
        {
          id: 'ExpireAccessLogs',
          expiration: Duration.days(365),
          noncurrentVersionExpiration: Duration.days(30),
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This bucket is the server access log destination of the data bucket; logging it into itself would create a log loop, and a third log bucket would only move the finding.',
    });
    return bucket;
  }

  /** Session recordings and audit exports: customer data, so SSE-KMS with the platform key. */
  private createDataBucket(): Bucket {
    return new Bucket(this, dataBucket.id, {
      encryption: BucketEncryption.KMS,
      encryptionKey: this.platformKey,
      // One data key per bucket instead of a KMS call per object: same protection, far fewer requests.
      bucketKeyEnabled: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      serverAccessLogsBucket: this.accessLogBucket,
      serverAccessLogsPrefix: 'data-bucket/',
      lifecycleRules: [
        { id: 'AbortIncompleteUploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /**
   * A queue and its dead-letter queue, both encrypted with the platform key. The DLQ keeps
   * messages for SQS's maximum retention; the observability stack alarms as soon as one lands.
   */
  private createQueue(definition: QueueDefinition): ProvisionedQueue {
    const common = {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: this.platformKey,
      enforceSSL: true,
      fifo: definition.fifo ? true : undefined,
    };
    const deadLetterQueue = new Queue(this, `${definition.id}DeadLetterQueue`, {
      ...common,
      queueName: deadLetterQueueName(this.stage, definition),
      retentionPeriod: Duration.seconds(deadLetterRetentionSeconds),
    });
    const queue = new Queue(this, `${definition.id}Queue`, {
      ...common,
      queueName: queueName(this.stage, definition),
      visibilityTimeout: Duration.seconds(definition.visibilityTimeoutSeconds),
      retentionPeriod: Duration.seconds(definition.retentionSeconds),
      deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: definition.maxReceiveCount },
    });
    return { definition, queue, deadLetterQueue };
  }
}
