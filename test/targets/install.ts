import { spawn } from 'node:child_process';
import { existsSync, globSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Installs the real systems the connector tests rotate secrets on, from Debian packages: OpenSSH
 * server (plus sudo and sshpass), PostgreSQL, MariaDB, a Samba AD domain controller and the
 * OpenLDAP command-line clients the tests use as independent second clients.
 *
 * Idempotent: when every binary the targets need is present, it returns without touching apt.
 * Otherwise it runs `apt-get update` and one `apt-get install`, serialised between processes by a
 * lock directory under `.cache/targets/` (and by dpkg's own lock, which apt waits for). Package
 * maintainer scripts are kept from starting the system-wide services (a temporary
 * `policy-rc.d` that denies every start), since the tests start their own instances.
 */

export const repoRoot = path.resolve(import.meta.dirname, '..', '..');
export const targetsCacheDirectory = path.join(repoRoot, '.cache', 'targets');

/** Debian 12 (bookworm) package names. */
export const targetPackages = [
  'openssh-server',
  'sudo',
  'sshpass',
  'postgresql',
  'mariadb-server',
  'mariadb-client',
  'samba',
  'samba-ad-dc',
  'samba-ad-provision',
  'ldap-utils',
] as const;

/** Where the installed binaries are. */
export interface InstalledTargets {
  readonly sshd: string;
  readonly ssh: string;
  readonly sshKeygen: string;
  readonly sshpass: string;
  /** Directory holding `initdb` and `postgres` (e.g. /usr/lib/postgresql/15/bin). */
  readonly postgresBin: string;
  readonly psql: string;
  readonly mariadbd: string;
  readonly mariadbInstallDb: string;
  readonly mariadb: string;
  readonly samba: string;
  readonly sambaTool: string;
  readonly ldapwhoami: string;
  readonly ldapsearch: string;
}

function locate(): InstalledTargets | undefined {
  const postgresBin = globSync('/usr/lib/postgresql/*/bin/postgres')
    .map((file) => path.dirname(file))
    .sort((a, b) => versionOf(b) - versionOf(a))[0];
  const installed = {
    sshd: '/usr/sbin/sshd',
    ssh: '/usr/bin/ssh',
    sshKeygen: '/usr/bin/ssh-keygen',
    sshpass: '/usr/bin/sshpass',
    postgresBin: postgresBin ?? '',
    psql: '/usr/bin/psql',
    mariadbd: '/usr/sbin/mariadbd',
    mariadbInstallDb: '/usr/bin/mariadb-install-db',
    mariadb: '/usr/bin/mariadb',
    samba: '/usr/sbin/samba',
    sambaTool: '/usr/bin/samba-tool',
    ldapwhoami: '/usr/bin/ldapwhoami',
    ldapsearch: '/usr/bin/ldapsearch',
  };
  const required = [
    ...Object.values(installed),
    '/usr/bin/sudo',
    '/usr/sbin/chpasswd',
    '/usr/sbin/useradd',
    path.join(installed.postgresBin, 'initdb'),
    // samba-ad-provision: the schema and templates `samba-tool domain provision` reads.
    '/usr/share/samba/setup/provision.ldif',
  ];
  return postgresBin && required.every((file) => existsSync(file)) ? installed : undefined;
}

function versionOf(binDirectory: string): number {
  return Number.parseInt(path.basename(path.dirname(binDirectory)), 10) || 0;
}

/** Makes sure every test target is installed; installs the missing packages with apt otherwise. */
export async function ensureTargetsInstalled(
  log: (line: string) => void = () => {},
): Promise<InstalledTargets> {
  const present = locate();
  if (present) return present;
  if (process.getuid?.() !== 0) {
    throw new Error(
      `test targets: missing, and installing them needs root. Run as root, or: apt-get install ${targetPackages.join(' ')}`,
    );
  }
  await mkdir(targetsCacheDirectory, { recursive: true });
  const release = await acquireLock(path.join(targetsCacheDirectory, 'install.lock'), log);
  try {
    const again = locate();
    if (again) return again;
    const started = performance.now();
    log(`test targets: installing ${targetPackages.join(' ')} with apt…`);
    await withServiceStartsDenied(async () => {
      const environment = { DEBIAN_FRONTEND: 'noninteractive', NEEDRESTART_MODE: 'l' };
      const lockWait = ['-o', 'DPkg::Lock::Timeout=600'];
      await runTool('apt-get', [...lockWait, 'update', '-q'], environment);
      await runTool(
        'apt-get',
        [
          ...lockWait,
          'install',
          '-y',
          '-q',
          '--no-install-recommends',
          '-o',
          'Dpkg::Options::=--force-confdef',
          '-o',
          'Dpkg::Options::=--force-confold',
          ...targetPackages,
        ],
        environment,
      );
    });
    const installed = locate();
    if (!installed) throw new Error('test targets: apt-get succeeded but some binaries are still missing');
    log(`test targets: installed in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return installed;
  } finally {
    await release();
  }
}

/**
 * Debian's maintainer scripts start a package's service through invoke-rc.d, which asks
 * /usr/sbin/policy-rc.d first; exit status 101 means "not allowed". Only a policy file this
 * function created is removed again.
 */
async function withServiceStartsDenied(action: () => Promise<void>): Promise<void> {
  const policyFile = '/usr/sbin/policy-rc.d';
  if (existsSync(policyFile)) return action();
  await writeFile(
    policyFile,
    '#!/bin/sh\n# Temporary (Strongroom test targets): no service starts.\nexit 101\n',
    {
      mode: 0o755,
    },
  );
  try {
    await action();
  } finally {
    await rm(policyFile, { force: true });
  }
}

/** A lock directory (mkdir is atomic) holding its owner's pid; a dead owner's lock is broken. */
export async function acquireLock(
  lockDirectory: string,
  log: (line: string) => void,
  timeoutMilliseconds = 15 * 60_000,
): Promise<() => Promise<void>> {
  const ownerFile = path.join(lockDirectory, 'pid');
  const giveUpAt = Date.now() + timeoutMilliseconds;
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
    if (Date.now() > giveUpAt) throw new Error(`Timed out waiting for the lock ${lockDirectory}`);
    if (!announced) {
      log(`test targets: waiting for another process (lock ${lockDirectory})…`);
      announced = true;
    }
    await sleep(200);
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function runTool(command: string, commandArguments: readonly string[], environment: Record<string, string>) {
  return new Promise<void>((resolve, reject) => {
    const child = spawn(command, commandArguments, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...environment },
    });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (code === 0) return resolve();
      const tail = Buffer.concat(chunks).toString('utf8').trim().split('\n').slice(-30).join('\n');
      reject(
        new Error(
          `test targets: '${command} ${commandArguments.join(' ')}' failed (${signal ?? code})\n${tail}`,
        ),
      );
    });
  });
}

if (import.meta.main) {
  const started = performance.now();
  try {
    const installed = await ensureTargetsInstalled((line) => console.log(line));
    console.log(
      `test targets: installed and current (${((performance.now() - started) / 1000).toFixed(1)} s)`,
    );
    console.log(installed);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  }
}

/** Debian's Chromium, which the portal's browser tests drive through playwright-core. */
export const chromiumExecutable = '/usr/bin/chromium';

/** Makes sure Debian's `chromium` package is installed (the browser tests never download one). */
export async function ensureChromiumInstalled(log: (line: string) => void = () => {}): Promise<string> {
  if (existsSync(chromiumExecutable)) return chromiumExecutable;
  if (process.getuid?.() !== 0) {
    throw new Error(
      'chromium: missing, and installing it needs root. Run as root, or: apt-get install chromium',
    );
  }
  await mkdir(targetsCacheDirectory, { recursive: true });
  const release = await acquireLock(path.join(targetsCacheDirectory, 'install.lock'), log);
  try {
    if (existsSync(chromiumExecutable)) return chromiumExecutable;
    const started = performance.now();
    log('chromium: installing with apt…');
    const environment = { DEBIAN_FRONTEND: 'noninteractive', NEEDRESTART_MODE: 'l' };
    const lockWait = ['-o', 'DPkg::Lock::Timeout=600'];
    await runTool('apt-get', [...lockWait, 'update', '-q'], environment);
    await runTool(
      'apt-get',
      [...lockWait, 'install', '-y', '-q', '--no-install-recommends', 'chromium'],
      environment,
    );
    if (!existsSync(chromiumExecutable))
      throw new Error('chromium: apt-get succeeded but /usr/bin/chromium is missing');
    log(`chromium: installed in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return chromiumExecutable;
  } finally {
    await release();
  }
}
