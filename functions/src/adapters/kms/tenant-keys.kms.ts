import { setTimeout as sleep } from 'node:timers/promises';
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
      // IAM evaluates the new key's tags (aws:ResourceTag) with a short propagation delay, so the
      // alias call right after CreateKey can be refused at first: retry with backoff (≈ 6 s in all).
      const alias = new CreateAliasCommand({
        AliasName: `${tenantKeyAliasPrefix}${stage}-${tenantId.toLowerCase()}`,
        TargetKeyId: keyArn,
      });
      for (let attempt = 0; ; attempt++) {
        try {
          await kms.send(alias);
          return keyArn;
        } catch (error) {
          const denied = (error as { name?: string }).name === 'AccessDeniedException';
          if (!denied || attempt >= 5) throw error;
          await sleep(200 * 2 ** attempt);
        }
      }
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
