import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { chmod, chown, cp, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LoginCredential, TargetEndpoint } from '@strongroom/shared/rotation/connector';
import { ensureTargetsInstalled, type InstalledTargets, isAlive, targetsCacheDirectory } from './install.ts';

/**
 * Real targets for the connector tests, each started in its own temporary directory on loopback
 * and stopped by `stop()`: a dedicated sshd, a PostgreSQL cluster, a MariaDB server and a Samba
 * Active Directory domain controller. Nothing listens beyond 127.0.0.0/8 and nothing of the
 * machine's own services is used or changed, apart from the throw-away Linux users (prefixed
 * `srtest`) and their sudoers files that the SSH target creates and deletes.
 *
 * Ports are taken free from the kernel (the local AWS stack does the same), so targets of
 * concurrent test processes never collide. Samba's LDAP ports are fixed (389/636), so each domain
 * controller gets its own random 127.x.y.z address instead.
 *
 * Slow one-time work is cached under `.cache/targets/`: the initialised PostgreSQL and MariaDB
 * data directories and the provisioned Samba domain. Each run copies the template, so every
 * run starts from the same fresh state. A cache entry's name holds a hash of the server binary and
 * of the recipe (`templateRecipeVersion`), so an upgraded package or a changed recipe builds anew.
 *
 * Every daemon is started under `setpriv --pdeathsig`, so it dies with the test process even when
 * that is killed with SIGKILL.
 */

const templateRecipeVersion = 2;

export interface StartOptions {
  readonly log?: (line: string) => void;
}

// ───────────────────────────── shared plumbing ─────────────────────────────

interface Daemon {
  readonly name: string;
  readonly exited: Promise<void>;
  hasExited(): boolean;
  /** Everything the daemon printed so far (bounded). */
  output(): string;
  stop(): Promise<void>;
}

const maxOutputCharacters = 4_000_000;

function startDaemon(
  name: string,
  command: string,
  commandArguments: readonly string[],
  options: { uid?: number; gid?: number; env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Daemon {
  const child: ChildProcess = spawn('setpriv', ['--pdeathsig', 'TERM', '--', command, ...commandArguments], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: options.env ?? { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8' },
    ...(options.uid === undefined ? {} : { uid: options.uid }),
    ...(options.gid === undefined ? {} : { gid: options.gid }),
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
  });
  let text = '';
  const remember = (chunk: Buffer) => {
    text += chunk.toString('utf8');
    if (text.length > maxOutputCharacters) text = text.slice(-maxOutputCharacters / 2);
  };
  child.stdout?.on('data', remember);
  child.stderr?.on('data', remember);
  child.stdin?.on('error', () => {});
  let exited = false;
  let description = '';
  const exitedPromise = new Promise<void>((resolve) => {
    child.once('error', (error) => {
      description = error.message;
      exited = true;
      resolve();
    });
    child.once('exit', (code, signal) => {
      description = signal ? `signal ${signal}` : `exit code ${code}`;
      exited = true;
      resolve();
    });
  });
  const killOnExit = () => {
    if (!exited) child.kill('SIGKILL');
  };
  process.on('exit', killOnExit);
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) {
    (stream as { unref?: () => void } | null)?.unref?.();
  }
  return {
    name,
    exited: exitedPromise,
    hasExited: () => exited,
    output: () => (exited ? `${text}\n[${name} ended: ${description}]` : text),
    async stop() {
      process.off('exit', killOnExit);
      if (exited) return;
      child.ref();
      child.kill('SIGTERM');
      const stopped = await Promise.race([
        exitedPromise.then(() => true),
        sleep(10_000, false, { ref: false }),
      ]);
      if (!stopped) {
        child.kill('SIGKILL');
        await exitedPromise;
      }
      child.stdin?.destroy();
    },
  };
}

async function waitUntil(
  daemon: Daemon,
  timeoutMilliseconds: number,
  ready: () => Promise<boolean>,
): Promise<void> {
  const deadline = performance.now() + timeoutMilliseconds;
  let lastError = 'not ready';
  for (;;) {
    if (daemon.hasExited()) {
      throw new Error(`${daemon.name} exited during start-up:\n${tail(daemon.output())}`);
    }
    try {
      if (await ready()) return;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    if (performance.now() > deadline) {
      throw new Error(
        `${daemon.name} was not ready within ${timeoutMilliseconds / 1000} s (${lastError}):\n${tail(daemon.output())}`,
      );
    }
    await Promise.race([sleep(100), daemon.exited]);
  }
}

function tail(text: string, lines = 40): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}

export async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function portAnswers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Runs a tool, optionally feeding stdin; rejects with its output when it fails. */
export function run(
  command: string,
  commandArguments: readonly string[],
  options: { stdin?: string; env?: NodeJS.ProcessEnv; uid?: number; gid?: number; timeoutMs?: number } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, commandArguments, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: options.env ?? process.env,
      ...(options.uid === undefined ? {} : { uid: options.uid }),
      ...(options.gid === undefined ? {} : { gid: options.gid }),
      timeout: options.timeoutMs ?? 120_000,
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.stdin.on('error', () => {});
    child.once('error', reject);
    child.once('close', (code) =>
      resolve({
        code,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      }),
    );
    child.stdin.end(options.stdin ?? '');
  });
}

