import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Context } from 'hono';
import { handle } from 'hono/aws-lambda';
import { createClientAddressKeySource } from '../adapters/secrets/client-address-key.ts';
import {
  type BoundedContext,
  type CompositionOptions,
  compose,
  createAwsClients,
} from '../composition-root.ts';
import { configFromEnvironment } from '../config.ts';
import { createApiApp } from '../http/api-app.ts';
import { createLogger } from '../observability/logger.ts';

interface HttpApiEvent {
  readonly requestContext?: { readonly requestId?: string; readonly http?: { readonly sourceIp?: string } };
}

const eventOf = (c: Context): HttpApiEvent => (c.env as { event?: HttpApiEvent } | undefined)?.event ?? {};

/**
 * A Lambda handler for API Gateway HTTP API (payload 2.0) serving some bounded contexts. Built
 * once per execution environment (at init), so warm invocations only route.
 */
export function createLambdaHandler(
  service: string,
  contexts: readonly BoundedContext[],
  modules: CompositionOptions['modules'] = [],
) {
  const config = configFromEnvironment();
  const logger = createLogger({ service, level: config.logLevel });
  const composition = compose({
    config,
    clients: createAwsClients(),
    contexts,
    modules,
    // Notifications and first event sends are best effort after the commit; say when they fail.
    onDeliveryError: (error) =>
      logger.warn('delivery failed', { error: error instanceof Error ? error.name : 'unknown' }),
  });
  const app = createApiApp({
    services: composition.services,
    verifyAccessToken: composition.verifyAccessToken,
    logger,
    // API Gateway's view of the caller: the TCP peer, not a client-supplied header.
    sourceIpOf: (c) => eventOf(c).requestContext?.http?.sourceIp ?? 'unknown',
    requestIdOf: (c) => eventOf(c).requestContext?.requestId,
    // The portal's key, read when a request first forwards a user's address.
    clientAddressKey: createClientAddressKeySource({
      inline: config.clientAddressKey,
      secretArn: config.clientAddressKeyArn,
      secretsManager: () => new SecretsManagerClient({}),
    }),
  });
  return handle(app);
}
