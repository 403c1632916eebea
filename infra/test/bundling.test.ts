import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { App, Stack } from 'aws-cdk-lib';
import { build } from 'esbuild';
import {
  auditTable,
  domainEventsQueue,
  mainTable,
  physicalName,
  platformKey,
  rotationQueue,
} from '../../shared/platform/resources.ts';
import { apiFunctions } from '../lib/api-routes.ts';
import { StrongroomFunction } from '../lib/constructs/strongroom-function.ts';
import { portalUrlEnvVar } from '../lib/function-environment.ts';
import { functionEntry } from '../lib/paths.ts';
import {
  accessSweeperEntryFile,
  releaseEventsEntryFile,
  rotationSchedulerEntryFile,
  rotationWorkerEntryFile,
} from '../lib/stacks/api-stack.ts';
import { cdkJsonContext, logicalIdOf, testStage } from './support/synth.ts';

/**
 * The one infra test that really bundles: functions go through StrongroomFunction, NodejsFunction
 * and the local esbuild exactly as in `cdk synth`, and each bundle is then loaded and invoked the
 * way the nodejs24.x runtime does it (ESM `index.mjs`, export `handler`, the event its trigger
 * sends). This is what catches ESM/CommonJS interop problems of bundled dependencies (the AWS
 * SDK, the Encryption SDK, middy) before a deployment does.
 *
 * Bundled: three real API entries, vault, access and rotation (all API entries import the same
 * Lambda app and composition root; access composes the largest part of it: vault adapters, SQS,
 * SES, HPKE; rotation the rotation service and engine), the background entries (access sweeper,
 * rotation worker, rotation scheduler, release-events consumer: middy handlers with entry graphs
 * of their own, the worker's with the target connectors), and a runtime probe that exercises the
 * risky dependencies even while a handler is broken for reasons of its own. Each esbuild run
 * costs a few seconds here (CDK starts it through npx), hence not more: `cdk synth` bundles the
 * identity and audit entries too.
 */

const outdir = mkdtempSync(path.join(tmpdir(), 'strongroom-bundling-'));
after(() => rmSync(outdir, { recursive: true, force: true }));

// Template validation is nag.test.ts's business; here it would only add seconds.
const app = new App({ outdir, context: cdkJsonContext(), builtinCloudFormationValidation: false });
const stack = new Stack(app, 'Bundling');
const bundledApiEntries = apiFunctions.filter((fn) => ['vault', 'access', 'rotation'].includes(fn.id));
const apiBundles = bundledApiEntries.map((routes) => ({
  routes,
  fn: new StrongroomFunction(stack, routes.constructId, {
    entry: functionEntry(routes.entryFile),
    functionName: physicalName(testStage, routes.constructId),
    description: routes.description,
  }),
}));
const background = (constructId: string, entryFile: string) =>
  new StrongroomFunction(stack, constructId, {
    entry: functionEntry(entryFile),
    functionName: physicalName(testStage, constructId),
    description: constructId,
  });
const sweeper = background('AccessSweeper', accessSweeperEntryFile);
const rotationWorker = background('RotationWorker', rotationWorkerEntryFile);
const rotationScheduler = background('RotationScheduler', rotationSchedulerEntryFile);
const releaseEvents = background('ReleaseEvents', releaseEventsEntryFile);
const probe = new StrongroomFunction(stack, 'Probe', {
  entry: path.join(import.meta.dirname, 'fixtures', 'runtime-probe.handler.ts'),
  functionName: physicalName(testStage, 'BundlingProbe'),
  description: 'bundling probe',
});
const template = app.synth().getStackByName('Bundling').template as {
  Resources: Record<string, { Properties: { Code: { S3Key: string } } }>;
};

/** The staged asset directory of a function (cdk.out/asset.<hash>). */
function bundleDirOf(fn: StrongroomFunction): string {
  const assetHash = template.Resources[logicalIdOf(fn.function)]!.Properties.Code.S3Key.replace(/\.zip$/, '');
  return path.join(outdir, `asset.${assetHash}`);
}

/**
 * Modules the bundle still imports, as esbuild itself parses them (every package left
 * external, so whatever the bundle imports shows up here).
 */
async function externalImports(bundlePath: string): Promise<string[]> {
  const { metafile } = await build({
    entryPoints: [bundlePath],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    logLevel: 'silent',
  });
  return Object.values(metafile.inputs).flatMap((input) =>
    input.imports.filter((imported) => imported.external).map((imported) => imported.path),
  );
}

