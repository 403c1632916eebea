import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import {
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import {
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  KMSClient,
  ListAliasesCommand,
  NotFoundException,
} from '@aws-sdk/client-kms';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import {
  dataBucket,
  deadLetterQueueName,
  deadLetterRetentionSeconds,
  domainEventsQueue,
  mainTable,
  platformKey,
  tables,
} from '../../shared/platform/resources.ts';
import { bootstrapLocalResources } from './bootstrap.ts';
import { ensureLocalStackInstalled } from './install.ts';
import { type LocalStack, startLocalStack } from './stack.ts';

/**
 * The local AWS stack for real: DynamoDB Local and moto as processes, reached through the
 * environment the stack hands out, exactly as the functions reach them.
 */

const stage = 'lstest';

/** SDK clients configured only from the stack's environment variables (as the functions are). */
function clientsFor(env: Record<string, string>) {
  const common = {
    region: env.AWS_REGION!,
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID!, secretAccessKey: env.AWS_SECRET_ACCESS_KEY! },
  };
  const dynamodb = new DynamoDBClient({ ...common, endpoint: env.AWS_ENDPOINT_URL_DYNAMODB! });
  return {
    dynamodb,
    documents: DynamoDBDocumentClient.from(dynamodb),
    kms: new KMSClient({ ...common, endpoint: env.AWS_ENDPOINT_URL! }),
    sqs: new SQSClient({ ...common, endpoint: env.AWS_ENDPOINT_URL! }),
    // No forcePathStyle: the SDK must pick path-style by itself for an IP endpoint, as it will
    // for the functions, which get nothing but AWS_ENDPOINT_URL.
    s3: new S3Client({ ...common, endpoint: env.AWS_ENDPOINT_URL! }),
    destroy() {
      for (const client of [dynamodb, this.kms, this.sqs, this.s3]) client.destroy();
    },
  };
}

/** Whether a TCP connection to host:port is accepted (false when refused or unroutable). */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 1_000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Addresses of this machine other than 127.0.0.1 on which a wildcard listener would answer. */
function otherLocalAddresses(): string[] {
  const addresses = ['127.0.0.2'];
  for (const entries of Object.values(networkInterfaces())) {
    for (const entry of entries ?? []) {
      if (entry.family === 'IPv4' && !entry.internal) addresses.push(entry.address);
    }
  }
  return addresses;
}

const portOf = (endpoint: string) => Number(new URL(endpoint).port);

await ensureLocalStackInstalled((line) => console.log(line));

