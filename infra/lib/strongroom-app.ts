import { type App, Duration, type Environment } from 'aws-cdk-lib';
import { rotationQueue } from '../../shared/platform/resources.ts';
import type { AccessSettings } from './access-settings.ts';
import type { StrongroomFunction } from './constructs/strongroom-function.ts';
import type { PortalSettings } from './portal-settings.ts';
import { ApiStack } from './stacks/api-stack.ts';
import { DataStack } from './stacks/data-stack.ts';
import { ObservabilityStack } from './stacks/observability-stack.ts';
import { PortalStack } from './stacks/portal-stack.ts';

export interface StrongroomStacks {
  readonly data: DataStack;
  readonly api: ApiStack;
  /** Only when {@link StrongroomOptions.portal} is given. */
  readonly portal?: PortalStack;
  readonly observability: ObservabilityStack;
}

/** The tenant portal of a stage: where its OpenNext output is, and how it is served. */
export interface PortalOptions extends PortalSettings {
  /** A complete OpenNext output (bin/strongroom.ts resolves or builds it, see portal-build.ts). */
  readonly openNextDir: string;
}

export interface StrongroomOptions {
  readonly stage: string;
  /** Omit for an environment-agnostic synth (no account needed). */
  readonly env?: Environment;
  /** Notification sender and portal URL (bin/strongroom.ts reads them from the CDK context). */
  readonly access?: AccessSettings;
  /** The tenant portal; omitted, the stage has none (the tests of the other stacks omit it). */
  readonly portal?: PortalOptions;
}

/** Stack name for one concern of one stage, e.g. `Strongroom-dev-Data`. */
export const stackName = (stage: string, concern: string): string => `Strongroom-${stage}-${concern}`;

/**
 * Adds the Strongroom stacks of one stage to an app. Shared by bin/strongroom.ts and the tests
 * so that what is tested is exactly what is deployed.
 *
 * Dependency order: data <- api <- portal <- observability (CDK derives it from the cross-stack
 * references).
 */
export function addStrongroomStacks(app: App, options: StrongroomOptions): StrongroomStacks {
  const { stage, env, access, portal: portalOptions } = options;
  const data = new DataStack(app, stackName(stage, 'Data'), {
    env,
    stage,
    description: `Strongroom ${stage}: keys, tables, data bucket, queues`,
    terminationProtection: stage === 'prod',
  });
  const api = new ApiStack(app, stackName(stage, 'Api'), {
    env,
    stage,
    data,
    access,
    // The portal forwards its users' addresses, attested with a key this stack creates.
    clientAddressForwarding: Boolean(portalOptions),
    description: `Strongroom ${stage}: HTTP API, functions, access sweeper, rotation worker, scheduler and release-events consumer`,
  });
  const portal = portalOptions
    ? new PortalStack(app, stackName(stage, 'Portal'), {
        env,
        stage,
        openNextDir: portalOptions.openNextDir,
        apiUrl: api.apiStage.url,
        // Created by the api stack because clientAddressForwarding is on whenever there is a portal.
        clientAddressKey: api.clientAddressKey!,
        settings: portalOptions,
        description: `Strongroom ${stage}: tenant portal (CloudFront, Next.js server function, static assets)`,
      })
    : undefined;
  const watched = (fn: StrongroomFunction) => ({
    name: fn.node.id,
    resource: fn.function,
  });
  const observability = new ObservabilityStack(app, stackName(stage, 'Observability'), {
    env,
    stage,
    description: `Strongroom ${stage}: alarms and dashboard`,
    functions: [
      ...Object.values(api.functions),
      api.accessSweeper,
      api.rotationWorker,
      api.rotationScheduler,
      api.releaseEvents,
      ...(portal ? [portal.serverFunction] : []),
    ].map(watched),
    scheduledFunctions: [
      // Runs every minute: no invocation for five minutes means the schedule stopped.
      { ...watched(api.accessSweeper), notInvokedFor: Duration.minutes(5) },
      // Runs every 5 minutes: three missed runs in a row.
      { ...watched(api.rotationScheduler), notInvokedFor: Duration.minutes(15) },
    ],
    httpApi: { name: 'Api', resource: api.httpApi },
    deadLetterQueues: data.queues.map(({ definition, deadLetterQueue }) => ({
      name: `${definition.id}Dlq`,
      resource: deadLetterQueue,
    })),
    // A rotation job waiting this long means the worker is not keeping up, is failing, or one
    // system lane is stuck (FIFO: a job being retried holds back its lane).
    queueLag: [
      {
        name: rotationQueue.id,
        resource: data.queueFor(rotationQueue).queue,
        maxAge: Duration.minutes(15),
      },
    ],
  });
  return { data, api, portal, observability };
}