/** An API Gateway HTTP API (payload 2.0) request, as Lambda delivers it. */
const httpApiEvent = (method: string, rawPath: string) => ({
  version: '2.0',
  routeKey: `ANY ${rawPath}`,
  rawPath,
  rawQueryString: '',
  headers: { host: 'api.example.test', 'user-agent': 'bundling-test' },
  requestContext: {
    accountId: '123456789012',
    apiId: 'api',
    domainName: 'api.example.test',
    domainPrefix: 'api',
    http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'bundling-test' },
    requestId: 'bundling-test-request',
    routeKey: `ANY ${rawPath}`,
    stage: '$default',
    time: '01/Jan/2026:00:00:00 +0000',
    timeEpoch: 1767225600000,
  },
  isBase64Encoded: false,
});

/** A scheduled EventBridge event, as the rule delivers it to the access sweeper. */
const scheduledEvent = {
  version: '0',
  id: '00000000-0000-0000-0000-000000000000',
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '123456789012',
  time: '2026-01-01T00:00:00Z',
  region: 'eu-west-1',
  resources: ['arn:aws:events:eu-west-1:123456789012:rule/strongroom-test-access-sweep'],
  detail: {},
};

/** An SQS event of one message, as an event source mapping delivers it (FIFO attributes if a group is given). */
const sqsEvent = (queue: string, body: object, messageGroupId?: string) => ({
  Records: [
    {
      messageId: '00000000-0000-0000-0000-000000000001',
      receiptHandle: 'bundling-test',
      body: JSON.stringify(body),
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: '1767225600000',
        SenderId: 'AROAEXAMPLE',
        ApproximateFirstReceiveTimestamp: '1767225600000',
        ...(messageGroupId
          ? { MessageGroupId: messageGroupId, MessageDeduplicationId: 'bundling-test', SequenceNumber: '1' }
          : {}),
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:eu-west-1:123456789012:${queue}`,
      awsRegion: 'eu-west-1',
    },
  ],
});

const outcomeMarker = '\n@@bundling-test-outcome@@';

/** An HTTP response reduced to what is compared; anything else as returned. */
type Outcome = { response: { statusCode: number; body: string } | unknown } | { error: string };

/**
 * Loads a handler module in a fresh Node process (as Lambda would: ESM import, then one
 * invocation) and reports the response or the error. The environment is what the api stack
 * sets (access variables included), with AWS pointed at a closed local port.
 */
async function invoke(moduleFile: string, event: object): Promise<Outcome> {
  const script = `
    let outcome;
    try {
      const { handler } = await import(${JSON.stringify(pathToFileURL(moduleFile).href)});
      const response = await handler(${JSON.stringify(event)}, { awsRequestId: 'bundling-test', getRemainingTimeInMillis: () => 10000 });
      outcome = {
        response:
          response && typeof response === 'object' && 'statusCode' in response
            ? { statusCode: response.statusCode, body: response.body }
            : response,
      };
    } catch (error) {
      outcome = { error: String(error) };
    }
    process.stdout.write(${JSON.stringify(outcomeMarker)} + JSON.stringify(outcome));
  `;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--enable-source-maps', '--input-type=module', '--eval', script],
    {
      cwd: path.dirname(moduleFile),
      timeout: 60_000,
      env: {
        PATH: process.env.PATH,
        STRONGROOM_STAGE: testStage,
        [mainTable.envVar]: 'strongroom-test-main',
        [auditTable.envVar]: 'strongroom-test-audit',
        [platformKey.envVar]: 'arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000',
        [domainEventsQueue.envVar]:
          'https://sqs.eu-west-1.amazonaws.com/123456789012/strongroom-test-domain-events',
        [portalUrlEnvVar]: 'https://portal.example.test',
        [rotationQueue.envVar]:
          'https://sqs.eu-west-1.amazonaws.com/123456789012/strongroom-test-rotations.fifo',
        STRONGROOM_LOG_LEVEL: 'error',
        AWS_REGION: 'eu-west-1',
        // HTTP requests need no AWS call; a background function's first call must fail fast, not retry.
        AWS_ACCESS_KEY_ID: 'bundling-test',
        AWS_SECRET_ACCESS_KEY: 'bundling-test',
        AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
        AWS_MAX_ATTEMPTS: '1',
      },
    },
  );
  // The handler's own log lines (JSON on stdout) come first.
  return JSON.parse(stdout.slice(stdout.lastIndexOf(outcomeMarker) + outcomeMarker.length)) as Outcome;
}

/**
 * The native addons a bundle may still `require` (left external, see `nativeAddons` in
 * strongroom-function.ts): optional ones of ssh2, loaded in try/catch with a JavaScript fallback
 * that the runtime probe exercises.
 */
const optionalNativeAddons = ['./crypto/build/Release/sshcrypto.node', '../build/Release/cpufeatures.node'];

/** The checks every bundle must pass, whatever its trigger. */
function describeBundleShape(fn: StrongroomFunction, clients: readonly string[]) {
  const bundlePath = path.join(bundleDirOf(fn), 'index.mjs');

  it('is one minified ESM file with a linked source map, no larger than it should be', () => {
    assert.ok(existsSync(bundlePath), bundlePath);
    assert.ok(existsSync(`${bundlePath}.map`), 'source map next to the bundle');
    const code = readFileSync(bundlePath, 'utf8');
    assert.match(code, /\/\/# sourceMappingURL=index\.mjs\.map\s*$/);
    // Minified: long lines. Newlines survive only inside template literals, which the SDK's and
    // the connectors' messages use a lot (about 900 characters per line for the worker); an
    // unminified esbuild bundle averages about 40.
    const charactersPerLine = code.length / code.split('\n').length;
    assert.ok(charactersPerLine > 300, `minified (${Math.round(charactersPerLine)} characters per line)`);
    const megabytes = statSync(bundlePath).size / 1024 / 1024;
    assert.ok(megabytes < 8, `bundle is ${megabytes.toFixed(1)} MB`);
  });

  it('starts with the module-scope banner, so bundled CommonJS has require, __filename and __dirname', () => {
    const firstLine = readFileSync(bundlePath, 'utf8').split('\n', 1)[0]!;
    assert.match(
      firstLine,
      new RegExp(
        [
          "^import \\{ createRequire as (\\w+) \\} from 'node:module';",
          "import \\{ dirname as (\\w+) \\} from 'node:path';",
          "import \\{ fileURLToPath as (\\w+) \\} from 'node:url';",
          'const require = \\1\\(import\\.meta\\.url\\);',
          'const __filename = \\3\\(import\\.meta\\.url\\);',
          'const __dirname = \\2\\(__filename\\);$',
        ].join(' '),
      ),
    );
  });

  it('refers to no native addon but the optional ones with a JavaScript fallback, and ships none', () => {
    const code = readFileSync(bundlePath, 'utf8');
    const addons = [...new Set([...code.matchAll(/["'`]([^"'`]*\.node)["'`]/g)].map((match) => match[1]!))];
    assert.deepEqual(
      addons.filter((addon) => !optionalNativeAddons.includes(addon)),
      [],
      'a new native addon must be reviewed (see nativeAddons in strongroom-function.ts)',
    );
    const shipped = readdirSync(path.dirname(bundlePath), { recursive: true }).filter((file) =>
      String(file).endsWith('.node'),
    );
    assert.deepEqual(shipped, []);
  });

  it('imports nothing but Node built-ins: the pinned AWS SDK and every dependency are bundled', async () => {
    const external = await externalImports(bundlePath);
    assert.ok(external.length > 0, "the analysis sees the bundle's imports");
    assert.deepEqual(
      external.filter((specifier) => !isBuiltin(specifier)),
      [],
    );
    const code = readFileSync(bundlePath, 'utf8');
    for (const client of clients) assert.match(code, new RegExp(client), `${client} is inside the bundle`);
  });
  return bundlePath;
}

describe('bundling (real esbuild, as in cdk synth)', () => {
  for (const { routes, fn } of apiBundles) {
    describe(`${routes.id} bundle`, () => {
      const bundlePath = describeBundleShape(
        fn,
        routes.id === 'access'
          ? ['KMSClient', 'SQSClient', 'SESv2Client']
          : routes.id === 'rotation'
            ? ['SQSClient', 'DynamoDBClient']
            : ['KMSClient'],
      );

      it('behaves like its TypeScript source: same response to GET /v1/openapi.json', async (t) => {
        const event = httpApiEvent('GET', '/v1/openapi.json');
        const [source, bundle] = await Promise.all([
          invoke(functionEntry(routes.entryFile), event),
          invoke(bundlePath, event),
        ]);
        if ('error' in source) {
          // The handler code itself is broken (functions/), which is not a bundling problem: the
          // bundle must then fail too, and the test reports why it could not compare responses.
          assert.ok('error' in bundle, 'the bundle fails like its source');
          t.skip(`the source entry itself fails, so there is no response to compare: ${source.error}`);
          return;
        }
        assert.deepEqual(bundle, source);
        const response = source.response as { statusCode: number; body: string };
        assert.equal(response.statusCode, 200, response.body);
        assert.equal((JSON.parse(response.body) as { openapi: string }).openapi, '3.1.0');
      });
    });
  }

  describe('access-sweeper bundle', () => {
    const bundlePath = describeBundleShape(sweeper, ['SQSClient', 'SESv2Client', 'DynamoDBClient']);

    it('loads, composes the access context and runs like its source, up to its first AWS call', async () => {
      // No AWS here: both reach DynamoDB (listDue) and fail the same way on the closed port,
      // which proves module loading, configuration and composition of the bundle.
      const [source, bundle] = await Promise.all([
        invoke(functionEntry(accessSweeperEntryFile), scheduledEvent),
        invoke(bundlePath, scheduledEvent),
      ]);
      assert.deepEqual(bundle, source);
      assert.ok('error' in bundle, `a sweep without AWS cannot succeed: ${JSON.stringify(bundle)}`);
      assert.match(bundle.error, /ECONNREFUSED|connect|socket|fetch failed/i);
      assert.doesNotMatch(bundle.error, /configuration|Dynamic require|Cannot find|is not a function/i);
    });
  });

  /** Runs source and bundle on the same event; they must end the same way. */
  const sameOutcome = async (entryFile: string, fn: StrongroomFunction, event: object) => {
    const [source, bundle] = await Promise.all([
      invoke(functionEntry(entryFile), event),
      invoke(path.join(bundleDirOf(fn), 'index.mjs'), event),
    ]);
    assert.deepEqual(bundle, source);
    return bundle;
  };
  /** A failure of the first AWS call (closed local port), not of loading or configuration. */
  const failedOnAws = (outcome: Outcome) => {
    assert.ok('error' in outcome, `without AWS this cannot succeed: ${JSON.stringify(outcome)}`);
    assert.match(outcome.error, /ECONNREFUSED|connect|socket|fetch failed/i);
    assert.doesNotMatch(outcome.error, /configuration|Dynamic require|Cannot find|is not a function/i);
  };

  describe('rotation-worker bundle', () => {
    describeBundleShape(rotationWorker, ['DynamoDBClient', 'KMSClient']);

    it('loads (target connectors included), composes the rotation context and reports the job as failed when DynamoDB is unreachable', async () => {
      const job = {
        tenantId: 'ten_1',
        accountId: 'acc_1',
        rotationId: 'rot_1',
        step: 'create',
        systemId: 'sys_1',
        lane: 0,
      };
      const outcome = await sameOutcome(
        rotationWorkerEntryFile,
        rotationWorker,
        sqsEvent('strongroom-test-rotations.fifo', job, 'sys_1#0'),
      );
      // A partial batch failure, not a crash: the handler ran up to the engine's first read.
      assert.deepEqual(outcome, {
        response: { batchItemFailures: [{ itemIdentifier: '00000000-0000-0000-0000-000000000001' }] },
      });
    });
  });

  describe('rotation-scheduler bundle', () => {
    describeBundleShape(rotationScheduler, ['DynamoDBClient', 'SQSClient']);

    it('loads, composes the rotation context and runs like its source, up to its first AWS call', async () => {
      failedOnAws(await sameOutcome(rotationSchedulerEntryFile, rotationScheduler, scheduledEvent));
    });
  });

  describe('release-events bundle', () => {
    describeBundleShape(releaseEvents, ['DynamoDBClient', 'SQSClient']);

    it('loads, parses a release.ended event and reports it as failed when DynamoDB is unreachable', async () => {
      const event = {
        id: 'evt_1',
        type: 'release.ended',
        version: 1,
        tenantId: 'ten_1',
        releaseId: 'rel_1',
        requestId: 'req_1',
        accountId: 'acc_1',
        endedBy: 'checked-in',
        rotate: true,
        at: '2026-01-01T00:00:00.000Z',
      };
      const outcome = await sameOutcome(
        releaseEventsEntryFile,
        releaseEvents,
        sqsEvent('strongroom-test-domain-events', event),
      );
      // Parsed (an unknown event would be dropped, not failed), then failed on its first read.
      assert.deepEqual(outcome, {
        response: { batchItemFailures: [{ itemIdentifier: '00000000-0000-0000-0000-000000000001' }] },
      });
    });
  });

  it('runtime probe: the bundled AWS SDK, Encryption SDK, jose, Hono and ssh2 (without its native addon) work as ESM on this Node 24', async () => {
    const outcome = await invoke(path.join(bundleDirOf(probe), 'index.mjs'), httpApiEvent('GET', '/probe'));
    assert.ok('response' in outcome, 'error' in outcome ? outcome.error : '');
    const response = outcome.response as { statusCode: number; body: string };
    assert.equal(response.statusCode, 200, response.body);
    const body = JSON.parse(response.body) as { ssh: { cipher: string; serverHostKey: string }[] };
    assert.deepEqual(body, {
      region: 'eu-west-1',
      dynamoRegion: 'eu-west-1',
      esdk: 'probe secret',
      jose: true,
      // ssh2's default order (AES-GCM first without cpu-features), then ChaCha20-Poly1305 (WebAssembly).
      ssh: [
        { cipher: body.ssh[0]?.cipher, serverHostKey: 'ssh-ed25519' },
        { cipher: 'chacha20-poly1305@openssh.com', serverHostKey: 'ssh-ed25519' },
      ],
    });
    assert.match(body.ssh[0]!.cipher, /^aes(128|256)-(gcm|ctr)/);
  });
});
