import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createAccessService } from '@strongroom/shared/access/access.service';
import { createAuditService } from '@strongroom/shared/audit/audit.service';
import { auditOf } from '@strongroom/shared/audit/audit-event';
import { createIdentityService } from '@strongroom/shared/identity/identity.service';
import { createScryptPasswordHasher } from '@strongroom/shared/identity/password-hasher';
import { type Clock, systemClock } from '@strongroom/shared/kernel/clock';
import type { ConnectorKind, RotationConnector } from '@strongroom/shared/rotation/connector';
import { createRotationService } from '@strongroom/shared/rotation/rotation.service';
import { createRotationEngine, type RotationEngine } from '@strongroom/shared/rotation/rotation-engine';
import { effectivePasswordRules } from '@strongroom/shared/vault/password-rules';
import type { AccountRecord } from '@strongroom/shared/vault/vault.ports';
import { createVaultService } from '@strongroom/shared/vault/vault.service';
import { createHpkeCredentialSealer } from './adapters/crypto/hpke-credential-sealer.ts';
import { createAccessRepositories } from './adapters/dynamo/access.repo.dynamo.ts';
import { createAuditReader, createAuditRecorder } from './adapters/dynamo/audit.repo.dynamo.ts';
import { createAuditedWriter } from './adapters/dynamo/audited-writer.ts';
import { createIdentityRepositories } from './adapters/dynamo/identity.repo.dynamo.ts';
import { createRotationRepository } from './adapters/dynamo/rotation.repo.dynamo.ts';
import { createTenantKeyDirectory } from './adapters/dynamo/tenant-key-directory.ts';
import { createVaultRepositories } from './adapters/dynamo/vault.repo.dynamo.ts';
import { createSesEmailSender } from './adapters/email/email-sender.ses.ts';
import { createFetchTicketValidator } from './adapters/http/ticket-validator.fetch.ts';
import { createKmsCredentialCipher, defaultCacheSettings } from './adapters/kms/credential-cipher.kms.ts';
import { createKmsTenantKeyManager } from './adapters/kms/tenant-keys.kms.ts';
import { createDomainEventPublisher } from './adapters/sqs/domain-event-publisher.ts';
import { createSqsRotationQueue } from './adapters/sqs/rotation-queue.sqs.ts';
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
  readonly sqs: SQSClient;
  readonly ses: SESv2Client;
}

export function createAwsClients(): AwsClients {
  const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return { dynamo, kms: new KMSClient({}), sqs: new SQSClient({}), ses: new SESv2Client({}) };
}

export interface CompositionOptions {
  readonly config: StrongroomConfig;
  readonly clients: AwsClients;
  readonly contexts: readonly BoundedContext[];
  readonly clock?: Clock;
  /** Counts KMS calls of the credential cipher (benchmarks). */
  readonly onKmsCall?: (operation: 'GenerateDataKey' | 'Encrypt' | 'Decrypt') => void;
  /**
   * Connectors by kind, for whoever runs rotations (the worker, the local stack, tests). Without
   * them the rotation context can start and read rotations but not run them.
   */
  readonly connectorFor?: (kind: ConnectorKind) => RotationConnector;
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

  const access = serves('access') && vaultRepositories && cipher ? composeAccess() : undefined;
  function composeAccess() {
    if (!vaultRepositories || !cipher) return undefined;
    if (!config.eventsQueueUrl) {
      throw new Error('Strongroom configuration: the access context needs the domain-events queue URL.');
    }
    const accessRepositories = createAccessRepositories({
      client: clients.dynamo,
      table: config.mainTable,
      writer,
      clock,
    });
    return createAccessService({
      policies: accessRepositories.accessPolicies,
      requests: accessRepositories.accessRequests,
      notifications: accessRepositories.notifications,
      accounts: vaultRepositories.accounts,
      systems: vaultRepositories.systems,
      accountGroups: vaultRepositories.accountGroups,
      credentials: vaultRepositories.credentials,
      users: identityRepositories.users,
      groups: identityRepositories.groups,
      cipher,
      tenantKeys,
      sealer: createHpkeCredentialSealer(),
      events: createDomainEventPublisher({
        sqs: clients.sqs,
        queueUrl: config.eventsQueueUrl,
        dynamo: clients.dynamo,
        table: config.mainTable,
      }),
      tickets: createFetchTicketValidator(),
      email: config.emailFrom ? createSesEmailSender({ client: clients.ses, from: config.emailFrom }) : null,
      audit: recorder,
      clock,
      portalUrl: config.portalUrl,
      allowLoopbackWebhooks: config.allowLoopbackWebhooks,
      onDeliveryError: options.onDeliveryError,
    });
  }

  const rotation = serves('rotation') && vaultRepositories && cipher ? composeRotation() : undefined;
  function composeRotation() {
    if (!vaultRepositories || !cipher) return undefined;
    if (!config.rotationQueueUrl) {
      throw new Error('Strongroom configuration: the rotation context needs the rotation queue URL.');
    }
    const rotations = createRotationRepository({ client: clients.dynamo, table: config.mainTable, writer });
    const rulesFor = (account: AccountRecord) => effectivePasswordRules(vaultRepositories, account);
    // Only the worker runs rotations: it passes the connectors, which no API function bundles.
    const connectorFor = options.connectorFor;
    return {
      engine: connectorFor
        ? createRotationEngine({
            rotations,
            accounts: vaultRepositories.accounts,
            systems: vaultRepositories.systems,
            credentials: vaultRepositories.credentials,
            rulesFor,
            cipher,
            tenantKeys,
            connectorFor,
            clock,
          })
        : undefined,
      service: createRotationService({
        rotations,
        accounts: vaultRepositories.accounts,
        systems: vaultRepositories.systems,
        rulesFor,
        queue: createSqsRotationQueue({ sqs: clients.sqs, queueUrl: config.rotationQueueUrl }),
        clock,
      }),
    };
  }

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
      rotation: rotation?.service,
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
    ...(rotation?.engine ? { rotationEngine: rotation.engine } : {}),
  };
}
