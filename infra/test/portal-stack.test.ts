import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { runInNewContext } from 'node:vm';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { physicalName } from '../../shared/platform/resources.ts';
import { secretsManagerPunctuation } from '../lib/generated-secret.ts';
import { readOpenNextOutput } from '../lib/portal-build.ts';
import { portalSettingsFromContext, validatePortalSettings } from '../lib/portal-settings.ts';
import {
  immutableCacheControl,
  portalClientAddressKeyArnEnvVar,
  publicFileCacheControl,
  viewerAddressHeader,
  viewerAddressHeaderEnvVar,
} from '../lib/stacks/portal-stack.ts';
import { addStrongroomStacks, type StrongroomOptions } from '../lib/strongroom-app.ts';
import { fakeOpenNextOutput, scratchDirectory } from './support/open-next.ts';
import { cdkJsonContext, logicalIdOf, roleStatements, testStage } from './support/synth.ts';

// The portal stack is fed a tiny fake OpenNext output instead of a real build (no Next here).
const openNextDir = fakeOpenNextOutput('open-next');

/** The whole app with a portal, as bin/strongroom.ts builds it, without bundling. */
function synthesize(portal: Partial<NonNullable<StrongroomOptions['portal']>> = {}, validate = false) {
  const app = new App({
    context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] },
    builtinCloudFormationValidation: validate,
  });
  const stacks = addStrongroomStacks(app, { stage: testStage, portal: { openNextDir, ...portal } });
  const portalStack = stacks.portal!;
  return { app, stacks, portal: portalStack, template: Template.fromStack(portalStack) };
}

const synth = synthesize({}, true);
const { template, portal } = synth;
const distribution = Object.values(template.findResources('AWS::CloudFront::Distribution'))[0]!.Properties
  .DistributionConfig;
const serverFunctionId = logicalIdOf(portal.serverFunction.function);
const sessionSecretId = logicalIdOf(portal.sessionSecret);
const originSecretId = logicalIdOf(portal.originVerifySecret);
const apiTemplate = Template.fromStack(synth.stacks.api);
const clientAddressKey = synth.stacks.api.clientAddressKey!;
/** The client-address key's logical id, in the api stack. */
const clientAddressKeyId = logicalIdOf(clientAddressKey);
/** How the portal stack refers to the key's ARN (its Ref): the api stack's export of that Ref. */
const clientAddressKeyImport = (() => {
  const outputs = apiTemplate.toJSON().Outputs as Record<
    string,
    { Value: unknown; Export?: { Name: string } }
  >;
  const exports = Object.values(outputs).filter(
    (output) => JSON.stringify(output.Value) === JSON.stringify({ Ref: clientAddressKeyId }),
  );
  assert.equal(exports.length, 1, 'the api stack exports the key ARN once');
  return { 'Fn::ImportValue': exports[0]!.Export!.Name };
})();
const distributionId = logicalIdOf(portal.distribution);

/** CloudFront managed policies (ids are fixed by AWS). */
const managed = {
  cachingDisabled: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad',
  cachingOptimized: '658327ea-f89d-4fab-a63d-7e88639e58f6',
  allViewerExceptHostHeader: 'b689b0a8-53d0-40ab-baf2-68738e2966ac',
};

const originOf = (id: string) => distribution.Origins.find((origin: { Id: string }) => origin.Id === id);
const functionUrlDomain = {
  'Fn::Select': [
    2,
    { 'Fn::Split': ['/', { 'Fn::GetAtt': [logicalIdOf(portal.functionUrl), 'FunctionUrl'] }] },
  ],
};
const serverOrigin = distribution.Origins.find(
  (candidate: { DomainName: unknown }) =>
    JSON.stringify(candidate.DomainName) === JSON.stringify(functionUrlDomain),
);
/** The dynamic reference CloudFormation resolves to a secret's whole value at deployment. */
const resolveReference = (logicalId: string) => ({
  'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: logicalId }, ':SecretString:::}}']],
});

