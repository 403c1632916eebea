import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { App } from 'aws-cdk-lib';
import {
  auditTable,
  domainEventsQueue,
  mainTable,
  notificationSender,
  physicalName,
  platformKey,
  rotationQueue,
} from '../../shared/platform/resources.ts';
import { accessSettingsFromContext } from '../lib/access-settings.ts';
import { type ApiFunctionId, apiFunctions } from '../lib/api-routes.ts';
import { repoRoot } from '../lib/paths.ts';
import {
  clientAddressKeyArnEnvVar,
  rotationScheduleRate,
  rotationWorkerTimeout,
} from '../lib/stacks/api-stack.ts';
import {
  actionsOf,
  backgroundFunctionIds,
  cdkJsonContext,
  type FunctionId,
  functionOf,
  functionStatements,
  logicalIdOf,
  type SynthesizedStrongroom,
  synthesizeStrongroom,
  testStage,
} from './support/synth.ts';

const synth = synthesizeStrongroom();
const template = synth.api;
const functionIds: readonly ApiFunctionId[] = ['identity', 'vault', 'access', 'rotation', 'audit'];

const functionLogicalId = (id: ApiFunctionId) => logicalIdOf(synth.stacks.api.functions[id].function);
const sweeperLogicalId = logicalIdOf(synth.stacks.api.accessSweeper.function);
const functionProps = (logicalId: string) =>
  template.findResources('AWS::Lambda::Function')[logicalId]?.Properties;

/** What functions/src/config.ts reads, for every function. */
const baseVariables = [
  'NODE_OPTIONS',
  'STRONGROOM_STAGE',
  auditTable.envVar,
  mainTable.envVar,
  platformKey.envVar,
];
/** What the access context reads on top (the sender only when one is configured). */
const accessVariables = [domainEventsQueue.envVar, 'STRONGROOM_PORTAL_URL'];
/** What the rotation context reads on top: the rotation queue (the composition root requires it). */
const rotationVariables = [rotationQueue.envVar];
const contextVariables: Partial<Record<ApiFunctionId, string[]>> = {
  access: accessVariables,
  rotation: rotationVariables,
};

describe('api stack: functions', () => {
  it('has one function per bounded context, plus the background functions', () => {
    template.resourceCountIs('AWS::Lambda::Function', functionIds.length + backgroundFunctionIds.length);
    assert.deepEqual(apiFunctions.map((fn) => fn.id).sort(), [...functionIds].sort());
  });

  for (const id of functionIds) {
    describe(`${id} function`, () => {
      const resource = template.findResources('AWS::Lambda::Function')[functionLogicalId(id)];
      const props = resource?.Properties;

      it('runs Node.js 24 on arm64, handler `handler` of the bundle', () => {
        assert.equal(props.Runtime, 'nodejs24.x');
        assert.deepEqual(props.Architectures, ['arm64']);
        assert.equal(props.Handler, 'index.handler');
        assert.equal(
          props.FunctionName,
          physicalName(testStage, apiFunctions.find((f) => f.id === id)!.constructId),
        );
      });

      it('logs JSON into its own retained log group', () => {
        const logGroupId = logicalIdOf(synth.stacks.api.functions[id].logGroup);
        assert.deepEqual(props.LoggingConfig, {
          ApplicationLogLevel: 'INFO',
          LogFormat: 'JSON',
          LogGroup: { Ref: logGroupId },
          SystemLogLevel: 'WARN',
        });
        const logGroup = template.findResources('AWS::Logs::LogGroup')[logGroupId];
        assert.equal(logGroup?.Properties.LogGroupName, `/aws/lambda/${props.FunctionName}`);
        assert.ok(logGroup?.Properties.RetentionInDays > 0);
        assert.equal(logGroup?.DeletionPolicy, 'Retain');
      });

      it('gets exactly the configuration functions/src/config.ts reads for its context', () => {
        const variables = props.Environment.Variables as Record<string, unknown>;
        assert.deepEqual(
          Object.keys(variables).sort(),
          [...baseVariables, ...(contextVariables[id] ?? [])].sort(),
        );
        assert.equal(variables.STRONGROOM_STAGE, testStage);
        assert.equal(variables.NODE_OPTIONS, '--enable-source-maps');
      });

      it('has no active tracing (X-Ray would need Resource "*")', () => {
        assert.notEqual(props.TracingConfig?.Mode, 'Active');
      });
    });
  }
});

