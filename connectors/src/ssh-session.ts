/**
 * SSH plumbing shared by the SSH connectors, on `ssh2`: one authenticated connection per login
 * with exactly the credential given (no agent, no other key, no fallback method), optional host-key
 * pinning, and commands run with their input on stdin and their output collected.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { ValidationError } from '@strongroom/shared/kernel/errors';
import {
  type LoginCredential,
  type RefusedCredential,
  type TargetEndpoint,
  TargetError,
  TargetRejectedError,
} from '@strongroom/shared/rotation/connector';
import { type AnyAuthMethod, type AuthenticationType, Client, type ClientChannel } from 'ssh2';
import { endpointName, type SecretSet, unreachable } from './connector-support.ts';

export interface SshConnection {
  readonly client: Client;
  /** Runs a command (through the account's login shell), feeding `stdin` and closing it. */
  run(command: string, options?: RunOptions): Promise<CommandResult>;
  /** Opens a channel for interactive use (e.g. with a pseudo-terminal). */
  open(command: string, pty: boolean): Promise<ClientChannel>;
  close(): void;
}

export interface RunOptions {
  readonly stdin?: string;
  /** Close stdin after writing (default true). */
  readonly endInput?: boolean;
  /** Called with each chunk of stderr; may write to the channel. */
  readonly onStderr?: (text: string, channel: ClientChannel) => void;
}

export interface CommandResult {
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Normalises a pinned fingerprint: `SHA256:abc`, `abc` or `abc=` → the unpadded base64. */
function pinnedDigest(fingerprint: string): Buffer {
  const base64 = fingerprint
    .trim()
    .replace(/^SHA256:/i, '')
    .replace(/=+$/, '');
  if (!/^[A-Za-z0-9+/]{43}$/.test(base64)) {
    throw ValidationError.field(['target', 'hostKeySha256'], 'must be an OpenSSH SHA256 fingerprint');
  }
  return Buffer.from(base64, 'base64');
}

/** The `SHA256:…` fingerprint of a host key blob, as `ssh-keygen -l` prints it. */
export function hostKeyFingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

function authMethodsOf(credential: LoginCredential): AnyAuthMethod[] {
  const methods: AnyAuthMethod[] = [];
  const { username, password, privateKey } = credential;
  if (privateKey !== undefined) methods.push({ type: 'publickey', username, key: privateKey });
  if (password !== undefined) {
    methods.push({ type: 'password', username, password });
    methods.push({
      type: 'keyboard-interactive',
      username,
      // Servers that only offer keyboard-interactive ask for the password as one hidden prompt.
      prompt: (_name, _instructions, _lang, prompts, finish) =>
        finish(prompts.map((prompt) => (prompt.echo ? '' : password))),
    });
  }
  return methods;
}

/**
 * Logs in with exactly `credential`. Rejected credentials: `TargetRejectedError` (`refused` says
 * whose). Refused connection, DNS failure, silence: `TargetUnreachableError`. Another host key
 * than the pinned one: `TargetError` `target-host-key-mismatch`, before any credential is sent.
 */
export function connectSsh(
  target: TargetEndpoint,
  credential: LoginCredential,
  refused: RefusedCredential,
  secrets: SecretSet,
  timeoutMs: number,
): Promise<SshConnection> {
  if (credential.password === undefined && credential.privateKey === undefined) {
    throw ValidationError.field([refused], 'needs a password or a private key');
  }
  const pinned = target.hostKeySha256 === undefined ? undefined : pinnedDigest(target.hostKeySha256);
  const client = new Client();
  let hostKeyMismatch: string | undefined;
  return new Promise<SshConnection>((resolve, reject) => {
    const remaining = authMethodsOf(credential);
    let settled = false;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      client.end();
      client.destroy();
      reject(error);
    };
    client.once('ready', () => {
      if (settled) return;
      settled = true;
      resolve(sessionOf(client, secrets));
    });
    client.on('error', (error: Error & { level?: string }) => {
      if (hostKeyMismatch !== undefined) {
        fail(
          new TargetError(
            'target-host-key-mismatch',
            `${endpointName(target)} presented host key ${hostKeyMismatch}, not the pinned one; nothing was sent.`,
          ),
        );
      } else if (error.level === 'client-authentication') {
        fail(
          new TargetRejectedError(
            refused,
            `${endpointName(target)} refused the ${refused} credential of '${secrets.redact(credential.username)}'.`,
          ),
        );
      } else if (
        error.level === 'client-socket' ||
        error.level === 'client-timeout' ||
        error.level === 'client-dns'
      ) {
        fail(unreachable(target, error, secrets));
      } else {
        fail(
          new TargetError('target-ssh-error', `SSH to ${endpointName(target)} failed.`, {
            cause: secrets.cause(error),
          }),
        );
      }
    });
    client.once('close', () =>
      fail(
        unreachable(target, Object.assign(new Error('connection closed'), { code: 'ECONNRESET' }), secrets),
      ),
    );
    try {
      client.connect({
        host: target.host,
        port: target.port,
        username: credential.username,
        readyTimeout: Math.max(1, timeoutMs),
        keepaliveInterval: 0,
        hostVerifier: (key: Buffer) => {
          if (pinned === undefined) return true;
          const actual = createHash('sha256').update(key).digest();
          if (actual.length === pinned.length && timingSafeEqual(actual, pinned)) return true;
          hostKeyMismatch = hostKeyFingerprint(key);
          return false;
        },
        authHandler: (_methodsLeft: AuthenticationType[], _partial: boolean, next) => {
          const method = remaining.shift();
          next(method ?? (false as unknown as AuthenticationType));
        },
      });
    } catch (error) {
      // ssh2 throws synchronously on a malformed private key; its message names no key material.
      fail(
        ValidationError.field(
          [refused, 'privateKey'],
          `is not a usable private key (${secrets.redact(error instanceof Error ? error.message : 'invalid')})`,
        ),
      );
    }
  });
}

