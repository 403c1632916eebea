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
const templates: Record<string, Template> = {
  data: synth.data,
  api: synth.api,
  observability: synth.observability,
  'api (with e-mail)': withEmail.api,
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
/** Publishing to the KMS-encrypted domain-events queue: the platform key only through SQS, for that queue. */
const queueSend = [
  'Allow sqs:SendMessage on domain-events-queue',
  'Allow kms:Decrypt on platform-key if kms:EncryptionContext:aws:sqs:arn & kms:ViaService',
  'Allow kms:GenerateDataKey on platform-key if kms:EncryptionContext:aws:sqs:arn & kms:ViaService',
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
    `Allow kms:Decrypt on key/* if ${tenantTags} & ${credentialContext}`,
    `Allow kms:Encrypt on key/* if ${tenantTags} & ${credentialContext}`,
    `Allow kms:GenerateDataKey on key/* if ${tenantTags} & ${credentialContext}`,
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
  }

  it('no function scans; only the access context batch-writes; only vault and the access context delete', () => {
    for (const id of functionIds) {
      const actions = statementsOf(id).flatMap(actionsOf);
      for (const forbidden of [
        'dynamodb:Scan',
        ...(accessFunctions.includes(id) ? [] : ['dynamodb:BatchWriteItem']),
        ...(id === 'vault' || accessFunctions.includes(id) ? [] : ['dynamodb:DeleteItem']),
        'dynamodb:*',
      ]) {
        assert.ok(!actions.includes(forbidden), `${id} has ${forbidden}`);
      }
      assert.ok(!actions.some((action) => action.endsWith('*')), `${id} has a wildcard action`);
    }
  });

  it('only the access functions publish domain events, and only to the domain-events queue', () => {
    for (const id of functionIds) {
      const sends = statementsOf(id).filter((s) => actionsOf(s).some((a) => a.startsWith('sqs:')));
      if (!accessFunctions.includes(id)) {
        assert.deepEqual(sends, [], id);
        continue;
      }
      assert.equal(sends.length, 1, id);
      assert.deepEqual(actionsOf(sends[0]!), ['sqs:SendMessage']);
      assert.deepEqual(resourcesOf(sends[0]!).map(resourceLabel), ['domain-events-queue']);
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

  it('every other use of the platform key goes through DynamoDB, or through SQS for the domain-events queue', () => {
    for (const id of functionIds) {
      for (const statement of statementsOf(id)) {
        if (statement.Sid === 'PlatformKeyTokenSigning') continue;
        if (!resourcesOf(statement).some((resource) => resourceLabel(resource) === 'platform-key')) continue;
        const equals = statement.Condition?.StringEquals ?? {};
        const viaService = JSON.stringify(equals['kms:ViaService']) ?? '';
        if (/"sqs\."/.test(viaService)) {
          assert.ok(accessFunctions.includes(id), `${id} uses the platform key through SQS`);
          assert.deepEqual([...actionsOf(statement)].sort(), ['kms:Decrypt', 'kms:GenerateDataKey']);
          assert.equal(resourceLabel(equals['kms:EncryptionContext:aws:sqs:arn']), 'domain-events-queue');
        } else {
          assert.match(viaService, /"dynamodb\."/, `${id}: ${JSON.stringify(statement)}`);
        }
      }
    }
  });

  it('only identity may use the platform key directly; tenant keys decrypt in vault and access, encrypt in vault only', () => {
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
      ['access', 'vault'],
      'credential plaintext is reachable from vault and access only',
    );
    assert.deepEqual(
      functionIds.filter((id) =>
        onTenantKeys(id, ['kms:Encrypt', 'kms:GenerateDataKey', 'kms:ReEncryptFrom']),
      ),
      ['vault'],
      'only vault writes credentials',
    );
  });

  it('access decrypts with tenant keys of this stage only, with the credential encryption context', () => {
    const decrypt = bySid('access', 'TenantKeyCredentialDecrypt');
    assert.deepEqual(actionsOf(decrypt), ['kms:Decrypt']);
    assert.deepEqual(decrypt.Condition, {
      StringEquals: { ...tenantKeyTags, 'kms:EncryptionContext:strongroom:purpose': 'credential' },
    });
  });
});
