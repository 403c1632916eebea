import { SQSClient } from '@aws-sdk/client-sqs';
import type { ConnectorKind, RotationConnector } from '@strongroom/shared/rotation/connector';
import { createRotationService } from '@strongroom/shared/rotation/rotation.service';
import { createRotationEngine } from '@strongroom/shared/rotation/rotation-engine';
import { effectivePasswordRules } from '@strongroom/shared/vault/password-rules';
import type { AccountRecord } from '@strongroom/shared/vault/vault.ports';
import { createRotationRepository } from './adapters/dynamo/rotation.repo.dynamo.ts';
import { createSqsRotationQueue } from './adapters/sqs/rotation-queue.sqs.ts';
import type { CompositionParts, ContextModule } from './composition-root.ts';

/**
 * The rotation context's composition, imported only by the rotation entries (and the local stack
 * and tests). With `connectorFor` (the worker's), it also builds the engine that runs rotations;
 * without, the context starts and reads rotations only, and no connector is bundled.
 */
export function rotationContext(
  connectorFor?: (kind: ConnectorKind) => RotationConnector,
): ContextModule<'rotation'> {
  return {
    context: 'rotation',
    compose(parts: CompositionParts) {
      const { config, clients, writer, clock, vaultRepositories } = parts;
      if (!config.rotationQueueUrl) {
        throw new Error('Strongroom configuration: the rotation context needs the rotation queue URL.');
      }
      const rotations = createRotationRepository({ client: clients.dynamo, table: config.mainTable, writer });
      const rulesFor = (account: AccountRecord) => effectivePasswordRules(vaultRepositories, account);
      return {
        rotation: createRotationService({
          rotations,
          accounts: vaultRepositories.accounts,
          systems: vaultRepositories.systems,
          rulesFor,
          queue: createSqsRotationQueue({
            sqs: clients.sqs ?? new SQSClient({}),
            queueUrl: config.rotationQueueUrl,
          }),
          clock,
        }),
        ...(connectorFor
          ? {
              rotationEngine: createRotationEngine({
                rotations,
                accounts: vaultRepositories.accounts,
                systems: vaultRepositories.systems,
                credentials: vaultRepositories.credentials,
                rulesFor,
                cipher: parts.cipher,
                tenantKeys: parts.tenantKeys,
                connectorFor,
                clock,
              }),
            }
          : {}),
      };
    },
  };
}