function sessionOf(client: Client, secrets: SecretSet): SshConnection {
  const open = (command: string, pty: boolean) =>
    new Promise<ClientChannel>((resolve, reject) => {
      const callback = (error: Error | undefined, channel: ClientChannel) => {
        if (error)
          reject(
            new TargetError('target-ssh-error', 'The SSH server refused to run a command.', {
              cause: secrets.cause(error),
            }),
          );
        else resolve(channel);
      };
      if (pty) client.exec(command, { pty: { term: 'dumb', cols: 200, rows: 24 } }, callback);
      else client.exec(command, callback);
    });
  return {
    client,
    open,
    async run(command, options = {}) {
      const channel = await open(command, false);
      return new Promise<CommandResult>((resolve) => {
        const stdout: Buffer[] = [];
        const stderr: Buffer[] = [];
        let exitCode: number | null = null;
        channel.on('data', (chunk: Buffer) => stdout.push(chunk));
        channel.stderr.on('data', (chunk: Buffer) => {
          stderr.push(chunk);
          options.onStderr?.(chunk.toString('utf8'), channel);
        });
        channel.on('exit', (code: number | null) => {
          exitCode = code;
        });
        channel.on('close', () =>
          resolve({
            exitCode,
            stdout: Buffer.concat(stdout).toString('utf8'),
            stderr: Buffer.concat(stderr).toString('utf8'),
          }),
        );
        if (options.stdin !== undefined) channel.write(options.stdin);
        if (options.endInput !== false) channel.end();
      });
    },
    close() {
      client.end();
      client.destroy();
    },
  };
}

/** Logs in, runs `use`, and always closes the connection. */
export async function withConnection<T>(
  target: TargetEndpoint,
  credential: LoginCredential,
  refused: 'current' | 'functional',
  secrets: SecretSet,
  timeoutMs: number,
  connections: Set<SshConnection>,
  use: (connection: SshConnection) => Promise<T>,
): Promise<T> {
  const connection = await connectSsh(target, credential, refused, secrets, timeoutMs);
  connections.add(connection);
  try {
    return await use(connection);
  } finally {
    connection.close();
    connections.delete(connection);
  }
}

/** Whether `credential` logs in; `TargetRejectedError` becomes false. */
export async function sshLoginWorks(
  target: TargetEndpoint,
  credential: LoginCredential,
  secrets: SecretSet,
  timeoutMs: number,
  connections: Set<SshConnection>,
): Promise<boolean> {
  try {
    await withConnection(target, credential, 'current', secrets, timeoutMs, connections, async () => {});
    return true;
  } catch (error) {
    if (error instanceof TargetRejectedError) return false;
    throw error;
  }
}

/** Single-quotes a word for a POSIX shell. */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