describe('api stack: HTTP API', () => {
  it('is an HTTP API with a $default stage, JSON access logs without headers, throttling', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });
    const stages = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'));
    assert.equal(stages.length, 1);
    const stage = stages[0]!.Properties;
    assert.equal(stage.StageName, '$default');
    assert.deepEqual(stage.AccessLogSettings.DestinationArn, {
      'Fn::GetAtt': [logicalIdOf(synth.stacks.api.accessLogGroup), 'Arn'],
    });
    const format = JSON.parse(stage.AccessLogSettings.Format) as Record<string, string>;
    for (const field of ['requestId', 'status', 'routeKey', 'sourceIp', 'integrationError']) {
      assert.ok(format[field], `access log has ${field}`);
    }
    assert.doesNotMatch(stage.AccessLogSettings.Format, /\$context\.(authorizer|identity\.apiKey)|header/i);
    assert.ok(stage.DefaultRouteSettings.ThrottlingRateLimit > 0);
    assert.ok(stage.DefaultRouteSettings.ThrottlingBurstLimit > 0);
  });
});

/** Route key -> the function its integration invokes. */
function routeTable(): Map<string, ApiFunctionId> {
  const integrations = template.findResources('AWS::ApiGatewayV2::Integration');
  const byFunctionLogicalId = new Map(functionIds.map((id) => [functionLogicalId(id), id]));
  const routes = new Map<string, ApiFunctionId>();
  for (const route of Object.values(template.findResources('AWS::ApiGatewayV2::Route'))) {
    const integrationId = route.Properties.Target['Fn::Join'][1][1].Ref as string;
    const integration = integrations[integrationId]!.Properties;
    assert.equal(integration.IntegrationType, 'AWS_PROXY');
    assert.equal(integration.PayloadFormatVersion, '2.0');
    const fn = byFunctionLogicalId.get(integration.IntegrationUri['Fn::GetAtt'][0]);
    assert.ok(fn, `route ${route.Properties.RouteKey} invokes an API function`);
    assert.ok(!routes.has(route.Properties.RouteKey), `duplicate route ${route.Properties.RouteKey}`);
    routes.set(route.Properties.RouteKey, fn);
  }
  return routes;
}

/**
 * The function API Gateway sends a request to: an exact route wins over a greedy one, and the
 * longest greedy prefix wins (HTTP API route selection).
 */
function functionFor(routes: Map<string, ApiFunctionId>, method: string, requestPath: string) {
  const exact = routes.get(`ANY ${requestPath}`) ?? routes.get(`${method} ${requestPath}`);
  if (exact) return exact;
  let best: { prefix: string; fn: ApiFunctionId } | undefined;
  for (const [key, fn] of routes) {
    const [, routePath] = key.split(' ') as [string, string];
    if (!routePath.endsWith('/{proxy+}')) continue;
    const prefix = routePath.slice(0, -'{proxy+}'.length);
    if (requestPath.startsWith(prefix) && requestPath.length > prefix.length) {
      if (!best || prefix.length > best.prefix.length) best = { prefix, fn };
    }
  }
  return best?.fn;
}

