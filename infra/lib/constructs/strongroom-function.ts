import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Policy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  ApplicationLogLevel,
  Architecture,
  Code,
  Function as LambdaFunction,
  LoggingFormat,
  Runtime,
  SystemLogLevel,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { lockFile, repoRoot } from '../paths.ts';

/** Code built outside the CDK app, deployed as is (no esbuild). */
export interface PrebuiltCode {
  /** Absolute path of the directory that becomes the function's code. */
  readonly directory: string;
  /** `file.export` inside {@link directory}, e.g. `index.handler` for `index.mjs`. */
  readonly handler: string;
}

export interface StrongroomFunctionProps {
  /**
   * Absolute path of the TypeScript entry module, bundled by the local esbuild; it must export
   * `handler`. Exactly one of `entry` and `prebuilt`.
   */
  readonly entry?: string;
  /** Code that another build produced (the portal's OpenNext server function). */
  readonly prebuilt?: PrebuiltCode;
  /** Physical function name (see `physicalName` in shared/platform/resources.ts). */
  readonly functionName: string;
  readonly description: string;
  readonly environment?: Readonly<Record<string, string>>;
  /** @default RetentionDays.THREE_MONTHS */
  readonly logRetention?: RetentionDays;
  /** @default 1024 */
  readonly memorySize?: number;
  /** @default Duration.seconds(10) */
  readonly timeout?: Duration;
  /** @default none: the function draws on the account's unreserved concurrency */
  readonly reservedConcurrentExecutions?: number;
}

/**
 * Banner prepended to every ESM bundle: what bundled CommonJS dependencies expect of their module
 * scope and ESM output does not give them.
 *
 * - `require`: esbuild turns `require()` calls left in bundled CommonJS into a shim that throws
 *   "Dynamic require is not supported" in ESM output; a real `require` built with
 *   `createRequire` lets those calls (mostly of Node built-ins) succeed.
 * - `__filename` and `__dirname` (of the bundle): esbuild does not shim them in ESM output, and a
 *   bare reference throws `ReferenceError` (ssh2's Emscripten-built Poly1305 reads `__dirname` as
 *   soon as ssh2 is loaded, which crashes every function whose bundle contains the connectors).
 *
 * The imports are aliased so they cannot clash with identifiers in the bundle; the bundle's own
 * top-level names are minified.
 */
const esmModuleScopeBanner = [
  "import { createRequire as __strongroomCreateRequire } from 'node:module';",
  "import { dirname as __strongroomDirname } from 'node:path';",
  "import { fileURLToPath as __strongroomFileURLToPath } from 'node:url';",
  'const require = __strongroomCreateRequire(import.meta.url);',
  'const __filename = __strongroomFileURLToPath(import.meta.url);',
  'const __dirname = __strongroomDirname(__filename);',
].join(' ');

/**
 * Native addons (`*.node`) are left out of the bundle: esbuild cannot bundle them, and those
 * npm built here are for the build machine's platform, not Lambda's Linux arm64. The only ones in
 * the functions' dependency graph are optional, each loaded in a try/catch with a pure-JavaScript
 * fallback: ssh2's `sshcrypto.node` (its own ciphers; Node's crypto otherwise) and `cpu-features`
 * (which ssh2 asks for cipher preferences). Their `require` stays in the bundle, fails at runtime
 * and takes the fallback. infra/test/bundling.test.ts pins the addons a bundle may refer to, so a
 * new native dependency is a reviewed change, not a silent runtime failure.
 */
export const nativeAddons = '*.node';