async function mustRun(
  command: string,
  commandArguments: readonly string[],
  options: Parameters<typeof run>[2] = {},
): Promise<string> {
  const result = await run(command, commandArguments, options);
  if (result.code !== 0) {
    throw new Error(
      `'${command} ${commandArguments.join(' ')}' failed (exit ${result.code}):\n${tail(`${result.stdout}\n${result.stderr}`)}`,
    );
  }
  return result.stdout;
}

function systemUser(name: string): { uid: number; gid: number } {
  for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const fields = line.split(':');
    if (fields[0] === name) return { uid: Number(fields[2]), gid: Number(fields[3]) };
  }
  throw new Error(`system user '${name}' does not exist (is the package installed?)`);
}

/**
 * Targets' data lives in memory (/dev/shm) when the machine has it: copying a template there takes
 * a tenth of the time it takes on disk, and nothing of it needs to survive the run.
 */
function targetsTemporaryRoot(): string {
  const configured = process.env.STRONGROOM_TARGETS_TMPDIR;
  if (configured) return configured;
  try {
    if (statSync('/dev/shm').isDirectory()) return '/dev/shm';
  } catch {
    // No /dev/shm: the system's temporary directory.
  }
  return tmpdir();
}

/** `cp -a`: keeps owners and modes, and is several times faster than fs.cp on many small files. */
async function copyTree(from: string, to: string): Promise<void> {
  await mustRun('cp', ['-a', from, to]);
}

const temporaryPrefix = 'strongroom-target-';

/** Removes target directories whose creating process is gone (it was killed before `stop()`). */
async function removeStaleTemporaryDirectories(root: string): Promise<void> {
  for (const name of await readdir(root).catch(() => [] as string[])) {
    const owner = /^strongroom-target-[a-z-]+?-(\d+)-/.exec(name)?.[1];
    if (owner === undefined || isAlive(Number(owner))) continue;
    await rm(path.join(root, name), { recursive: true, force: true });
  }
}

async function temporaryDirectory(kind: string, owner?: { uid: number; gid: number }): Promise<string> {
  const root = targetsTemporaryRoot();
  await removeStaleTemporaryDirectories(root);
  const directory = await mkdtemp(path.join(root, `${temporaryPrefix}${kind}-${process.pid}-`));
  await chmod(directory, 0o755);
  if (owner) await chown(directory, owner.uid, owner.gid);
  return directory;
}

/** A random password every target accepts (AD complexity: upper, lower, digit, symbol). */
export function testPassword(): string {
  return `Sr-${randomBytes(12).toString('base64url')}-9a`;
}

function binaryIdentity(file: string): string {
  const stat = statSync(file);
  return `${stat.size}-${Math.trunc(stat.mtimeMs)}`;
}

/**
 * A cached template directory: built once into a temporary sibling, then renamed into place (the
 * rename is atomic, so concurrent builders never see a half-built template; a loser of the race
 * discards its copy).
 */
