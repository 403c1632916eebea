/**
 * PostgreSQL role passwords, with `pg`.
 *
 * As the role itself: logs in with the current password and runs
 * `ALTER ROLE CURRENT_USER PASSWORD '<verifier>'` (any role may change its own password).
 * Through a functional account: logs in as that role and runs `ALTER ROLE "<role>" PASSWORD …`;
 * it needs `CREATEROLE` (and, from PostgreSQL 16, `ADMIN OPTION` on the role), or is a superuser.
 *
 * The password is sent as a SCRAM-SHA-256 verifier computed here (see postgresql-scram.ts), never
 * as plaintext: statement logging (`log_statement = all`), `pg_stat_activity` and auditing
 * extensions see only the verifier. `ALTER ROLE` takes no bind parameters, so the verifier (base64
 * and `$:` only) is inlined as a literal; the role name is quoted as an identifier.
 */
import { ValidationError } from '@strongroom/shared/kernel/errors';
import {
  type LoginCredential,
  type PasswordRotationConnector,
  type RefusedCredential,
  type SetPasswordInput,
  type TargetEndpoint,
  TargetError,
  TargetRejectedError,
  TargetUnreachableError,
  type VerifyInput,
  type VerifyOutcome,
} from '@strongroom/shared/rotation/connector';
import pg from 'pg';
import {
  checkCommonInput,
  checkNewPassword,
  endpointName,
  isNetworkError,
  isTlsError,
  SecretSet,
  targetError,
  tlsOptionsOf,
  tlsUntrusted,
  unreachable,
  withDeadline,
} from './connector-support.ts';
import { scramSha256Verifier } from './postgresql-scram.ts';

/** `"name"` with embedded quotes doubled; PostgreSQL would silently truncate names over 63 bytes. */
export function quoteIdentifier(name: string, field: readonly string[]): string {
  if (name.length === 0 || name.includes('\0') || Buffer.byteLength(name, 'utf8') > 63) {
    throw ValidationError.field(field, 'must be a PostgreSQL role name (1–63 bytes, no NUL)');
  }
  return `"${name.replace(/"/g, '""')}"`;
}

/** Maps what the server or the socket said to the connector's errors. */
function targetFailure(
  target: TargetEndpoint,
  error: unknown,
  refused: RefusedCredential,
  username: string,
  secrets: SecretSet,
): Error {
  if (error instanceof TargetError || error instanceof ValidationError) return error;
  const code = (error as { code?: unknown })?.code;
  const where = endpointName(target);
  if (code === '28P01' || code === '28000') {
    return new TargetRejectedError(
      refused,
      `${where} refused the ${refused} credential of role '${secrets.redact(username)}'.`,
      {
        cause: secrets.cause(error),
      },
    );
  }
  if (isTlsError(error)) return tlsUntrusted(target, error, secrets);
  if (isNetworkError(error)) return unreachable(target, error, secrets);
  if (typeof code === 'string' && (code.startsWith('53') || code.startsWith('57P') || code === '08006')) {
    return new TargetUnreachableError(`${where} cannot take the connection now (SQLSTATE ${code}).`, {
      cause: secrets.cause(error),
    });
  }
  const message = secrets.redact(error instanceof Error ? error.message : String(error));
  if (code === '42501') {
    return targetError(
      'target-permission-denied',
      `${where}: the ${refused} role may not do this: ${message}`,
      secrets,
      error,
    );
  }
  if (code === '42704')
    return targetError('target-account-not-found', `${where}: ${message}`, secrets, error);
  if (/does not support SSL/i.test(message)) {
    return targetError('target-tls-unavailable', `${where} does not offer TLS.`, secrets, error);
  }
  if (/timeout|terminated unexpectedly|Connection terminated/i.test(message)) {
    return new TargetUnreachableError(`${where} stopped answering (${message}).`, {
      cause: secrets.cause(error),
    });
  }
  return targetError(
    'target-error',
    `${where} answered ${typeof code === 'string' ? `SQLSTATE ${code}` : 'an error'}: ${message}`,
    secrets,
    error,
  );
}

