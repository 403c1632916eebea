import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  HttpApi,
  HttpMethod,
  HttpStage,
  LogGroupLogDestination,
  type ThrottleSettings,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { EventSourceMapping } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import {
  domainEventsQueue,
  physicalName,
  type QueueDefinition,
  rotationQueue,
} from '../../../shared/platform/resources.ts';
import { type AccessSettings, validateAccessSettings } from '../access-settings.ts';
import { type ApiFunctionId, apiFunctions } from '../api-routes.ts';
import { StrongroomFunction } from '../constructs/strongroom-function.ts';
import { accessEnvironment, functionEnvironment, rotationEnvironment } from '../function-environment.ts';
import { generatedKeyFormat } from '../generated-secret.ts';
import {
  type AccessGrantOptions,
  grantAccess,
  grantAccessSweeper,
  grantAudit,
  grantClientAddressKey,
  grantIdentity,
  grantReleaseEvents,
  grantRotation,
  grantRotationScheduler,
  grantRotationWorker,
  grantVault,
} from '../iam/function-grants.ts';
import { functionEntry } from '../paths.ts';
import type { DataStack } from './data-stack.ts';

export interface ApiStackProps extends StackProps {
  readonly stage: string;
  readonly data: DataStack;
  /**
   * Stage-wide default throttling, applied to every route. Per-tenant limits belong in the
   * functions; this only protects the account's Lambda concurrency from a single flood.
   * @default 2,000 requests/s steady, bursts of 4,000 (the per-tenant audit target is ≥ 500 events/s)
   */
  readonly throttle?: ThrottleSettings;
  /** @default RetentionDays.THREE_MONTHS */
  readonly logRetention?: RetentionDays;
  /** Notification sender and portal URL of the access context (see access-settings.ts). */
  readonly access?: AccessSettings;
  /**
   * Whether the stage has a tenant portal that forwards its users' addresses: creates the
   * client-address key ({@link ApiStack.clientAddressKey}) and gives the HTTP API functions its
   * ARN ({@link clientAddressKeyArnEnvVar}) and read access. Without it none of that exists.
   */
  readonly clientAddressForwarding: boolean;
}

/**
 * ARN of the client-address key, in the environment of the HTTP API functions (only when the
 * stage has a portal): the key of the HMAC with which the portal attests the viewer address and
 * user agent it forwards.
 */
export const clientAddressKeyArnEnvVar = 'STRONGROOM_CLIENT_ADDRESS_KEY_ARN';

const grants: Record<
  ApiFunctionId,
  (fn: StrongroomFunction, data: DataStack, options: AccessGrantOptions) => void
> = {
  identity: grantIdentity,
  vault: grantVault,
  access: grantAccess,
  rotation: grantRotation,
  audit: grantAudit,
};

/** Entry module of the access sweeper under functions/src/entry/. */
export const accessSweeperEntryFile = 'access-sweeper.handler.ts';
/** Schedule of the access sweeper. */
export const accessSweepRate = Duration.minutes(1);

/**
 * Lambda refuses an SQS event source mapping whose function may run longer than the queue's
 * visibility timeout; failing the synthesis says so before a deployment half-fails.
 */
function assertWithinVisibility(consumer: string, timeout: Duration, queue: QueueDefinition): void {
  if (timeout.toSeconds() > queue.visibilityTimeoutSeconds) {
    throw new Error(
      `${consumer}: timeout ${timeout.toSeconds()} s exceeds the visibility timeout of queue ${queue.id} (${queue.visibilityTimeoutSeconds} s)`,
    );
  }
}

/** Entry modules of the rotation context's background functions under functions/src/entry/. */
export const rotationWorkerEntryFile = 'rotation-worker.handler.ts';
export const rotationSchedulerEntryFile = 'rotation-scheduler.handler.ts';
export const releaseEventsEntryFile = 'release-events.handler.ts';
/** Schedule of the rotation scheduler. */
export const rotationScheduleRate = Duration.minutes(5);
/**
 * The rotation worker's timeout. The rotation queue's visibility timeout (180 s, resources.ts)
 * must be at least this (Lambda refuses the mapping otherwise), with room for the poller's own
 * latency so that a job still running is not handed to a second worker.
 */