describe('api stack: routes', () => {
  const routes = routeTable();

  it('routes every method of each prefix (ANY) and is authorized in the functions', () => {
    for (const key of routes.keys()) assert.match(key, /^ANY \//);
    for (const route of Object.values(template.findResources('AWS::ApiGatewayV2::Route'))) {
      assert.equal(route.Properties.AuthorizationType, 'NONE');
    }
  });

  const expectations: [string, ApiFunctionId][] = [
    ['/v1/auth/login', 'identity'],
    ['/v1/auth/refresh', 'identity'],
    ['/v1/tenants', 'identity'],
    ['/v1/tenants/ten_1/suspend', 'identity'],
    ['/v1/users', 'identity'],
    ['/v1/users/usr_1', 'identity'],
    ['/v1/groups', 'identity'],
    ['/v1/groups/grp_1/members/usr_1', 'identity'],
    ['/v1/me', 'identity'],
    ['/v1/openapi.json', 'identity'],
    ['/v1/reference', 'identity'],
    ['/.well-known/jwks.json', 'identity'],
    ['/v1/systems', 'vault'],
    ['/v1/systems/sys_1', 'vault'],
    ['/v1/accounts', 'vault'],
    ['/v1/accounts/acc_1/credential/retrieve', 'vault'],
    ['/v1/password-policies', 'vault'],
    ['/v1/password-policies/pp_1', 'vault'],
    ['/v1/passwords/generate', 'vault'],
    ['/v1/account-groups', 'vault'],
    ['/v1/account-groups/agr_1/accounts/acc_1', 'vault'],
    ['/v1/access-policies', 'access'],
    ['/v1/access-policies/apol_1/versions', 'access'],
    ['/v1/access-requests', 'access'],
    ['/v1/access-options/acc_1', 'access'],
    ['/v1/access-activity', 'access'],
    ['/v1/roles', 'identity'],
    ['/v1/access-requests/req_1/approve', 'access'],
    ['/v1/releases', 'access'],
    ['/v1/releases/rel_1/credential', 'access'],
    ['/v1/credential-lookup', 'access'],
    ['/v1/notifications', 'access'],
    ['/v1/rotations', 'rotation'],
    ['/v1/rotations/failing', 'rotation'],
    ['/v1/rotations/rot_1', 'rotation'],
    ['/v1/rotation-schedules/acc_1', 'rotation'],
    ['/v1/audit/events', 'audit'],
    ['/v1/audit/export', 'audit'],
    ['/v1/audit/verify', 'audit'],
  ];
  for (const [requestPath, fn] of expectations) {
    it(`${requestPath} -> ${fn}`, () => assert.equal(functionFor(routes, 'GET', requestPath), fn));
  }

  it('does not route paths outside the API to any function', () => {
    for (const requestPath of [
      '/',
      '/v1',
      '/v1/auth',
      '/v1/audit',
      '/v1/passwords',
      '/v1/access',
      '/v1/credential-lookup/x',
      '/v1/notifications/x',
      '/v1/rotation-schedules',
      '/v1/rotation',
      '/v1/unknown',
      '/v2/tenants',
    ]) {
      assert.equal(functionFor(routes, 'GET', requestPath), undefined, requestPath);
    }
  });

  it('serves every path the HTTP app declares from the function of its bounded context', () => {
    // functions/src/http/routes/<context>.routes.ts declares the endpoints of one context.
    const routesDir = path.join(repoRoot, 'functions', 'src', 'http', 'routes');
    let checked = 0;
    for (const file of readdirSync(routesDir).filter((name) => name.endsWith('.routes.ts'))) {
      const context = file.slice(0, -'.routes.ts'.length) as ApiFunctionId;
      assert.ok(functionIds.includes(context), `routes file ${file} belongs to a known context`);
      const source = readFileSync(path.join(routesDir, file), 'utf8');
      for (const [, declared] of source.matchAll(/path:\s*'([^']+)'/g)) {
        const requestPath = declared!.replace(/\{[^}]+\}/g, 'x_1');
        assert.equal(functionFor(routes, 'GET', requestPath), context, `${declared} (${file})`);
        checked++;
      }
    }
    assert.ok(checked >= 10, `found the app's route declarations (${checked})`);
  });

  it('lets API Gateway invoke each function only for its own routes', () => {
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission')).filter(
      (permission) => permission.Properties.Principal !== 'events.amazonaws.com',
    );
    assert.equal(permissions.length, routes.size);
    const background = backgroundFunctionIds.map((id) => logicalIdOf(functionOf(synth, id).function));
    for (const permission of permissions) {
      assert.equal(permission.Properties.Principal, 'apigateway.amazonaws.com');
      assert.ok(
        !background.includes(permission.Properties.FunctionName['Fn::GetAtt'][0]),
        'no background function is behind the API',
      );
      assert.equal(permission.Properties.Action, 'lambda:InvokeFunction');
      const sourceArn = JSON.stringify(permission.Properties.SourceArn);
      assert.match(sourceArn, /\/\*\/\*\/(v1|\.well-known)\//, 'scoped to one route path of this API');
    }
  });
});