async function withClient<T>(
  target: TargetEndpoint,
  credential: LoginCredential,
  refused: RefusedCredential,
  secrets: SecretSet,
  timeoutMs: number,
  clients: Set<pg.Client>,
  use: (client: pg.Client) => Promise<T>,
): Promise<T> {
  if (credential.password === undefined) {
    throw ValidationError.field([refused, 'password'], 'is required for PostgreSQL');
  }
  const client = new pg.Client({
    host: target.host,
    port: target.port,
    user: credential.username,
    password: credential.password,
    database: target.database ?? 'postgres',
    ssl: target.tls ? tlsOptionsOf(target) : false,
    connectionTimeoutMillis: Math.max(1, Math.ceil(timeoutMs)),
    query_timeout: Math.max(1, Math.ceil(timeoutMs)),
    statement_timeout: Math.max(1, Math.ceil(timeoutMs)),
    application_name: 'strongroom-rotation',
  });
  clients.add(client);
  // A server that drops the connection later emits 'error' on the client; never crash on it.
  client.on('error', () => {});
  try {
    await client.connect();
    return await use(client);
  } catch (error) {
    throw targetFailure(target, error, refused, credential.username, secrets);
  } finally {
    clients.delete(client);
    await client.end().catch(() => {});
  }
}

async function loginWorks(
  target: TargetEndpoint,
  credential: LoginCredential,
  secrets: SecretSet,
  timeoutMs: number,
  clients: Set<pg.Client>,
): Promise<boolean> {
  try {
    await withClient(target, credential, 'current', secrets, timeoutMs, clients, async (client) => {
      await client.query('SELECT 1');
    });
    return true;
  } catch (error) {
    if (error instanceof TargetRejectedError) return false;
    throw error;
  }
}

function closeAll(clients: Set<pg.Client>): void {
  for (const client of clients) {
    // Destroys the socket at once; `end()` would wait for the server.
    (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
  }
}

export const postgresqlConnector: PasswordRotationConnector = {
  kind: 'postgresql',

  async setPassword(input: SetPasswordInput): Promise<void> {
    checkCommonInput(input);
    checkNewPassword(input.newPassword, /\0/, 'must not contain NUL characters');
    const { target, account, current, functional, newPassword, timeoutMs } = input;
    const verifier = scramSha256Verifier(newPassword);
    const secrets = new SecretSet(newPassword, verifier, current?.password, functional?.password);
    const clients = new Set<pg.Client>();
    const statement = (role: string) => `ALTER ROLE ${role} PASSWORD '${verifier}'`;
    await withDeadline(
      target,
      timeoutMs,
      async () => {
        if (functional) {
          const role = quoteIdentifier(account.username, ['account', 'username']);
          await withClient(target, functional, 'functional', secrets, timeoutMs, clients, async (client) => {
            await client.query(statement(role));
          });
          return;
        }
        if (current?.password === undefined) {
          throw ValidationError.field(
            ['current', 'password'],
            'is required to change a password as the role itself',
          );
        }
        if (current.username !== account.username) {
          throw ValidationError.field(
            ['current', 'username'],
            'must be the role itself (or give a functional account)',
          );
        }
        try {
          await withClient(target, current, 'current', secrets, timeoutMs, clients, async (client) => {
            await client.query(statement('CURRENT_USER'));
          });
        } catch (error) {
          // Idempotency: a repeat after a successful change finds the new password in place.
          if (
            error instanceof TargetRejectedError &&
            (await loginWorks(
              target,
              { username: account.username, password: newPassword },
              secrets,
              timeoutMs,
              clients,
            ))
          ) {
            return;
          }
          throw error;
        }
      },
      () => closeAll(clients),
    );
  },

  async verify(input: VerifyInput): Promise<VerifyOutcome> {
    checkCommonInput(input);
    const secrets = new SecretSet(input.credential.password);
    const clients = new Set<pg.Client>();
    const works = await withDeadline(
      input.target,
      input.timeoutMs,
      () => loginWorks(input.target, input.credential, secrets, input.timeoutMs, clients),
      () => closeAll(clients),
    );
    return works ? 'accepted' : 'rejected';
  },
};
