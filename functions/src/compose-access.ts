import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createAccessService } from '@strongroom/shared/access/access.service';
import { createHpkeCredentialSealer } from './adapters/crypto/hpke-credential-sealer.ts';
import { createAccessRepositories } from './adapters/dynamo/access.repo.dynamo.ts';
import { createSesEmailSender } from './adapters/email/email-sender.ses.ts';
import { createFetchTicketValidator } from './adapters/http/ticket-validator.fetch.ts';
import { createDomainEventPublisher } from './adapters/sqs/domain-event-publisher.ts';
import type { CompositionParts, ContextModule } from './composition-root.ts';

/**
 * The access context's composition. A module of its own, imported only by the entries that serve
 * access (and the local stack and tests), so that other functions do not bundle its adapters
 * (HPKE, SES, SQS) or pay for them at cold start.
 */
export const accessContext: ContextModule<'access'> = {
  context: 'access',
  compose(parts: CompositionParts) {
    const { config, clients, writer, clock, vaultRepositories, identityRepositories } = parts;
    if (!config.eventsQueueUrl) {
      throw new Error('Strongroom configuration: the access context needs the domain-events queue URL.');
    }
    const accessRepositories = createAccessRepositories({
      client: clients.dynamo,
      table: config.mainTable,
      writer,
      clock,
    });
    return {
      access: createAccessService({
        policies: accessRepositories.accessPolicies,
        requests: accessRepositories.accessRequests,
        notifications: accessRepositories.notifications,
        accounts: vaultRepositories.accounts,
        systems: vaultRepositories.systems,
        accountGroups: vaultRepositories.accountGroups,
        credentials: vaultRepositories.credentials,
        users: identityRepositories.users,
        groups: identityRepositories.groups,
        cipher: parts.cipher,
        tenantKeys: parts.tenantKeys,
        sealer: createHpkeCredentialSealer(),
        events: createDomainEventPublisher({
          sqs: clients.sqs ?? new SQSClient({}),
          queueUrl: config.eventsQueueUrl,
          dynamo: clients.dynamo,
          table: config.mainTable,
        }),
        tickets: createFetchTicketValidator(),
        email: config.emailFrom
          ? createSesEmailSender({ client: clients.ses ?? new SESv2Client({}), from: config.emailFrom })
          : null,
        audit: parts.recorder,
        clock,
        portalUrl: config.portalUrl,
        allowLoopbackWebhooks: config.allowLoopbackWebhooks,
        onDeliveryError: parts.onDeliveryError,
      }),
    };
  },
};