describe('api stack: access context', () => {
  const access = functionProps(functionLogicalId('access'));

  it('gives the access function more time than the 10 s default (ticket webhooks wait up to 10 s), under the 30 s API limit', () => {
    assert.ok(access.Timeout > 10 && access.Timeout < 30, String(access.Timeout));
    for (const id of ['identity', 'vault', 'rotation', 'audit'] as const) {
      assert.equal(functionProps(functionLogicalId(id)).Timeout, 10, id);
    }
  });

  it('passes the domain-events queue URL; the portal URL defaults to the API URL; no sender without one', () => {
    const variables = access.Environment.Variables as Record<string, unknown>;
    const queueId = logicalIdOf(synth.stacks.data.queueFor(domainEventsQueue).queue);
    assert.match(
      JSON.stringify(variables[domainEventsQueue.envVar]),
      new RegExp(`ExportsOutputRef${queueId}`),
    );
    assert.match(JSON.stringify(variables.STRONGROOM_PORTAL_URL), /"https:\/\/",\{"Ref":"HttpApi/);
    assert.ok(!(notificationSender.envVar in variables));
  });

  it('passes a configured notification sender and portal URL to both access functions', () => {
    const configured = synthesizeStrongroom({
      access: { notificationSender: 'pam@example.com', portalUrl: 'https://pam.example.com' },
    });
    for (const fn of [configured.stacks.api.functions.access, configured.stacks.api.accessSweeper]) {
      const props =
        configured.api.findResources('AWS::Lambda::Function')[logicalIdOf(fn.function)]?.Properties;
      const variables = props.Environment.Variables as Record<string, unknown>;
      assert.deepEqual(
        Object.keys(variables).sort(),
        [...baseVariables, ...accessVariables, notificationSender.envVar].sort(),
      );
      assert.equal(variables[notificationSender.envVar], 'pam@example.com');
      assert.equal(variables.STRONGROOM_PORTAL_URL, 'https://pam.example.com');
    }
  });

  it('reads the settings from the context and refuses invalid ones', () => {
    const settingsOf = (context: Record<string, unknown>) =>
      accessSettingsFromContext(new App({ context: { ...cdkJsonContext(), ...context } }).node);
    assert.deepEqual(settingsOf({}), {});
    assert.deepEqual(settingsOf({ notificationSender: '', portalUrl: '' }), {});
    assert.deepEqual(
      settingsOf({ notificationSender: 'pam@example.com', portalUrl: 'https://pam.example.com/' }),
      {
        notificationSender: 'pam@example.com',
        portalUrl: 'https://pam.example.com/',
      },
    );
    for (const notificationSender of ['pam', 'PAM <pam@example.com>', 'pam@localhost', 'a b@example.com']) {
      assert.throws(
        () => settingsOf({ notificationSender }),
        /Invalid notificationSender/,
        notificationSender,
      );
    }
    for (const portalUrl of [
      'pam.example.com',
      'http://pam.example.com',
      'https://u:p@pam.example.com',
      'https://x/?a=1',
    ]) {
      assert.throws(() => settingsOf({ portalUrl }), /Invalid portalUrl/, portalUrl);
    }
  });
});

/** The EventBridge rules with a target that is the function of this logical id. */
const rulesTargeting = (functionLogicalId: string) =>
  Object.entries(template.findResources('AWS::Events::Rule')).filter(([, rule]) =>
    (rule.Properties.Targets as { Arn: unknown }[]).some(
      (target) => JSON.stringify(target.Arn) === JSON.stringify({ 'Fn::GetAtt': [functionLogicalId, 'Arn'] }),
    ),
  );

describe('api stack: access sweeper', () => {
  const props = functionProps(sweeperLogicalId);

  it('runs the sweeper entry on Node.js 24 arm64, one at a time, within a minute, logging into its own group', () => {
    assert.equal(props.Runtime, 'nodejs24.x');
    assert.deepEqual(props.Architectures, ['arm64']);
    assert.equal(props.FunctionName, physicalName(testStage, 'AccessSweeper'));
    assert.equal(props.ReservedConcurrentExecutions, 1);
    assert.ok(props.Timeout >= 30 && props.Timeout < 60, String(props.Timeout));
    assert.deepEqual(props.LoggingConfig.LogGroup, {
      Ref: logicalIdOf(synth.stacks.api.accessSweeper.logGroup),
    });
    assert.deepEqual(
      Object.keys(props.Environment.Variables).sort(),
      [...baseVariables, ...accessVariables].sort(),
    );
  });

  it('is run by an EventBridge rule every minute, and by nothing else', () => {
    const rules = rulesTargeting(sweeperLogicalId);
    assert.equal(rules.length, 1);
    const [ruleId, rule] = rules[0]!;
    assert.equal(rule.Properties.ScheduleExpression, 'rate(1 minute)');
    assert.equal(rule.Properties.State, 'ENABLED');
    assert.equal(rule.Properties.Targets.length, 1);
    assert.deepEqual(rule.Properties.Targets[0].Arn, { 'Fn::GetAtt': [sweeperLogicalId, 'Arn'] });
    assert.ok(rule.Properties.Targets[0].RetryPolicy.MaximumEventAgeInSeconds <= 60);

    const permissions = Object.values(template.findResources('AWS::Lambda::Permission')).filter(
      (permission) => permission.Properties.FunctionName['Fn::GetAtt']?.[0] === sweeperLogicalId,
    );
    assert.equal(permissions.length, 1);
    assert.equal(permissions[0]!.Properties.Principal, 'events.amazonaws.com');
    assert.deepEqual(permissions[0]!.Properties.SourceArn, { 'Fn::GetAtt': [ruleId, 'Arn'] });
  });

  it('does not retry or queue up missed runs (the next run does the same work)', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: sweeperLogicalId },
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 60,
    });
  });
});