async function cachedTemplate(
  name: string,
  inputs: readonly string[],
  log: (line: string) => void,
  build: (directory: string) => Promise<void>,
): Promise<string> {
  const { createHash } = await import('node:crypto');
  const key = createHash('sha256')
    .update(JSON.stringify([templateRecipeVersion, ...inputs]))
    .digest('hex')
    .slice(0, 16);
  const directory = path.join(targetsCacheDirectory, `${name}-${key}`);
  if (existsSync(path.join(directory, '.complete'))) return directory;
  await mkdir(targetsCacheDirectory, { recursive: true });
  const building = `${directory}.building-${process.pid}-${randomBytes(4).toString('hex')}`;
  const started = performance.now();
  log(`test targets: building the ${name} template (cached in ${directory})…`);
  try {
    await mkdir(building, { recursive: true });
    await build(building);
    await writeFile(path.join(building, '.complete'), `${new Date().toISOString()}\n`);
    await rename(building, directory).catch(async (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
    });
  } finally {
    await rm(building, { recursive: true, force: true });
  }
  // Templates of older binaries or recipes are of no use any more.
  for (const entry of await readdir(targetsCacheDirectory)) {
    if (new RegExp(`^${name}-[0-9a-f]{16}$`).test(entry) && entry !== path.basename(directory)) {
      await rm(path.join(targetsCacheDirectory, entry), { recursive: true, force: true });
    }
  }
  log(`test targets: ${name} template built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return directory;
}

// ───────────────────────────── SSH ─────────────────────────────

export interface SshTestUser {
  readonly username: string;
  readonly password: string;
}

export interface SshTestTarget {
  readonly endpoint: TargetEndpoint & { readonly hostKeySha256: string };
  /** The host key in `known_hosts` form, for the `ssh` binary. */
  readonly knownHostsLine: string;
  /**
   * A throw-away Linux user (`srtest…`, home directory, bash) with a password. `sudoChpasswd`
   * grants `sudo /usr/sbin/chpasswd` only: without a password (`nopasswd`) or asking for the
   * user's own (`password`). `authorizedKeys` go to `~/.ssh/authorized_keys`.
   */
  createUser(options?: {
    readonly password?: string;
    readonly sudoChpasswd?: 'nopasswd' | 'password';
    readonly authorizedKeys?: readonly string[];
  }): Promise<SshTestUser>;
  /** The user's `~/.ssh/authorized_keys` ('' when absent). */
  authorizedKeys(username: string): Promise<string>;
  /** sshd's log (LogLevel VERBOSE). */
  log(): string;
  stop(): Promise<void>;
}

const sshUserComment = 'strongroom connector test user';

/** Deletes `srtest…` users (and their sudoers files) left behind by test processes that died. */
async function removeStaleSshUsers(): Promise<void> {
  for (const line of (await readFile('/etc/passwd', 'utf8')).split('\n')) {
    const [name, , , , gecos] = line.split(':');
    if (!name?.startsWith('srtest') || !gecos?.startsWith(sshUserComment)) continue;
    const owner = Number.parseInt(gecos.split('pid=')[1] ?? '', 10);
    if (Number.isInteger(owner) && isAlive(owner)) continue;
    await deleteSshUser(name);
  }
}

async function deleteSshUser(username: string): Promise<void> {
  await rm(`/etc/sudoers.d/${username}`, { force: true });
  await run('pkill', ['-KILL', '-u', username]);
  await run('userdel', ['--force', '--remove', username]);
}

export async function startSshTarget(options: StartOptions = {}): Promise<SshTestTarget> {
  const log = options.log ?? (() => {});
  const installed = await ensureTargetsInstalled(log);
  const started = performance.now();
  await removeStaleSshUsers();
  const directory = await temporaryDirectory('sshd');
  const hostKey = path.join(directory, 'ssh_host_ed25519_key');
  await mustRun(installed.sshKeygen, [
    '-q',
    '-t',
    'ed25519',
    '-N',
    '',
    '-C',
    'strongroom-test-target',
    '-f',
    hostKey,
  ]);
  const fingerprint = (
    await mustRun(installed.sshKeygen, ['-l', '-E', 'sha256', '-f', `${hostKey}.pub`])
  ).split(' ')[1]!;
  const publicKey = (await readFile(`${hostKey}.pub`, 'utf8')).trim().split(' ').slice(0, 2).join(' ');
  const port = await freeLoopbackPort();
  const config = path.join(directory, 'sshd_config');
  await writeFile(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `PidFile ${path.join(directory, 'sshd.pid')}`,
      // PAM's session modules expect a full system; passwords are checked against /etc/shadow.
      'UsePAM no',
      'PasswordAuthentication yes',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      'AuthorizedKeysFile .ssh/authorized_keys',
      'PermitRootLogin no',
      'AllowUsers srtest*',
      'StrictModes yes',
      'UseDNS no',
      'PrintMotd no',
      'LogLevel VERBOSE',
      'MaxStartups 100:30:200',
      'MaxAuthTries 10',
      '',
    ].join('\n'),
  );
  // Privilege separation directory, as the distribution's unit would create it.
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
  const daemon = startDaemon('sshd', installed.sshd, ['-D', '-e', '-f', config]);
  const users = new Set<string>();
  try {
    await waitUntil(daemon, 15_000, () => portAnswers('127.0.0.1', port));
  } catch (error) {
    await daemon.stop();
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
  log(
    `test targets: sshd on 127.0.0.1:${port} ready in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );

  return {
    endpoint: { host: '127.0.0.1', port, hostKeySha256: fingerprint },
    knownHostsLine: `[127.0.0.1]:${port} ${publicKey}`,
    async createUser(userOptions = {}) {
      const username = `srtest${randomBytes(5).toString('hex')}`;
      const password = userOptions.password ?? testPassword();
      users.add(username);
      await mustRun('useradd', [
        '--create-home',
        '--shell',
        '/bin/bash',
        '--comment',
        `${sshUserComment} pid=${process.pid}`,
        username,
      ]);
      await mustRun('chpasswd', [], { stdin: `${username}:${password}\n` });
      if (userOptions.sudoChpasswd) {
        const tag = userOptions.sudoChpasswd === 'nopasswd' ? 'NOPASSWD: ' : '';
        const file = `/etc/sudoers.d/${username}`;
        await writeFile(`${file}.tmp`, `${username} ALL=(root) ${tag}/usr/sbin/chpasswd\n`, { mode: 0o440 });
        await mustRun('visudo', ['-c', '-q', '-f', `${file}.tmp`]);
        await rename(`${file}.tmp`, file);
      }
      if (userOptions.authorizedKeys) {
        const home = `/home/${username}`;
        const { uid, gid } = systemUser(username);
        await mkdir(`${home}/.ssh`, { mode: 0o700 });
        await writeFile(`${home}/.ssh/authorized_keys`, `${userOptions.authorizedKeys.join('\n')}\n`, {
          mode: 0o600,
        });
        await chown(`${home}/.ssh`, uid, gid);
        await chown(`${home}/.ssh/authorized_keys`, uid, gid);
      }
      return { username, password };
    },
    async authorizedKeys(username) {
      return readFile(`/home/${username}/.ssh/authorized_keys`, 'utf8').catch(() => '');
    },
    log: () => daemon.output(),
    async stop() {
      await daemon.stop();
      for (const username of users) await deleteSshUser(username);
      await rm(directory, { recursive: true, force: true });
    },
  };
}

