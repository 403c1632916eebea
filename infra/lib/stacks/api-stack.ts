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
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { physicalName } from '../../../shared/platform/resources.ts';
import { type AccessSettings, validateAccessSettings } from '../access-settings.ts';
import { type ApiFunctionId, apiFunctions } from '../api-routes.ts';
import { StrongroomFunction } from '../constructs/strongroom-function.ts';
import { accessEnvironment, functionEnvironment } from '../function-environment.ts';
import {
  type AccessGrantOptions,
  grantAccess,
  grantAccessSweeper,
  grantAudit,
  grantIdentity,
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
}

const grants: Record<
  ApiFunctionId,
  (fn: StrongroomFunction, data: DataStack, options: AccessGrantOptions) => void
> = {
  identity: grantIdentity,
  vault: grantVault,
  access: grantAccess,
  audit: grantAudit,
};

/** Entry module of the access sweeper under functions/src/entry/. */
export const accessSweeperEntryFile = 'access-sweeper.handler.ts';
/** Schedule of the access sweeper. */
export const accessSweepRate = Duration.minutes(1);

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
 * The public HTTP API and the context functions behind it, plus the access sweeper that
 * EventBridge runs every minute.
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

    for (const routes of apiFunctions) {
      const fn = new StrongroomFunction(this, routes.constructId, {
        entry: functionEntry(routes.entryFile),
        functionName: physicalName(props.stage, routes.constructId),
        description: routes.description,
        environment: routes.id === 'access' ? { ...environment, ...accessEnv } : environment,
        logRetention: props.logRetention,
        timeout: routes.timeoutSeconds ? Duration.seconds(routes.timeoutSeconds) : undefined,
      });
      grants[routes.id](fn, props.data, grantOptions);

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
}
