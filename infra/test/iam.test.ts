import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Template } from 'aws-cdk-lib/assertions';
import {
  actionsOf,
  type FunctionId,
  functionStatements,
  grantLines,
  resourceLabel,
  resourcesOf,
  type Statement,
  synthesizeStrongroom,
  testStage,
} from './support/synth.ts';

const synth = synthesizeStrongroom();
// The same app with e-mail notifications configured (-c notificationSender=…).
const sender = 'pam-notifications@example.com';
const withEmail = synthesizeStrongroom({ access: { notificationSender: sender } });
// The same app with the tenant portal: the HTTP API functions may read the client-address key.
const withPortal = synthesizeStrongroom({ portal: true });
const templates: Record<string, Template> = {
  data: synth.data,
  api: synth.api,
  observability: synth.observability,
  'api (with e-mail)': withEmail.api,
  'api (with the portal)': withPortal.api,
};

/** Every statement of every identity-based policy (IAM policies, managed policies, inline role policies). */
function identityPolicyStatements(template: Template): Statement[] {
  const statements: Statement[] = [];
  for (const type of ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy']) {
    for (const policy of Object.values(template.findResources(type))) {
      statements.push(...policy.Properties.PolicyDocument.Statement);
    }
  }
  for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
    for (const inline of role.Properties.Policies ?? []) statements.push(...inline.PolicyDocument.Statement);
    assert.equal(role.Properties.ManagedPolicyArns, undefined, 'no AWS managed policies on any role');
  }
  return statements;
}

const tenantTags = 'aws:ResourceTag/strongroom:purpose & aws:ResourceTag/strongroom:stage';
const newTenantKeyTags = 'aws:RequestTag/strongroom:purpose & aws:RequestTag/strongroom:stage & aws:TagKeys';
const credentialContext = 'kms:EncryptionContext:strongroom:purpose';
const common = [
  'Allow logs:CreateLogStream on own-log-group',
  'Allow logs:PutLogEvents on own-log-group',
  // DynamoDB encryption at rest with the platform key, usable through DynamoDB only.
  'Allow kms:Decrypt on platform-key if kms:ViaService',
  'Allow kms:DescribeKey on platform-key if kms:ViaService',
  'Allow kms:Encrypt on platform-key if kms:ViaService',
  'Allow kms:GenerateDataKey on platform-key if kms:ViaService',
];
const auditAppend = [
  'Allow dynamodb:GetItem on audit-table',
  'Allow dynamodb:PutItem on audit-table',
  'Allow dynamodb:UpdateItem on audit-table',
];
/** Sending to a KMS-encrypted queue: the platform key only through SQS, for that queue. */
const sendTo = (queue: string) => [
  `Allow sqs:SendMessage on ${queue}`,
  'Allow kms:Decrypt on platform-key if kms:EncryptionContext:aws:sqs:arn & kms:ViaService',
  'Allow kms:GenerateDataKey on platform-key if kms:EncryptionContext:aws:sqs:arn & kms:ViaService',
];
/** Consuming a KMS-encrypted queue through an event source mapping: decrypt through SQS, for that queue. */
const consume = (queue: string) => [
  `Allow sqs:DeleteMessage on ${queue}`,
  `Allow sqs:GetQueueAttributes on ${queue}`,
  `Allow sqs:ReceiveMessage on ${queue}`,
  'Allow kms:Decrypt on platform-key if kms:EncryptionContext:aws:sqs:arn & kms:ViaService',
];
const queueSend = sendTo('domain-events-queue');
const credentialCrypto = [
  `Allow kms:Decrypt on key/* if ${tenantTags} & ${credentialContext}`,
  `Allow kms:Encrypt on key/* if ${tenantTags} & ${credentialContext}`,
  `Allow kms:GenerateDataKey on key/* if ${tenantTags} & ${credentialContext}`,
];

/**
 * The complete permissions of each function: action, resource and the condition keys scoping
 * it (their values are asserted below). A new permission must be added here too, which makes
 * every widening of a role a visible, reviewed change.
 */
