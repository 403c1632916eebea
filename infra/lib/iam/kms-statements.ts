import { ArnFormat, Stack } from 'aws-cdk-lib';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IConstruct } from 'constructs';
import {
  encryptionPurposeKey,
  encryptionPurposes,
  purposeTagKey,
  stageTagKey,
  tenantKeyAliasPrefixOf,
  tenantKeyPurpose,
  tenantKeyTagKeys,
} from '../tenant-keys.ts';

/**
 * KMS statements for the platform key and for the per-tenant keys.
 *
 * Tenant keys are created at runtime, so their ARNs are unknown at deploy time: statements name
 * `key/*` of this account and region and narrow it with tag conditions (ABAC): the key must be
 * tagged `strongroom:purpose=tenant-data` AND `strongroom:stage=<this stage>`, so one stage's
 * functions never touch another stage's tenant keys in a shared account. `key/*` and the tenant
 * alias prefix are the only wildcards, and every statement using `key/*` carries those
 * conditions. `CreateKey` alone has `Resource: "*"`: it supports no resource-level permissions.
 */

/** `arn:<partition>:kms:<region>:<account>:key/*` of the stack that owns `scope`. */
export const anyKeyArn = (scope: IConstruct): string =>
  Stack.of(scope).formatArn({ service: 'kms', resource: 'key', resourceName: '*' });

/** `arn:<partition>:kms:<region>:<account>:alias/strongroom-tenant-<stage>-*`. */
export const tenantAliasArn = (scope: IConstruct, stage: string): string =>
  Stack.of(scope).formatArn({
    service: 'kms',
    resource: `${tenantKeyAliasPrefixOf(stage)}*`,
    arnFormat: ArnFormat.NO_RESOURCE_NAME,
  });

/** The key being used is a tenant key of this stage. */
const tenantKeyResourceTags = (stage: string) => ({
  [`aws:ResourceTag/${purposeTagKey}`]: tenantKeyPurpose,
  [`aws:ResourceTag/${stageTagKey}`]: stage,
});

/** The request tags a new key as a tenant key of this stage. */
const tenantKeyRequestTags = (stage: string) => ({
  [`aws:RequestTag/${purposeTagKey}`]: tenantKeyPurpose,
  [`aws:RequestTag/${stageTagKey}`]: stage,
});

/**
 * Token signing (identity only): the private half of the JWT signing key is encrypted under the
 * platform key. Encrypt/Decrypt only, and only with the token-signing encryption context, so
 * the role cannot decrypt anything else the platform key protects.
 */
export function tokenSigningStatement(key: IKey): PolicyStatement {
  return new PolicyStatement({
    sid: 'PlatformKeyTokenSigning',
    actions: ['kms:Encrypt', 'kms:Decrypt'],
    resources: [key.keyArn],
    conditions: {
      StringEquals: { [`kms:EncryptionContext:${encryptionPurposeKey}`]: encryptionPurposes.tokenSigning },
    },
  });
}

/**
 * Envelope encryption of credentials (vault) with tenant keys of this stage, and only with
 * the credential encryption context the Encryption SDK passes to KMS.
 */
export function tenantKeyCryptoStatement(scope: IConstruct, stage: string): PolicyStatement {
  return credentialStatement(
    'TenantKeyCredentialCrypto',
    ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey'],
    scope,
    stage,
  );
}

/**
 * Decryption of credentials only (access: reveal and injection of released credentials). The
 * Encryption SDK's decrypt path with a KMS keyring calls nothing but `kms:Decrypt` (the data key
 * is unwrapped, never generated), so the access role can read credentials but never write one.
 */
export function tenantKeyDecryptStatement(scope: IConstruct, stage: string): PolicyStatement {
  return credentialStatement('TenantKeyCredentialDecrypt', ['kms:Decrypt'], scope, stage);
}

function credentialStatement(
  sid: string,
  actions: string[],
  scope: IConstruct,
  stage: string,
): PolicyStatement {
  return new PolicyStatement({
    sid,
    actions,
    resources: [anyKeyArn(scope)],
    conditions: {
      StringEquals: {
        ...tenantKeyResourceTags(stage),
        [`kms:EncryptionContext:${encryptionPurposeKey}`]: encryptionPurposes.credential,
      },
    },
  });
}