describe('portal stack: distribution behaviours', () => {
  it('sends everything by default to the server function, uncached, all methods, all viewer headers but Host', () => {
    const behavior = distribution.DefaultCacheBehavior;
    assert.deepEqual(originOf(behavior.TargetOriginId).DomainName, functionUrlDomain);
    assert.deepEqual(
      [...behavior.AllowedMethods].sort(),
      ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'].sort(),
    );
    assert.equal(behavior.CachePolicyId, managed.cachingDisabled);
    assert.equal(behavior.OriginRequestPolicyId, managed.allViewerExceptHostHeader);
    assert.equal(behavior.ViewerProtocolPolicy, 'https-only');
  });

  describe('viewer-request function (before the server function)', () => {
    const [association, ...others] = distribution.DefaultCacheBehavior.FunctionAssociations;
    const functionId = association.FunctionARN['Fn::GetAtt'][0] as string;
    const cloudFrontFunction = template.findResources('AWS::CloudFront::Function')[functionId]!.Properties;
    type Headers = Record<string, { value: string; multiValue?: { value: string }[] }>;
    /** The deployed code, run as CloudFront would run it on one viewer request. */
    const run = (viewerIp: string, headers: Headers) => {
      const handler = runInNewContext(`${cloudFrontFunction.FunctionCode}\nhandler`, {}) as (
        event: unknown,
      ) => {
        headers: Headers;
      };
      const event = {
        version: '1.0',
        context: { eventType: 'viewer-request' },
        viewer: { ip: viewerIp },
        request: { method: 'GET', uri: '/', querystring: {}, headers: structuredClone(headers), cookies: {} },
      };
      // Through JSON: objects made inside the context have that context's prototypes.
      return JSON.parse(JSON.stringify(handler(event).headers)) as Headers;
    };

    it('is the only function, on viewer requests, in the JavaScript 2.0 runtime, under its original construct id', () => {
      assert.equal(others.length, 0);
      assert.equal(association.EventType, 'viewer-request');
      assert.equal(cloudFrontFunction.FunctionConfig.Runtime, 'cloudfront-js-2.0');
      assert.equal(Object.keys(template.findResources('AWS::CloudFront::Function')).length, 1);
      assert.match(functionId, /^ForwardedHost/, 'same logical id: an update, not a replacement');
      assert.ok(cloudFrontFunction.FunctionConfig.Comment.length <= 128, 'CloudFront takes 128 characters');
    });

    it(`sets x-forwarded-host to the viewer Host (OpenNext reads it) and ${viewerAddressHeader} to the viewer IP`, () => {
      const headers = run('203.0.113.7', {
        host: { value: 'pam.example.com' },
        'user-agent': { value: 'Mozilla/5.0' },
      });
      assert.deepEqual(headers, {
        host: { value: 'pam.example.com' },
        'user-agent': { value: 'Mozilla/5.0' },
        'x-forwarded-host': { value: 'pam.example.com' },
        [viewerAddressHeader]: { value: '203.0.113.7' },
      });
      assert.deepEqual(run('2001:db8::7', { host: { value: 'pam.example.com' } })[viewerAddressHeader], {
        value: '2001:db8::7',
      });
    });

    it('overwrites both headers when the viewer sent them (also several values), and drops a forwarded host without Host', () => {
      const forged = {
        'x-forwarded-host': { value: 'evil.example', multiValue: [{ value: 'evil.example' }] },
        [viewerAddressHeader]: {
          value: '10.0.0.1',
          multiValue: [{ value: '10.0.0.1' }, { value: '192.0.2.1' }],
        },
      };
      const headers = run('198.51.100.9', { host: { value: 'pam.example.com' }, ...forged });
      assert.deepEqual(headers[viewerAddressHeader], { value: '198.51.100.9' });
      assert.deepEqual(headers['x-forwarded-host'], { value: 'pam.example.com' });
      const withoutHost = run('198.51.100.9', forged);
      assert.equal(withoutHost['x-forwarded-host'], undefined);
      assert.deepEqual(withoutHost[viewerAddressHeader], { value: '198.51.100.9' });
    });
  });

  it('serves /_next/static/* and the public files from S3 with long caching, nothing else', () => {
    const behaviors = distribution.CacheBehaviors as {
      PathPattern: string;
      TargetOriginId: string;
      AllowedMethods: string[];
      CachePolicyId: string;
      ViewerProtocolPolicy: string;
      OriginRequestPolicyId?: string;
    }[];
    assert.deepEqual(
      behaviors.map((behavior) => behavior.PathPattern),
      ['/_next/static/*', '/fonts/*', '/icon.svg'],
    );
    const assetsBucketId = logicalIdOf(portal.assetsBucket);
    for (const behavior of behaviors) {
      const origin = originOf(behavior.TargetOriginId);
      assert.deepEqual(origin.DomainName, { 'Fn::GetAtt': [assetsBucketId, 'RegionalDomainName'] });
      assert.ok(origin.OriginAccessControlId, 'S3 origin through OAC');
      assert.equal(origin.S3OriginConfig.OriginAccessIdentity, '', 'no legacy OAI');
      assert.deepEqual(behavior.AllowedMethods, ['GET', 'HEAD']);
      assert.equal(behavior.CachePolicyId, managed.cachingOptimized);
      assert.equal(behavior.ViewerProtocolPolicy, 'https-only');
      assert.equal(behavior.OriginRequestPolicyId, undefined);
    }
  });

  it('uploads _next/static as immutable (never pruned) and the public files with an hour, without BUILD_ID', () => {
    const deployments = Object.values(template.findResources('Custom::CDKBucketDeployment')).map(
      (resource) => resource.Properties,
    );
    assert.equal(deployments.length, 2);
    const [hashed, publicFiles] = [
      deployments.find((d) => d.Include?.includes('_next/static/*')),
      deployments.find((d) => d.Exclude?.includes('_next/static/*') && !d.Include),
    ];
    assert.deepEqual(hashed?.Exclude, ['*']);
    assert.equal(hashed?.Prune, false);
    assert.deepEqual(hashed?.SystemMetadata, { 'cache-control': immutableCacheControl });
    assert.equal(publicFiles?.Prune, true);
    assert.deepEqual(publicFiles?.SystemMetadata, { 'cache-control': publicFileCacheControl });
    assert.deepEqual(readOpenNextOutput(openNextDir).publicAssets, [
      { name: 'fonts', isDirectory: true },
      { name: 'icon.svg', isDirectory: false },
    ]);
  });

  it('adds HSTS, nosniff, frame DENY and no-referrer to every response, and no CSP (the portal sets its own)', () => {
    const policyRef = { Ref: logicalIdOf(portal.securityHeaders) };
    assert.deepEqual(distribution.DefaultCacheBehavior.ResponseHeadersPolicyId, policyRef);
    for (const behavior of distribution.CacheBehaviors) {
      assert.deepEqual(behavior.ResponseHeadersPolicyId, policyRef);
    }
    const config = template.findResources('AWS::CloudFront::ResponseHeadersPolicy')[policyRef.Ref]!.Properties
      .ResponseHeadersPolicyConfig;
    assert.deepEqual(config.SecurityHeadersConfig, {
      StrictTransportSecurity: {
        AccessControlMaxAgeSec: 63_072_000,
        IncludeSubdomains: true,
        Override: true,
      },
      ContentTypeOptions: { Override: true },
      FrameOptions: { FrameOption: 'DENY', Override: true },
      ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: true },
    });
    assert.equal(config.CustomHeadersConfig, undefined);
  });

  it('logs to its log bucket without cookies, HTTP/2 and 3', () => {
    assert.deepEqual(distribution.Logging, {
      Bucket: { 'Fn::GetAtt': [logicalIdOf(portal.logBucket), 'RegionalDomainName'] },
      IncludeCookies: false,
      Prefix: 'cloudfront/',
    });
    assert.equal(distribution.HttpVersion, 'http2and3');
  });

  it('on its own domain requires TLS 1.2 and attaches a given web ACL', () => {
    const certificateArn =
      'arn:aws:acm:us-east-1:123456789012:certificate/0f0e0d0c-0b0a-4909-8807-060504030201';
    const webAclArn =
      'arn:aws:wafv2:us-east-1:123456789012:global/webacl/portal/0f0e0d0c-0b0a-4909-8807-060504030201';
    const custom = synthesize({ domainName: 'pam.example.com', certificateArn, webAclArn });
    const config = Object.values(custom.template.findResources('AWS::CloudFront::Distribution'))[0]!
      .Properties.DistributionConfig;
    assert.deepEqual(config.Aliases, ['pam.example.com']);
    assert.deepEqual(config.ViewerCertificate, {
      AcmCertificateArn: certificateArn,
      MinimumProtocolVersion: 'TLSv1.2_2021',
      SslSupportMethod: 'sni-only',
    });
    assert.equal(config.WebACLId, webAclArn);
    assert.equal(custom.portal.portalUrl, 'https://pam.example.com');
  });
});