const expectedGrants: Record<FunctionId, string[]> = {
  identity: [
    ...common,
    'Allow dynamodb:BatchGetItem on main-table',
    'Allow dynamodb:ConditionCheckItem on main-table',
    'Allow dynamodb:GetItem on main-table',
    'Allow dynamodb:PutItem on main-table',
    'Allow dynamodb:Query on main-table',
    'Allow dynamodb:Query on main-table/index/gsi1',
    'Allow dynamodb:UpdateItem on main-table',
    ...auditAppend,
    'Allow kms:Encrypt on platform-key if kms:EncryptionContext:strongroom:purpose',
    'Allow kms:Decrypt on platform-key if kms:EncryptionContext:strongroom:purpose',
    `Allow kms:CreateKey on * if ${newTenantKeyTags} & kms:KeySpec & kms:KeyUsage`,
    `Allow kms:TagResource on key/* if ${newTenantKeyTags}`,
    `Allow kms:CreateAlias on alias/strongroom-tenant-${testStage}-*`,
    `Allow kms:CreateAlias on key/* if ${tenantTags}`,
    `Allow kms:ScheduleKeyDeletion on key/* if ${tenantTags}`,
    'Deny kms:ScheduleKeyDeletion on key/* if kms:ResourceAliases',
    'Deny kms:TagResource on key/* if kms:ResourceAliases',
    'Deny kms:ScheduleKeyDeletion on key/* if aws:ResourceTag/strongroom:purpose & aws:ResourceTag/strongroom:purpose',
    'Deny kms:TagResource on key/* if aws:ResourceTag/strongroom:purpose & aws:ResourceTag/strongroom:purpose',
  ],
  vault: [
    ...common,
    'Allow dynamodb:ConditionCheckItem on main-table',
    'Allow dynamodb:DeleteItem on main-table',
    'Allow dynamodb:GetItem on main-table',
    'Allow dynamodb:PutItem on main-table',
    'Allow dynamodb:Query on main-table',
    'Allow dynamodb:Query on main-table/index/gsi1',
    'Allow dynamodb:UpdateItem on main-table',
    ...auditAppend,
    ...credentialCrypto,
  ],
  access: [
    ...common,
    'Allow dynamodb:BatchGetItem on main-table',
    'Allow dynamodb:BatchWriteItem on main-table',
    'Allow dynamodb:DeleteItem on main-table',
    'Allow dynamodb:GetItem on main-table',
    'Allow dynamodb:PutItem on main-table',
    'Allow dynamodb:Query on main-table',
    'Allow dynamodb:Query on main-table/index/gsi1',
    'Allow dynamodb:Query on main-table/index/gsi2',
    'Allow dynamodb:UpdateItem on main-table',
    ...auditAppend,
    `Allow kms:Decrypt on key/* if ${tenantTags} & ${credentialContext}`,
    ...queueSend,
  ],
  'access-sweeper': [
    ...common,
    'Allow dynamodb:BatchWriteItem on main-table',
    'Allow dynamodb:DeleteItem on main-table',
    'Allow dynamodb:GetItem on main-table',
    'Allow dynamodb:PutItem on main-table',
    'Allow dynamodb:Query on main-table',
    'Allow dynamodb:Query on main-table/index/gsi2',
    ...auditAppend,
    ...queueSend,
  ],
  // Starts rotations (audited Put + Update), changes schedules, lists rotations (gsi1) and
  // failing pointers (table Query), queues jobs. Never touches a credential.
  rotation: [
    ...common,
    'Allow dynamodb:GetItem on main-table',
    'Allow dynamodb:PutItem on main-table',
    'Allow dynamodb:Query on main-table',
    'Allow dynamodb:Query on main-table/index/gsi1',
    'Allow dynamodb:UpdateItem on main-table',
    ...auditAppend,
    ...sendTo('rotation-queue'),
  ],
  // Runs the steps: reads, audited Put/Update/Delete, new PENDING versions under tenant keys.
  'rotation-worker': [
    ...common,
    'Allow dynamodb:DeleteItem on main-table',
    'Allow dynamodb:GetItem on main-table',
    'Allow dynamodb:PutItem on main-table',
    'Allow dynamodb:UpdateItem on main-table',
    ...auditAppend,
    ...credentialCrypto,
    ...consume('rotation-queue'),
  ],
  // The due index (gsi2) only; starts rotations and moves due times.
  'rotation-scheduler': [
    ...common,
    'Allow dynamodb:GetItem on main-table',
    'Allow dynamodb:PutItem on main-table',
    'Allow dynamodb:Query on main-table/index/gsi2',
    'Allow dynamodb:UpdateItem on main-table',
    ...auditAppend,
    ...sendTo('rotation-queue'),
  ],
  'release-events': [
    ...common,
    'Allow dynamodb:GetItem on main-table',
    'Allow dynamodb:PutItem on main-table',
    'Allow dynamodb:UpdateItem on main-table',
    ...auditAppend,
    ...consume('domain-events-queue'),
    ...sendTo('rotation-queue'),
  ],
  audit: [
    ...common,
    'Allow dynamodb:GetItem on main-table',
    'Allow dynamodb:Query on audit-table',
    'Allow dynamodb:Query on audit-table/index/gsi1',
    'Allow dynamodb:Query on audit-table/index/gsi2',
    ...auditAppend,
  ],
};