/**
 * A Lambda function with Strongroom's defaults: Node.js 24 on Graviton, an ESM bundle built by
 * the local esbuild (or, with `prebuilt`, code another build produced, such as the portal's
 * OpenNext server function), JSON logs into a log group this construct owns.
 *
 * The construct creates the execution role itself instead of letting Lambda attach the
 * `AWSLambdaBasicExecutionRole` managed policy: that policy allows writing to every log group in
 * the account, whereas this role may only write to its own log group. Callers grant everything
 * else through {@link addToRolePolicy} with explicit, narrow statements.
 *
 * AWS SDK v3: the nodejs24.x runtime ships an SDK, but its version moves under us with runtime
 * patches. We bundle the SDK (`bundleAwsSDK`) so each deployment runs exactly the versions pinned
 * in functions/package.json and tested locally; minification and tree-shaking of the modular v3
 * clients keep the cost to a few hundred KB and a few ms of cold start. Nothing is externalized
 * except Node built-ins, which esbuild's `platform=node` already leaves out, and native addons
 * (see {@link nativeAddons}).
 *
 * No function-level dead-letter queue: the API functions are invoked synchronously, so the caller
 * sees failures directly; the scheduled functions carry no payload worth keeping (the next run
 * redoes the work), and their errors raise an alarm; the queue consumers' messages go to their
 * queue's own dead-letter queue (redrive policy, data stack).
 */
export class StrongroomFunction extends Construct {
  readonly function: LambdaFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: StrongroomFunctionProps) {
    super(scope, id);

    this.logGroup = new LogGroup(this, 'LogGroup', {
      logGroupName: `/aws/lambda/${props.functionName}`,
      retention: props.logRetention ?? RetentionDays.THREE_MONTHS,
      // Function logs are operational evidence for incidents; keep them when the stack goes.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${props.functionName}`,
    });
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'WriteOwnLogGroup',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        // The log group's Arn attribute ends in `:*`, which covers exactly its log streams.
        resources: [this.logGroup.logGroupArn],
      }),
    );

    if ((props.entry === undefined) === (props.prebuilt === undefined)) {
      throw new Error(`${props.functionName}: give exactly one of entry and prebuilt`);
    }
    const common = {
      functionName: props.functionName,
      description: props.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 1024,
      timeout: props.timeout ?? Duration.seconds(10),
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      applicationLogLevelV2: ApplicationLogLevel.INFO,
      systemLogLevelV2: SystemLogLevel.WARN,
      // No active X-Ray tracing: it needs xray:PutTraceSegments/PutTelemetryRecords on "*"
      // (X-Ray has no resource-level permissions), and these roles hold no unconditioned "*".
      // HTTP APIs do not propagate traces either; request ids correlate the JSON logs instead.
      tracing: Tracing.DISABLED,
    };

    if (props.prebuilt) {
      // Deployed as built: no source maps of ours to enable, nothing to bundle.
      this.function = new LambdaFunction(this, 'Function', {
        ...common,
        code: Code.fromAsset(props.prebuilt.directory),
        handler: props.prebuilt.handler,
        environment: { ...props.environment },
      });
      return;
    }

    this.function = new NodejsFunction(this, 'Function', {
      ...common,
      entry: props.entry,
      handler: 'handler',
      projectRoot: repoRoot,
      depsLockFilePath: lockFile,
      environment: {
        ...props.environment,
        // Stack traces point at the TypeScript sources instead of the minified bundle.
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        target: 'node24',
        // Prefer the ESM build of dependencies: better tree-shaking, fewer CJS shims.
        mainFields: ['module', 'main'],
        banner: esmModuleScopeBanner,
        minify: true,
        // Linked map (index.mjs.map + sourceMappingURL comment), which --enable-source-maps reads.
        sourceMap: true,
        // Mappings are enough for --enable-source-maps; embedding the sources only adds weight.
        sourcesContent: false,
        bundleAwsSDK: true,
        externalModules: [nativeAddons],
        logLevel: LogLevel.WARNING,
      },
    });
  }

  /** Adds a statement to this function's execution role (its default policy). */
  addToRolePolicy(statement: PolicyStatement): void {
    this.role.addToPrincipalPolicy(statement);
  }

  /**
   * Attaches a separate, named policy to the execution role. Used for statement groups that
   * need their own cdk-nag acknowledgement: an acknowledgement on this policy covers only these
   * statements, not the rest of the role.
   */
  attachPolicy(id: string, statements: readonly PolicyStatement[]): Policy {
    return new Policy(this, id, { roles: [this.role], statements: [...statements] });
  }
}