describe('portal stack: server function', () => {
  const fn = template.findResources('AWS::Lambda::Function')[serverFunctionId]!.Properties;

  it('runs the OpenNext server on Node.js 24, arm64, 1024 MB, 15 s', () => {
    assert.equal(fn.Runtime, 'nodejs24.x');
    assert.deepEqual(fn.Architectures, ['arm64']);
    assert.equal(fn.Handler, 'index.handler');
    assert.equal(fn.MemorySize, 1024);
    assert.equal(fn.Timeout, 15);
    assert.equal(fn.FunctionName, physicalName(testStage, 'PortalServer'));
    assert.notEqual(fn.TracingConfig?.Mode, 'Active');
  });

  it('gets the API URL and the client-address key from the api stack, its own secrets by ARN, never a value', () => {
    const variables = fn.Environment.Variables as Record<string, unknown>;
    assert.deepEqual(Object.keys(variables).sort(), [
      'STRONGROOM_API_URL',
      'STRONGROOM_WEB_CLIENT_ADDRESS_KEY_ARN',
      'STRONGROOM_WEB_ORIGIN_SECRET_ARN',
      'STRONGROOM_WEB_SESSION_SECRET_ARN',
      'STRONGROOM_WEB_VIEWER_ADDRESS_HEADER',
    ]);
    assert.equal(portalClientAddressKeyArnEnvVar, 'STRONGROOM_WEB_CLIENT_ADDRESS_KEY_ARN');
    assert.equal(viewerAddressHeaderEnvVar, 'STRONGROOM_WEB_VIEWER_ADDRESS_HEADER');
    assert.match(JSON.stringify(variables.STRONGROOM_API_URL), /Strongroom-test-Api:ExportsOutputRefHttpApi/);
    assert.deepEqual(variables.STRONGROOM_WEB_SESSION_SECRET_ARN, { Ref: sessionSecretId });
    assert.deepEqual(variables.STRONGROOM_WEB_ORIGIN_SECRET_ARN, { Ref: originSecretId });
    assert.deepEqual(variables.STRONGROOM_WEB_CLIENT_ADDRESS_KEY_ARN, clientAddressKeyImport);
    // The header the viewer-request function sets (see the distribution tests).
    assert.equal(variables.STRONGROOM_WEB_VIEWER_ADDRESS_HEADER, 'x-strongroom-viewer-address');
    assert.doesNotMatch(JSON.stringify(variables), /resolve:/);
  });

  it('has a public function URL (auth NONE, no origin access control: browsers send unsigned POST bodies)', () => {
    const urls = Object.values(template.findResources('AWS::Lambda::Url')).map((url) => url.Properties);
    assert.equal(urls.length, 1);
    assert.equal(urls[0]!.AuthType, 'NONE');
    assert.equal(urls[0]!.InvokeMode, 'BUFFERED');
    assert.deepEqual(urls[0]!.TargetFunctionArn, { 'Fn::GetAtt': [serverFunctionId, 'Arn'] });

    assert.equal(serverOrigin.OriginAccessControlId, undefined);
    assert.equal(serverOrigin.CustomOriginConfig.OriginProtocolPolicy, 'https-only');
    assert.deepEqual(serverOrigin.CustomOriginConfig.OriginSSLProtocols, ['TLSv1.2']);
    // The one origin access control left is the assets bucket's.
    assert.deepEqual(
      Object.values(template.findResources('AWS::CloudFront::OriginAccessControl')).map(
        (oac) => oac.Properties.OriginAccessControlConfig.OriginAccessControlOriginType,
      ),
      ['s3'],
    );
  });

  it('gets x-strongroom-origin-verify from CloudFront, as a dynamic reference to the origin-verify secret', () => {
    assert.deepEqual(serverOrigin.OriginCustomHeaders, [
      { HeaderName: 'x-strongroom-origin-verify', HeaderValue: resolveReference(originSecretId) },
    ]);
    // Only on the server function's origin, and nowhere else in the template: no literal value,
    // and never the session key.
    for (const origin of distribution.Origins.filter((o: unknown) => o !== serverOrigin)) {
      assert.equal(origin.OriginCustomHeaders, undefined);
    }
    const text = JSON.stringify(template.toJSON());
    assert.equal(
      text.split('x-strongroom-origin-verify').length - 1,
      2,
      'the header and the secret description',
    );
    assert.equal(text.split('{{resolve:secretsmanager:').length - 1, 1);
    assert.doesNotMatch(text, /"SecretString":/, 'no secret value in the template');
    for (const secret of Object.values(template.findResources('AWS::SecretsManager::Secret'))) {
      assert.equal(secret.Properties.SecretString, undefined);
    }
    assert.notEqual(originSecretId, sessionSecretId);
  });

  it('may be invoked by anyone through its URL only (the origin-verify header is the gate), never directly', () => {
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission')).map(
      (permission) => permission.Properties,
    );
    assert.deepEqual(
      permissions
        .map((permission) => ({
          action: permission.Action,
          principal: permission.Principal,
          authType: permission.FunctionUrlAuthType,
          viaUrl: permission.InvokedViaFunctionUrl ?? false,
          functionName: permission.FunctionName,
          sourceArn: permission.SourceArn,
        }))
        .sort((a, b) => a.action.localeCompare(b.action)),
      [
        {
          action: 'lambda:InvokeFunction',
          principal: '*',
          authType: undefined,
          viaUrl: true,
          functionName: { 'Fn::GetAtt': [serverFunctionId, 'Arn'] },
          sourceArn: undefined,
        },
        {
          action: 'lambda:InvokeFunctionUrl',
          principal: '*',
          authType: 'NONE',
          viaUrl: false,
          functionName: { 'Fn::GetAtt': [serverFunctionId, 'Arn'] },
          sourceArn: undefined,
        },
      ],
    );
  });

  it('may read exactly its two secrets and the client-address key (GetSecretValue on each), besides writing its own log group', () => {
    const statements = roleStatements(template, logicalIdOf(portal.serverFunction.role));
    assert.deepEqual(
      statements.map(({ Sid, Effect, Action, Resource }) => ({ Sid, Effect, Action, Resource })),
      [
        {
          Sid: 'WriteOwnLogGroup',
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: { 'Fn::GetAtt': [logicalIdOf(portal.serverFunction.logGroup), 'Arn'] },
        },
        {
          Sid: 'ReadSessionSecret',
          Effect: 'Allow',
          Action: 'secretsmanager:GetSecretValue',
          Resource: { Ref: sessionSecretId },
        },
        {
          Sid: 'ReadOriginVerifySecret',
          Effect: 'Allow',
          Action: 'secretsmanager:GetSecretValue',
          Resource: { Ref: originSecretId },
        },
        {
          Sid: 'ReadClientAddressKey',
          Effect: 'Allow',
          Action: 'secretsmanager:GetSecretValue',
          Resource: clientAddressKeyImport,
        },
      ],
    );
    assert.equal(statements.filter((statement) => statement.Condition).length, 0);
    const role = template.findResources('AWS::IAM::Role')[logicalIdOf(portal.serverFunction.role)]!;
    assert.equal(role.Properties.ManagedPolicyArns, undefined, 'no managed policy');
  });

  it('is the only principal of the portal stack granted anything on any of the three', () => {
    const policies = Object.entries(template.findResources('AWS::IAM::Policy'));
    for (const secretId of [sessionSecretId, originSecretId, clientAddressKeyId]) {
      const mentioning = policies.filter(([, policy]) => JSON.stringify(policy).includes(secretId));
      assert.deepEqual(
        mentioning.map(([, policy]) => policy.Properties.Roles),
        [[{ Ref: logicalIdOf(portal.serverFunction.role) }]],
      );
    }
    assert.doesNotMatch(JSON.stringify(template.findResources('AWS::IAM::Policy')), /secretsmanager:\*/);
    assert.equal(Object.keys(template.findResources('AWS::SecretsManager::ResourcePolicy')).length, 0);
  });

  it('is watched by the observability stack (errors and throttles)', () => {
    const alarms = Object.values(
      Template.fromStack(synth.stacks.observability).findResources('AWS::CloudWatch::Alarm'),
    );
    const onPortal = alarms.filter((alarm) =>
      JSON.stringify(alarm.Properties.Dimensions).includes(serverFunctionId),
    );
    assert.deepEqual(onPortal.map((alarm) => alarm.Properties.MetricName).sort(), ['Errors', 'Throttles']);
  });
});

