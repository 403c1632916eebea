import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { cacheDirectory, localStackSourceDirectory } from './paths.ts';

/**
 * Installs the local AWS stack's emulators into `.cache/local-stack/`: DynamoDB Local (AWS's own
 * engine, from Maven Central) and moto's server (from PyPI, in a project-local virtualenv).
 *
 * Nothing is installed globally and no prebuilt binary is downloaded from anywhere but the two
 * package registries, so the same steps work on a fresh machine, a developer's and CI's.
 * Each emulator has a stamp holding a hash of everything its installation depends on; while the
 * stamp matches, `ensureLocalStackInstalled` returns at once, and any changed input (POM, Java
 * runner, moto pin or constraints, Python launcher, Python interpreter) reinstalls that emulator.
 */

/** Where the installed emulators are and how to run them. */
export interface InstalledLocalStack {
  readonly dynamodbLocal: {
    /** The `java` to run DynamoDB Local with (the JDK that compiled the runner). */
    readonly javaExecutable: string;
    /** DynamoDB Local's jars and native sqlite4java libraries (also the `java.library.path`). */
    readonly libraryDirectory: string;
    /** The compiled LoopbackServerRunner. */
    readonly classesDirectory: string;
    /** Main class to start. */
    readonly mainClass: string;
  };
  readonly moto: {
    /** The virtualenv's interpreter, which has moto installed. */
    readonly pythonExecutable: string;
    /** The persistence-capable launcher script (run from the repository, not copied). */
    readonly launcherScript: string;
  };
}

/** The pinned moto release; requirements.txt must say the same (checked at install time). */
export const motoVersion = '5.2.5';

const dynamodbSourceDirectory = path.join(localStackSourceDirectory, 'dynamodb-local');
const dynamodbPom = path.join(dynamodbSourceDirectory, 'pom.xml');
const dynamodbRunnerSource = path.join(dynamodbSourceDirectory, 'LoopbackServerRunner.java');
const dynamodbInstallDirectory = path.join(cacheDirectory, 'dynamodb-local');

const motoSourceDirectory = path.join(localStackSourceDirectory, 'moto');
const motoRequirements = path.join(motoSourceDirectory, 'requirements.txt');
const motoConstraints = path.join(motoSourceDirectory, 'constraints.txt');
const motoLauncher = path.join(motoSourceDirectory, 'persistent_moto.py');
const motoVirtualenv = path.join(cacheDirectory, 'moto-venv');

/** Name of the stamp file inside each emulator's install directory. */
const stampFileName = '.installed-inputs.sha256';

/** Exact paths of the installed artifacts, whether or not they exist yet. */
export function installedLocalStackPaths(): InstalledLocalStack {
  return {
    dynamodbLocal: {
      javaExecutable: jdkTool('java'),
      libraryDirectory: path.join(dynamodbInstallDirectory, 'lib'),
      classesDirectory: path.join(dynamodbInstallDirectory, 'classes'),
      mainClass: 'LoopbackServerRunner',
    },
    moto: {
      pythonExecutable: path.join(motoVirtualenv, 'bin', 'python'),
      launcherScript: motoLauncher,
    },
  };
}

/**
 * Makes sure both emulators are installed and current, installing what is missing or stale.
 * Safe to call from several processes at once (parallel test files): installation is serialised
 * by a lock directory, and the quick stamp check needs no lock.
 */
export async function ensureLocalStackInstalled(
  log: (line: string) => void = () => {},
): Promise<InstalledLocalStack> {
  const installed = installedLocalStackPaths();
  const wanted = {
    dynamodb: await dynamodbInputsHash(),
    moto: await motoInputsHashes(),
  };
  const check = async () => {
    const motoStamp = parseMotoStamp(await readStamp(motoVirtualenv));
    return {
      dynamodb: (await readStamp(dynamodbInstallDirectory)) === wanted.dynamodb,
      motoEnvironment: motoStamp?.environment === wanted.moto.environment,
      motoLauncher: motoStamp?.launcher === wanted.moto.launcher,
    };
  };
  let upToDate = await check();
  if (upToDate.dynamodb && upToDate.motoEnvironment && upToDate.motoLauncher) return installed;

  await mkdir(cacheDirectory, { recursive: true });
  const release = await acquireInstallLock(log);
  try {
    // Another process may have installed while this one waited for the lock.
    upToDate = await check();
    if (!upToDate.dynamodb) await installDynamodbLocal(wanted.dynamodb, installed, log);
    if (!upToDate.motoEnvironment) {
      await installMoto(wanted.moto, installed, { rebuild: true }, log);
    } else if (!upToDate.motoLauncher) {
      await installMoto(wanted.moto, installed, { rebuild: false }, log);
    }
  } finally {
    await release();
  }
  return installed;
}

