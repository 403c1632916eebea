import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TargetEndpoint } from '@strongroom/shared/rotation/connector';
import { run } from './start.ts';

/**
 * Second opinions: each function logs in to a test target with the target's own command-line
 * client (OpenSSH's `ssh`, `psql`, `mariadb`, OpenLDAP's `ldapsearch`), not with the library the
 * connector uses, and says whether the target accepted the secret. Secrets travel through
 * environment variables or files with mode 0600, never on a command line. Anything other than
 * "logged in" or "credentials refused" throws with the tool's output.
 */

async function withPrivateDirectory<T>(use: (directory: string) => Promise<T>): Promise<T> {
  const directory = await mkdtemp(path.join(tmpdir(), 'strongroom-client-'));
  try {
    return await use(directory);
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

function unexpected(tool: string, result: { code: number | null; stdout: string; stderr: string }): Error {
  return new Error(`${tool} ended with ${result.code}: ${`${result.stdout}\n${result.stderr}`.trim()}`);
}

const sshOptions = (port: number, knownHosts: string) => [
  '-p',
  String(port),
  '-o',
  `UserKnownHostsFile=${knownHosts}`,
  '-o',
  'StrictHostKeyChecking=yes',
  '-o',
  'GlobalKnownHostsFile=/dev/null',
  '-o',
  'ConnectTimeout=10',
  '-o',
  'NumberOfPasswordPrompts=1',
  '-F',
  '/dev/null',
];

/** `sshpass -e ssh … true`: password authentication only. */
export async function sshWithPassword(
  target: { endpoint: TargetEndpoint; knownHostsLine: string },
  username: string,
  password: string,
): Promise<boolean> {
  return withPrivateDirectory(async (directory) => {
    const knownHosts = path.join(directory, 'known_hosts');
    await writeFile(knownHosts, `${target.knownHostsLine}\n`);
    const result = await run(
      'sshpass',
      [
        '-e',
        'ssh',
        ...sshOptions(target.endpoint.port, knownHosts),
        '-o',
        'PreferredAuthentications=password',
        '-o',
        'PubkeyAuthentication=no',
        `${username}@${target.endpoint.host}`,
        'true',
      ],
      { env: { PATH: process.env.PATH, SSHPASS: password } },
    );
    if (result.code === 0) return true;
    // sshpass: 5 = wrong password (a second prompt); ssh: "Permission denied".
    if (result.code === 5 || /permission denied/i.test(result.stderr)) return false;
    throw unexpected('ssh (password)', result);
  });
}

/** `ssh -i key … true`: this key only (no agent, no other identity). */
export async function sshWithKey(
  target: { endpoint: TargetEndpoint; knownHostsLine: string },
  username: string,
  privateKey: string,
): Promise<boolean> {
  return withPrivateDirectory(async (directory) => {
    const knownHosts = path.join(directory, 'known_hosts');
    const keyFile = path.join(directory, 'id');
    await writeFile(knownHosts, `${target.knownHostsLine}\n`);
    await writeFile(keyFile, privateKey, { mode: 0o600 });
    const result = await run(
      'ssh',
      [
        ...sshOptions(target.endpoint.port, knownHosts),
        '-i',
        keyFile,
        '-o',
        'IdentitiesOnly=yes',
        '-o',
        'IdentityAgent=none',
        '-o',
        'BatchMode=yes',
        '-o',
        'PreferredAuthentications=publickey',
        `${username}@${target.endpoint.host}`,
        'true',
      ],
      { env: { PATH: process.env.PATH } },
    );
    if (result.code === 0) return true;
    if (/permission denied/i.test(result.stderr)) return false;
    throw unexpected('ssh (key)', result);
  });
}

/** `psql` over TCP with the password in PGPASSWORD (SCRAM-SHA-256 per pg_hba). */
export async function psqlLogin(
  endpoint: TargetEndpoint,
  username: string,
  password: string,
): Promise<boolean> {
  const result = await run('psql', ['-X', '-A', '-t', '-w', '-c', 'select current_user'], {
    env: {
      PATH: process.env.PATH,
      PGHOST: endpoint.host,
      PGPORT: String(endpoint.port),
      PGUSER: username,
      PGDATABASE: endpoint.database ?? 'postgres',
      PGPASSWORD: password,
      PGSSLMODE: 'disable',
      PGCONNECT_TIMEOUT: '10',
    },
  });
  if (result.code === 0 && result.stdout.trim() === username) return true;
  if (/password authentication failed/i.test(result.stderr)) return false;
  throw unexpected('psql', result);
}

/** The `mariadb` client over TCP with the password in MYSQL_PWD. */
export async function mariadbLogin(
  endpoint: TargetEndpoint,
  username: string,
  password: string,
): Promise<boolean> {
  const result = await run(
    'mariadb',
    [
      '--no-defaults',
      '--protocol=TCP',
      `--host=${endpoint.host}`,
      `--port=${endpoint.port}`,
      `--user=${username}`,
      '--connect-timeout=10',
      '--batch',
      '--skip-column-names',
      '-e',
      'select current_user()',
    ],
    { env: { PATH: process.env.PATH, MYSQL_PWD: password } },
  );
  if (result.code === 0) return true;
  if (/access denied/i.test(result.stderr)) return false;
  throw unexpected('mariadb', result);
}

/** `ldapsearch` simple bind over LDAPS (password from a 0600 file), reading the root DSE. */
export async function ldapBind(
  target: { endpoint: TargetEndpoint; caCertificateFile: string },
  bindName: string,
  password: string,
): Promise<boolean> {
  return withPrivateDirectory(async (directory) => {
    const passwordFile = path.join(directory, 'password');
    await writeFile(passwordFile, password, { mode: 0o600 });
    const result = await run(
      'ldapsearch',
      [
        '-H',
        `ldaps://${target.endpoint.host}:${target.endpoint.port}`,
        '-x',
        '-D',
        bindName,
        '-y',
        passwordFile,
        '-b',
        '',
        '-s',
        'base',
        '-o',
        'nettimeout=10',
        '(objectClass=*)',
        'dnsHostName',
      ],
      {
        env: {
          PATH: process.env.PATH,
          LDAPTLS_CACERT: target.caCertificateFile,
          LDAPTLS_REQCERT: 'demand',
        },
      },
    );
    if (result.code === 0) return true;
    if (result.code === 49) return false;
    throw unexpected('ldapsearch', result);
  });
}