/** With a notification sender, the access functions (and only they) may send from it. */
const sendFromSender = [
  `Allow ses:SendEmail on identity/${sender} if ses:FromAddress`,
  'Allow ses:SendEmail on identity/example.com if ses:FromAddress',
];
const accessFunctions: readonly FunctionId[] = ['access', 'access-sweeper'];
/** With a portal, the functions behind the HTTP API (and only they) may read the client-address key. */
const readClientAddressKey = ['Allow secretsmanager:GetSecretValue on client-address-key'];
const httpApiFunctions: readonly FunctionId[] = ['identity', 'vault', 'access', 'rotation', 'audit'];
/** Queue rotation jobs. */
const rotationProducers: readonly FunctionId[] = ['rotation', 'rotation-scheduler', 'release-events'];

const functionIds = Object.keys(expectedGrants) as FunctionId[];
const statementsOf = (id: FunctionId) => functionStatements(synth, id);
const bySid = (id: FunctionId, sid: string) => {
  const found = statementsOf(id).find((statement) => statement.Sid === sid);
  assert.ok(found, `${id} has statement ${sid}`);
  return found;
};

describe('IAM: each function gets exactly its permissions', () => {
  for (const [id, expected] of Object.entries(expectedGrants) as [FunctionId, string[]][]) {
    it(`${id}`, () => {
      assert.deepEqual(grantLines(statementsOf(id)), [...new Set(expected)].sort());
    });
    it(`${id}, with a notification sender`, () => {
      const withSes = accessFunctions.includes(id) ? [...expected, ...sendFromSender] : expected;
      assert.deepEqual(grantLines(functionStatements(withEmail, id)), [...new Set(withSes)].sort());
    });
    it(`${id}, with the portal`, () => {
      const withKey = httpApiFunctions.includes(id) ? [...expected, ...readClientAddressKey] : expected;
      assert.deepEqual(grantLines(functionStatements(withPortal, id)), [...new Set(withKey)].sort());
    });
  }

  it('no function scans; only the access context batch-writes; only vault, the access context and the rotation worker delete', () => {
    const deleting: readonly FunctionId[] = ['vault', ...accessFunctions, 'rotation-worker'];
    for (const id of functionIds) {
      const actions = statementsOf(id).flatMap(actionsOf);
      for (const forbidden of [
        'dynamodb:Scan',
        ...(accessFunctions.includes(id) ? [] : ['dynamodb:BatchWriteItem']),
        ...(deleting.includes(id) ? [] : ['dynamodb:DeleteItem']),
        'dynamodb:*',
      ]) {
        assert.ok(!actions.includes(forbidden), `${id} has ${forbidden}`);
      }
      assert.ok(!actions.some((action) => action.endsWith('*')), `${id} has a wildcard action`);
    }
  });

  it('SQS: the access functions publish domain events, the rotation API, scheduler and release-events consumer queue rotation jobs; nothing else sends', () => {
    const sent = (id: FunctionId) =>
      statementsOf(id)
        .filter((s) => actionsOf(s).some((a) => a.startsWith('sqs:Send')))
        .map((s) => {
          assert.deepEqual(actionsOf(s), ['sqs:SendMessage'], id);
          return resourcesOf(s).map(resourceLabel).join();
        })
        .sort();
    for (const id of functionIds) {
      const expected = [
        ...(accessFunctions.includes(id) ? ['domain-events-queue'] : []),
        ...(rotationProducers.includes(id) ? ['rotation-queue'] : []),
      ];
      assert.deepEqual(sent(id), expected, id);
    }
  });

  it('SQS: the rotation worker alone receives rotation jobs, the release-events consumer alone domain events', () => {
    const consumed = (id: FunctionId) =>
      statementsOf(id)
        .filter((s) => actionsOf(s).includes('sqs:ReceiveMessage'))
        .map((s) => {
          assert.deepEqual([...actionsOf(s)].sort(), [
            'sqs:DeleteMessage',
            'sqs:GetQueueAttributes',
            'sqs:ReceiveMessage',
          ]);
          return resourcesOf(s).map(resourceLabel).join();
        });
    for (const id of functionIds) {
      const expected =
        id === 'rotation-worker'
          ? ['rotation-queue']
          : id === 'release-events'
            ? ['domain-events-queue']
            : [];
      assert.deepEqual(consumed(id), expected, id);
    }
    // Nobody may purge, delete or reconfigure a queue, change visibility or read queue URLs.
    for (const id of functionIds) {
      const sqsActions = statementsOf(id)
        .flatMap(actionsOf)
        .filter((a) => a.startsWith('sqs:'));
      for (const action of sqsActions) {
        assert.ok(
          ['sqs:SendMessage', 'sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'].includes(
            action,
          ),
          `${id} has ${action}`,
        );
      }
    }
  });
});

