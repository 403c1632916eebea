/**
 * CDK app entry point (cdk.json: `node infra/bin/strongroom.ts`).
 *
 *   npx cdk synth                      # stage "dev"
 *   npx cdk synth -c stage=prod        # another stage; physical names are stage-qualified
 *   npx cdk synth -c notificationSender=pam@example.com -c portalUrl=https://pam.example.com
 *   npx cdk synth -c portal=false         # without the tenant portal (no web build needed)
 *   npx cdk synth -c portalDomainName=pam.example.com -c portalCertificateArn=arn:aws:acm:us-east-1:…
 *   npx cdk deploy --all -c portalOriginVerifyGeneration=2   # rotates the CloudFront → portal origin secret
 *
 * Without credentials the stacks are environment-agnostic (account and region are resolved by
 * CloudFormation at deploy time), so synth works offline; with credentials the CLI sets
 * CDK_DEFAULT_ACCOUNT / CDK_DEFAULT_REGION and the stacks are pinned to that environment.
 * Lambda code is bundled by the local esbuild (no Docker).
 *
 * The tenant portal (web/) is deployed from its OpenNext output, a directory built outside CDK:
 * STRONGROOM_PORTAL_OPEN_NEXT_DIR names a prebuilt one (CI: build once, then synth and deploy);
 * otherwise web/.open-next is used as it is, and built first (`node web/scripts/build-open-next.ts`,
 * offline, a minute or two) only when it is missing. Rebuild it with `npm run build:aws -w web`
 * after changing the portal. The stack itself only takes the directory, so the infra tests give it
 * a fake output and never run Next (infra/lib/portal-build.ts).
 */
import { App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { accessSettingsFromContext } from '../lib/access-settings.ts';
import { resolveOpenNextDir } from '../lib/portal-build.ts';
import { portalEnabledFromContext, portalSettingsFromContext } from '../lib/portal-settings.ts';
import { addStrongroomStacks } from '../lib/strongroom-app.ts';

const app = new App();

const stage = String(app.node.tryGetContext('stage') ?? 'dev');
if (!/^[a-z][a-z0-9-]{0,15}$/.test(stage)) {
  throw new Error(`Invalid stage "${stage}": lowercase letters, digits and dashes, at most 16 characters`);
}

// The CLI always sets CDK_DEFAULT_REGION (us-east-1 when nothing is configured), but sets
// CDK_DEFAULT_ACCOUNT only when it found credentials: pin the environment only then, so that an
// offline synth stays environment-agnostic instead of silently baking in us-east-1.
const account = process.env.CDK_DEFAULT_ACCOUNT;
const env = account ? { account, region: process.env.CDK_DEFAULT_REGION } : undefined;

// -c notificationSender=<verified SES address> -c portalUrl=https://… (both optional).
const access = accessSettingsFromContext(app.node);
// -c portal=false, -c portalDomainName=… -c portalCertificateArn=…, -c portalWebAclArn=…,
// -c portalOriginVerifyGeneration=<n> (all optional).
const portalSettings = portalEnabledFromContext(app.node) ? portalSettingsFromContext(app.node) : undefined;
const portal = portalSettings ? { ...portalSettings, openNextDir: resolveOpenNextDir() } : undefined;
// With a domain of its own the portal's URL is known before deployment: e-mail links point there.
// (On its *.cloudfront.net name it is not: pass -c portalUrl=https://<DistributionDomainName>.)
const portalUrl =
  access.portalUrl ?? (portalSettings?.domainName ? `https://${portalSettings.domainName}` : undefined);

addStrongroomStacks(app, { stage, env, access: { ...access, ...(portalUrl ? { portalUrl } : {}) }, portal });

Tags.of(app).add('strongroom:app', 'strongroom');
Tags.of(app).add('strongroom:stage', stage);

// cdk-nag v3 is a policy-validation plugin (no longer an Aspect): it runs after synthesis and
// an unacknowledged AwsSolutions error fails it. Acknowledgements live next to the resource,
// each with its reason (`Validations.of(construct).acknowledge`).
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));

app.synth();
