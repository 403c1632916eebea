import {
  CreateAliasCommand,
  CreateKeyCommand,
  type KMSClient,
  ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import type { TenantKeyManager } from '@strongroom/shared/identity/identity.ports';
import { tenantKeyAliasPrefix } from '@strongroom/shared/platform/resources';
import { retryWhileTagsPropagate } from './tag-propagation.ts';

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
      // Right after CreateKey, IAM may not see the new key's tags yet.
      const alias = new CreateAliasCommand({
        AliasName: `${tenantKeyAliasPrefix}${stage}-${tenantId.toLowerCase()}`,
        TargetKeyId: keyArn,
      });
      await retryWhileTagsPropagate(() => kms.send(alias));
      return keyArn;
    },
    async scheduleKeyDeletion(keyArn, pendingWindowDays) {
      await kms.send(
        // By key id: AWS takes either, moto 5.2 fails on an ARN here. The key is in our account.
        new ScheduleKeyDeletionCommand({
          KeyId: keyArn.split('/').pop(),
          PendingWindowInDays: pendingWindowDays,
        }),
      );
    },
  };
}
