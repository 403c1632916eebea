import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { App, Stack } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { synthesizeStrongroom } from './support/synth.ts';

// With CDK's built-in CloudFormation validation, as `cdk synth` runs it (the other test files skip it).
const synth = synthesizeStrongroom({ cloudFormationValidation: true });

interface Acknowledgement {
  readonly path: string;
  readonly id: string;
  readonly reason: string;
}

/** Every `Validations.of(construct).acknowledge(...)` in the app, where it was made. */
function acknowledgements(root: IConstruct): Acknowledgement[] {
  const found: Acknowledgement[] = [];
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

/**
 * `Annotation::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:kms:<AWS::Region>:<AWS::AccountId>:key/*]`
 * -> `AwsSolutions-IAM5[key/*]` (CDK records unqualified acknowledgements as `Annotation::<id>`).
 */
const shortId = (id: string): string =>
  id.replace(/^Annotation::/i, '').replace(/\[Resource::arn:.*>:(.*)\]$/, '[$1]');

describe('cdk-nag AwsSolutions', () => {
  it('reports no unacknowledged finding, error or warning', () => {
    const report = new AwsSolutionsChecks(synth.app).validateScope(synth.app);
    const findings = report.violations.flatMap((violation) =>
      violation.violatingResources.map(
        (resource) => `${violation.ruleName} ${resource.resourceLogicalId ?? ''}`,
      ),
    );
    assert.deepEqual(findings, []);
    assert.equal(report.success, true);
  });

  it('reports nothing either with e-mail notifications and a portal URL configured', () => {
    const configured = synthesizeStrongroom({
      access: { notificationSender: 'pam@example.com', portalUrl: 'https://pam.example.com' },
    });
    const report = new AwsSolutionsChecks(configured.app).validateScope(configured.app);
    assert.deepEqual(
      report.violations.map((violation) => violation.ruleName),
      [],
    );
  });

  it('reports nothing either with the portal, whose client-address key lives in the api stack', () => {
    const withPortal = synthesizeStrongroom({ portal: true });
    const report = new AwsSolutionsChecks(withPortal.app).validateScope(withPortal.app);
    assert.deepEqual(
      report.violations.map((violation) => violation.ruleName),
      [],
    );
    // The api stack acknowledges one more finding then: the key is rotated by an operator.
    const apiAcks = (stacks: IConstruct) =>
      acknowledgements(stacks).map(
        (ack) => `${ack.path.replace(/^Strongroom-test-/, '')} ${shortId(ack.id)}`,
      );
    const added = apiAcks(withPortal.stacks.api).filter((ack) => !apiAcks(synth.stacks.api).includes(ack));
    assert.deepEqual(added, ['Api/ClientAddressKey AwsSolutions-SMG4']);
    assert.equal(apiAcks(withPortal.stacks.api).length, apiAcks(synth.stacks.api).length + 1);
    const reason = acknowledgements(withPortal.stacks.api).find((ack) => ack.id.includes('SMG4'))!.reason;
    assert.match(reason, /fail closed/);
  });

  it('CloudFormation template validation (built into CDK) reports nothing either', () => {
    const report = JSON.parse(
      readFileSync(path.join(synth.app.outdir, 'validation-report.json'), 'utf8'),
    ) as {
      pluginReports: unknown[];
    };
    assert.deepEqual(report.pluginReports, []);
  });

  it('is really checking: an unacknowledged wildcard in a throwaway app is reported', () => {
    const app = new App();
    const role = new Role(new Stack(app, 'Probe'), 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
    });
    role.addToPolicy(new PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] }));
    app.synth();
    const report = new AwsSolutionsChecks(app).validateScope(app);
    assert.ok(report.violations.some((violation) => violation.ruleName.startsWith('AwsSolutions-IAM5')));
  });

  it('acknowledges exactly the reviewed findings, each where it occurs and with its reason', () => {
    const acks = acknowledgements(synth.app);
    for (const ack of acks) {
      assert.ok(ack.reason.trim().length >= 60, `${ack.id} at ${ack.path} explains why`);
    }
    assert.deepEqual(
      acks.map((ack) => `${ack.path.replace(/^Strongroom-test-/, '')} ${shortId(ack.id)}`).sort(),
      [
        // kms:CreateKey has no resource-level permissions; condition-scoped to tenant-key tags.
        'Api/Identity/TenantKeyLifecyclePolicy AwsSolutions-IAM5[Resource::*]',
        // Tenant keys are created at runtime: key/* with tag conditions.
        'Api/Identity/TenantKeyLifecyclePolicy AwsSolutions-IAM5[key/*]',
        // One alias per tenant under this stage's prefix.
        'Api/Identity/TenantKeyLifecyclePolicy AwsSolutions-IAM5[alias/strongroom-tenant-test-*]',
        'Api/Vault/TenantKeyCryptoPolicy AwsSolutions-IAM5[key/*]',
        // Access decrypts released credentials: key/* with tag and encryption-context conditions.
        'Api/Access/TenantKeyDecryptPolicy AwsSolutions-IAM5[key/*]',
        // The rotation worker writes PENDING versions and reads CURRENT/PENDING/functional ones.
        'Api/RotationWorker/TenantKeyCryptoPolicy AwsSolutions-IAM5[key/*]',
        // Authorization is done by the functions (own JWTs, per-tenant roles).
        'Api/HttpApi AwsSolutions-APIG4',
        // The access-log bucket cannot log into itself.
        'Data/AccessLogBucket AwsSolutions-S1',
      ].sort(),
    );
  });
});