export const rotationWorkerTimeout = Duration.seconds(120);
/**
 * Concurrency caps of the queue consumers (event source mapping `MaximumConcurrency`). On the
 * FIFO rotation queue concurrency already stops at the number of active message groups (system
 * lanes); the cap keeps a fleet-wide rotation from taking the account's Lambda concurrency away
 * from the API, and limits how many targets are contacted at once.
 */
export const rotationWorkerMaxConcurrency = 50;
export const releaseEventsMaxConcurrency = 10;

/**
 * Access log line (JSON). HTTP API context variables only; no headers or query strings, so
 * bearer tokens and credentials can never end up in the access log.
 */
const accessLogFormat = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    extendedRequestId: '$context.extendedRequestId',
    requestTime: '$context.requestTime',
    sourceIp: '$context.identity.sourceIp',
    userAgent: '$context.identity.userAgent',
    httpMethod: '$context.httpMethod',
    routeKey: '$context.routeKey',
    path: '$context.path',
    protocol: '$context.protocol',
    status: '$context.status',
    responseLength: '$context.responseLength',
    responseLatency: '$context.responseLatency',
    integrationStatus: '$context.integrationStatus',
    integrationLatency: '$context.integrationLatency',
    integrationError: '$context.integrationErrorMessage',
    error: '$context.error.message',
  }),
);

/**
 * The public HTTP API and the context functions behind it, plus the background functions: the
 * access sweeper (EventBridge, every minute), the rotation worker (rotation queue), the rotation
 * scheduler (EventBridge, every 5 minutes) and the release-events consumer (domain-events queue).
 *
 * HTTP API (v2) rather than REST API: JWT verification and request validation happen in the
 * functions, so REST-only features (API keys, request validators, WAF on REST) buy nothing here,
 * while HTTP APIs are cheaper and add less latency.
 */
