import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ensureLocalStackInstalled, type InstalledLocalStack } from './install.ts';

/**
 * The local AWS stack: DynamoDB Local (AWS's own engine) and moto's server (KMS, SQS, S3, SES,
 * STS), as real processes on loopback ports, for tests and `npm start`.
 *
 * Both listen on 127.0.0.1 only: neither has authentication, and DynamoDB Local would otherwise
 * listen on every interface. Both die with the Node process that started them, however it ends:
 * each child's standard input is a pipe that only this process holds, and each exits when that
 * pipe reaches end-of-file (which the kernel delivers even when the parent is killed with SIGKILL);
 * a normal exit additionally sends them SIGTERM. The children and their pipes are unref'd, so a
 * stack that nobody stops never keeps the process alive on its own.
 */

export interface LocalStack {
  /**
   * What the AWS SDK v3 (and the AWS CLI) needs to reach the stack through its standard
   * variables: DynamoDB's own endpoint, moto's for every other service, a region and dummy
   * credentials. Merge it into a child's environment or `process.env`.
   */
  readonly env: Record<string, string>;
  readonly endpoints: { readonly dynamodb: string; readonly moto: string };
  /** Stops both emulators (SIGTERM, then SIGKILL after a grace period); resolves once both are gone. */
  stop(): Promise<void>;
}

export interface LocalStackOptions {
  /**
   * Keep data across runs in this directory (`dynamodb/` for DynamoDB Local's database,
   * `moto/state.pickle` for moto). Without it, both run in memory and start empty.
   */
  readonly dataDirectory?: string;
  /** Delete the stack's data in `dataDirectory` before starting. */
  readonly fresh?: boolean;
  readonly log?: (line: string) => void;
  /** How long each emulator may take to answer its first request (default 90 s). */
  readonly startTimeoutMilliseconds?: number;
}

/** The region the local stack pretends to be in. */
export const localRegion = 'us-east-1';

/** Dummy credentials: moto accepts any, and DynamoDB Local with -sharedDb ignores the key id. */
const localCredentials = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

const loopbackHost = '127.0.0.1';

/** The stack's own sub-directories of a data directory: the only paths `fresh` deletes. */
const dataSubdirectories = { dynamodb: 'dynamodb', moto: 'moto' } as const;

