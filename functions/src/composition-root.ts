import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createAuditService } from '@strongroom/shared/audit/audit.service';
import { auditOf } from '@strongroom/shared/audit/audit-event';
import { createIdentityService } from '@strongroom/shared/identity/identity.service';
import { createScryptPasswordHasher } from '@strongroom/shared/identity/password-hasher';
import { type Clock, systemClock } from '@strongroom/shared/kernel/clock';
import { createVaultService } from '@strongroom/shared/vault/vault.service';
import { createAuditReader, createAuditRecorder } from './adapters/dynamo/audit.repo.dynamo.ts';
import { createAuditedWriter } from './adapters/dynamo/audited-writer.ts';
import { createIdentityRepositories } from './adapters/dynamo/identity.repo.dynamo.ts';
import { createTenantKeyDirectory } from './adapters/dynamo/tenant-key-directory.ts';
import { createVaultRepositories } from './adapters/dynamo/vault.repo.dynamo.ts';
import { createKmsCredentialCipher, defaultCacheSettings } from './adapters/kms/credential-cipher.kms.ts';
import { createKmsTenantKeyManager } from './adapters/kms/tenant-keys.kms.ts';
import { createAccessTokenIssuer, createAccessTokenVerifier } from './adapters/tokens/jwt-tokens.ts';
import type { StrongroomConfig } from './config.ts';
import type { ApiServices } from './http/services.ts';

/**
 * The one place where adapters meet services. Every Lambda entry and the local server call it;
 * AWS SDK clients are created here (or injected by tests and benchmarks), never deeper.
 */
export type BoundedContext = 'identity' | 'vault' | 'audit';

export interface AwsClients {
  readonly dynamo: DynamoDBDocumentClient;
  readonly kms: KMSClient;
}

export function createAwsClients(): AwsClients {
  const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return { dynamo, kms: new KMSClient({}) };
}

export interface CompositionOptions {
  readonly config: StrongroomConfig;
  readonly clients: AwsClients;
  readonly contexts: readonly BoundedContext[];
  readonly clock?: Clock;
  /** Counts KMS calls of the credential cipher (benchmarks). */
  readonly onKmsCall?: (operation: 'GenerateDataKey' | 'Encrypt' | 'Decrypt') => void;
}

export interface Composition {
  readonly services: ApiServices;
  readonly verifyAccessToken: ReturnType<typeof createAccessTokenVerifier>['verify'];
}

export function compose(options: CompositionOptions): Composition {
  const { config, clients, contexts } = options;
  const clock = options.clock ?? systemClock;
  const serves = (context: BoundedContext) => contexts.includes(context);
  const writer = createAuditedWriter({ client: clients.dynamo, auditTable: config.auditTable, clock });
  const identityRepositories = createIdentityRepositories({
    client: clients.dynamo,
    table: config.mainTable,
    writer,
  });
  const recorder = createAuditRecorder(writer);
  const verifier = createAccessTokenVerifier({ client: clients.dynamo, table: config.mainTable, clock });

  const identity = serves('identity')
    ? createIdentityService({
        ...identityRepositories,
        tenantKeys: createKmsTenantKeyManager(clients.kms, config.stage),
        tokens: createAccessTokenIssuer({
          client: clients.dynamo,
          table: config.mainTable,
          clock,
          kms: clients.kms,
          platformKeyId: config.platformKeyId,
        }),
        hasher: createScryptPasswordHasher({ logN: config.passwordHashCost, r: 8, p: 1 }),
        audit: recorder,
        clock,
      })
    : undefined;

  const vault = serves('vault')
    ? createVaultService({
        ...createVaultRepositories({ client: clients.dynamo, table: config.mainTable, writer }),
        cipher: createKmsCredentialCipher({
          kms: clients.kms,
          cache: config.dataKeyCache === 'on' ? defaultCacheSettings : null,
          onKmsCall: options.onKmsCall,
        }),
        tenantKeys: createTenantKeyDirectory(identityRepositories.tenants),
        audit: recorder,
        clock,
      })
    : undefined;

  const audit = serves('audit')
    ? createAuditService({
        reader: createAuditReader(clients.dynamo, config.auditTable),
        recorder,
        clock,
      })
    : undefined;

  return {
    services: {
      identity,
      vault,
      audit,
      ...(identity ? { jwks: () => verifier.jwks() } : {}),
      recordDenial: (context, denial) =>
        recorder.record(
          auditOf(context, {
            action: 'authorization.denied',
            target: { type: 'operation', id: `${denial.method} ${denial.route}` },
            outcome: 'denied',
            details: { permission: denial.permission },
          }),
        ),
    },
    verifyAccessToken: (token) => verifier.verify(token),
  };
}