const generatedSecrets: [string, () => [Template, string]][] = [
  ['session secret', () => [template, sessionSecretId]],
  ['origin-verify secret', () => [template, originSecretId]],
  ['client-address key (api stack)', () => [apiTemplate, clientAddressKeyId]],
];
for (const [name, secretOf] of generatedSecrets) {
  describe(`portal stack: ${name}`, () => {
    const [inTemplate, secretId] = secretOf();
    const secret = inTemplate.findResources('AWS::SecretsManager::Secret')[secretId]!.Properties;

    it('is 43 characters of exactly the base64url alphabet, drawn uniformly (the text of 32 bytes)', () => {
      const generator = secret.GenerateSecretString;
      assert.equal(generator.PasswordLength, 43);
      assert.equal(generator.IncludeSpace, false);
      assert.equal(generator.RequireEachIncludedType, false);
      assert.equal(generator.SecretStringTemplate, undefined, 'a plain string, not JSON');
      assert.equal(generator.GenerateStringKey, undefined);
      const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
      const generated = [...`${letters}0123456789${secretsManagerPunctuation}`].filter(
        (c) => !generator.ExcludeCharacters.includes(c),
      );
      assert.equal(generated.sort().join(''), [...`${letters}0123456789-_`].sort().join(''));
      // Any 43 such characters decode as web/lib/session-key.ts does, to 32 bytes.
      assert.equal(Buffer.from('_'.repeat(43), 'base64url').length, 32);
    });

    it('is encrypted with Secrets Manager’s AWS managed key (no key of ours to grant)', () => {
      assert.equal(secret.KmsKeyId, undefined);
    });
  });
}

