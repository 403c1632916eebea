/**
 * `npm start`: the whole of Strongroom on this machine.
 *
 *   - installs the local AWS stack if missing (DynamoDB Local, moto) into .cache/,
 *   - starts it with data kept in .data/ (`--fresh` wipes it first),
 *   - creates tables, queues, keys and the bucket from shared/platform/resources.ts,
 *   - seeds the provider operator (STRONGROOM_OPERATOR_EMAIL / STRONGROOM_OPERATOR_PASSWORD) and
 *     the demo tenant,
 *   - serves the API on http://127.0.0.1:8787 (PORT overrides) and runs the workers (rotation
 *     worker, release events, access sweeper every minute, rotation scheduler every 5 minutes),
 *   - builds the tenant portal if its sources changed and serves it on http://127.0.0.1:3000
 *     (WEB_PORT overrides), talking to that API,
 *
 * until Ctrl-C, which stops everything.
 */

import { randomBytes } from 'node:crypto';
import { SQSClient } from '@aws-sdk/client-sqs';
import { connectorFor } from '@strongroom/connectors/index';
import { accessContext } from '@strongroom/functions/compose-access';
import { rotationContext } from '@strongroom/functions/compose-rotation';
import { compose, createAwsClients } from '@strongroom/functions/composition-root';
import { configFromEnvironment } from '@strongroom/functions/config';
import { startApiServer } from '@strongroom/functions/local-server';
import { createLogger } from '@strongroom/functions/observability/logger';
import { startLocalWorkers } from '@strongroom/functions/workers/local-workers';
import { bootstrapLocalResources } from './bootstrap.ts';
import { demoTenant, seedDemoTenant } from './demo-seed.ts';
import { ensureLocalStackInstalled } from './install.ts';
import { defaultDataDirectory } from './paths.ts';
import { ensurePortalBuilt, localSessionSecret, type PortalServer, startPortal } from './portal.ts';
import { startLocalStack } from './stack.ts';

const fresh = process.argv.includes('--fresh');
const port = Number(process.env.PORT ?? 8787);
if (!Number.isInteger(port) || port < 0 || port > 65_535)
  throw new Error(`PORT must be a port number, not ${process.env.PORT}`);
const webPort = Number(process.env.WEB_PORT ?? 3000);
if (!Number.isInteger(webPort) || webPort < 0 || webPort > 65_535)
  throw new Error(`WEB_PORT must be a port number, not ${process.env.WEB_PORT}`);
const operator = {
  email: process.env.STRONGROOM_OPERATOR_EMAIL ?? 'operator@strongroom.local',
  password: process.env.STRONGROOM_OPERATOR_PASSWORD ?? 'local-operator-passphrase',
};
const say = (line: string) => console.log(`[strongroom] ${line}`);

// The portal builds (about a minute on a new clone) while the emulators start.
const portalBuild = ensurePortalBuilt((line) => say(`  portal: ${line}`));
portalBuild.catch(() => {});
say('checking the local AWS stack installation (first run downloads DynamoDB Local and moto)…');
await ensureLocalStackInstalled((line) => say(`  ${line}`));
say(`starting DynamoDB Local and moto (data in ${defaultDataDirectory}${fresh ? ', wiped first' : ''})…`);
const stack = await startLocalStack({
  dataDirectory: defaultDataDirectory,
  fresh,
  log: (line) => say(`  ${line}`),
});

let stopping = false;
const stopAll = async (code: number) => {
  if (stopping) return;
  stopping = true;
  say('stopping…');
  await portal?.stop().catch(() => {});
  await workers?.stop().catch(() => {});
  await server?.close().catch(() => {});
  await stack.stop();
  process.exit(code);
};
process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

let server: Awaited<ReturnType<typeof startApiServer>> | undefined;
let workers: ReturnType<typeof startLocalWorkers> | undefined;
let portal: PortalServer | undefined;
try {
  const resources = await bootstrapLocalResources(stack.env, { stage: 'local' });
  Object.assign(process.env, stack.env, resources);
  process.env.STRONGROOM_LOG_LEVEL ??= 'info';
  const config = configFromEnvironment();
  const clients = { ...createAwsClients(), sqs: new SQSClient({}) };
  const logger = createLogger({ service: 'strongroom-local', level: config.logLevel });
  const composition = compose({
    config,
    clients,
    contexts: ['identity', 'vault', 'access', 'rotation', 'audit'],
    modules: [accessContext, rotationContext(connectorFor)],
    onDeliveryError: (error) =>
      logger.warn('delivery failed', { error: error instanceof Error ? error.name : 'unknown' }),
  });
  const operatorCreated = await composition.services.identity!.ensureProviderOperator(
    operator.email,
    operator.password,
  );
  // Shared by the API and the portal only, new at every start: the portal signs with it the
  // address and browser of each user it forwards.
  const clientAddressKey = randomBytes(32).toString('base64url');
  server = await startApiServer({ composition, logger, port, clientAddressKey });
  workers = startLocalWorkers({ composition, config, sqs: clients.sqs, logger });
  const demoCreated = await seedDemoTenant(server.url, operator);
  await portalBuild;
  portal = await startPortal({
    apiUrl: server.url,
    port: webPort,
    sessionSecret: localSessionSecret(defaultDataDirectory),
    clientAddressKey,
    env: { STRONGROOM_WEB_DEFAULT_TENANT: demoTenant.slug },
  });
  console.log(`
  Strongroom is running.

    Portal         ${portal.url}   (sign in as any demo user below)
    API            ${server.url}
    OpenAPI        ${server.url}/v1/openapi.json
    Reference      ${server.url}/v1/reference

    Provider operator (tenant "provider")${operatorCreated ? ' — created now' : ''}
      ${operator.email} / ${process.env.STRONGROOM_OPERATOR_PASSWORD ? '(from STRONGROOM_OPERATOR_PASSWORD)' : operator.password}

    Demo tenant "${demoTenant.slug}"${demoCreated ? ' — seeded now' : ''}, password ${demoTenant.password}
${demoTenant.users.map((u) => `      ${u.email.padEnd(34)} ${u.roles.join(', ')}`).join('\n')}

    Sign in:
      curl -s ${server.url}/v1/auth/login -H 'content-type: application/json' \\
        -d '{"tenant":"${demoTenant.slug}","email":"${demoTenant.users[0].email}","password":"${demoTenant.password}"}'

  Data persists in .data/ (npm start -- --fresh wipes it). Ctrl-C stops everything.
`);
} catch (error) {
  console.error(error);
  await stopAll(1);
}
