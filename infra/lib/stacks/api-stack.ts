import { CfnOutput, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  HttpApi,
  HttpMethod,
  HttpStage,
  LogGroupLogDestination,
  type ThrottleSettings,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { physicalName } from '../../../shared/platform/resources.ts';
import { type ApiFunctionId, apiFunctions } from '../api-routes.ts';
import { StrongroomFunction } from '../constructs/strongroom-function.ts';
import { functionEnvironment } from '../function-environment.ts';
import { grantAudit, grantIdentity, grantVault } from '../iam/function-grants.ts';
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
}

const grants: Record<ApiFunctionId, (fn: StrongroomFunction, data: DataStack) => void> = {
  identity: grantIdentity,
  vault: grantVault,
  audit: grantAudit,
};

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
 * The public HTTP API and the three context functions behind it.
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

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);

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

    for (const routes of apiFunctions) {
      const fn = new StrongroomFunction(this, routes.constructId, {
        entry: functionEntry(routes.entryFile),
        functionName: physicalName(props.stage, routes.constructId),
        description: routes.description,
        environment,
        logRetention: props.logRetention,
      });
      grants[routes.id](fn, props.data);

      const integration = new HttpLambdaIntegration(`${routes.constructId}Integration`, fn.function);
      for (const path of routes.paths) {
        this.httpApi.addRoutes({ path, methods: [HttpMethod.ANY], integration });
      }
      functions[routes.id] = fn;
    }
    this.functions = functions as Record<ApiFunctionId, StrongroomFunction>;

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