/**
 * Per-tenant key lifecycle for the identity function (tenant onboarding and offboarding).
 *
 * - `CreateKey` supports no resource-level permissions, so it is allowed on `*`, but only for a
 *   symmetric encrypt/decrypt key whose request tags it a tenant key of this stage and carries
 *   no tag keys beyond the tenant-key set.
 * - `TagResource` is what `CreateKey` checks for its `Tags` parameter (KMS requires it on all
 *   keys of the account and region), with the same request-tag conditions.
 * - `CreateAlias` is authorized on both the alias and the key: the alias must be under this
 *   stage's tenant prefix, the key must be a tenant key of this stage.
 * - `ScheduleKeyDeletion` only on tenant keys of this stage.
 * - Deny guards close the classic ABAC escalation, where `TagResource` is used to tag an existing
 *   key (the platform key, say) as a tenant key in order to use or delete it: no key that already
 *   has an alias outside this stage's tenant prefix, and no key that already carries a purpose
 *   tag other than tenant-data, can be tagged or scheduled for deletion. (A key outside
 *   Strongroom without alias and without purpose tag would remain exposed to TagResource; every
 *   Strongroom key has both, and an SCP is the place to protect the rest of the account.)
 *
 * Note for the identity code: tag-based authorization is eventually consistent (KMS documents
 * up to five minutes), so CreateAlias right after CreateKey must retry AccessDenied with backoff.
 */
export function tenantKeyLifecycleStatements(scope: IConstruct, stage: string): PolicyStatement[] {
  const keys = anyKeyArn(scope);
  const newTenantKey = {
    StringEquals: tenantKeyRequestTags(stage),
    'ForAllValues:StringEquals': { 'aws:TagKeys': [...tenantKeyTagKeys] },
  };
  return [
    new PolicyStatement({
      sid: 'TenantKeyCreate',
      actions: ['kms:CreateKey'],
      resources: ['*'],
      conditions: {
        ...newTenantKey,
        StringEquals: {
          ...newTenantKey.StringEquals,
          'kms:KeySpec': 'SYMMETRIC_DEFAULT',
          'kms:KeyUsage': 'ENCRYPT_DECRYPT',
        },
      },
    }),
    new PolicyStatement({
      sid: 'TenantKeyTagOnCreate',
      actions: ['kms:TagResource'],
      resources: [keys],
      conditions: newTenantKey,
    }),
    new PolicyStatement({
      sid: 'TenantKeyAliasName',
      actions: ['kms:CreateAlias'],
      resources: [tenantAliasArn(scope, stage)],
    }),
    new PolicyStatement({
      sid: 'TenantKeyAliasTarget',
      actions: ['kms:CreateAlias'],
      resources: [keys],
      conditions: { StringEquals: tenantKeyResourceTags(stage) },
    }),
    new PolicyStatement({
      sid: 'TenantKeyRetire',
      actions: ['kms:ScheduleKeyDeletion'],
      resources: [keys],
      conditions: { StringEquals: tenantKeyResourceTags(stage) },
    }),
    new PolicyStatement({
      sid: 'DenyKeysAliasedOutsideTenantPrefix',
      effect: Effect.DENY,
      actions: ['kms:TagResource', 'kms:ScheduleKeyDeletion'],
      resources: [keys],
      conditions: {
        'ForAnyValue:StringNotLike': { 'kms:ResourceAliases': `${tenantKeyAliasPrefixOf(stage)}*` },
      },
    }),
    new PolicyStatement({
      sid: 'DenyKeysWithOtherPurpose',
      effect: Effect.DENY,
      actions: ['kms:TagResource', 'kms:ScheduleKeyDeletion'],
      resources: [keys],
      conditions: {
        // Only keys that have a purpose tag (a key being created has none yet)...
        Null: { [`aws:ResourceTag/${purposeTagKey}`]: 'false' },
        // ...and whose purpose is not tenant-data.
        StringNotEquals: { [`aws:ResourceTag/${purposeTagKey}`]: tenantKeyPurpose },
      },
    }),
  ];
}

/**
 * Use of a key by an AWS service on the role's behalf (DynamoDB encryption at rest with a
 * customer managed key, for example), restricted with `kms:ViaService` so the role cannot use
 * the key directly.
 */
export function keyViaServiceStatement(
  sid: string,
  key: IKey,
  service: string,
  actions: readonly string[],
): PolicyStatement {
  return new PolicyStatement({
    sid,
    actions: [...actions],
    resources: [key.keyArn],
    conditions: { StringEquals: { 'kms:ViaService': `${service}.${Stack.of(key).region}.amazonaws.com` } },
  });
}