// ───────────────────────────── PostgreSQL ─────────────────────────────

/** The name in the database targets' TLS certificates (with 127.0.0.1). */
const databaseServerName = 'db.strongroom.test';

export interface PostgresTestTarget {
  /** Plain TCP (pg_hba allows it); spread `tls` into it for TLS. */
  readonly endpoint: TargetEndpoint;
  /** The server also speaks TLS, with a certificate for `serverName` and 127.0.0.1 from the test CA. */
  readonly tls: { readonly caCertificate: string; readonly serverName: string };
  /** The superuser `postgres`, with a password (TCP logins use SCRAM-SHA-256). */
  readonly admin: LoginCredential & { readonly password: string };
  /** Runs SQL as the superuser over the Unix socket; returns psql's unaligned output. */
  sql(statement: string): Promise<string>;
  /** `CREATE ROLE … LOGIN PASSWORD …`, plus any extra role options (e.g. `CREATEROLE`). */
  createRole(options?: {
    /** Appended to a random `srtest_…` prefix (may hold quotes and spaces). */
    readonly nameSuffix?: string;
    readonly password?: string;
    readonly options?: string;
  }): Promise<LoginCredential & { password: string }>;
  /** The server log (`log_statement = all`, `log_connections = on`). */
  log(): string;
  stop(): Promise<void>;
}

