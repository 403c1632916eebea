import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AllowedMethods,
  type BehaviorOptions,
  CachePolicy,
  Function as CloudFrontFunction,
  Distribution,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  OriginRequestPolicy,
  ResponseHeadersPolicy,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { FunctionUrlOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { type FunctionUrl, FunctionUrlAuthType, InvokeMode } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { BucketDeployment, CacheControl, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { physicalName } from '../../../shared/platform/resources.ts';
import { StrongroomFunction } from '../constructs/strongroom-function.ts';
import { generatedKeyFormat } from '../generated-secret.ts';
import { wildcardResourceFinding } from '../nag-findings.ts';
import { type OpenNextOutput, readOpenNextOutput } from '../portal-build.ts';
import type { PortalSettings } from '../portal-settings.ts';

export interface PortalStackProps extends StackProps {
  readonly stage: string;
  /**
   * A complete OpenNext output of the portal (`web/.open-next`, see portal-build.ts). A directory,
   * not a build step: the CDK app builds it beforehand when needed, tests pass a fake one.
   */
  readonly openNextDir: string;
  /** Base URL of the Strongroom HTTP API (the api stack's stage URL): STRONGROOM_API_URL. */
  readonly apiUrl: string;
  /**
   * The client-address key (the api stack's `clientAddressKey`): the portal signs the viewer's
   * address and user agent with it for the API. Created in the api stack, which the portal stack
   * already depends on.
   */
  readonly clientAddressKey: ISecret;
  /** Custom domain and certificate, web ACL (see portal-settings.ts). @default none */
  readonly settings?: PortalSettings;
  /** @default RetentionDays.THREE_MONTHS */
  readonly logRetention?: RetentionDays;
}

/**
 * Cache-Control of the content-hashed build output under `_next/static/`: a file of that name never
 * changes, so browsers and CloudFront keep it for a year.
 */
export const immutableCacheControl = 'public, max-age=31536000, immutable';
/** Cache-Control of the files of `web/public` (same names across deployments). */
export const publicFileCacheControl = 'public, max-age=3600';

/**
 * The header CloudFront adds to every request it sends to the server function, with the value of
 * the origin-verify secret; the portal's proxy (web/proxy.ts) refuses a request without it.
 */
export const originVerifyHeader = 'x-strongroom-origin-verify';
/** ARN of the origin-verify secret, in the server function's environment. */
export const originVerifySecretArnEnvVar = 'STRONGROOM_WEB_ORIGIN_SECRET_ARN';
/** ARN of the session-key secret, in the server function's environment. */
export const sessionSecretArnEnvVar = 'STRONGROOM_WEB_SESSION_SECRET_ARN';
/**
 * ARN of the client-address key (the api stack's), in the server function's environment: the
 * key of the HMAC with which the portal attests the viewer address and user agent it forwards to
 * the API.
 */
export const portalClientAddressKeyArnEnvVar = 'STRONGROOM_WEB_CLIENT_ADDRESS_KEY_ARN';
/**
 * The request header in which CloudFront hands the portal the viewer's IP address (set by the
 * viewer-request function below from `event.viewer.ip`, overwriting whatever the viewer sent).
 */
export const viewerAddressHeader = 'x-strongroom-viewer-address';
/** Name of {@link viewerAddressHeader}, in the server function's environment. */
export const viewerAddressHeaderEnvVar = 'STRONGROOM_WEB_VIEWER_ADDRESS_HEADER';

/**
 * Viewer-request function of the server behaviour (CloudFront Functions, JavaScript 2.0). Both
 * headers are always overwritten (or removed), so a viewer can choose neither:
 *
 * - `x-forwarded-host` = the host the browser asked for. The origin request policy forwards every
 *   viewer header except Host (Lambda finds the function by the function URL's own host), and
 *   OpenNext takes the request's host from `x-forwarded-host`: without it Next would see the
 *   function URL's host, and Server Actions, which compare it with the Origin header, would refuse
 *   every call.
 * - {@link viewerAddressHeader} = `event.viewer.ip`, the address the viewer's connection to
 *   CloudFront came from (IPv4 or IPv6; a proxy's, when the viewer uses one). The portal forwards
 *   it, signed, to the API as the caller's source address; the function URL never sees the
 *   viewer's connection itself, only CloudFront's.
 */
const viewerRequestCode = `function handler(event) {
  var request = event.request;
  var host = request.headers.host;
  if (host) request.headers['x-forwarded-host'] = { value: host.value };
  else delete request.headers['x-forwarded-host'];
  request.headers['${viewerAddressHeader}'] = { value: event.viewer.ip };
  return request;
}`;

/**
 * The tenant portal (web/, Next.js built with OpenNext) on CloudFront:
 *
 *   browser ─HTTPS─▶ CloudFront ─┬─ /_next/static/*, public files ─OAC─▶ S3 (assets bucket)
 *                                └─ everything else ─+ x-strongroom-origin-verify─▶ function URL
 *                                                       (auth NONE) ─▶ server function ─▶ HTTP API
 *
 * Pages are never cached (every one is rendered per user, per request, with its own CSP nonce);
 * the content-hashed build output is cached for a year. The session-cookie key lives in Secrets
 * Manager, read by the function at run time, never in the template or the function's environment.
 *
 * The viewer's address. The API sees the server function as the caller; so CloudFront's
 * viewer-request function puts the viewer's IP into {@link viewerAddressHeader}, and the portal
 * forwards it (and the user agent) to the API attested with an HMAC under the client-address key,
 * a secret of the api stack that only the portal function and the API's HTTP functions may read
 * ({@link portalClientAddressKeyArnEnvVar}; see `clientAddressKey` in api-stack.ts).
 *
 * Why the function URL takes no IAM auth. With origin access control in front of a function URL
 * (auth AWS_IAM), CloudFront signs each origin request, but for a PUT or POST with a body Lambda
 * checks the signature against the body's SHA-256, which the viewer itself must send in
 * `x-amz-content-sha256`. Browsers do not, so sign-in and every Server Action would be refused
 * with 403 before the function runs. Signing at the edge instead would take Lambda@Edge (x86 only,
 * in us-east-1, a region-pinned stack). So the URL is public (auth NONE: anyone who learns it can
 * send it requests), and the gate is a shared secret instead: CloudFront adds the origin custom
 * header {@link originVerifyHeader} to every request to the function, with the value of the
 * origin-verify secret (overwriting a header of that name from the viewer), and the portal's proxy
 * reads that secret once per function instance ({@link originVerifySecretArnEnvVar}) and answers
 * 403 to any request without the matching header. The URL thus serves CloudFront alone, with its
 * TLS policy, logging, security headers and web ACL.
 *
 * The template holds only a dynamic reference to the secret (`{{resolve:secretsmanager:…}}`),
 * resolved by CloudFormation at deployment; but the value is then part of the distribution's
 * configuration, readable by anyone allowed `cloudfront:GetDistribution(Config)`. That is why it
 * is a secret of its own, worth nothing but passing this gate, and never the session key.
 *
 * Rotation: CloudFormation resolves a dynamic reference again only when the reference itself
 * changes, so a new value put into the secret would reach new function instances but never
 * CloudFront, and those instances would refuse everything. Rotate by redeploying with the next
 * generation (`-c portalOriginVerifyGeneration=2`, see portal-settings.ts): that replaces the
 * secret, and with its ARN the distribution's header and the function's environment change in the
 * same deployment. Until the distribution has deployed its new configuration (minutes), some requests
 * still carry the old value and are refused; rotate at a quiet hour.
 */
export class PortalStack extends Stack {
  readonly openNext: OpenNextOutput;
  readonly serverFunction: StrongroomFunction;
  readonly functionUrl: FunctionUrl;
  readonly sessionSecret: Secret;
  /** The value CloudFront sends in {@link originVerifyHeader}. */
  readonly originVerifySecret: Secret;
  readonly assetsBucket: Bucket;
  readonly logBucket: Bucket;
  readonly distribution: Distribution;
  readonly securityHeaders: ResponseHeadersPolicy;
  /** `https://` + the portal's domain (its own, or the distribution's). */
  readonly portalUrl: string;

  constructor(scope: Construct, id: string, props: PortalStackProps) {
    super(scope, id, props);
    const settings = props.settings ?? {};
    this.openNext = readOpenNextOutput(props.openNextDir);

    this.logBucket = this.createLogBucket();
    this.assetsBucket = this.createAssetsBucket();
    this.sessionSecret = this.createSessionSecret(props.stage);
    this.originVerifySecret = this.createOriginVerifySecret(
      props.stage,
      settings.originVerifyGeneration ?? 1,
    );

    this.serverFunction = new StrongroomFunction(this, 'PortalServer', {
      prebuilt: this.openNext.serverFunction,
      functionName: physicalName(props.stage, 'PortalServer'),
      description: 'Strongroom tenant portal: Next.js server (OpenNext), behind CloudFront',
      environment: {
        STRONGROOM_API_URL: props.apiUrl,
        [sessionSecretArnEnvVar]: this.sessionSecret.secretArn,
        [originVerifySecretArnEnvVar]: this.originVerifySecret.secretArn,
        [portalClientAddressKeyArnEnvVar]: props.clientAddressKey.secretArn,
        [viewerAddressHeaderEnvVar]: viewerAddressHeader,
      },
      logRetention: props.logRetention,
      memorySize: 1024,
      // The API functions answer within 10 s; a page makes a few calls in parallel.
      timeout: Duration.seconds(15),
    });
    this.serverFunction.addToRolePolicy(
      new PolicyStatement({
        sid: 'ReadSessionSecret',
        actions: ['secretsmanager:GetSecretValue'],
        resources: [this.sessionSecret.secretArn],
      }),
    );
    this.serverFunction.addToRolePolicy(
      new PolicyStatement({
        sid: 'ReadOriginVerifySecret',
        actions: ['secretsmanager:GetSecretValue'],
        resources: [this.originVerifySecret.secretArn],
      }),
    );
    // The api stack's secret; its rotation is described there (api-stack.ts).
    this.serverFunction.addToRolePolicy(
      new PolicyStatement({
        sid: 'ReadClientAddressKey',
        actions: ['secretsmanager:GetSecretValue'],
        resources: [props.clientAddressKey.secretArn],
      }),
    );
    // Public: the origin-verify header is the gate (see the class comment). CDK adds the two
    // resource-policy statements such a URL needs (InvokeFunctionUrl for auth NONE, and
    // InvokeFunction only via the function URL); nobody may invoke the function directly.
    this.functionUrl = this.serverFunction.function.addFunctionUrl({
      authType: FunctionUrlAuthType.NONE,
      invokeMode: InvokeMode.BUFFERED,
    });

    this.securityHeaders = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: `Strongroom ${props.stage} portal: security headers (the CSP is set per request by the portal)`,
      securityHeadersBehavior: {
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(730),
          includeSubdomains: true,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
    });

    // Construct id kept from when it set x-forwarded-host alone: a new id would replace the function.
    const viewerRequest = new CloudFrontFunction(this, 'ForwardedHost', {
      comment: `Portal: x-forwarded-host = viewer Host, ${viewerAddressHeader} = viewer IP`,
      runtime: FunctionRuntime.JS_2_0,
      code: FunctionCode.fromInline(viewerRequestCode),
    });

    const serverBehavior: BehaviorOptions = {
      origin: new FunctionUrlOrigin(this.functionUrl, {
        // Longer than the function's timeout, so that a slow render ends as the function's error.
        readTimeout: Duration.seconds(20),
        // A dynamic reference in the template ({{resolve:secretsmanager:…}}), not the value.
        customHeaders: { [originVerifyHeader]: this.originVerifySecret.secretValue.unsafeUnwrap() },
      }),
      viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: AllowedMethods.ALLOW_ALL,
      cachePolicy: CachePolicy.CACHING_DISABLED,
      originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      responseHeadersPolicy: this.securityHeaders,
      functionAssociations: [{ function: viewerRequest, eventType: FunctionEventType.VIEWER_REQUEST }],
    };
    const assetsOrigin = S3BucketOrigin.withOriginAccessControl(this.assetsBucket);
    const assetBehavior: BehaviorOptions = {
      origin: assetsOrigin,
      viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
      // Honours the objects' Cache-Control (set by the deployments below); compressed at the edge.
      cachePolicy: CachePolicy.CACHING_OPTIMIZED,
      compress: true,
      responseHeadersPolicy: this.securityHeaders,
    };
    const additionalBehaviors: Record<string, BehaviorOptions> = { '/_next/static/*': assetBehavior };
    for (const asset of this.openNext.publicAssets) {
      additionalBehaviors[asset.isDirectory ? `/${asset.name}/*` : `/${asset.name}`] = assetBehavior;
    }

    const customDomain =
      settings.domainName && settings.certificateArn
        ? {
            domainNames: [settings.domainName],
            certificate: Certificate.fromCertificateArn(this, 'Certificate', settings.certificateArn),
            minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
          }
        : {};

    this.distribution = new Distribution(this, 'Distribution', {
      comment: `Strongroom ${props.stage} tenant portal`,
      defaultBehavior: serverBehavior,
      additionalBehaviors,
      httpVersion: HttpVersion.HTTP2_AND_3,
      enableLogging: true,
      logBucket: this.logBucket,
      logFilePrefix: 'cloudfront/',
      // Cookies carry the sealed session: never into the logs.
      logIncludesCookies: false,
      webAclId: settings.webAclArn,
      ...customDomain,
    });
    this.portalUrl = `https://${settings.domainName ?? this.distribution.distributionDomainName}`;

    this.deployAssets();
    this.acknowledgeFindings(settings);

    new CfnOutput(this, 'PortalUrl', { value: this.portalUrl, description: 'URL of the tenant portal' });
    new CfnOutput(this, 'DistributionDomainName', {
      value: this.distribution.distributionDomainName,
      description: 'CloudFront domain of the portal (the target of the custom domain DNS record)',
    });
  }

  /**
   * Destination of the distribution's standard logs and of the assets bucket's server access
   * logs. CloudFront's standard logging writes with an ACL grant, so ACLs stay enabled (object
   * writer's ACLs, bucket owner preferred); public access stays blocked. S3 log delivery only
   * supports SSE-S3 on the target bucket.
   */
  private createLogBucket(): Bucket {
    const bucket = new Bucket(this, 'LogBucket', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      lifecycleRules: [{ id: 'ExpireLogs', expiration: Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This bucket is the log destination of the portal distribution and assets bucket; logging it into itself would create a log loop, and a third log bucket would only move the finding.',
    });
    return bucket;
  }

  /** The portal's static files, read by CloudFront alone (OAC); nothing in it is secret. */
  private createAssetsBucket(): Bucket {
    return new Bucket(this, 'AssetsBucket', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: 'assets-bucket/',
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /**
   * The key that seals the portal's session cookie (format: {@link generatedKeyFormat}).
   * Encrypted with Secrets Manager's AWS managed key: only the portal function reads it, and its
   * one IAM grant (GetSecretValue on this secret) is what gates that.
   */
  private createSessionSecret(stage: string): Secret {
    const secret = new Secret(this, 'SessionSecret', {
      description: `Strongroom ${stage} portal: session-cookie key (43 base64url characters = 32 bytes)`,
      generateSecretString: generatedKeyFormat,
      // Losing it signs every portal user out, nothing more.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The key only seals the portal session cookie (15 minutes of inactivity at most); a new value signs every user out, so it is replaced by an operator (put-secret-value, then a new portal function version) rather than on a schedule without dual-key support in the portal.',
    });
    return secret;
  }

  /**
   * The value of the origin-verify header (format: {@link generatedKeyFormat}), separate from the
   * session key because the distribution's configuration shows it. Each generation is a new
   * secret (a new logical id): replacing it is how it is rotated (see the class comment); the
   * previous one is deleted with the deployment.
   */
  private createOriginVerifySecret(stage: string, generation: number): Secret {
    const secret = new Secret(
      this,
      generation === 1 ? 'OriginVerifySecret' : `OriginVerifySecret${generation}`,
      {
        description: `Strongroom ${stage} portal: value of the ${originVerifyHeader} header CloudFront sends to the portal function (generation ${generation})`,
        generateSecretString: generatedKeyFormat,
        // Replaced, not kept, on rotation: once CloudFront sends the new value, the old is worthless.
        removalPolicy: RemovalPolicy.DESTROY,
      },
    );
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Its value is copied into the CloudFront distribution by CloudFormation, which Secrets Manager rotation cannot update; it is rotated by a deployment with the next portalOriginVerifyGeneration, which replaces the secret and updates the distribution and the function together.',
    });
    return secret;
  }

  /**
   * Two deployments of the assets: the content-hashed `_next/static` files, never pruned (pages
   * still open in a browser keep loading the chunks of the build they came from), and the public
   * files, pruned (the sync's delete leaves the excluded `_next/static` files alone).
   */
  private deployAssets(): void {
    // One asset for both deployments (each filters it at sync time).
    const asset = new Asset(this, 'Assets', { path: this.openNext.assetsDirectory, exclude: ['BUILD_ID'] });
    const source = Source.bucket(asset.bucket, asset.s3ObjectKey);
    const logGroup = new LogGroup(this, 'AssetDeploymentLogGroup', {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // A role of our own instead of the default one with AWSLambdaBasicExecutionRole (every log
    // group of the account): this one writes to its own log group only. BucketDeployment adds
    // the S3 grants it needs (read the CDK asset, write and delete in the assets bucket).
    const role = new Role(this, 'AssetDeploymentRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'Copies the portal assets into the assets bucket (BucketDeployment)',
    });
    role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'WriteOwnLogGroup',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );
    const common = {
      sources: [source],
      destinationBucket: this.assetsBucket,
      logGroup,
      role,
      memoryLimit: 512,
    };
    new BucketDeployment(this, 'StaticAssets', {
      ...common,
      include: ['_next/static/*'],
      exclude: ['*'],
      prune: false,
      cacheControl: [CacheControl.fromString(immutableCacheControl)],
    });
    new BucketDeployment(this, 'PublicFiles', {
      ...common,
      exclude: ['_next/static/*'],
      prune: true,
      cacheControl: [CacheControl.fromString(publicFileCacheControl)],
    });

    // BucketDeployment's own grants: read the CDK asset (GetObject*, GetBucket*, List* on the
    // bootstrap asset bucket) and sync into the assets bucket (grantReadWrite: also Abort*,
    // DeleteObject*).
    const reason =
      "BucketDeployment's own grants (aws-cdk-lib): read the portal assets' CDK asset from the bootstrap asset bucket and sync them into the assets bucket (put, delete, list its objects). The role serves these deployments alone, at deploy time.";
    for (const finding of [
      'AwsSolutions-IAM5[Action::s3:GetBucket*]',
      'AwsSolutions-IAM5[Action::s3:GetObject*]',
      'AwsSolutions-IAM5[Action::s3:List*]',
      'AwsSolutions-IAM5[Action::s3:Abort*]',
      'AwsSolutions-IAM5[Action::s3:DeleteObject*]',
      wildcardResourceFinding(role, asset.bucket.arnForObjects('*')),
      wildcardResourceFinding(role, this.assetsBucket.arnForObjects('*')),
    ]) {
      Validations.of(role).acknowledge({ id: finding, reason });
    }
    // The provider function is a singleton at stack level, named after its settings.
    for (const child of this.node.children) {
      if (!child.node.id.startsWith('Custom::CDKBucketDeployment')) continue;
      Validations.of(child).acknowledge({
        id: 'AwsSolutions-L1',
        reason:
          "BucketDeployment's provider function: aws-cdk-lib pins its runtime (Python with the AWS CLI layer) and updates it with the library; it runs only during deployments.",
      });
    }
  }

  private acknowledgeFindings(settings: PortalSettings): void {
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR1',
      reason:
        'Tenants sign in from wherever their staff work; access is decided by tenant, user and role in the portal and the API, not by country.',
    });
    if (!settings.webAclArn) {
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions-CFR2',
        reason:
          'A CloudFront web ACL must live in us-east-1, outside this stack; attach one with -c portalWebAclArn. Sign-in is rate-limited and locked out by the API, and the HTTP API stage is throttled.',
      });
    }
    if (!settings.certificateArn) {
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions-CFR4',
        reason:
          'Without -c portalDomainName/portalCertificateArn the portal is served on its *.cloudfront.net name, whose TLS policy CloudFront sets; with a certificate the distribution requires TLS 1.2 (TLSv1.2_2021).',
      });
    }
  }
}
