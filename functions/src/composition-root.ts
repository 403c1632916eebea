import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AccessService } from '@strongroom/shared/access/access.service';
import { createAuditService } from '@strongroom/shared/audit/audit.service';
import { auditOf } from '@strongroom/shared/audit/audit-event';
import { createIdentityService } from '@strongroom/shared/identity/identity.service';
import { createScryptPasswordHasher } from '@strongroom/shared/identity/password-hasher';
import { type Clock, systemClock } from '@strongroom/shared/kernel/clock';
import type { RotationService } from '@strongroom/shared/rotation/rotation.service';
import type { RotationEngine } from '@strongroom/shared/rotation/rotation-engine';
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
export type BoundedContext = 'identity' | 'vault' | 'access' | 'rotation' | 'audit';

export interface AwsClients {
  readonly dynamo: DynamoDBDocumentClient;
  readonly kms: KMSClient;
  /** Queues and e-mail: created by the context modules that use them unless injected here. */
  readonly sqs?: SQSClient;
  readonly ses?: SESv2Client;
}

export function createAwsClients(): AwsClients {
  const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return { dynamo, kms: new KMSClient({}) };
}

/** What the core composition hands to a context module (compose-access.ts, compose-rotation.ts). */
export interface CompositionParts {
  readonly config: StrongroomConfig;
  readonly clients: AwsClients;
  readonly clock: Clock;
  readonly writer: ReturnType<typeof createAuditedWriter>;
  readonly recorder: ReturnType<typeof createAuditRecorder>;
  readonly identityRepositories: ReturnType<typeof createIdentityRepositories>;
  readonly vaultRepositories: ReturnType<typeof createVaultRepositories>;
  readonly cipher: ReturnType<typeof createKmsCredentialCipher>;
  readonly tenantKeys: ReturnType<typeof createTenantKeyDirectory>;
  readonly onDeliveryError?: ((error: unknown) => void) | undefined;
}

interface ContextProducts {
  access: { readonly access: AccessService };
  rotation: { readonly rotation: RotationService; readonly rotationEngine?: RotationEngine };
}

/**
 * A bounded context composed by a module of its own, so that only the entries serving it bundle
 * its adapters: `accessContext` (compose-access.ts) and `rotationContext()` (compose-rotation.ts).
 */
export interface ContextModule<C extends keyof ContextProducts> {
  readonly context: C;
  compose(parts: CompositionParts): ContextProducts[C];
}

export interface CompositionOptions {
  readonly config: StrongroomConfig;
  readonly clients: AwsClients;
  readonly contexts: readonly BoundedContext[];
  readonly clock?: Clock;
  /** Counts KMS calls of the credential cipher (benchmarks). */
  readonly onKmsCall?: (operation: 'GenerateDataKey' | 'Encrypt' | 'Decrypt') => void;
  /** Modules of the contexts composed outside this file (access, rotation), when served. */
  readonly modules?: readonly (ContextModule<'access'> | ContextModule<'rotation'>)[];
  /** Where failures of best-effort deliveries (notifications, first event send) are reported. */
  readonly onDeliveryError?: (error: unknown) => void;
}

export interface Composition {
  readonly services: ApiServices;
  /** Runs rotation jobs (the rotation worker); present when the rotation context is served. */
  readonly rotationEngine?: RotationEngine;
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

  const needsVaultData = serves('vault') || serves('access') || serves('rotation');
  const vaultRepositories = needsVaultData
    ? createVaultRepositories({ client: clients.dynamo, table: config.mainTable, writer })
    : undefined;
  const cipher = needsVaultData
    ? createKmsCredentialCipher({
        kms: clients.kms,
        cache: config.dataKeyCache === 'on' ? defaultCacheSettings : null,
        onKmsCall: options.onKmsCall,
      })
    : undefined;
  const tenantKeys = createTenantKeyDirectory(identityRepositories.tenants);

  const vault =
    serves('vault') && vaultRepositories && cipher
      ? createVaultService({ ...vaultRepositories, cipher, tenantKeys, audit: recorder, clock })
      : undefined;

  const moduleOf = <C extends 'access' | 'rotation'>(context: C) => {
    if (!serves(context)) return undefined;
    const found = options.modules?.find((m) => m.context === context) as ContextModule<C> | undefined;
    if (!found || !vaultRepositories || !cipher) {
      throw new Error(`The ${context} context is served but its module was not given to compose().`);
    }
    return found.compose({
      config,
      clients,
      clock,
      writer,
      recorder,
      identityRepositories,
      vaultRepositories,
      cipher,
      tenantKeys,
      onDeliveryError: options.onDeliveryError,
    });
  };
  const access = moduleOf('access')?.access;
  const rotation = moduleOf('rotation');

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
      access,
      rotation: rotation?.rotation,
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
    ...(rotation?.rotationEngine ? { rotationEngine: rotation.rotationEngine } : {}),
  };
}
