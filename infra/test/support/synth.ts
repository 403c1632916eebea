import { readFileSync } from 'node:fs';
import path from 'node:path';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import type { AccessSettings } from '../../lib/access-settings.ts';
import type { ApiFunctionId } from '../../lib/api-routes.ts';
import { repoRoot } from '../../lib/paths.ts';
import { addStrongroomStacks, type StrongroomStacks } from '../../lib/strongroom-app.ts';
import { fakeOpenNextOutput } from './open-next.ts';

/** The feature flags of cdk.json: `new App()` in a test does not read cdk.json, the CLI does. */
export const cdkJsonContext = (): Record<string, unknown> =>
  JSON.parse(readFileSync(path.join(repoRoot, 'cdk.json'), 'utf8')).context ?? {};

export const testStage = 'test';

export interface SynthesizedStrongroom {
  readonly app: App;
  readonly stacks: StrongroomStacks;
  readonly data: Template;
  readonly api: Template;
  readonly observability: Template;
  /** Only with {@link SynthesisOptions.portal}. */
  readonly portal?: Template;
}

export interface SynthesisOptions {
  /**
   * Run CDK's built-in CloudFormation template validation (WebAssembly, about 2-3 s of CPU per
   * synthesis). `cdk synth` always runs it; among the tests, nag.test.ts does.
   * @default false
   */
  readonly cloudFormationValidation?: boolean;
  /** Access settings, as bin/strongroom.ts reads them from the context. @default none */
  readonly access?: AccessSettings;
  /**
   * With the tenant portal, served from a fake OpenNext output (see open-next.ts), as
   * bin/strongroom.ts deploys it by default. @default false: the stage has no portal
   */
  readonly portal?: boolean;
}

/**
 * Builds the same stacks as bin/strongroom.ts, with cdk.json's feature flags but without
 * bundling (`aws:cdk:bundling-stacks` = no stack: esbuild never runs and assets get a
 * placeholder hash), so a test file synthesizes in about a second. Call once per test file.
 * infra/test/bundling.test.ts is the one test that really bundles.
 */
export function synthesizeStrongroom(options: SynthesisOptions = {}): SynthesizedStrongroom {
  const app = new App({
    context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] },
    builtinCloudFormationValidation: options.cloudFormationValidation ?? false,
  });
  const stacks = addStrongroomStacks(app, {
    stage: testStage,
    access: options.access,
    portal: options.portal ? { openNextDir: fakeOpenNextOutput('open-next') } : undefined,
  });
  return {
    app,
    stacks,
    data: Template.fromStack(stacks.data),
    api: Template.fromStack(stacks.api),
    observability: Template.fromStack(stacks.observability),
    ...(stacks.portal ? { portal: Template.fromStack(stacks.portal) } : {}),
  };
}

/** Logical id of a construct's CloudFormation resource (its default child, or itself). */
export function logicalIdOf(construct: IConstruct): string {
  const element = (construct.node.defaultChild ?? construct) as CfnElement;
  return Stack.of(construct).getLogicalId(element);
}

export type Statement = {
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
  Sid?: string;
};

/** All statements of the IAM policies attached to one role. */
export function roleStatements(template: Template, roleLogicalId: string): Statement[] {
  const statements: Statement[] = [];
  for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
    const roles = (policy.Properties.Roles ?? []) as { Ref?: string }[];
    if (!roles.some((role) => role.Ref === roleLogicalId)) continue;
    statements.push(...(policy.Properties.PolicyDocument.Statement as Statement[]));
  }
  const role = template.findResources('AWS::IAM::Role')[roleLogicalId];
  for (const inline of role?.Properties.Policies ?? []) {
    statements.push(...(inline.PolicyDocument.Statement as Statement[]));
  }
  return statements;
}

/** The api stack's functions that no HTTP route invokes: schedules and queues do. */
export type BackgroundFunctionId =
  | 'access-sweeper'
  | 'rotation-worker'
  | 'rotation-scheduler'
  | 'release-events';

/** Every function of the api stack: the API functions and the background functions. */
export type FunctionId = ApiFunctionId | BackgroundFunctionId;

export const backgroundFunctionIds: readonly BackgroundFunctionId[] = [
  'access-sweeper',
  'rotation-worker',
  'rotation-scheduler',
  'release-events',
];

/** The function construct of an id. */
export function functionOf(synth: SynthesizedStrongroom, id: FunctionId) {
  const api = synth.stacks.api;
  switch (id) {
    case 'access-sweeper':
      return api.accessSweeper;
    case 'rotation-worker':
      return api.rotationWorker;
    case 'rotation-scheduler':
      return api.rotationScheduler;
    case 'release-events':
      return api.releaseEvents;
    default:
      return api.functions[id];
  }
}

/** The statements of one function's execution role. */
export function functionStatements(synth: SynthesizedStrongroom, id: FunctionId): Statement[] {
  return roleStatements(synth.api, logicalIdOf(functionOf(synth, id).role));
}

export const actionsOf = (statement: Statement): string[] =>
  Array.isArray(statement.Action) ? statement.Action : [statement.Action];

export const resourcesOf = (statement: Statement): unknown[] =>
  Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];

/**
 * A readable name for a policy resource, so that expectations read like the design:
 * `main-table`, `audit-table/index/gsi1`, `platform-key`, `key/*`, `alias/strongroom-tenant-test-*`,
 * `domain-events-queue`, `rotation-queue`, `identity/pam@example.com`, `own-log-group`,
 * `client-address-key`, `*`.
 */
export function resourceLabel(resource: unknown): string {
  if (resource === '*') return '*';
  const text = JSON.stringify(resource);
  const index = /\/index\/([A-Za-z0-9_-]+)/.exec(text);
  const suffix = index ? `/index/${index[1]}` : '';
  if (text.includes('MainTable')) return `main-table${suffix}`;
  if (text.includes('AuditTable')) return `audit-table${suffix}`;
  if (text.includes('PlatformKey')) return 'platform-key';
  if (text.includes('DomainEventsQueue')) return 'domain-events-queue';
  if (text.includes('RotationsQueue')) return 'rotation-queue';
  if (text.includes(':key/*')) return 'key/*';
  const alias = /:(alias\/[^"]+)/.exec(text);
  if (alias) return alias[1]!;
  const identity = /:ses:.*:(identity\/[^"]+)/.exec(text);
  if (identity) return identity[1]!;
  if (text.includes('LogGroup')) return 'own-log-group';
  if (text.includes('ClientAddressKey')) return 'client-address-key';
  return text;
}

/** The condition keys of a statement (values are asserted separately), e.g. `kms:ViaService`. */
const conditionKeys = (statement: Statement): string[] =>
  Object.values(statement.Condition ?? {})
    .flatMap((entries) => Object.keys(entries))
    .sort();

/**
 * One line per action and resource, with the condition keys that scope it:
 * `Allow dynamodb:GetItem on main-table`, `Allow kms:Encrypt on platform-key if kms:ViaService`.
 */
export function grantLines(statements: readonly Statement[]): string[] {
  const lines = new Set<string>();
  for (const statement of statements) {
    const keys = conditionKeys(statement);
    const scope = keys.length > 0 ? ` if ${keys.join(' & ')}` : '';
    for (const action of actionsOf(statement)) {
      for (const resource of resourcesOf(statement)) {
        lines.add(`${statement.Effect} ${action} on ${resourceLabel(resource)}${scope}`);
      }
    }
  }
  return [...lines].sort();
}