export async function startPostgresTarget(options: StartOptions = {}): Promise<PostgresTestTarget> {
  const log = options.log ?? (() => {});
  const installed = await ensureTargetsInstalled(log);
  const postgresUser = systemUser('postgres');
  const postgres = path.join(installed.postgresBin, 'postgres');
  const template = await cachedTemplate('postgresql', [binaryIdentity(postgres)], log, async (building) => {
    await chown(building, postgresUser.uid, postgresUser.gid);
    await mustRun(
      path.join(installed.postgresBin, 'initdb'),
      [
        '--pgdata',
        path.join(building, 'data'),
        '--username',
        'postgres',
        '--auth-local',
        'trust',
        '--auth-host',
        'scram-sha-256',
        '--encoding',
        'UTF8',
        '--locale',
        'C',
        '--no-sync',
      ],
      { ...postgresUser, env: { PATH: process.env.PATH, LANG: 'C' } },
    );
  });
  const started = performance.now();
  const directory = await temporaryDirectory('postgresql', postgresUser);
  const dataDirectory = path.join(directory, 'data');
  await copyTree(path.join(template, 'data'), dataDirectory);
  const port = await freeLoopbackPort();
  const tlsDirectory = path.join(directory, 'tls');
  await issueServerCertificate(
    await testCertificateAuthority(log),
    tlsDirectory,
    databaseServerName,
    '127.0.0.1',
    postgresUser,
  );
  const daemon = startDaemon(
    'postgres',
    postgres,
    [
      '-D',
      dataDirectory,
      '-p',
      String(port),
      '-k',
      directory,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'password_encryption=scram-sha-256',
      '-c',
      'log_statement=all',
      '-c',
      'log_connections=on',
      '-c',
      'logging_collector=off',
      '-c',
      'fsync=off',
      '-c',
      'shared_buffers=16MB',
      '-c',
      'max_connections=40',
      '-c',
      'ssl=on',
      '-c',
      `ssl_cert_file=${path.join(tlsDirectory, 'cert.pem')}`,
      '-c',
      `ssl_key_file=${path.join(tlsDirectory, 'key.pem')}`,
    ],
    { ...postgresUser, env: { PATH: process.env.PATH, LANG: 'C' } },
  );
  const psql = (statement: string) =>
    mustRun(
      installed.psql,
      [
        '-h',
        directory,
        '-p',
        String(port),
        '-U',
        'postgres',
        '-d',
        'postgres',
        '-X',
        '-q',
        '-A',
        '-t',
        '-v',
        'ON_ERROR_STOP=1',
      ],
      {
        stdin: statement,
        env: { PATH: process.env.PATH, LANG: 'C' },
      },
    );
  const adminPassword = testPassword();
  try {
    await waitUntil(
      daemon,
      30_000,
      async () =>
        (
          await run(installed.psql, [
            '-h',
            directory,
            '-p',
            String(port),
            '-U',
            'postgres',
            '-X',
            '-c',
            'select 1',
          ])
        ).code === 0,
    );
    await psql(`ALTER ROLE postgres PASSWORD '${adminPassword}';`);
  } catch (error) {
    await daemon.stop();
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
  log(
    `test targets: PostgreSQL on 127.0.0.1:${port} ready in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  return {
    endpoint: { host: '127.0.0.1', port, database: 'postgres' },
    tls: {
      caCertificate: await readFile(path.join(tlsDirectory, 'ca.pem'), 'utf8'),
      serverName: databaseServerName,
    },
    admin: { username: 'postgres', password: adminPassword },
    sql: psql,
    async createRole(roleOptions = {}) {
      const username = `srtest_${randomBytes(5).toString('hex')}${roleOptions.nameSuffix ?? ''}`;
      const password = roleOptions.password ?? testPassword();
      await psql(
        `CREATE ROLE "${username.replace(/"/g, '""')}" LOGIN PASSWORD '${password.replace(/'/g, "''")}' ${roleOptions.options ?? ''};`,
      );
      return { username, password };
    },
    log: () => daemon.output(),
    async stop() {
      await daemon.stop();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

// ───────────────────────────── MariaDB ─────────────────────────────

export interface MariadbTestTarget {
  /** Plain TCP; spread `tls` into it for TLS. */
  readonly endpoint: TargetEndpoint;
  /** The server also speaks TLS, with a certificate for `serverName` and 127.0.0.1 from the test CA. */
  readonly tls: { readonly caCertificate: string; readonly serverName: string };
  /** How many TLS handshakes the server completed (`Ssl_accepts`). */
  tlsAccepts(): Promise<number>;
  /** An account with every privilege, `WITH GRANT OPTION`, from any host. */
  readonly admin: LoginCredential & { readonly password: string };
  /** Runs SQL as root over the Unix socket (unix_socket authentication); tab-separated output. */
  sql(statement: string): Promise<string>;
  /** `CREATE USER 'srtest…'@'%' IDENTIFIED BY …`, then `grants` (e.g. `CREATE USER ON *.*`). */
  createUser(options?: {
    readonly password?: string;
    readonly grants?: readonly string[];
    /** The account's host part (default `%`). */
    readonly host?: string;
    /** Appended to the random `srtest_…` name (may hold quotes). */
    readonly nameSuffix?: string;
  }): Promise<LoginCredential & { password: string; host: string }>;
  /** The general query log (every statement the server received). */
  generalLog(): Promise<string>;
  log(): string;
  stop(): Promise<void>;
}

export async function startMariadbTarget(options: StartOptions = {}): Promise<MariadbTestTarget> {
  const log = options.log ?? (() => {});
  const installed = await ensureTargetsInstalled(log);
  const mysqlUser = systemUser('mysql');
  const template = await cachedTemplate(
    'mariadb',
    [binaryIdentity(installed.mariadbd)],
    log,
    async (building) => {
      await chown(building, mysqlUser.uid, mysqlUser.gid);
      await mustRun(installed.mariadbInstallDb, [
        '--no-defaults',
        `--datadir=${path.join(building, 'data')}`,
        '--user=mysql',
        '--auth-root-authentication-method=socket',
        '--skip-test-db',
        '--skip-name-resolve',
        '--innodb-log-file-size=8M',
      ]);
    },
  );
  const started = performance.now();
  const directory = await temporaryDirectory('mariadb', mysqlUser);
  const dataDirectory = path.join(directory, 'data');
  const socket = path.join(directory, 'mariadbd.sock');
  const generalLogFile = path.join(directory, 'general.log');
  await copyTree(path.join(template, 'data'), dataDirectory);
  const port = await freeLoopbackPort();
  const tlsDirectory = path.join(directory, 'tls');
  await issueServerCertificate(
    await testCertificateAuthority(log),
    tlsDirectory,
    databaseServerName,
    '127.0.0.1',
    mysqlUser,
  );
  const daemon = startDaemon(
    'mariadbd',
    installed.mariadbd,
    [
      '--no-defaults',
      `--datadir=${dataDirectory}`,
      `--socket=${socket}`,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      `--pid-file=${path.join(directory, 'mariadbd.pid')}`,
      `--tmpdir=${directory}`,
      '--skip-name-resolve',
      '--skip-log-bin',
      '--innodb-buffer-pool-size=32M',
      '--innodb-log-file-size=8M',
      '--innodb-flush-log-at-trx-commit=0',
      '--general-log=1',
      `--general-log-file=${generalLogFile}`,
      '--max-connections=50',
      `--ssl-cert=${path.join(tlsDirectory, 'cert.pem')}`,
      `--ssl-key=${path.join(tlsDirectory, 'key.pem')}`,
    ],
    { ...mysqlUser },
  );
  const client = (statement: string) =>
    mustRun(
      installed.mariadb,
      ['--no-defaults', `--socket=${socket}`, '--user=root', '--batch', '--skip-column-names'],
      {
        stdin: statement,
      },
    );
  const admin = { username: `srtest_admin_${randomBytes(3).toString('hex')}`, password: testPassword() };
  try {
    await waitUntil(
      daemon,
      30_000,
      async () =>
        existsSync(socket) &&
        (
          await run(installed.mariadb, [
            '--no-defaults',
            `--socket=${socket}`,
            '--user=root',
            '-e',
            'select 1',
          ])
        ).code === 0,
    );
    await client(
      `CREATE USER '${admin.username}'@'%' IDENTIFIED BY '${admin.password}';\nGRANT ALL PRIVILEGES ON *.* TO '${admin.username}'@'%' WITH GRANT OPTION;`,
    );
  } catch (error) {
    await daemon.stop();
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
  log(
    `test targets: MariaDB on 127.0.0.1:${port} ready in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  return {
    endpoint: { host: '127.0.0.1', port },
    tls: {
      caCertificate: await readFile(path.join(tlsDirectory, 'ca.pem'), 'utf8'),
      serverName: databaseServerName,
    },
    async tlsAccepts() {
      return Number((await client("SHOW GLOBAL STATUS LIKE 'Ssl_accepts'")).trim().split(/\s+/)[1]);
    },
    admin,
    sql: client,
    async createUser(userOptions = {}) {
      const username = `srtest_${randomBytes(5).toString('hex')}${userOptions.nameSuffix ?? ''}`;
      const host = userOptions.host ?? '%';
      const password = userOptions.password ?? testPassword();
      const account = `'${username.replace(/'/g, "''")}'@'${host}'`;
      const grants = (userOptions.grants ?? []).map((grant) => `GRANT ${grant} TO ${account};`);
      await client(
        [`CREATE USER ${account} IDENTIFIED BY '${password.replace(/'/g, "''")}';`, ...grants].join('\n'),
      );
      return { username, password, host };
    },
    generalLog: () => readFile(generalLogFile, 'utf8').catch(() => ''),
    log: () => daemon.output(),
    async stop() {
      await daemon.stop();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

// ───────────────────────────── Samba Active Directory ─────────────────────────────

export interface ActiveDirectoryTestUser extends LoginCredential {
  readonly password: string;
  readonly userPrincipalName: string;
  readonly distinguishedName: string;
}

export interface ActiveDirectoryTestTarget {
  /** LDAPS on port 636 of a private 127.x.y.z address; the certificate names `serverName` and the address. */
  readonly endpoint: TargetEndpoint & {
    readonly tls: { readonly caCertificate: string; readonly serverName: string };
  };
  /** The CA certificate as a file, for OpenLDAP's tools (`LDAPTLS_CACERT`). */
  readonly caCertificateFile: string;
  readonly realm: string;
  readonly baseDn: string;
  /** The OU the test users live in; `helpdesk` holds the Reset Password right on it (only there). */
  readonly managedOu: string;
  /** Domain Administrator (userPrincipalName). */
  readonly admin: ActiveDirectoryTestUser;
  /** A least-privilege functional account: Reset Password on the managed OU's users. */
  readonly helpdesk: ActiveDirectoryTestUser;
  /** A user in the managed OU (`ou: 'outside'`: in CN=Users, beyond the helpdesk's right). */
  createUser(options?: {
    readonly password?: string;
    readonly ou?: 'managed' | 'outside';
  }): Promise<ActiveDirectoryTestUser>;
  log(): string;
  stop(): Promise<void>;
}

const adDomain = {
  realm: 'STRONGROOM.TEST',
  netbios: 'STRONGROOM',
  host: 'dc1',
  baseDn: 'DC=strongroom,DC=test',
};
const adTemplateAdminPassword = 'Template-Adm1n-Strongroom';
const adTemplateHelpdeskPassword = 'Template-Helpd3sk-Strongroom';
const adServerName = `${adDomain.host}.${adDomain.realm.toLowerCase()}`;
const resetPasswordRight = '00299570-246d-11d0-a768-00aa006e0529';
const userClass = 'bf967aba-0de6-11d0-a285-00aa003049e2';

async function buildActiveDirectoryTemplate(installed: InstalledTargets, building: string): Promise<void> {
  const target = path.join(building, 'domain');
  await mustRun(installed.sambaTool, [
    'domain',
    'provision',
    `--targetdir=${target}`,
    `--realm=${adDomain.realm}`,
    `--domain=${adDomain.netbios}`,
    `--host-name=${adDomain.host}`,
    '--server-role=dc',
    '--dns-backend=NONE',
    `--adminpass=${adTemplateAdminPassword}`,
    '--option=interfaces=127.0.0.1/8',
    '--option=bind interfaces only = yes',
  ]);
  const local = ['-H', path.join(target, 'private', 'sam.ldb'), '-s', path.join(target, 'etc', 'smb.conf')];
  // Tests change a password several times within a minute; real domains keep a minimum age.
  await mustRun(installed.sambaTool, ['domain', 'passwordsettings', 'set', '--min-pwd-age=0', ...local]);
  await mustRun(installed.sambaTool, ['ou', 'create', `OU=Managed,${adDomain.baseDn}`, ...local]);
  await mustRun(installed.sambaTool, [
    'user',
    'create',
    'srtest-helpdesk',
    adTemplateHelpdeskPassword,
    `--userou=OU=Managed`,
    ...local,
  ]);
  const show = await mustRun(installed.sambaTool, [
    'user',
    'show',
    'srtest-helpdesk',
    '--attributes=objectSid',
    ...local,
  ]);
  const sid = /objectSid: (S-[0-9-]+)/.exec(show)?.[1];
  if (!sid) throw new Error(`no objectSid for srtest-helpdesk:\n${show}`);
  // Reset Password (User-Force-Change-Password), inherited by user objects below the OU only.
  await mustRun(installed.sambaTool, [
    'dsacl',
    'set',
    `--objectdn=OU=Managed,${adDomain.baseDn}`,
    `--sddl=(OA;CIIO;CR;${resetPasswordRight};${userClass};${sid})`,
    ...local,
  ]);
  await writeFile(path.join(building, 'template-path'), target);
}

async function issueServerCertificate(
  caDirectory: string,
  tlsDirectory: string,
  serverName: string,
  address: string,
  owner?: { uid: number; gid: number },
): Promise<void> {
  await mkdir(tlsDirectory, { recursive: true, mode: 0o700 });
  const key = path.join(tlsDirectory, 'key.pem');
  const request = path.join(tlsDirectory, 'server.csr');
  const extensions = path.join(tlsDirectory, 'server.ext');
  await mustRun('openssl', [
    'req',
    '-new',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-subj',
    `/CN=${serverName}`,
    '-keyout',
    key,
    '-out',
    request,
  ]);
  await writeFile(
    extensions,
    `subjectAltName=DNS:${serverName},IP:${address}\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n`,
  );
  await mustRun('openssl', [
    'x509',
    '-req',
    '-in',
    request,
    '-CA',
    path.join(caDirectory, 'ca.pem'),
    '-CAkey',
    path.join(caDirectory, 'ca-key.pem'),
    '-CAcreateserial',
    '-CAserial',
    path.join(tlsDirectory, 'ca.srl'),
    '-days',
    '2',
    '-extfile',
    extensions,
    '-out',
    path.join(tlsDirectory, 'cert.pem'),
  ]);
  await chmod(key, 0o600);
  await cp(path.join(caDirectory, 'ca.pem'), path.join(tlsDirectory, 'ca.pem'));
  if (owner) {
    for (const file of [
      tlsDirectory,
      key,
      path.join(tlsDirectory, 'cert.pem'),
      path.join(tlsDirectory, 'ca.pem'),
    ]) {
      await chown(file, owner.uid, owner.gid);
    }
  }
}

/** A private certificate authority for the targets' TLS (cached; each run issues its own server certificates). */
function testCertificateAuthority(log: (line: string) => void): Promise<string> {
  return cachedTemplate('test-ca', ['ec-p256'], log, async (building) => {
    await mustRun('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '3650',
      '-subj',
      '/CN=Strongroom test targets CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
      '-keyout',
      path.join(building, 'ca-key.pem'),
      '-out',
      path.join(building, 'ca.pem'),
    ]);
  });
}

/** A 127.x.y.z address nobody listens on at 636 (x ≥ 64, so never 127.0.0.1 or 127.0.1.1). */
async function freeLoopbackAddress(): Promise<string> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const [a, b, c] = randomBytes(3);
    const address = `127.${64 + (a! % 160)}.${b}.${1 + (c! % 250)}`;
    if (!(await portAnswers(address, 636)) && !(await portAnswers(address, 389))) return address;
  }
  throw new Error('no free loopback address for the domain controller');
}

