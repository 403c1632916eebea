import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Match } from 'aws-cdk-lib/assertions';
import {
  deadLetterQueueName,
  deadLetterRetentionSeconds,
  physicalName,
  platformKey,
  queueName,
  queues,
  type TableDefinition,
  tables,
} from '../../shared/platform/resources.ts';
import { logicalIdOf, synthesizeStrongroom, testStage } from './support/synth.ts';

const synth = synthesizeStrongroom();
const template = synth.data;
const platformKeyArn = { 'Fn::GetAtt': [logicalIdOf(synth.stacks.data.platformKey), 'Arn'] };

function tableResource(definition: TableDefinition) {
  const found = template.findResources('AWS::DynamoDB::Table', {
    Properties: { TableName: physicalName(testStage, definition.id) },
  });
  const resources = Object.values(found);
  assert.equal(resources.length, 1, `table ${definition.id}`);
  return resources[0]!;
}

describe('data stack: tables match shared/platform/resources.ts', () => {
  it('builds exactly the tables of resources.ts', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', tables.length);
  });

  for (const definition of tables) {
    describe(`${definition.id} table`, () => {
      const table = tableResource(definition);
      const props = table.Properties;

      it('has the key schema and attribute types of its definition', () => {
        assert.deepEqual(props.KeySchema, [
          { AttributeName: definition.partitionKey.name, KeyType: 'HASH' },
          { AttributeName: definition.sortKey.name, KeyType: 'RANGE' },
        ]);
        const expectedAttributes = new Map<string, string>();
        for (const key of [definition.partitionKey, definition.sortKey])
          expectedAttributes.set(key.name, key.type);
        for (const index of definition.globalIndexes) {
          expectedAttributes.set(index.partitionKey.name, index.partitionKey.type);
          expectedAttributes.set(index.sortKey.name, index.sortKey.type);
        }
        const actual = new Map(
          (props.AttributeDefinitions as { AttributeName: string; AttributeType: string }[]).map((a) => [
            a.AttributeName,
            a.AttributeType,
          ]),
        );
        assert.deepEqual(actual, expectedAttributes);
      });

      it('has exactly the global secondary indexes of its definition, projecting all attributes', () => {
        const indexes = (props.GlobalSecondaryIndexes ?? []) as {
          IndexName: string;
          KeySchema: unknown;
          Projection: { ProjectionType: string };
        }[];
        assert.deepEqual(
          indexes.map((index) => index.IndexName).sort(),
          definition.globalIndexes.map((index) => index.indexName).sort(),
        );
        for (const expected of definition.globalIndexes) {
          const index = indexes.find((candidate) => candidate.IndexName === expected.indexName)!;
          assert.deepEqual(index.KeySchema, [
            { AttributeName: expected.partitionKey.name, KeyType: 'HASH' },
            { AttributeName: expected.sortKey.name, KeyType: 'RANGE' },
          ]);
          assert.equal(index.Projection.ProjectionType, 'ALL');
        }
        assert.equal(props.LocalSecondaryIndexes, undefined, 'no LSIs (10 GB item collection limit)');
      });

      it('is on-demand, with PITR, deletion protection, TTL and its stream', () => {
        assert.equal(props.BillingMode, 'PAY_PER_REQUEST');
        assert.deepEqual(props.PointInTimeRecoverySpecification, { PointInTimeRecoveryEnabled: true });
        assert.equal(props.DeletionProtectionEnabled, true);
        assert.deepEqual(props.TimeToLiveSpecification, {
          AttributeName: definition.timeToLiveAttribute,
          Enabled: true,
        });
        assert.deepEqual(props.StreamSpecification, { StreamViewType: definition.stream });
      });

      it('is encrypted with the platform key and retained on stack deletion', () => {
        assert.deepEqual(props.SSESpecification, {
          KMSMasterKeyId: platformKeyArn,
          SSEEnabled: true,
          SSEType: 'KMS',
        });
        assert.equal(table.DeletionPolicy, 'Retain');
        assert.equal(table.UpdateReplacePolicy, 'Retain');
      });
    });
  }
});

describe('data stack: platform key', () => {
  it('rotates, is retained, has the platform alias and a non-tenant purpose tag', () => {
    template.hasResource('AWS::KMS::Key', {
      Properties: {
        EnableKeyRotation: true,
        Tags: Match.arrayWith([{ Key: 'strongroom:purpose', Value: 'platform' }]),
      },
      DeletionPolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::KMS::Alias', {
      AliasName: platformKey.alias(testStage),
      TargetKeyId: platformKeyArn,
    });
  });

  it('has a key policy that only delegates to IAM (no service or cross-account principals)', () => {
    const keys = template.findResources('AWS::KMS::Key');
    for (const key of Object.values(keys)) {
      for (const statement of key.Properties.KeyPolicy.Statement) {
        assert.deepEqual(Object.keys(statement.Principal), ['AWS']);
        assert.match(JSON.stringify(statement.Principal.AWS), /:root/);
      }
    }
  });
});