describe('api stack: rotation context', () => {
  const workerId = logicalIdOf(synth.stacks.api.rotationWorker.function);
  const schedulerId = logicalIdOf(synth.stacks.api.rotationScheduler.function);
  const releaseEventsId = logicalIdOf(synth.stacks.api.releaseEvents.function);
  const worker = functionProps(workerId);
  const scheduler = functionProps(schedulerId);
  const releaseEvents = functionProps(releaseEventsId);
  const mappings = Object.entries(template.findResources('AWS::Lambda::EventSourceMapping'));
  /** The event source mappings reading a queue of the data stack. */
  const mappingsOf = (queue: typeof rotationQueue) => {
    const queueId = logicalIdOf(synth.stacks.data.queueFor(queue).queue);
    return mappings.filter(([, mapping]) =>
      JSON.stringify(mapping.Properties.EventSourceArn).includes(`ExportsOutputFnGetAtt${queueId}Arn`),
    );
  };

  it('runs the three background entries on Node.js 24 arm64 under their own names, with the rotation queue URL', () => {
    for (const [props, name] of [
      [worker, 'RotationWorker'],
      [scheduler, 'RotationScheduler'],
      [releaseEvents, 'ReleaseEvents'],
    ] as const) {
      assert.equal(props.Runtime, 'nodejs24.x', name);
      assert.deepEqual(props.Architectures, ['arm64'], name);
      assert.equal(props.FunctionName, physicalName(testStage, name));
      assert.deepEqual(
        Object.keys(props.Environment.Variables).sort(),
        [...baseVariables, ...rotationVariables].sort(),
      );
      const queueId = logicalIdOf(synth.stacks.data.queueFor(rotationQueue).queue);
      assert.match(
        JSON.stringify(props.Environment.Variables[rotationQueue.envVar]),
        new RegExp(`ExportsOutputRef${queueId}`),
      );
      // Outside a VPC: public targets only until VPC configuration or the broker arrives.
      assert.equal(props.VpcConfig, undefined, name);
    }
  });

  it('gives the worker 1024 MB and a timeout within the rotation queue visibility timeout, with room to spare', () => {
    assert.equal(worker.MemorySize, 1024);
    assert.equal(worker.Timeout, rotationWorkerTimeout.toSeconds());
    assert.ok(worker.Timeout <= rotationQueue.visibilityTimeoutSeconds - 30, String(worker.Timeout));
    assert.ok(worker.Timeout >= 60, 'a job may make several target calls of up to 20 s');
    assert.equal(worker.ReservedConcurrentExecutions, undefined);
  });

  it('feeds the rotation queue to the worker alone: partial batch failures, small batches, no batching window, capped concurrency', () => {
    const fromQueue = mappingsOf(rotationQueue);
    assert.equal(fromQueue.length, 1);
    const [mappingId, mapping] = fromQueue[0]!;
    const props = mapping.Properties;
    assert.deepEqual(props.FunctionName, { Ref: workerId });
    assert.deepEqual(props.FunctionResponseTypes, ['ReportBatchItemFailures']);
    assert.ok(props.BatchSize >= 1 && props.BatchSize <= 10, String(props.BatchSize));
    assert.equal(props.MaximumBatchingWindowInSeconds, undefined, 'FIFO sources take no batching window');
    assert.ok(props.ScalingConfig.MaximumConcurrency >= 2, 'capped, within what Lambda accepts');
    assert.notEqual(props.Enabled, false);
    // No job runs before the worker may use tenant keys (a policy outside its default one).
    const tenantKeyPolicyId = Object.entries(template.findResources('AWS::IAM::Policy')).find(
      ([, policy]) =>
        JSON.stringify(policy.Properties.Roles) ===
          JSON.stringify([{ Ref: logicalIdOf(synth.stacks.api.rotationWorker.role) }]) &&
        policy.Properties.PolicyDocument.Statement.some(
          (s: { Sid?: string }) => s.Sid === 'TenantKeyCredentialCrypto',
        ),
    )?.[0];
    assert.ok(tenantKeyPolicyId);
    const dependsOn = template.toJSON().Resources[mappingId].DependsOn as string[];
    assert.ok(dependsOn.includes(tenantKeyPolicyId), JSON.stringify(dependsOn));
    // The queue permissions are in the role's default policy, which the function depends on.
    const defaultPolicyId = logicalIdOf(synth.stacks.api.rotationWorker.role.node.findChild('DefaultPolicy'));
    assert.ok((template.toJSON().Resources[workerId].DependsOn as string[]).includes(defaultPolicyId));
  });

  it('feeds the domain-events queue to the release-events consumer alone, with partial batch failures', () => {
    const fromQueue = mappingsOf(domainEventsQueue);
    assert.equal(fromQueue.length, 1);
    const props = fromQueue[0]![1].Properties;
    assert.deepEqual(props.FunctionName, { Ref: releaseEventsId });
    assert.deepEqual(props.FunctionResponseTypes, ['ReportBatchItemFailures']);
    assert.ok(props.BatchSize >= 1 && props.BatchSize <= 10, String(props.BatchSize));
    assert.ok(props.ScalingConfig.MaximumConcurrency >= 2);
    assert.equal(mappings.length, 2, 'no other event source mapping');
  });

  it('keeps each consumer within its queue visibility timeout (Lambda refuses the mapping otherwise)', () => {
    assert.ok(worker.Timeout <= rotationQueue.visibilityTimeoutSeconds);
    assert.ok(releaseEvents.Timeout <= domainEventsQueue.visibilityTimeoutSeconds);
  });

  it('runs the scheduler one at a time, from an EventBridge rule every 5 minutes and nothing else', () => {
    assert.equal(scheduler.ReservedConcurrentExecutions, 1);
    assert.ok(scheduler.Timeout >= 60 && scheduler.Timeout <= 120, String(scheduler.Timeout));
    const rules = rulesTargeting(schedulerId);
    assert.equal(rules.length, 1);
    const [ruleId, rule] = rules[0]!;
    assert.equal(rule.Properties.ScheduleExpression, 'rate(5 minutes)');
    assert.equal(rule.Properties.Name, physicalName(testStage, 'RotationSchedule'));
    assert.equal(rule.Properties.State, 'ENABLED');
    assert.equal(rule.Properties.Targets.length, 1);
    assert.ok(
      rule.Properties.Targets[0].RetryPolicy.MaximumEventAgeInSeconds <= rotationScheduleRate.toSeconds(),
    );
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission')).filter(
      (permission) => permission.Properties.FunctionName['Fn::GetAtt']?.[0] === schedulerId,
    );
    assert.equal(permissions.length, 1);
    assert.equal(permissions[0]!.Properties.Principal, 'events.amazonaws.com');
    assert.deepEqual(permissions[0]!.Properties.SourceArn, { 'Fn::GetAtt': [ruleId, 'Arn'] });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: schedulerId },
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: rotationScheduleRate.toSeconds(),
    });
  });

  it('has exactly two schedules (the access sweeper and the rotation scheduler); no queue consumer is scheduled', () => {
    assert.equal(Object.keys(template.findResources('AWS::Events::Rule')).length, 2);
    assert.equal(rulesTargeting(workerId).length, 0);
    assert.equal(rulesTargeting(releaseEventsId).length, 0);
  });
});