/**
 * Installs the emulators if needed (see install.ts), starts both on free loopback ports and
 * resolves once each answers a real request; on failure both are stopped and the error carries
 * the failing emulator's last output lines.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const log = options.log ?? (() => {});
  const startedAt = performance.now();
  const installed = await ensureLocalStackInstalled(log);
  const dataDirectory = options.dataDirectory ? path.resolve(options.dataDirectory) : undefined;
  let releaseDataDirectory = async () => {};
  let endpoints: { dynamodb: string; moto: string };
  let children: ManagedProcess[];
  try {
    if (dataDirectory) {
      await mkdir(dataDirectory, { recursive: true });
      releaseDataDirectory = await lockDataDirectory(dataDirectory);
      if (options.fresh) {
        log(`local-stack: fresh start, deleting the stack's data in ${dataDirectory}`);
        for (const subdirectory of Object.values(dataSubdirectories)) {
          await rm(path.join(dataDirectory, subdirectory), { recursive: true, force: true });
        }
      }
    }
    const [dynamodbPort, motoPort] = (await freeLoopbackPorts(2)) as [number, number];
    endpoints = {
      dynamodb: `http://${loopbackHost}:${dynamodbPort}`,
      moto: `http://${loopbackHost}:${motoPort}`,
    };
    children = [
      await startDynamodbLocal(installed, dynamodbPort, dataDirectory, log),
      startMoto(installed, motoPort, dataDirectory, log),
    ];
  } catch (error) {
    await releaseDataDirectory();
    throw error;
  }
  const terminateOnExit = () => {
    for (const child of children) child.signal('SIGTERM');
  };
  process.on('exit', terminateOnExit);

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      await Promise.all(children.map((child) => child.stop()));
      process.off('exit', terminateOnExit);
      await releaseDataDirectory();
      log('local-stack: stopped');
    })();
    return stopping;
  };

  try {
    const timeout = options.startTimeoutMilliseconds ?? 90_000;
    const [dynamodbChild, motoChild] = children as [ManagedProcess, ManagedProcess];
    await Promise.all([
      waitUntilHealthy(dynamodbChild, timeout, () => dynamodbAnswers(endpoints.dynamodb)),
      waitUntilHealthy(motoChild, timeout, () => motoAnswers(endpoints.moto)),
    ]);
  } catch (error) {
    await stop();
    throw error;
  }
  for (const child of children) child.reportUnexpectedExit = true;

  const storage = dataDirectory ? `data in ${dataDirectory}` : 'in memory';
  log(
    `local-stack: DynamoDB Local on ${endpoints.dynamodb}, moto on ${endpoints.moto} (${storage}), ` +
      `ready in ${((performance.now() - startedAt) / 1000).toFixed(1)} s`,
  );
  const env: Record<string, string> = {
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    // Every other service (KMS, SQS, S3, SES, STS) is moto's.
    AWS_ENDPOINT_URL: endpoints.moto,
    AWS_REGION: localRegion,
    AWS_DEFAULT_REGION: localRegion,
    AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
    // Never wait for an instance metadata service that does not exist here.
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  return { env: Object.freeze(env), endpoints: Object.freeze(endpoints), stop };
}

async function startDynamodbLocal(
  installed: InstalledLocalStack,
  port: number,
  dataDirectory: string | undefined,
  log: (line: string) => void,
): Promise<ManagedProcess> {
  const { javaExecutable, libraryDirectory, classesDirectory, mainClass } = installed.dynamodbLocal;
  let storage = ['-inMemory'];
  if (dataDirectory) {
    const databaseDirectory = path.join(dataDirectory, dataSubdirectories.dynamodb);
    await mkdir(databaseDirectory, { recursive: true });
    storage = ['-dbPath', databaseDirectory];
  }
  return startManagedProcess(
    'DynamoDB Local',
    javaExecutable,
    [
      // Start-up time matters more than peak throughput for a local emulator on two cores.
      '-XX:TieredStopAtLevel=1',
      '-XX:+UseSerialGC',
      `-Djava.library.path=${libraryDirectory}`,
      `-Dstrongroom.host=${loopbackHost}`,
      '-Dstrongroom.exitOnStdinEof=true',
      '-classpath',
      [classesDirectory, path.join(libraryDirectory, '*')].join(path.delimiter),
      mainClass,
      '-port',
      String(port),
      ...storage,
      // One database whatever the access key and region: the stack hands out one set of dummy
      // credentials, but a test that signs with others must still see the same tables.
      '-sharedDb',
      // No usage reporting to AWS (and no dynamodb-local-metadata.json in the working directory).
      '-disableTelemetry',
    ],
    log,
    'Install a JDK 17 or newer (or set JAVA_HOME to one).',
  );
}

function startMoto(
  installed: InstalledLocalStack,
  port: number,
  dataDirectory: string | undefined,
  log: (line: string) => void,
): ManagedProcess {
  const { pythonExecutable, launcherScript } = installed.moto;
  const persistence = dataDirectory
    ? ['--state-file', path.join(dataDirectory, dataSubdirectories.moto, 'state.pickle')]
    : [];
  return startManagedProcess(
    'moto',
    pythonExecutable,
    [launcherScript, '--host', loopbackHost, '--port', String(port), '--exit-on-stdin-eof', ...persistence],
    log,
    "Run `node test/local-stack/install.ts` to rebuild moto's virtualenv.",
    { PYTHONUNBUFFERED: '1' },
  );
}

/** One emulator process, with the tail of its output for error messages. */
interface ManagedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** Settles when the process has exited (or failed to start). */
  readonly exited: Promise<void>;
  hasExited(): boolean;
  outputTail(): string;
  /** Whether to log an exit that `stop()` did not ask for (set once the process is healthy). */
  reportUnexpectedExit: boolean;
  signal(signal: NodeJS.Signals): void;
  stop(): Promise<void>;
}

const outputTailLines = 60;
const gracefulStopMilliseconds = 10_000;