describe('data stack: data bucket', () => {
  const buckets = template.findResources('AWS::S3::Bucket', {
    Properties: {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          Match.objectLike({ ServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: 'aws:kms' }) }),
        ],
      },
    },
  });
  const [dataBucketId, dataBucket] = Object.entries(buckets)[0] ?? [];

  it('is SSE-KMS encrypted with the platform key (bucket key on)', () => {
    assert.equal(Object.keys(buckets).length, 1, 'exactly one SSE-KMS bucket');
    assert.deepEqual(dataBucket!.Properties.BucketEncryption.ServerSideEncryptionConfiguration, [
      {
        BucketKeyEnabled: true,
        ServerSideEncryptionByDefault: { KMSMasterKeyID: platformKeyArn, SSEAlgorithm: 'aws:kms' },
      },
    ]);
  });

  it('is versioned, blocks all public access, logs access and is retained', () => {
    const props = dataBucket!.Properties;
    assert.deepEqual(props.VersioningConfiguration, { Status: 'Enabled' });
    assert.deepEqual(props.PublicAccessBlockConfiguration, {
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    assert.deepEqual(props.OwnershipControls, { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
    assert.ok(props.LoggingConfiguration?.DestinationBucketName, 'server access logging');
    assert.equal(dataBucket!.DeletionPolicy, 'Retain');
  });

  it('every bucket denies plain-HTTP requests and TLS below 1.2', () => {
    const policies = Object.values(template.findResources('AWS::S3::BucketPolicy'));
    for (const bucketId of Object.keys(template.findResources('AWS::S3::Bucket'))) {
      const policy = policies.find((candidate) => candidate.Properties.Bucket.Ref === bucketId);
      assert.ok(policy, `bucket policy of ${bucketId}`);
      const statements = policy.Properties.PolicyDocument.Statement as {
        Effect: string;
        Condition?: Record<string, Record<string, unknown>>;
      }[];
      assert.ok(
        statements.some((s) => s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false'),
        `${bucketId} denies aws:SecureTransport=false`,
      );
      assert.ok(
        statements.some(
          (s) => s.Effect === 'Deny' && s.Condition?.NumericLessThan?.['s3:TlsVersion'] === 1.2,
        ),
        `${bucketId} denies TLS < 1.2`,
      );
    }
    assert.ok(dataBucketId);
  });
});

describe('data stack: queues match shared/platform/resources.ts', () => {
  for (const definition of queues) {
    it(`${definition.id}: settings of its definition, a dead-letter queue, both KMS-encrypted`, () => {
      const name = queueName(testStage, definition);
      const dlqName = deadLetterQueueName(testStage, definition);
      const dlqs = template.findResources('AWS::SQS::Queue', { Properties: { QueueName: dlqName } });
      const [dlqId] = Object.keys(dlqs);
      assert.ok(dlqId, 'dead-letter queue');
      template.hasResourceProperties('AWS::SQS::Queue', {
        QueueName: name,
        VisibilityTimeout: definition.visibilityTimeoutSeconds,
        MessageRetentionPeriod: definition.retentionSeconds,
        KmsMasterKeyId: platformKeyArn,
        RedrivePolicy: {
          deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] },
          maxReceiveCount: definition.maxReceiveCount,
        },
      });
      template.hasResourceProperties('AWS::SQS::Queue', {
        QueueName: dlqName,
        MessageRetentionPeriod: deadLetterRetentionSeconds,
        KmsMasterKeyId: platformKeyArn,
      });
    });
  }

  it('a FIFO definition gives a FIFO queue and a FIFO dead-letter queue (SQS requires the same kind), without content-based deduplication', () => {
    for (const definition of queues) {
      for (const name of [queueName(testStage, definition), deadLetterQueueName(testStage, definition)]) {
        const found = Object.values(
          template.findResources('AWS::SQS::Queue', { Properties: { QueueName: name } }),
        );
        assert.equal(found.length, 1, name);
        const props = found[0]!.Properties;
        assert.equal(props.FifoQueue, definition.fifo ? true : undefined, name);
        assert.equal(name.endsWith('.fifo'), definition.fifo, name);
        // Producers set MessageDeduplicationId (rotation id and step).
        assert.equal(props.ContentBasedDeduplication, undefined, name);
      }
    }
    assert.ok(
      queues.some((definition) => definition.fifo),
      'the rotation queue is FIFO',
    );
  });

  it('every queue denies non-TLS access', () => {
    const queueCount = Object.keys(template.findResources('AWS::SQS::Queue')).length;
    const policies = Object.values(template.findResources('AWS::SQS::QueuePolicy'));
    const covered = policies.flatMap((policy) =>
      (policy.Properties.PolicyDocument.Statement as { Effect: string; Condition?: unknown }[]).some(
        (s) => s.Effect === 'Deny' && JSON.stringify(s.Condition).includes('"aws:SecureTransport":"false"'),
      )
        ? policy.Properties.Queues
        : [],
    );
    assert.equal(covered.length, queueCount);
  });
});