describe('portal stack: origin-verify rotation', () => {
  const rotated = synthesize({ originVerifyGeneration: 2 });
  const rotatedSecretId = logicalIdOf(rotated.portal.originVerifySecret);
  const rotatedConfig = Object.values(rotated.template.findResources('AWS::CloudFront::Distribution'))[0]!
    .Properties.DistributionConfig;

  it('a new generation is a new secret, and the header and the function follow it in the same deployment', () => {
    assert.notEqual(rotatedSecretId, originSecretId);
    assert.equal(logicalIdOf(rotated.portal.sessionSecret), sessionSecretId, 'the session key stays');
    const secrets = Object.keys(rotated.template.findResources('AWS::SecretsManager::Secret')).sort();
    assert.deepEqual(secrets, [rotatedSecretId, sessionSecretId].sort());
    const headers = rotatedConfig.Origins.flatMap(
      (origin: { OriginCustomHeaders?: unknown[] }) => origin.OriginCustomHeaders ?? [],
    );
    assert.deepEqual(headers, [
      { HeaderName: 'x-strongroom-origin-verify', HeaderValue: resolveReference(rotatedSecretId) },
    ]);
    const fn =
      rotated.template.findResources('AWS::Lambda::Function')[
        logicalIdOf(rotated.portal.serverFunction.function)
      ]!.Properties;
    assert.deepEqual(fn.Environment.Variables.STRONGROOM_WEB_ORIGIN_SECRET_ARN, { Ref: rotatedSecretId });
  });

  it('the generation comes from -c portalOriginVerifyGeneration, a whole number from 1', () => {
    const fromContext = (value: unknown) =>
      portalSettingsFromContext(new App({ context: { portalOriginVerifyGeneration: value } }).node);
    assert.deepEqual(fromContext('3'), { originVerifyGeneration: 3 });
    assert.deepEqual(fromContext(4), { originVerifyGeneration: 4 });
    assert.deepEqual(fromContext(''), {});
    for (const invalid of ['0', 'x', '1.5', '-1', 0, 1.5, true]) {
      assert.throws(() => fromContext(invalid), /portalOriginVerifyGeneration/, String(invalid));
    }
  });
});