describe('local stack in memory', () => {
  let stack: LocalStack | undefined;
  after(() => stack?.stop());

  test('bootstraps resources.ts idempotently, serves only loopback, and stops completely', async () => {
    const started = performance.now();
    stack = await startLocalStack({ log: (line) => console.log(line) });
    console.log(`stack started in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    assert.deepEqual(Object.keys(stack.env).sort(), [
      'AWS_ACCESS_KEY_ID',
      'AWS_DEFAULT_REGION',
      'AWS_EC2_METADATA_DISABLED',
      'AWS_ENDPOINT_URL',
      'AWS_ENDPOINT_URL_DYNAMODB',
      'AWS_REGION',
      'AWS_SECRET_ACCESS_KEY',
    ]);

    const first = await bootstrapLocalResources(stack.env, { stage });
    const second = await bootstrapLocalResources(stack.env, { stage });
    assert.deepEqual(second, first, 'a second bootstrap finds and returns the same resources');
    assert.equal(first.STRONGROOM_STAGE, stage);

    const clients = clientsFor(stack.env);
    try {
      for (const definition of tables) {
        const tableName = first[definition.envVar]!;
        const { Table: table } = await clients.dynamodb.send(
          new DescribeTableCommand({ TableName: tableName }),
        );
        assert.equal(table?.BillingModeSummary?.BillingMode, 'PAY_PER_REQUEST');
        assert.equal(table?.StreamSpecification?.StreamViewType, definition.stream);
        const indexes = (table?.GlobalSecondaryIndexes ?? [])
          .map((index) => ({
            name: index.IndexName,
            keys: index.KeySchema?.map((key) => `${key.KeyType}:${key.AttributeName}`),
            projection: index.Projection?.ProjectionType,
          }))
          .sort((a, b) => String(a.name).localeCompare(String(b.name)));
        assert.deepEqual(
          indexes,
          definition.globalIndexes.map((index) => ({
            name: index.indexName,
            keys: [`HASH:${index.partitionKey.name}`, `RANGE:${index.sortKey.name}`],
            projection: 'ALL',
          })),
        );
        const { TimeToLiveDescription: ttl } = await clients.dynamodb.send(
          new DescribeTimeToLiveCommand({ TableName: tableName }),
        );
        assert.equal(ttl?.TimeToLiveStatus, 'ENABLED');
        assert.equal(ttl?.AttributeName, definition.timeToLiveAttribute);
      }

      const queueUrl = first[domainEventsQueue.envVar]!;
      const { Attributes: queue } = await clients.sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['All'] }),
      );
      const redrive = JSON.parse(queue?.RedrivePolicy ?? '{}');
      assert.ok(
        String(redrive.deadLetterTargetArn).endsWith(`:${deadLetterQueueName(stage, domainEventsQueue)}`),
      );
      assert.equal(Number(redrive.maxReceiveCount), domainEventsQueue.maxReceiveCount);
      assert.equal(Number(queue?.VisibilityTimeout), domainEventsQueue.visibilityTimeoutSeconds);
      assert.equal(Number(queue?.MessageRetentionPeriod), domainEventsQueue.retentionSeconds);
      const { QueueUrl: deadLetterUrl } = await clients.sqs.send(
        new GetQueueUrlCommand({ QueueName: deadLetterQueueName(stage, domainEventsQueue) }),
      );
      const { Attributes: deadLetter } = await clients.sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: deadLetterUrl,
          AttributeNames: ['MessageRetentionPeriod'],
        }),
      );
      assert.equal(Number(deadLetter?.MessageRetentionPeriod), deadLetterRetentionSeconds);

      const keyArn = first[platformKey.envVar]!;
      const { Aliases: aliases } = await clients.kms.send(new ListAliasesCommand({}));
      const alias = aliases?.find((candidate) => candidate.AliasName === platformKey.alias(stage));
      assert.ok(alias, `alias ${platformKey.alias(stage)} exists`);
      assert.ok(keyArn.endsWith(`:key/${alias.TargetKeyId}`), 'the alias targets the returned key');
      const { KeyMetadata: key } = await clients.kms.send(
        new DescribeKeyCommand({ KeyId: platformKey.alias(stage) }),
      );
      assert.equal(key?.Arn, keyArn);
      assert.equal(key?.KeySpec, 'SYMMETRIC_DEFAULT');
      const context = { purpose: 'local-stack-test' };
      const { CiphertextBlob } = await clients.kms.send(
        new EncryptCommand({
          KeyId: platformKey.alias(stage),
          Plaintext: Buffer.from('round trip'),
          EncryptionContext: context,
        }),
      );
      const { Plaintext, KeyId } = await clients.kms.send(
        new DecryptCommand({ CiphertextBlob, EncryptionContext: context }),
      );
      assert.equal(Buffer.from(Plaintext!).toString(), 'round trip');
      assert.equal(KeyId, keyArn);

      const bucket = first[dataBucket.envVar]!;
      await clients.s3.send(
        new PutObjectCommand({ Bucket: bucket, Key: 'probe.txt', Body: 'in the bucket' }),
      );
      const object = await clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'probe.txt' }));
      assert.equal(await object.Body?.transformToString(), 'in the bucket');
    } finally {
      clients.destroy();
    }

    const ports = [portOf(stack.endpoints.dynamodb), portOf(stack.endpoints.moto)];
    for (const port of ports) {
      assert.equal(await accepts('127.0.0.1', port), true);
      for (const address of otherLocalAddresses()) {
        assert.equal(await accepts(address, port), false, `port ${port} must not answer on ${address}`);
      }
    }

    await stack.stop();
    for (const port of ports) {
      assert.equal(await accepts('127.0.0.1', port), false, `port ${port} is closed after stop()`);
    }
  });
});

describe('local stack with a data directory', () => {
  let dataDirectory = '';
  let stack: LocalStack | undefined;
  after(async () => {
    await stack?.stop();
    if (dataDirectory) await rm(dataDirectory, { recursive: true, force: true });
  });

  test('keeps items and KMS keys across restarts, and fresh wipes them', async () => {
    dataDirectory = await mkdtemp(path.join(tmpdir(), 'strongroom-local-stack-'));
    const item = { pk: 'T#persistence', sk: 'PROBE#1', note: 'survives a restart' };

    stack = await startLocalStack({ dataDirectory });
    const before = await bootstrapLocalResources(stack.env, { stage });
    let clients = clientsFor(stack.env);
    let ciphertext: Uint8Array;
    try {
      await clients.documents.send(new PutCommand({ TableName: before[mainTable.envVar], Item: item }));
      ciphertext = (
        await clients.kms.send(
          new EncryptCommand({ KeyId: before[platformKey.envVar], Plaintext: Buffer.from('kept secret') }),
        )
      ).CiphertextBlob!;
      await clients.s3.send(
        new PutObjectCommand({ Bucket: before[dataBucket.envVar], Key: 'kept.txt', Body: 'kept object' }),
      );
    } finally {
      clients.destroy();
    }
    await stack.stop();

    stack = await startLocalStack({ dataDirectory });
    const afterRestart = await bootstrapLocalResources(stack.env, { stage });
    assert.equal(
      afterRestart[platformKey.envVar],
      before[platformKey.envVar],
      'the alias finds the same key',
    );
    clients = clientsFor(stack.env);
    try {
      const { Item } = await clients.documents.send(
        new GetCommand({ TableName: afterRestart[mainTable.envVar], Key: { pk: item.pk, sk: item.sk } }),
      );
      assert.deepEqual(Item, item);
      const { Plaintext } = await clients.kms.send(new DecryptCommand({ CiphertextBlob: ciphertext }));
      assert.equal(Buffer.from(Plaintext!).toString(), 'kept secret');
      const object = await clients.s3.send(
        new GetObjectCommand({ Bucket: afterRestart[dataBucket.envVar], Key: 'kept.txt' }),
      );
      assert.equal(await object.Body?.transformToString(), 'kept object');
    } finally {
      clients.destroy();
    }
    await stack.stop();

    stack = await startLocalStack({ dataDirectory, fresh: true });
    clients = clientsFor(stack.env);
    try {
      await assert.rejects(
        clients.dynamodb.send(new DescribeTableCommand({ TableName: before[mainTable.envVar] })),
        ResourceNotFoundException,
      );
      await assert.rejects(
        clients.kms.send(new DescribeKeyCommand({ KeyId: platformKey.alias(stage) })),
        NotFoundException,
      );
    } finally {
      clients.destroy();
    }
    await stack.stop();
  });
});