export async function startActiveDirectoryTarget(
  options: StartOptions = {},
): Promise<ActiveDirectoryTestTarget> {
  const log = options.log ?? (() => {});
  const installed = await ensureTargetsInstalled(log);
  const template = await cachedTemplate(
    'samba-ad',
    [binaryIdentity(installed.samba), binaryIdentity(installed.sambaTool)],
    log,
    (building) => buildActiveDirectoryTemplate(installed, building),
  );
  const templateDomain = (await readFile(path.join(template, 'template-path'), 'utf8')).trim();
  const started = performance.now();
  const directory = await temporaryDirectory('samba-ad');
  const domain = path.join(directory, 'domain');
  await copyTree(path.join(template, 'domain'), domain);
  const address = await freeLoopbackAddress();
  const tlsDirectory = path.join(domain, 'private', 'strongroom-tls');
  await issueServerCertificate(await testCertificateAuthority(log), tlsDirectory, adServerName, address);
  const configFile = path.join(domain, 'etc', 'smb.conf');
  const templateConfig = await readFile(configFile, 'utf8');
  const config = templateConfig
    .split(templateDomain)
    .join(domain)
    .replace(/^\s*interfaces = .*$/m, `\tinterfaces = ${address}/8`)
    .replace(/^\s*server services = .*$/m, '\tserver services = ldap')
    .replace(/^\s*log file = .*$/m, `\tlog file = ${path.join(directory, 'samba.log')}`)
    .replace(
      /^\[global\]$/m,
      [
        '[global]',
        '\ttls enabled = yes',
        `\ttls keyfile = ${path.join(tlsDirectory, 'key.pem')}`,
        `\ttls certfile = ${path.join(tlsDirectory, 'cert.pem')}`,
        `\ttls cafile = ${path.join(tlsDirectory, 'ca.pem')}`,
        `\tpid directory = ${directory}`,
        // Samba keeps accepting the previous password for 60 minutes after a user changed it
        // (for NTLM-style checks, which its simple binds use); the tests want to see the change.
        '\told password allowed period = 0',
      ].join('\n'),
    );
  await writeFile(configFile, config);
  const local = ['-H', path.join(domain, 'private', 'sam.ldb'), '-s', configFile];
  const daemon = startDaemon('samba', installed.samba, [
    '-s',
    configFile,
    '-i',
    '-M',
    'single',
    '--debug-stdout',
    '-d',
    '1',
  ]);
  const caCertificate = await readFile(path.join(tlsDirectory, 'ca.pem'), 'utf8');
  try {
    await waitUntil(daemon, 60_000, () => portAnswers(address, 636));
  } catch (error) {
    await daemon.stop();
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
  log(
    `test targets: Samba AD DC on ${address}:636 ready in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  const realmLower = adDomain.realm.toLowerCase();
  const userOf = (name: string, password: string, container: string): ActiveDirectoryTestUser => ({
    username: `${name}@${realmLower}`,
    password,
    userPrincipalName: `${name}@${realmLower}`,
    distinguishedName: `CN=${name},${container}`,
  });
  const managedOu = `OU=Managed,${adDomain.baseDn}`;
  return {
    endpoint: { host: address, port: 636, tls: { caCertificate, serverName: adServerName } },
    caCertificateFile: path.join(tlsDirectory, 'ca.pem'),
    realm: adDomain.realm,
    baseDn: adDomain.baseDn,
    managedOu,
    admin: userOf('Administrator', adTemplateAdminPassword, `CN=Users,${adDomain.baseDn}`),
    helpdesk: userOf('srtest-helpdesk', adTemplateHelpdeskPassword, managedOu),
    async createUser(userOptions = {}) {
      const name = `srtest-${randomBytes(4).toString('hex')}`;
      const password = userOptions.password ?? testPassword();
      const outside = userOptions.ou === 'outside';
      await mustRun(installed.sambaTool, [
        'user',
        'create',
        name,
        password,
        ...(outside ? [] : ['--userou=OU=Managed']),
        ...local,
      ]);
      return userOf(name, password, outside ? `CN=Users,${adDomain.baseDn}` : managedOu);
    },
    log: () => daemon.output(),
    async stop() {
      await daemon.stop();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