interface BucketStatement {
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal?: unknown;
  readonly Action?: string | string[];
  readonly Condition?: Record<string, Record<string, unknown>>;
}

describe('portal stack: buckets', () => {
  const buckets = template.findResources('AWS::S3::Bucket');
  const policies = Object.values(template.findResources('AWS::S3::BucketPolicy')).map(
    (policy) => policy.Properties,
  );
  const policyOf = (bucket: IConstruct) =>
    policies.find((policy) => policy.Bucket.Ref === logicalIdOf(bucket))?.PolicyDocument
      .Statement as BucketStatement[];

  for (const [name, bucket] of [
    ['assets', portal.assetsBucket],
    ['log', portal.logBucket],
  ] as const) {
    it(`${name} bucket: public access blocked, encrypted, TLS enforced, retained`, () => {
      const resource = buckets[logicalIdOf(bucket)]!;
      assert.deepEqual(resource.Properties.PublicAccessBlockConfiguration, {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      assert.equal(
        resource.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0]
          .ServerSideEncryptionByDefault.SSEAlgorithm,
        'AES256',
      );
      assert.equal(resource.DeletionPolicy, 'Retain');
      const statements = policyOf(bucket);
      assert.ok(
        statements.some((s) => s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false'),
      );
      for (const statement of statements.filter((s) => s.Effect === 'Allow')) {
        assert.notDeepEqual(statement.Principal, { AWS: '*' });
        assert.notEqual(statement.Principal, '*');
      }
    });
  }

  it('assets bucket: readable by CloudFront for this distribution only, logged to the log bucket', () => {
    const allows = policyOf(portal.assetsBucket).filter((s) => s.Effect === 'Allow');
    assert.equal(allows.length, 1);
    assert.deepEqual(allows[0]?.Principal, { Service: 'cloudfront.amazonaws.com' });
    assert.equal(allows[0]?.Action, 's3:GetObject');
    assert.match(
      JSON.stringify(allows[0]?.Condition?.StringEquals?.['AWS:SourceArn']),
      new RegExp(distributionId),
    );
    const logging = buckets[logicalIdOf(portal.assetsBucket)]!.Properties.LoggingConfiguration;
    assert.deepEqual(logging.DestinationBucketName, { Ref: logicalIdOf(portal.logBucket) });
  });
});

/** Every `Validations.of(construct).acknowledge(...)` under a scope, where it was made. */
function acknowledgements(root: IConstruct): { path: string; id: string; reason: string }[] {
  const found: { path: string; id: string; reason: string }[] = [];
  for (const construct of root.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== 'aws:cdk:acknowledged-rules') continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        found.push({ path: construct.node.path, id, reason });
      }
    }
  }
  return found;
}

