import {
  type AttributeDefinition,
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  type GlobalSecondaryIndex,
  type KeySchemaElement,
  ResourceNotFoundException,
  type TableDescription,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import {
  AlreadyExistsException,
  CancelKeyDeletionCommand,
  CreateAliasCommand,
  CreateKeyCommand,
  DescribeKeyCommand,
  EnableKeyCommand,
  EnableKeyRotationCommand,
  KMSClient,
  NotFoundException,
  ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import {
  BucketAlreadyOwnedByYou,
  CreateBucketCommand,
  HeadBucketCommand,
  PutBucketEncryptionCommand,
  PutBucketVersioningCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { CreateEmailIdentityCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  type QueueAttributeName,
  SetQueueAttributesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import {
  dataBucket,
  deadLetterQueueName,
  deadLetterRetentionSeconds,
  type GlobalIndexDefinition,
  type KeyAttribute,
  notificationSender,
  physicalName,
  platformKey,
  type QueueDefinition,
  queueName,
  queues,
  type TableDefinition,
  tables,
} from '../../shared/platform/resources.ts';

/**
 * Creates Strongroom's AWS resources in the local stack, from the same definitions the CDK data
 * stack deploys (shared/platform/resources.ts): the DynamoDB tables with their indexes, streams
 * and TTL attribute, each queue with its dead-letter queue, the platform KMS key with its alias,
 * the data bucket, and the SES identity notification e-mails are sent from.
 *
 * Idempotent and converging: a rerun against a persistent data directory finds what exists,
 * adds what the definitions gained since (a new index, TTL, queue settings) and reuses the
 * platform key behind its alias, so encrypted data stays readable across restarts. A change that
 * cannot be applied in place (another key schema) fails with a message suggesting a fresh start.
 *
 * Returns the `STRONGROOM_*` environment the functions read, named by the definitions' envVar.
 */
export async function bootstrapLocalResources(
  awsEnv: Record<string, string>,
  options: { readonly stage: string },
): Promise<Record<string, string>> {
  const { stage } = options;
  const connection = connectionFrom(awsEnv);
  const dynamodb = new DynamoDBClient(connection.forService('DYNAMODB'));
  const kms = new KMSClient(connection.forService('KMS'));
  const sqs = new SQSClient(connection.forService('SQS'));
  // Path-style addressing: a bucket cannot be a sub-domain of 127.0.0.1.
  const s3 = new S3Client({ ...connection.forService('S3'), forcePathStyle: true });
  const ses = new SESv2Client(connection.forService('SESV2'));
  try {
    const environment: Record<string, string> = {
      STRONGROOM_STAGE: stage,
    };
    // The key first: the queues and the bucket are encrypted with it, as in AWS.
    const platformKeyArn = await ensurePlatformKey(kms, stage);
    environment[platformKey.envVar] = platformKeyArn;
    const [tableNames, queueUrls, bucketName, emailFrom] = await Promise.all([
      Promise.all(tables.map((definition) => ensureTable(dynamodb, stage, definition))),
      Promise.all(queues.map((definition) => ensureQueue(sqs, stage, definition, platformKeyArn))),
      ensureDataBucket(s3, stage, connection.region, platformKeyArn),
      ensureEmailIdentity(ses, notificationSender.localAddress),
    ]);
    tables.forEach((definition, index) => {
      environment[definition.envVar] = tableNames[index]!;
    });
    queues.forEach((definition, index) => {
      environment[definition.envVar] = queueUrls[index]!;
    });
    environment[dataBucket.envVar] = bucketName;
    environment[notificationSender.envVar] = emailFrom;
    // Locally, ticket-validation webhooks may be plain http on loopback (tests run one); in AWS
    // loopback is the Lambda runtime's own API, so it stays refused there.
    environment.STRONGROOM_ALLOW_LOOPBACK_WEBHOOKS = 'true';
    return environment;
  } finally {
    for (const client of [dynamodb, kms, sqs, s3, ses]) client.destroy();
  }
}

interface ClientConnection {
  readonly region: string;
  forService(service: 'DYNAMODB' | 'KMS' | 'SQS' | 'S3' | 'SESV2'): {
    endpoint: string;
    region: string;
    credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  };
}

/**
 * Client settings from the stack's environment, passed explicitly rather than read from
 * process.env. Every service must have a local endpoint: this code creates resources, and must
 * never do so in a real AWS account because an endpoint variable was missing.
 */
function connectionFrom(awsEnv: Record<string, string>): ClientConnection {
  const region = awsEnv.AWS_REGION || awsEnv.AWS_DEFAULT_REGION;
  const accessKeyId = awsEnv.AWS_ACCESS_KEY_ID;
  const secretAccessKey = awsEnv.AWS_SECRET_ACCESS_KEY;
  if (!region || !accessKeyId || !secretAccessKey) {
    throw new Error(
      'bootstrapLocalResources: awsEnv needs AWS_REGION and AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY',
    );
  }
  const sessionToken = awsEnv.AWS_SESSION_TOKEN;
  const credentials = sessionToken
    ? { accessKeyId, secretAccessKey, sessionToken }
    : { accessKeyId, secretAccessKey };
  return {
    region,
    forService(service) {
      // The SDK's own precedence: the service-specific variable, then the global one.
      const endpoint = awsEnv[`AWS_ENDPOINT_URL_${service}`] || awsEnv.AWS_ENDPOINT_URL;
      if (!endpoint) {
        throw new Error(
          `bootstrapLocalResources: no AWS_ENDPOINT_URL_${service} or AWS_ENDPOINT_URL in awsEnv; ` +
            'it only ever talks to the local stack',
        );
      }
      return { endpoint, region, credentials };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// DynamoDB

async function ensureTable(
  client: DynamoDBClient,
  stage: string,
  definition: TableDefinition,
): Promise<string> {
  const tableName = physicalName(stage, definition.id);
  let table = await describeTable(client, tableName);
  if (!table) {
    await client
      .send(
        new CreateTableCommand({
          TableName: tableName,
          AttributeDefinitions: attributeDefinitions([
            definition.partitionKey,
            definition.sortKey,
            ...definition.globalIndexes.flatMap((index) => [index.partitionKey, index.sortKey]),
          ]),
          KeySchema: keySchema(definition.partitionKey, definition.sortKey),
          GlobalSecondaryIndexes: definition.globalIndexes.map(globalSecondaryIndex),
          BillingMode: 'PAY_PER_REQUEST',
          StreamSpecification: { StreamEnabled: true, StreamViewType: definition.stream },
        }),
      )
      .catch((error: unknown) => {
        // Created by a concurrent bootstrap in the meantime: converge below like on a rerun.
        if ((error as Error).name !== 'ResourceInUseException') throw error;
      });
    await waitUntilTableExists({ client, maxWaitTime: 60 }, { TableName: tableName });
    table = await describeTable(client, tableName);
  }
  if (!table) throw new Error(`Table ${tableName} does not exist after creating it`);
  await convergeTable(client, definition, table);
  await ensureTimeToLive(client, tableName, definition.timeToLiveAttribute);
  return tableName;
}

async function describeTable(
  client: DynamoDBClient,
  tableName: string,
): Promise<TableDescription | undefined> {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

/** Brings an existing table (from a persistent data directory) in line with its definition. */
async function convergeTable(
  client: DynamoDBClient,
  definition: TableDefinition,
  table: TableDescription,
): Promise<void> {
  const tableName = table.TableName!;
  const wantedKeys = keySchema(definition.partitionKey, definition.sortKey);
  if (JSON.stringify(table.KeySchema) !== JSON.stringify(wantedKeys)) {
    throw new Error(
      `Table ${tableName} has key schema ${JSON.stringify(table.KeySchema)}, but resources.ts defines ` +
        `${JSON.stringify(wantedKeys)}. A key schema cannot change in place: start the local stack fresh ` +
        '(npm start -- --fresh).',
    );
  }
  const existingIndexes = new Set((table.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
  for (const index of definition.globalIndexes) {
    if (existingIndexes.has(index.indexName)) continue;
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        AttributeDefinitions: attributeDefinitions([index.partitionKey, index.sortKey]),
        GlobalSecondaryIndexUpdates: [{ Create: globalSecondaryIndex(index) }],
      }),
    );
    await waitUntilActive(client, tableName);
  }
  const stream = table.StreamSpecification;
  if (!stream?.StreamEnabled) {
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        StreamSpecification: { StreamEnabled: true, StreamViewType: definition.stream },
      }),
    );
    await waitUntilActive(client, tableName);
  } else if (stream.StreamViewType !== definition.stream) {
    throw new Error(
      `Table ${tableName} streams ${stream.StreamViewType}, but resources.ts defines ${definition.stream}: ` +
        'start the local stack fresh (npm start -- --fresh).',
    );
  }
}

/** Waits for a table and all its indexes to be ACTIVE (immediate on DynamoDB Local). */
async function waitUntilActive(client: DynamoDBClient, tableName: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const table = await describeTable(client, tableName);
    const indexesActive = (table?.GlobalSecondaryIndexes ?? []).every(
      (index) => index.IndexStatus === 'ACTIVE',
    );
    if (table?.TableStatus === 'ACTIVE' && indexesActive) return;
    if (Date.now() > deadline) throw new Error(`Table ${tableName} did not become ACTIVE within 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function ensureTimeToLive(
  client: DynamoDBClient,
  tableName: string,
  attributeName: string,
): Promise<void> {
  const { TimeToLiveDescription: current } = await client.send(
    new DescribeTimeToLiveCommand({ TableName: tableName }),
  );
  const enabled = current?.TimeToLiveStatus === 'ENABLED' || current?.TimeToLiveStatus === 'ENABLING';
  if (enabled && current?.AttributeName === attributeName) return;
  if (enabled) {
    // DynamoDB allows one TTL attribute: turn the old one off before the new one goes on.
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { Enabled: false, AttributeName: current!.AttributeName! },
      }),
    );
  }
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { Enabled: true, AttributeName: attributeName },
    }),
  );
}

function keySchema(partitionKey: KeyAttribute, sortKey: KeyAttribute): KeySchemaElement[] {
  return [
    { AttributeName: partitionKey.name, KeyType: 'HASH' },
    { AttributeName: sortKey.name, KeyType: 'RANGE' },
  ];
}

function globalSecondaryIndex(index: GlobalIndexDefinition): GlobalSecondaryIndex {
  return {
    IndexName: index.indexName,
    KeySchema: keySchema(index.partitionKey, index.sortKey),
    // As the CDK's addGlobalSecondaryIndex default: every attribute is projected.
    Projection: { ProjectionType: 'ALL' },
  };
}

function attributeDefinitions(attributes: readonly KeyAttribute[]): AttributeDefinition[] {
  const byName = new Map<string, AttributeDefinition>();
  for (const attribute of attributes) {
    const existing = byName.get(attribute.name);
    if (existing && existing.AttributeType !== attribute.type) {
      throw new Error(
        `Attribute ${attribute.name} is defined as both ${existing.AttributeType} and ${attribute.type}`,
      );
    }
    byName.set(attribute.name, { AttributeName: attribute.name, AttributeType: attribute.type });
  }
  return [...byName.values()];
}

// ---------------------------------------------------------------------------------------------
// SQS

/** A queue and its dead-letter queue, with the definition's settings; returns the queue's URL. */
async function ensureQueue(
  client: SQSClient,
  stage: string,
  definition: QueueDefinition,
  platformKeyArn: string,
): Promise<string> {
  const common: Partial<Record<QueueAttributeName, string>> = {
    KmsMasterKeyId: platformKeyArn,
    ...(definition.fifo ? { FifoQueue: 'true' } : {}),
  };
  const deadLetterQueueUrl = await createOrUpdateQueue(client, deadLetterQueueName(stage, definition), {
    ...common,
    MessageRetentionPeriod: String(deadLetterRetentionSeconds),
  });
  const { Attributes } = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: deadLetterQueueUrl, AttributeNames: ['QueueArn'] }),
  );
  const deadLetterQueueArn = Attributes?.QueueArn;
  if (!deadLetterQueueArn) throw new Error(`SQS returned no ARN for ${deadLetterQueueUrl}`);
  return createOrUpdateQueue(client, queueName(stage, definition), {
    ...common,
    VisibilityTimeout: String(definition.visibilityTimeoutSeconds),
    MessageRetentionPeriod: String(definition.retentionSeconds),
    RedrivePolicy: JSON.stringify({
      deadLetterTargetArn: deadLetterQueueArn,
      maxReceiveCount: definition.maxReceiveCount,
    }),
  });
}

/**
 * CreateQueue is only idempotent while the attributes are unchanged (otherwise: QueueNameExists),
 * so an existing queue gets its attributes set instead.
 */
async function createOrUpdateQueue(
  client: SQSClient,
  name: string,
  attributes: Partial<Record<QueueAttributeName, string>>,
): Promise<string> {
  const existingUrl = await client.send(new GetQueueUrlCommand({ QueueName: name })).then(
    (result) => result.QueueUrl,
    (error: Error) => {
      if (error.name === 'QueueDoesNotExist' || error.name === 'AWS.SimpleQueueService.NonExistentQueue') {
        return undefined;
      }
      throw error;
    },
  );
  if (existingUrl) {
    // FifoQueue can only be given at creation (and a name ending in .fifo already implies it).
    const { FifoQueue: _fifo, ...settable } = attributes;
    await client.send(new SetQueueAttributesCommand({ QueueUrl: existingUrl, Attributes: settable }));
    return existingUrl;
  }
  const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  if (!QueueUrl) throw new Error(`SQS returned no URL for queue ${name}`);
  return QueueUrl;
}

// ---------------------------------------------------------------------------------------------
// KMS

/**
 * The platform key, found by its alias when it exists (so that data encrypted in an earlier run
 * of a persistent stack stays readable), created otherwise. Returns the key's ARN, which is what
 * the CDK stack hands the functions too.
 */
async function ensurePlatformKey(client: KMSClient, stage: string): Promise<string> {
  const alias = platformKey.alias(stage);
  const existing = await describeKey(client, alias);
  if (existing) return usableKeyArn(client, existing);
  const { KeyMetadata: created } = await client.send(
    new CreateKeyCommand({
      Description: `Strongroom ${stage} platform key (tables, data bucket, queues, platform secrets)`,
      KeySpec: 'SYMMETRIC_DEFAULT',
      KeyUsage: 'ENCRYPT_DECRYPT',
      Tags: [{ TagKey: 'strongroom:stage', TagValue: stage }],
    }),
  );
  if (!created?.Arn) throw new Error('KMS CreateKey returned no key ARN');
  try {
    await client.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: created.Arn }));
  } catch (error) {
    if (!(error instanceof AlreadyExistsException)) throw error;
    // A concurrent bootstrap won the alias: use its key and retire the one made here.
    await client.send(new ScheduleKeyDeletionCommand({ KeyId: created.Arn, PendingWindowInDays: 7 }));
    const winner = await describeKey(client, alias);
    if (!winner) throw new Error(`KMS alias ${alias} exists but does not resolve to a key`);
    return usableKeyArn(client, winner);
  }
  await client.send(new EnableKeyRotationCommand({ KeyId: created.Arn }));
  return created.Arn;
}

async function describeKey(
  client: KMSClient,
  keyId: string,
): Promise<{ Arn?: string; KeyState?: string } | undefined> {
  try {
    return (await client.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata;
  } catch (error) {
    if (error instanceof NotFoundException) return undefined;
    throw error;
  }
}

/** An existing key, brought back into use if someone disabled it or scheduled its deletion. */
async function usableKeyArn(client: KMSClient, key: { Arn?: string; KeyState?: string }): Promise<string> {
  if (!key.Arn) throw new Error(`KMS alias ${platformKey.alias} resolves to a key without an ARN`);
  if (key.KeyState === 'PendingDeletion') {
    await client.send(new CancelKeyDeletionCommand({ KeyId: key.Arn }));
  }
  if (key.KeyState === 'PendingDeletion' || key.KeyState === 'Disabled') {
    await client.send(new EnableKeyCommand({ KeyId: key.Arn }));
  }
  return key.Arn;
}

// ---------------------------------------------------------------------------------------------
// S3

/** The data bucket, as the CDK stack configures it: versioned, SSE-KMS with a bucket key, private. */
async function ensureDataBucket(
  client: S3Client,
  stage: string,
  region: string,
  platformKeyArn: string,
): Promise<string> {
  const bucketName = physicalName(stage, dataBucket.id);
  const exists = await client.send(new HeadBucketCommand({ Bucket: bucketName })).then(
    () => true,
    (error: Error & { $metadata?: { httpStatusCode?: number } }) => {
      if (error.name === 'NotFound' || error.$metadata?.httpStatusCode === 404) return false;
      throw error;
    },
  );
  if (!exists) {
    await client
      .send(
        new CreateBucketCommand({
          Bucket: bucketName,
          // us-east-1 is the one region that must not be named here.
          ...(region === 'us-east-1'
            ? {}
            : { CreateBucketConfiguration: { LocationConstraint: region as never } }),
        }),
      )
      .catch((error: unknown) => {
        if (!(error instanceof BucketAlreadyOwnedByYou)) throw error;
      });
  }
  await client.send(
    new PutBucketVersioningCommand({ Bucket: bucketName, VersioningConfiguration: { Status: 'Enabled' } }),
  );
  await client.send(
    new PutBucketEncryptionCommand({
      Bucket: bucketName,
      ServerSideEncryptionConfiguration: {
        Rules: [
          {
            ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: platformKeyArn },
            BucketKeyEnabled: true,
          },
        ],
      },
    }),
  );
  await client.send(
    new PutPublicAccessBlockCommand({
      Bucket: bucketName,
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        IgnorePublicAcls: true,
        BlockPublicPolicy: true,
        RestrictPublicBuckets: true,
      },
    }),
  );
  return bucketName;
}

// ---------------------------------------------------------------------------------------------
// SES

/** The sender's e-mail identity, so that SendEmail from it succeeds (moto, like SES, requires it). */
async function ensureEmailIdentity(client: SESv2Client, address: string): Promise<string> {
  await client.send(new CreateEmailIdentityCommand({ EmailIdentity: address })).catch((error: Error) => {
    if (error.name !== 'AlreadyExistsException') throw error;
  });
  return address;
}