function startManagedProcess(
  name: string,
  command: string,
  commandArguments: readonly string[],
  log: (line: string) => void,
  missingHint: string,
  extraEnvironment: Record<string, string> = {},
): ManagedProcess {
  const child = spawn(command, commandArguments, {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...environmentWithoutAws(), ...extraEnvironment },
  });
  const tail: string[] = [];
  const remember = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      tail.push(line);
      if (tail.length > outputTailLines) tail.shift();
    }
  };
  child.stdout?.on('data', remember);
  child.stderr?.on('data', remember);
  // A write to a child that is already gone must not crash the parent.
  child.stdin?.on('error', () => {});

  let exitedFlag = false;
  let stopRequested = false;
  let exitDescription = '';
  const managed: ManagedProcess = {
    name,
    child,
    exited: new Promise<void>((resolve) => {
      child.once('error', (error: NodeJS.ErrnoException) => {
        remember(Buffer.from(`could not start '${command}': ${error.message}`));
        exitDescription = error.code === 'ENOENT' ? `'${command}' not found. ${missingHint}` : error.message;
        exitedFlag = true;
        resolve();
      });
      child.once('exit', (code, signal) => {
        exitDescription = signal ? `signal ${signal}` : `exit code ${code}`;
        exitedFlag = true;
        if (managed.reportUnexpectedExit && !stopRequested) {
          log(`local-stack: ${name} exited unexpectedly (${exitDescription})\n${managed.outputTail()}`);
        }
        resolve();
      });
    }),
    hasExited: () => exitedFlag,
    outputTail: () =>
      [`${name} output (last ${tail.length} lines)${exitedFlag ? `, ${exitDescription}` : ''}:`, ...tail]
        .map((line) => `  | ${line}`)
        .join('\n'),
    reportUnexpectedExit: false,
    signal(signal) {
      if (!exitedFlag && child.pid !== undefined) child.kill(signal);
    },
    async stop() {
      stopRequested = true;
      if (exitedFlag) return;
      // Held by the event loop again until the process is gone, or a script ending in
      // `await stack.stop()` would exit (with an unsettled await) before the child does.
      child.ref();
      managed.signal('SIGTERM');
      const stopped = await Promise.race([
        managed.exited.then(() => true),
        sleep(gracefulStopMilliseconds, false, { ref: false }),
      ]);
      if (!stopped) {
        log(`local-stack: ${name} did not stop within ${gracefulStopMilliseconds / 1000} s, killing it`);
        managed.signal('SIGKILL');
        await managed.exited;
      }
      child.stdin?.destroy();
    },
  };
  // The stack must not keep the event loop alive by itself (see the module comment).
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) {
    (stream as { unref?: () => void } | null)?.unref?.();
  }
  return managed;
}

/** The parent's environment minus AWS settings, which are not the emulators' business. */
function environmentWithoutAws(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')));
}

async function waitUntilHealthy(
  managed: ManagedProcess,
  timeoutMilliseconds: number,
  answers: () => Promise<boolean>,
): Promise<void> {
  const deadline = performance.now() + timeoutMilliseconds;
  let lastError = 'no answer yet';
  for (;;) {
    if (managed.hasExited()) {
      throw new Error(`local-stack: ${managed.name} exited during start-up\n${managed.outputTail()}`);
    }
    try {
      if (await answers()) return;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    if (performance.now() > deadline) {
      throw new Error(
        `local-stack: ${managed.name} did not become healthy within ${timeoutMilliseconds / 1000} s ` +
          `(last error: ${lastError})\n${managed.outputTail()}`,
      );
    }
    await Promise.race([sleep(150), managed.exited]);
  }
}

async function dynamodbAnswers(endpoint: string): Promise<boolean> {
  const client = new DynamoDBClient({
    endpoint,
    region: localRegion,
    credentials: localCredentials,
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 1_000, requestTimeout: 3_000 },
  });
  try {
    await client.send(new ListTablesCommand({ Limit: 1 }));
    return true;
  } finally {
    client.destroy();
  }
}

async function motoAnswers(endpoint: string): Promise<boolean> {
  const response = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(3_000) });
  await response.arrayBuffer();
  return response.ok;
}

/**
 * Distinct free loopback ports, found by binding port 0. All are held open until every one is
 * chosen, so the same port is never handed out twice; another program could still take one in
 * the moment before the emulator binds it, which start-up would then report as a failure.
 */
async function freeLoopbackPorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, loopbackHost, () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((server) => {
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('Expected a TCP address');
    return address.port;
  });
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

/**
 * One stack per data directory: two would overwrite each other's moto state and share a
 * DynamoDB database file. A lock left by a process that no longer runs is taken over.
 */
async function lockDataDirectory(dataDirectory: string): Promise<() => Promise<void>> {
  const lockFile = path.join(dataDirectory, '.local-stack.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(lockFile, String(process.pid), { flag: 'wx' });
      return async () => {
        await rm(lockFile, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = Number.parseInt(await readFile(lockFile, 'utf8').catch(() => ''), 10);
    if (Number.isInteger(owner) && isAlive(owner)) {
      throw new Error(
        `local-stack: ${dataDirectory} is in use by another local stack (pid ${owner}${owner === process.pid ? ', this process' : ''}). ` +
          `Stop it first, or use another data directory.`,
      );
    }
    await rm(lockFile, { force: true });
  }
  throw new Error(`local-stack: could not lock ${dataDirectory}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