describe('IAM: notification e-mail (SES)', () => {
  it('without a notification sender, no function may use SES', () => {
    for (const id of functionIds) {
      assert.ok(
        !statementsOf(id)
          .flatMap(actionsOf)
          .some((a) => a.startsWith('ses:')),
        id,
      );
    }
  });

  it('with one, the access functions may send only from exactly that address', () => {
    for (const id of accessFunctions) {
      const statement = functionStatements(withEmail, id).find((s) => s.Sid === 'NotificationEmail');
      assert.ok(statement, id);
      assert.deepEqual(actionsOf(statement), ['ses:SendEmail']);
      assert.deepEqual(statement.Condition, { StringEquals: { 'ses:FromAddress': sender } });
      assert.ok(!resourcesOf(statement).includes('*'));
    }
  });
});

describe('IAM: no Resource "*" except condition-scoped kms:CreateKey', () => {
  for (const [name, template] of Object.entries(templates)) {
    it(`${name} stack`, () => {
      for (const statement of identityPolicyStatements(template)) {
        if (!resourcesOf(statement).includes('*')) continue;
        assert.deepEqual(actionsOf(statement), ['kms:CreateKey'], JSON.stringify(statement));
        assert.ok(statement.Condition?.StringEquals?.['aws:RequestTag/strongroom:purpose']);
      }
    });
  }
});