describe('api stack: client-address key (shared with the portal)', () => {
  // The same app with the tenant portal, which forwards its users' addresses signed with the key.
  const withPortal = synthesizeStrongroom({ portal: true });
  const key = withPortal.stacks.api.clientAddressKey!;
  const keyId = logicalIdOf(key);
  const httpFunctionIds: readonly FunctionId[] = functionIds;
  const variablesOf = (from: SynthesizedStrongroom, id: FunctionId) =>
    from.api.findResources('AWS::Lambda::Function')[logicalIdOf(functionOf(from, id).function)]!.Properties
      .Environment.Variables as Record<string, unknown>;
  const secretStatements = (from: SynthesizedStrongroom, id: FunctionId) =>
    functionStatements(from, id).filter(
      (statement) =>
        actionsOf(statement).some((action) => action.startsWith('secretsmanager:')) ||
        JSON.stringify(statement).includes(keyId),
    );

  it('is named STRONGROOM_CLIENT_ADDRESS_KEY_ARN in the functions (the contract with functions/)', () => {
    assert.equal(clientAddressKeyArnEnvVar, 'STRONGROOM_CLIENT_ADDRESS_KEY_ARN');
  });

  it('does not exist without a portal: no secret, no variable, no grant', () => {
    // Not assert.equal: printing a construct in the failure message would print the whole app.
    assert.ok(synth.stacks.api.clientAddressKey === undefined, 'no clientAddressKey');
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    for (const id of [...functionIds, ...backgroundFunctionIds]) {
      assert.ok(!(clientAddressKeyArnEnvVar in variablesOf(synth, id)), id);
      assert.deepEqual(secretStatements(synth, id), [], id);
    }
  });

  it('with a portal, is the api stack’s one secret: generated, AWS managed key, deleted with the stack', () => {
    const secrets = withPortal.api.findResources('AWS::SecretsManager::Secret');
    assert.deepEqual(Object.keys(secrets), [keyId]);
    const secret = secrets[keyId]!;
    assert.equal(secret.Properties.KmsKeyId, undefined);
    assert.equal(secret.Properties.SecretString, undefined, 'no value in the template');
    assert.equal(secret.Properties.GenerateSecretString.PasswordLength, 43);
    assert.equal(secret.DeletionPolicy, 'Delete');
    assert.equal(
      Object.keys(withPortal.api.findResources('AWS::SecretsManager::RotationSchedule')).length,
      0,
    );
    assert.equal(Object.keys(withPortal.api.findResources('AWS::SecretsManager::ResourcePolicy')).length, 0);
  });

  for (const id of httpFunctionIds) {
    it(`with a portal, the ${id} function gets the key's ARN and may read exactly that secret`, () => {
      const variables = variablesOf(withPortal, id);
      assert.deepEqual(
        Object.keys(variables).sort(),
        [
          ...baseVariables,
          ...(contextVariables[id as ApiFunctionId] ?? []),
          clientAddressKeyArnEnvVar,
        ].sort(),
      );
      assert.deepEqual(variables[clientAddressKeyArnEnvVar], { Ref: keyId });
      assert.deepEqual(secretStatements(withPortal, id), [
        {
          Sid: 'ReadClientAddressKey',
          Effect: 'Allow',
          Action: 'secretsmanager:GetSecretValue',
          Resource: { Ref: keyId },
        },
      ]);
    });
  }

  it('with a portal, the background functions get neither the variable nor any secret permission', () => {
    for (const id of backgroundFunctionIds) {
      assert.ok(!(clientAddressKeyArnEnvVar in variablesOf(withPortal, id)), id);
      assert.deepEqual(secretStatements(withPortal, id), [], id);
    }
  });

  it('with a portal, only the HTTP API function roles are granted anything on the key in the api stack', () => {
    const roles = Object.values(withPortal.api.findResources('AWS::IAM::Policy'))
      .filter((policy) => JSON.stringify(policy).includes(keyId))
      .flatMap((policy) => policy.Properties.Roles as { Ref: string }[])
      .map((role) => role.Ref)
      .sort();
    assert.deepEqual(roles, httpFunctionIds.map((id) => logicalIdOf(functionOf(withPortal, id).role)).sort());
    assert.doesNotMatch(
      JSON.stringify(withPortal.api.findResources('AWS::IAM::Policy')),
      /secretsmanager:\*/,
    );
  });

  it('with a portal, changes nothing else in the api stack: same resources plus the secret', () => {
    const types = (from: SynthesizedStrongroom) =>
      Object.values(from.api.toJSON().Resources as Record<string, { Type: string }>)
        .map((resource) => resource.Type)
        .sort();
    const added = [...types(withPortal)];
    for (const type of types(synth)) {
      assert.ok(added.includes(type), `${type} is still there`);
      added.splice(added.indexOf(type), 1);
    }
    assert.deepEqual(added, ['AWS::SecretsManager::Secret']);
  });
});