async function installDynamodbLocal(
  inputsHash: string,
  installed: InstalledLocalStack,
  log: (line: string) => void,
): Promise<void> {
  const started = performance.now();
  log('local-stack: installing DynamoDB Local from Maven Central…');
  await rm(dynamodbInstallDirectory, { recursive: true, force: true });
  const { libraryDirectory, classesDirectory } = installed.dynamodbLocal;
  await runTool(
    'mvn',
    ['-q', '-B', '-f', dynamodbPom, 'dependency:copy-dependencies', `-DoutputDirectory=${libraryDirectory}`],
    { missingHint: 'Install Apache Maven 3.8+ (Debian: apt-get install maven).' },
  );
  await mkdir(classesDirectory, { recursive: true });
  await runTool(
    jdkTool('javac'),
    [
      '--release',
      '17',
      '-encoding',
      'UTF-8',
      '-classpath',
      path.join(libraryDirectory, '*'),
      '-d',
      classesDirectory,
      dynamodbRunnerSource,
    ],
    { missingHint: 'Install a JDK 17 or newer (Debian: apt-get install openjdk-17-jdk-headless).' },
  );
  await writeStamp(dynamodbInstallDirectory, inputsHash);
  log(`local-stack: DynamoDB Local installed in ${seconds(started)}`);
}

/**
 * Builds moto's virtualenv from scratch (`rebuild`), or, when only the launcher changed, re-runs
 * pip against the existing one: a no-op unless the launcher's needs are no longer met, and seconds
 * instead of a minute.
 */
async function installMoto(
  inputs: MotoInputs,
  installed: InstalledLocalStack,
  mode: { readonly rebuild: boolean },
  log: (line: string) => void,
): Promise<void> {
  const started = performance.now();
  const requirements = await readFile(motoRequirements, 'utf8');
  if (!requirements.includes(`moto[server]==${motoVersion}`)) {
    throw new Error(
      `${motoRequirements} does not pin moto[server]==${motoVersion} (install.ts's motoVersion)`,
    );
  }
  if (mode.rebuild) {
    log(`local-stack: installing moto ${motoVersion} from PyPI into ${motoVirtualenv}…`);
    // A fresh virtualenv each time: one built by another interpreter, or holding packages from
    // an older pin, would otherwise linger half-upgraded.
    await rm(motoVirtualenv, { recursive: true, force: true });
    await runTool(pythonLauncher(), ['-m', 'venv', motoVirtualenv], { missingHint: pythonHint });
  } else {
    log('local-stack: the moto launcher changed, checking its virtualenv…');
  }
  const pipArguments = ['-m', 'pip', 'install', '--quiet', '--no-input', '-r', motoRequirements];
  if (existsSync(motoConstraints)) pipArguments.push('-c', motoConstraints);
  await runTool(installed.moto.pythonExecutable, pipArguments, {
    environment: { PIP_DISABLE_PIP_VERSION_CHECK: '1' },
  });
  await writeStamp(motoVirtualenv, `${inputs.environment}:${inputs.launcher}`);
  log(`local-stack: moto ${mode.rebuild ? 'installed' : 'checked'} in ${seconds(started)}`);
}

const pythonHint = 'Install Python 3.9 or newer with venv (Debian: apt-get install python3 python3-venv).';

/** Everything DynamoDB Local's installation is built from. */
async function dynamodbInputsHash(): Promise<string> {
  return hashOf([await readFile(dynamodbPom), await readFile(dynamodbRunnerSource)]);
}

/**
 * What moto's virtualenv is built from, in two parts. `environment`: the pin, the constraints
 * and the interpreter's identity (a virtualenv only works with the interpreter that created it);
 * a change rebuilds the virtualenv. `launcher`: the launcher is run from the repository, but a
 * change to it re-checks the virtualenv, so a launcher that needs another package is never run
 * against a stale one.
 */
interface MotoInputs {
  readonly environment: string;
  readonly launcher: string;
}

async function motoInputsHashes(): Promise<MotoInputs> {
  const interpreter = await pythonIdentity();
  return {
    environment: hashOf([
      motoVersion,
      await readFile(motoRequirements),
      existsSync(motoConstraints) ? await readFile(motoConstraints) : '',
      interpreter,
    ]),
    launcher: hashOf([await readFile(motoLauncher)]),
  };
}