describe('IAM: KMS conditions', () => {
  const tenantKeyTags = {
    'aws:ResourceTag/strongroom:purpose': 'tenant-data',
    'aws:ResourceTag/strongroom:stage': testStage,
  };

  it('every Allow on key/* requires tenant-key tags of this stage (resource tags, or request tags for new keys)', () => {
    for (const id of functionIds) {
      for (const statement of statementsOf(id)) {
        if (statement.Effect !== 'Allow') continue;
        if (!resourcesOf(statement).some((resource) => resourceLabel(resource) === 'key/*')) continue;
        const equals = statement.Condition?.StringEquals ?? {};
        const resourceTagged =
          equals['aws:ResourceTag/strongroom:purpose'] === 'tenant-data' &&
          equals['aws:ResourceTag/strongroom:stage'] === testStage;
        const requestTagged =
          equals['aws:RequestTag/strongroom:purpose'] === 'tenant-data' &&
          equals['aws:RequestTag/strongroom:stage'] === testStage;
        assert.ok(resourceTagged || requestTagged, `${id}: ${JSON.stringify(statement)}`);
      }
    }
  });

  it('identity creates only symmetric tenant keys of this stage, with only tenant-key tag keys', () => {
    const create = bySid('identity', 'TenantKeyCreate');
    assert.deepEqual(create.Condition, {
      StringEquals: {
        'aws:RequestTag/strongroom:purpose': 'tenant-data',
        'aws:RequestTag/strongroom:stage': testStage,
        'kms:KeySpec': 'SYMMETRIC_DEFAULT',
        'kms:KeyUsage': 'ENCRYPT_DECRYPT',
      },
      'ForAllValues:StringEquals': {
        'aws:TagKeys': ['strongroom:purpose', 'strongroom:tenant', 'strongroom:stage'],
      },
    });
    const tag = bySid('identity', 'TenantKeyTagOnCreate');
    assert.deepEqual(
      tag.Condition?.['ForAllValues:StringEquals'],
      create.Condition?.['ForAllValues:StringEquals'],
    );
  });

  it('identity aliases and retires only tenant keys of this stage', () => {
    assert.deepEqual(bySid('identity', 'TenantKeyAliasTarget').Condition, { StringEquals: tenantKeyTags });
    assert.deepEqual(bySid('identity', 'TenantKeyRetire').Condition, { StringEquals: tenantKeyTags });
    assert.equal(
      resourceLabel(bySid('identity', 'TenantKeyAliasName').Resource),
      `alias/strongroom-tenant-${testStage}-*`,
    );
  });

  it('identity cannot re-tag or delete keys aliased outside the tenant prefix or with another purpose', () => {
    const byAlias = bySid('identity', 'DenyKeysAliasedOutsideTenantPrefix');
    assert.equal(byAlias.Effect, 'Deny');
    assert.deepEqual(byAlias.Condition, {
      'ForAnyValue:StringNotLike': { 'kms:ResourceAliases': `alias/strongroom-tenant-${testStage}-*` },
    });
    const byPurpose = bySid('identity', 'DenyKeysWithOtherPurpose');
    assert.equal(byPurpose.Effect, 'Deny');
    assert.deepEqual(byPurpose.Condition, {
      Null: { 'aws:ResourceTag/strongroom:purpose': 'false' },
      StringNotEquals: { 'aws:ResourceTag/strongroom:purpose': 'tenant-data' },
    });
    for (const deny of [byAlias, byPurpose]) {
      assert.deepEqual([...actionsOf(deny)].sort(), ['kms:ScheduleKeyDeletion', 'kms:TagResource']);
    }
  });

  it('identity uses the platform key directly only for token signing (encryption context)', () => {
    const signing = bySid('identity', 'PlatformKeyTokenSigning');
    assert.deepEqual([...actionsOf(signing)].sort(), ['kms:Decrypt', 'kms:Encrypt']);
    assert.equal(resourceLabel(signing.Resource), 'platform-key');
    assert.deepEqual(signing.Condition, {
      StringEquals: { 'kms:EncryptionContext:strongroom:purpose': 'token-signing' },
    });
  });

  it('vault uses tenant keys of this stage only with the credential encryption context', () => {
    const crypto = bySid('vault', 'TenantKeyCredentialCrypto');
    assert.deepEqual(crypto.Condition, {
      StringEquals: { ...tenantKeyTags, 'kms:EncryptionContext:strongroom:purpose': 'credential' },
    });
  });

  it('every other use of the platform key goes through DynamoDB, or through SQS for exactly the queue a function sends to or consumes', () => {
    for (const id of functionIds) {
      for (const statement of statementsOf(id)) {
        if (statement.Sid === 'PlatformKeyTokenSigning') continue;
        if (!resourcesOf(statement).some((resource) => resourceLabel(resource) === 'platform-key')) continue;
        const equals = statement.Condition?.StringEquals ?? {};
        const viaService = JSON.stringify(equals['kms:ViaService']) ?? '';
        if (/"sqs\."/.test(viaService)) {
          const queue = resourceLabel(equals['kms:EncryptionContext:aws:sqs:arn']);
          const queueActions = statementsOf(id)
            .filter((s) => resourcesOf(s).some((r) => resourceLabel(r) === queue))
            .flatMap(actionsOf);
          const actions = [...actionsOf(statement)].sort();
          if (actions.length === 1) {
            // Consumers only decrypt what SQS hands them.
            assert.deepEqual(actions, ['kms:Decrypt'], id);
            assert.ok(queueActions.includes('sqs:ReceiveMessage'), `${id} consumes ${queue}`);
          } else {
            assert.deepEqual(actions, ['kms:Decrypt', 'kms:GenerateDataKey'], id);
            assert.ok(queueActions.includes('sqs:SendMessage'), `${id} sends to ${queue}`);
          }
        } else {
          assert.match(viaService, /"dynamodb\."/, `${id}: ${JSON.stringify(statement)}`);
        }
      }
    }
  });

  it('only identity may use the platform key directly; tenant keys decrypt in vault, access and the rotation worker, encrypt in vault and the rotation worker only', () => {
    for (const id of functionIds.filter((id) => id !== 'identity')) {
      assert.ok(!statementsOf(id).some((s) => s.Sid === 'PlatformKeyTokenSigning'), id);
    }
    const onTenantKeys = (id: FunctionId, actions: readonly string[]) =>
      statementsOf(id).some(
        (s) =>
          s.Effect === 'Allow' &&
          actionsOf(s).some((a) => actions.includes(a)) &&
          resourcesOf(s).some((r) => resourceLabel(r) === 'key/*'),
      );
    assert.deepEqual(
      functionIds.filter((id) => onTenantKeys(id, ['kms:Decrypt'])).sort(),
      ['access', 'rotation-worker', 'vault'],
      'credential plaintext is reachable from vault, access and the rotation worker only',
    );
    assert.deepEqual(
      functionIds
        .filter((id) => onTenantKeys(id, ['kms:Encrypt', 'kms:GenerateDataKey', 'kms:ReEncryptFrom']))
        .sort(),
      ['rotation-worker', 'vault'],
      'only vault and the rotation worker write credentials',
    );
    for (const id of ['rotation', 'rotation-scheduler', 'release-events'] as const) {
      assert.ok(
        !statementsOf(id).some((s) => resourcesOf(s).some((r) => resourceLabel(r) === 'key/*')),
        `${id} has no tenant-key permission at all`,
      );
    }
  });

  it('the rotation worker uses tenant keys of this stage only, with the credential encryption context', () => {
    const crypto = bySid('rotation-worker', 'TenantKeyCredentialCrypto');
    assert.deepEqual([...actionsOf(crypto)].sort(), ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey']);
    assert.deepEqual(crypto.Condition, {
      StringEquals: { ...tenantKeyTags, 'kms:EncryptionContext:strongroom:purpose': 'credential' },
    });
  });

  it('queue consumers decrypt with the platform key only through SQS, for their own queue', () => {
    for (const [id, sid, queue] of [
      ['rotation-worker', 'RotationQueueConsumeKeyViaSqs', 'rotation-queue'],
      ['release-events', 'DomainEventsQueueConsumeKeyViaSqs', 'domain-events-queue'],
    ] as const) {
      const statement = bySid(id, sid);
      assert.deepEqual(actionsOf(statement), ['kms:Decrypt']);
      assert.equal(resourceLabel(statement.Resource), 'platform-key');
      const equals = statement.Condition?.StringEquals ?? {};
      assert.deepEqual(Object.keys(equals).sort(), ['kms:EncryptionContext:aws:sqs:arn', 'kms:ViaService']);
      assert.match(JSON.stringify(equals['kms:ViaService']), /"sqs\."/);
      assert.equal(resourceLabel(equals['kms:EncryptionContext:aws:sqs:arn']), queue);
    }
  });

  it('access decrypts with tenant keys of this stage only, with the credential encryption context', () => {
    const decrypt = bySid('access', 'TenantKeyCredentialDecrypt');
    assert.deepEqual(actionsOf(decrypt), ['kms:Decrypt']);
    assert.deepEqual(decrypt.Condition, {
      StringEquals: { ...tenantKeyTags, 'kms:EncryptionContext:strongroom:purpose': 'credential' },
    });
  });
});