export class ApiStack extends Stack {
  readonly httpApi: HttpApi;
  readonly apiStage: HttpStage;
  readonly accessLogGroup: LogGroup;
  readonly functions: Readonly<Record<ApiFunctionId, StrongroomFunction>>;
  readonly accessSweeper: StrongroomFunction;
  readonly accessSweepSchedule: Rule;
  readonly rotationWorker: StrongroomFunction;
  readonly rotationJobs: EventSourceMapping;
  readonly rotationScheduler: StrongroomFunction;
  readonly rotationSchedule: Rule;
  readonly releaseEvents: StrongroomFunction;
  readonly releaseEventsMapping: EventSourceMapping;
  /**
   * The client-address key, only when {@link ApiStackProps.clientAddressForwarding}: shared by the
   * portal's server function and the HTTP API functions, nothing else may read it.
   */
  readonly clientAddressKey?: Secret;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);

    const access = validateAccessSettings(props.access ?? {});
    const environment = functionEnvironment(props.stage, props.data);
    const functions: Partial<Record<ApiFunctionId, StrongroomFunction>> = {};

    this.httpApi = new HttpApi(this, 'HttpApi', {
      apiName: physicalName(props.stage, 'Api'),
      description: `Strongroom ${props.stage} public API`,
      // The stage is created below, with access logs and throttling.
      createDefaultStage: false,
    });

    this.accessLogGroup = new LogGroup(this, 'AccessLogGroup', {
      retention: props.logRetention ?? RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.apiStage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle ?? { rateLimit: 2_000, burstLimit: 4_000 },
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogGroup),
        format: accessLogFormat,
      },
    });

    // Until a tenant portal is deployed, links in e-mails point at the only URL a stage has.
    const accessEnv = accessEnvironment(props.data, {
      notificationSender: access.notificationSender,
      portalUrl: access.portalUrl ?? this.apiStage.url,
    });
    const grantOptions: AccessGrantOptions = { notificationSender: access.notificationSender };
    const rotationEnv = rotationEnvironment(props.data);
    this.clientAddressKey = props.clientAddressForwarding
      ? this.createClientAddressKey(props.stage)
      : undefined;
    const clientAddressEnv: Record<string, string> = this.clientAddressKey
      ? { [clientAddressKeyArnEnvVar]: this.clientAddressKey.secretArn }
      : {};
    const contextEnvironment: Partial<Record<ApiFunctionId, Record<string, string>>> = {
      access: accessEnv,
      rotation: rotationEnv,
    };

    for (const routes of apiFunctions) {
      const fn = new StrongroomFunction(this, routes.constructId, {
        entry: functionEntry(routes.entryFile),
        functionName: physicalName(props.stage, routes.constructId),
        description: routes.description,
        environment: { ...environment, ...contextEnvironment[routes.id], ...clientAddressEnv },
        logRetention: props.logRetention,
        timeout: routes.timeoutSeconds ? Duration.seconds(routes.timeoutSeconds) : undefined,
      });
      grants[routes.id](fn, props.data, grantOptions);
      if (this.clientAddressKey) grantClientAddressKey(fn, this.clientAddressKey);

      const integration = new HttpLambdaIntegration(`${routes.constructId}Integration`, fn.function);
      for (const path of routes.paths) {
        this.httpApi.addRoutes({ path, methods: [HttpMethod.ANY], integration });
      }
      functions[routes.id] = fn;
    }
    this.functions = functions as Record<ApiFunctionId, StrongroomFunction>;

    this.accessSweeper = new StrongroomFunction(this, 'AccessSweeper', {
      entry: functionEntry(accessSweeperEntryFile),
      functionName: physicalName(props.stage, 'AccessSweeper'),
      description:
        'Strongroom access sweeper: closes lapsed requests and releases, frees their locks, re-sends unsent domain events',
      environment: { ...environment, ...accessEnv },
      logRetention: props.logRetention,
      memorySize: 512,
      // Finishes before the next minute's run is due, so runs do not overlap in normal operation.
      timeout: Duration.seconds(55),
      // One sweep at a time: concurrent sweeps would only race for the same requests.
      reservedConcurrentExecutions: 1,
    });
    grantAccessSweeper(this.accessSweeper, props.data, grantOptions);
    // A failed run is not retried and a throttled one is dropped after a minute: the next
    // scheduled run does the same work, and stale runs would pile up behind the one execution.
    this.accessSweeper.function.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.minutes(1) });
    this.accessSweepSchedule = new Rule(this, 'AccessSweepSchedule', {
      ruleName: physicalName(props.stage, 'AccessSweep'),
      description: `Strongroom ${props.stage}: runs the access sweeper every minute`,
      schedule: Schedule.rate(accessSweepRate),
      targets: [
        new LambdaFunction(this.accessSweeper.function, {
          // If EventBridge cannot hand the event to Lambda, a late sweep is worthless after a minute.
          maxEventAge: Duration.minutes(1),
          retryAttempts: 2,
        }),
      ],
    });

    assertWithinVisibility('RotationWorker', rotationWorkerTimeout, rotationQueue);
    this.rotationWorker = new StrongroomFunction(this, 'RotationWorker', {
      entry: functionEntry(rotationWorkerEntryFile),
      functionName: physicalName(props.stage, 'RotationWorker'),
      description:
        'Strongroom rotation worker: runs rotation jobs from the rotation queue against their target systems',
      environment: { ...environment, ...rotationEnv },
      logRetention: props.logRetention,
      memorySize: 1024,
      timeout: rotationWorkerTimeout,
    });
    const tenantKeyPolicy = grantRotationWorker(this.rotationWorker, props.data);
    // Not `SqsEventSource`: it would grant kms:Decrypt on the platform key without conditions
    // (grantRotationWorker grants the narrow statements instead).
    this.rotationJobs = this.rotationWorker.function.addEventSourceMapping('RotationJobs', {
      eventSourceArn: props.data.queueFor(rotationQueue).queue.queueArn,
      // One job per invocation: jobs run one after another, a target call may take up to 20 s
      // and a job several of them, and a batch can mix message groups (systems). With one job
      // the timeout bounds that job alone, and a slow or unreachable system cannot time out
      // (and so push towards the dead-letter queue) the jobs of other systems.
      batchSize: 1,
      // No batching window: FIFO event sources do not support one.
      reportBatchItemFailures: true,
      maxConcurrency: rotationWorkerMaxConcurrency,
    });
    // The function already depends on its role's default policy (queue and table permissions);
    // the tenant-key policy is separate, so no job may run before it is attached either.
    this.rotationJobs.node.addDependency(tenantKeyPolicy);

    this.rotationScheduler = new StrongroomFunction(this, 'RotationScheduler', {
      entry: functionEntry(rotationSchedulerEntryFile),
      functionName: physicalName(props.stage, 'RotationScheduler'),
      description:
        'Strongroom rotation scheduler: starts due rotations inside their windows, re-queues running ones whose job was lost',
      environment: { ...environment, ...rotationEnv },
      logRetention: props.logRetention,
      memorySize: 512,
      // Up to 500 due accounts per run, a few DynamoDB calls each; far below the 5-minute rate.
      timeout: Duration.seconds(120),
      // One run at a time: concurrent runs would only race to start the same rotations.
      reservedConcurrentExecutions: 1,
    });
    grantRotationScheduler(this.rotationScheduler, props.data);
    // As for the sweeper: the next run redoes the work, stale runs must not pile up.
    this.rotationScheduler.function.configureAsyncInvoke({
      retryAttempts: 0,
      maxEventAge: rotationScheduleRate,
    });
    this.rotationSchedule = new Rule(this, 'RotationSchedule', {
      ruleName: physicalName(props.stage, 'RotationSchedule'),
      description: `Strongroom ${props.stage}: runs the rotation scheduler every 5 minutes`,
      schedule: Schedule.rate(rotationScheduleRate),
      targets: [
        new LambdaFunction(this.rotationScheduler.function, {
          maxEventAge: rotationScheduleRate,
          retryAttempts: 2,
        }),
      ],
    });

    // Under the domain-events queue's 60 s visibility timeout; a batch takes about a second.
    const releaseEventsTimeout = Duration.seconds(30);
    assertWithinVisibility('ReleaseEvents', releaseEventsTimeout, domainEventsQueue);
    this.releaseEvents = new StrongroomFunction(this, 'ReleaseEvents', {
      entry: functionEntry(releaseEventsEntryFile),
      functionName: physicalName(props.stage, 'ReleaseEvents'),
      description:
        'Strongroom release events: starts a rotation when a release that asks for one ends (domain-events queue)',
      environment: { ...environment, ...rotationEnv },
      logRetention: props.logRetention,
      memorySize: 512,
      timeout: releaseEventsTimeout,
    });
    grantReleaseEvents(this.releaseEvents, props.data);
    this.releaseEventsMapping = this.releaseEvents.function.addEventSourceMapping('DomainEvents', {
      eventSourceArn: props.data.queueFor(domainEventsQueue).queue.queueArn,
      batchSize: 10,
      reportBatchItemFailures: true,
      maxConcurrency: releaseEventsMaxConcurrency,
    });

    // Acknowledged on the API, so it covers every route beneath it.
    Validations.of(this.httpApi).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'Authorization is enforced in the functions: they verify the Strongroom-issued JWT (signature against our own JWKS, issuer, audience, expiry) and then authorize per tenant and role, which an API Gateway authorizer cannot express. Some routes are public by design (/v1/auth/*, /.well-known/jwks.json, /v1/openapi.json, /v1/reference).',
    });

    new CfnOutput(this, 'ApiUrl', {
      value: this.apiStage.url,
      description: 'Base URL of the Strongroom API',
    });
  }

  /**
   * The key with which the portal attests the viewer address and user agent it forwards to the
   * API (HMAC; format: {@link generatedKeyFormat}). In this stack, not the portal's, because the
   * portal stack already depends on this one (it takes the API URL); the portal gets it as a prop.
   * Encrypted with Secrets Manager's AWS managed key, like the portal's secrets: the one
   * GetSecretValue grant of each reader (the HTTP API functions here, the portal function there)
   * is what gates it.
   *
   * Rotation is an operator's step (docs/operations.md): put a new value, then make the API
   * functions and the portal function start new instances. Meanwhile the two sides may hold
   * different keys; the API then refuses the forwarded address and records the portal's own, so
   * source-network conditions fail closed: no request is wrongly allowed.
   */
  private createClientAddressKey(stage: string): Secret {
    const secret = new Secret(this, 'ClientAddressKey', {
      description: `Strongroom ${stage}: key with which the portal signs the viewer address and user agent it forwards to the API (43 base64url characters = 32 bytes)`,
      generateSecretString: generatedKeyFormat,
      // Protects nothing stored: it only attests requests in flight, so it is not retained.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        "Operator-rotated: put a new value, then make the API functions and the portal function start new instances (an instance may keep the key it read). While the two sides hold different keys the API refuses the forwarded address and records the portal function's own, so source-network conditions of access policies fail closed for portal users; no request is wrongly allowed. Scheduled rotation would need a rotation function and both sides accepting two keys during the change; the operator's procedure needs neither.",
    });
    return secret;
  }
}