describe('portal stack: cdk-nag AwsSolutions', () => {
  it('reports no unacknowledged finding, error or warning for the app with the portal', () => {
    const report = new AwsSolutionsChecks(synth.app).validateScope(synth.app);
    assert.deepEqual(
      report.violations.flatMap((violation) =>
        violation.violatingResources.map((resource) => `${violation.ruleName} ${resource.constructPath}`),
      ),
      [],
    );
    assert.equal(report.success, true);
  });

  it('nor with a domain, a certificate and a web ACL', () => {
    const custom = synthesize({
      domainName: 'pam.example.com',
      certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/0f0e0d0c-0b0a-4909-8807-060504030201',
      webAclArn:
        'arn:aws:wafv2:us-east-1:123456789012:global/webacl/portal/0f0e0d0c-0b0a-4909-8807-060504030201',
    });
    custom.app.synth();
    const report = new AwsSolutionsChecks(custom.app).validateScope(custom.app);
    assert.deepEqual(
      report.violations.map((violation) => violation.ruleName),
      [],
    );
    const ids = acknowledgements(custom.portal).map((ack) => ack.id);
    assert.ok(!ids.some((id) => /CFR2|CFR4/.test(id)), 'WAF and TLS need no acknowledgement then');
  });

  it('acknowledges exactly the reviewed findings, each with its reason', () => {
    const acks = acknowledgements(portal);
    for (const ack of acks)
      assert.ok(ack.reason.trim().length >= 60, `${ack.id} at ${ack.path} explains why`);
    const shortPath = (value: string) =>
      value
        .replace(/^Strongroom-test-Portal\//, '')
        .replace(/^Custom::CDKBucketDeployment\w+/, 'BucketDeploymentProvider');
    const shortId = (id: string) =>
      id
        .replace(/^Annotation::/i, '')
        .replace(/\[Resource::.*?(cdk-\w+-assets|AssetsBucket)[^\]]*\]$/, '[$1/*]');
    assert.deepEqual(
      acks.map((ack) => `${shortPath(ack.path)} ${shortId(ack.id)}`).sort(),
      [
        // Log destination: no log loop.
        'LogBucket AwsSolutions-S1',
        // Rotating the cookie key signs everyone out: an operator's decision.
        'SessionSecret AwsSolutions-SMG4',
        // The header value lives in the distribution: rotated by a deployment, not by Lambda.
        'OriginVerifySecret AwsSolutions-SMG4',
        // Tenants are everywhere; no WAF / TLS policy without us-east-1 resources (see settings).
        'Distribution AwsSolutions-CFR1',
        'Distribution AwsSolutions-CFR2',
        'Distribution AwsSolutions-CFR4',
        // BucketDeployment's own grants and provider runtime.
        'AssetDeploymentRole AwsSolutions-IAM5[Action::s3:GetBucket*]',
        'AssetDeploymentRole AwsSolutions-IAM5[Action::s3:GetObject*]',
        'AssetDeploymentRole AwsSolutions-IAM5[Action::s3:List*]',
        'AssetDeploymentRole AwsSolutions-IAM5[Action::s3:Abort*]',
        'AssetDeploymentRole AwsSolutions-IAM5[Action::s3:DeleteObject*]',
        'AssetDeploymentRole AwsSolutions-IAM5[cdk-hnb659fds-assets/*]',
        'AssetDeploymentRole AwsSolutions-IAM5[AssetsBucket/*]',
        'BucketDeploymentProvider AwsSolutions-L1',
      ].sort(),
    );
  });

  it('CloudFormation template validation (built into CDK) reports nothing either', () => {
    const report = JSON.parse(
      readFileSync(path.join(synth.app.outdir, 'validation-report.json'), 'utf8'),
    ) as {
      pluginReports: unknown[];
    };
    assert.deepEqual(report.pluginReports, []);
  });
});

describe('portal: OpenNext output and settings', () => {
  it('refuses an output built for streaming or for another event shape', () => {
    assert.throws(
      () =>
        readOpenNextOutput(
          fakeOpenNextOutput('streaming', { wrapper: 'aws-lambda-streaming', streaming: true }),
        ),
      /built with .*aws-lambda-streaming/,
    );
    assert.throws(
      () => readOpenNextOutput(path.join(scratchDirectory(), 'missing')),
      /not an OpenNext output/,
    );
  });

  it('takes a domain only with its us-east-1 certificate', () => {
    assert.throws(() => validatePortalSettings({ domainName: 'pam.example.com' }), /go together/);
    assert.throws(
      () =>
        validatePortalSettings({
          domainName: 'pam.example.com',
          certificateArn:
            'arn:aws:acm:eu-west-1:123456789012:certificate/0f0e0d0c-0b0a-4909-8807-060504030201',
        }),
      /us-east-1/,
    );
  });
});