function parseMotoStamp(stamp: string | undefined): MotoInputs | undefined {
  const [environment, launcher] = stamp?.split(':') ?? [];
  return environment && launcher ? { environment, launcher } : undefined;
}

/** Version and real location of the Python interpreter that creates the virtualenv. */
async function pythonIdentity(): Promise<string> {
  const { output } = await runTool(
    pythonLauncher(),
    ['-c', 'import os, sys; print(sys.version); print(os.path.realpath(sys.executable))'],
    { missingHint: pythonHint },
  );
  return output;
}

function hashOf(parts: readonly (string | Buffer)[]): string {
  const hash = createHash('sha256');
  for (const part of parts) {
    const bytes = typeof part === 'string' ? Buffer.from(part) : part;
    // Length-prefixed, so moving bytes from one input to the next changes the hash.
    hash.update(`${bytes.length}:`).update(bytes);
  }
  return hash.digest('hex');
}

async function readStamp(directory: string): Promise<string | undefined> {
  try {
    return (await readFile(path.join(directory, stampFileName), 'utf8')).trim();
  } catch {
    return undefined;
  }
}

/** Written last, so an interrupted installation is redone on the next run. */
async function writeStamp(directory: string, inputsHash: string): Promise<void> {
  await writeFile(path.join(directory, stampFileName), `${inputsHash}\n`);
}

/** `python3`, unless STRONGROOM_PYTHON names another interpreter. */
function pythonLauncher(): string {
  return process.env.STRONGROOM_PYTHON || 'python3';
}

/** A JDK tool from JAVA_HOME when that is set (as Maven does), otherwise from PATH. */
function jdkTool(name: 'java' | 'javac'): string {
  const javaHome = process.env.JAVA_HOME;
  return javaHome ? path.join(javaHome, 'bin', name) : name;
}

function seconds(startedAt: number): string {
  return `${((performance.now() - startedAt) / 1000).toFixed(1)} s`;
}

/**
 * A lock directory (mkdir is atomic) holding the owner's pid. A lock whose owner is no longer
 * alive is broken, so a killed install never blocks the next one.
 */
async function acquireInstallLock(log: (line: string) => void): Promise<() => Promise<void>> {
  const lockDirectory = path.join(cacheDirectory, 'install.lock');
  const ownerFile = path.join(lockDirectory, 'pid');
  const giveUpAt = Date.now() + 15 * 60_000;
  let announced = false;
  for (;;) {
    try {
      await mkdir(lockDirectory);
      await writeFile(ownerFile, String(process.pid));
      return () => rm(lockDirectory, { recursive: true, force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = Number.parseInt(await readFile(ownerFile, 'utf8').catch(() => ''), 10);
    if (Number.isInteger(owner) && !isAlive(owner)) {
      await rm(lockDirectory, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > giveUpAt) throw new Error(`Timed out waiting for the install lock ${lockDirectory}`);
    if (!announced) {
      log(`local-stack: waiting for another installation (lock ${lockDirectory})…`);
      announced = true;
    }
    await sleep(250);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Runs a tool to completion, capturing its output. A tool that is not installed fails with a
 * message naming what to install; one that fails shows the tail of what it printed.
 */
async function runTool(
  command: string,
  commandArguments: readonly string[],
  options: { readonly missingHint?: string; readonly environment?: Record<string, string> } = {},
): Promise<{ readonly output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, commandArguments, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...options.environment },
    });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') {
        reject(
          new Error(
            `local-stack: '${command}' was not found (looked up on PATH unless a path is given). ${options.missingHint ?? ''}`.trim(),
          ),
        );
      } else {
        reject(error);
      }
    });
    child.once('close', (code, signal) => {
      const output = Buffer.concat(chunks).toString('utf8');
      if (code === 0) {
        resolve({ output });
        return;
      }
      const tail = output.trim().split('\n').slice(-40).join('\n');
      reject(
        new Error(
          `local-stack: '${command} ${commandArguments.join(' ')}' failed (${signal ?? `exit code ${code}`})\n${tail}`,
        ),
      );
    });
  });
}

if (import.meta.main) {
  const started = performance.now();
  try {
    const installed = await ensureLocalStackInstalled((line) => console.log(line));
    console.log(`local-stack: installed and current (${seconds(started)})`);
    console.log(`  DynamoDB Local: ${path.dirname(installed.dynamodbLocal.libraryDirectory)}`);
    console.log(`  moto:           ${path.dirname(path.dirname(installed.moto.pythonExecutable))}`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  }
}
