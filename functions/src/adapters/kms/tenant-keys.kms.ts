import {
  CreateAliasCommand,
  CreateKeyCommand,
  type KMSClient,
  ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import type { TenantKeyManager } from '@strongroom/shared/identity/identity.ports';
import { tenantKeyAliasPrefix } from '@strongroom/shared/platform/resources';

/**
 * One symmetric KMS key per tenant, tagged so that IAM can scope every grant to tenant-data keys
 * (`aws:ResourceTag/strongroom:purpose = tenant-data`) and aliased for operators.
 */
export function createKmsTenantKeyManager(kms: KMSClient, stage: string): TenantKeyManager {
  return {
    async createTenantKey(tenantId) {
      const { KeyMetadata } = await kms.send(
        new CreateKeyCommand({
          Description: `Strongroom ${stage} tenant ${tenantId}: envelope key for credentials`,
          KeySpec: 'SYMMETRIC_DEFAULT',
          KeyUsage: 'ENCRYPT_DECRYPT',
          Tags: [
            { TagKey: 'strongroom:purpose', TagValue: 'tenant-data' },
            { TagKey: 'strongroom:tenant', TagValue: tenantId },
            { TagKey: 'strongroom:stage', TagValue: stage },
          ],
        }),
      );
      const keyArn = KeyMetadata?.Arn;
      if (!keyArn) throw new Error('KMS CreateKey returned no key ARN');
      await kms.send(
        new CreateAliasCommand({
          AliasName: `${tenantKeyAliasPrefix}${stage}-${tenantId.toLowerCase()}`,
          TargetKeyId: keyArn,
        }),
      );
      return keyArn;
    },
    async scheduleKeyDeletion(keyArn, pendingWindowDays) {
      await kms.send(
        new ScheduleKeyDeletionCommand({ KeyId: keyArn, PendingWindowInDays: pendingWindowDays }),
      );
    },
  };
}
