/**
 * MariaDB account passwords, with `mysql2`.
 *
 * As the account itself: logs in with the current password and runs `SET PASSWORD = '<hash>'`,
 * which any account may do for itself (MariaDB's `ALTER USER CURRENT_USER()` needs the CREATE USER
 * privilege even for one's own account). Through a functional account: logs in as that account and
 * runs `ALTER USER 'user'@'host' IDENTIFIED BY PASSWORD '<hash>'`, which needs the global
 * CREATE USER privilege.
 *
 * The password is sent as its mysql_native_password hash (`*` + hex SHA1(SHA1(password))),
 * computed here: MariaDB writes statements to its general query log and slow log as received,
 * `IDENTIFIED BY '<plaintext>'` included, while the hash never shows the plaintext. The account
 * ends up on the mysql_native_password plugin (MariaDB's default); one on ed25519 or unix_socket
 * is switched to it (see docs/connectors.md). The hash is password-equivalent for that plugin, so
 * it is treated as a secret. Names are sent as string literals with quotes doubled, in a session
 * with NO_BACKSLASH_ESCAPES so that doubling is the only escape there is.
 */
import { createHash } from 'node:crypto';
import { connect as connectTcp, isIP } from 'node:net';
import { checkServerIdentity, type TLSSocket } from 'node:tls';
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
import mysql from 'mysql2/promise';
import {
  checkCommonInput,
  checkNewPassword,
  endpointName,
  isNetworkError,
  isTlsError,
  SecretSet,
  targetError,
  tlsUntrusted,
  unreachable,
  withDeadline,
} from './connector-support.ts';

/** The mysql_native_password hash of a password (what `PASSWORD('…')` returns). */
export function nativePasswordHash(password: string): string {
  const once = createHash('sha1').update(password, 'utf8').digest();
  return `*${createHash('sha1').update(once).digest('hex').toUpperCase()}`;
}

/** A string literal for a session with NO_BACKSLASH_ESCAPES: quotes doubled, nothing else special. */
function literal(value: string, field: readonly string[]): string {
  if (value.includes('\0')) throw ValidationError.field(field, 'must not contain NUL characters');
  return `'${value.replace(/'/g, "''")}'`;
}

const rejectedCodes = new Set([
  'ER_ACCESS_DENIED_ERROR',
  'ER_HOST_NOT_PRIVILEGED',
  'ER_ACCESS_DENIED_NO_PASSWORD_ERROR',
]);
const permissionCodes = new Set([
  'ER_SPECIFIC_ACCESS_DENIED_ERROR',
  'ER_DBACCESS_DENIED_ERROR',
  'ER_TABLEACCESS_DENIED_ERROR',
  'ER_PASSWORD_ANONYMOUS_USER',
  'ER_PASSWORD_NOT_ALLOWED',
]);
const unavailableCodes = new Set([
  'ER_CON_COUNT_ERROR',
  'ER_TOO_MANY_USER_CONNECTIONS',
  'ER_SERVER_SHUTDOWN',
  'ER_HOST_IS_BLOCKED',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
]);

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
  if (typeof code === 'string' && rejectedCodes.has(code)) {
    return new TargetRejectedError(
      refused,
      `${where} refused the ${refused} credential of '${secrets.redact(username)}'.`,
      {
        cause: secrets.cause(error),
      },
    );
  }
  if (isTlsError(error)) return tlsUntrusted(target, error, secrets);
  if (isNetworkError(error)) return unreachable(target, error, secrets);
  if (typeof code === 'string' && unavailableCodes.has(code)) {
    return new TargetUnreachableError(`${where} cannot take the connection now (${code}).`, {
      cause: secrets.cause(error),
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  if (typeof code === 'string' && permissionCodes.has(code)) {
    return targetError(
      'target-permission-denied',
      `${where}: the ${refused} account may not do this: ${message}`,
      secrets,
      error,
    );
  }
  if (code === 'ER_CANNOT_USER' || code === 'ER_PASSWORD_NO_MATCH') {
    return targetError('target-account-not-found', `${where}: ${message}`, secrets, error);
  }
  if (code === 'HANDSHAKE_NO_SSL_SUPPORT') {
    return targetError('target-tls-unavailable', `${where} does not offer TLS.`, secrets, error);
  }
  return targetError(
    'target-error',
    `${where} answered ${typeof code === 'string' ? code : 'an error'}: ${message}`,
    secrets,
    error,
  );
}

/**
 * mysql2 checks a certificate's name only against `host`. With `serverName`, the connection is
 * opened to the real address by our own socket and mysql2 is told the name as `host`, so TLS
 * verification (SNI and identity) uses the name.
 */
function connectionOptions(target: TargetEndpoint, credential: LoginCredential, timeoutMs: number) {
  const name = target.tls?.serverName ?? target.host;
  return {
    host: target.tls ? name : target.host,
    port: target.port,
    user: credential.username,
    password: credential.password,
    connectTimeout: Math.max(1, Math.ceil(timeoutMs)),
    multipleStatements: false,
    charset: 'utf8mb4',
    ...(target.tls
      ? {
          stream: () => connectTcp({ host: target.host, port: target.port }),
          ssl: {
            rejectUnauthorized: true,
            // mysql2 checks names only, and before logging in; an address is checked after the
            // handshake in withConnection (mysql2 would compare it with 'localhost').
            verifyIdentity: isIP(name) === 0,
            minVersion: 'TLSv1.2',
            ...(target.tls.caCertificate === undefined ? {} : { ca: target.tls.caCertificate }),
          },
        }
      : {}),
  };
}

async function withConnection<T>(
  target: TargetEndpoint,
  credential: LoginCredential,
  refused: RefusedCredential,
  secrets: SecretSet,
  timeoutMs: number,
  connections: Set<mysql.Connection>,
  use: (connection: mysql.Connection) => Promise<T>,
): Promise<T> {
  if (credential.password === undefined) {
    throw ValidationError.field([refused, 'password'], 'is required for MariaDB');
  }
  let connection: mysql.Connection | undefined;
  try {
    connection = await mysql.createConnection(connectionOptions(target, credential, timeoutMs));
    connections.add(connection);
    connection.on('error', () => {});
    const expectedName = target.tls?.serverName ?? target.host;
    if (target.tls && isIP(expectedName) !== 0) {
      // mysql2 skips the identity check for addresses; do it here, before any statement.
      const socket = (connection as unknown as { connection: { stream: TLSSocket } }).connection.stream;
      const mismatch = checkServerIdentity(expectedName, socket.getPeerCertificate());
      if (mismatch) throw mismatch;
    }
    await connection.query(
      "SET SESSION sql_mode = CONCAT_WS(',', NULLIF(@@sql_mode, ''), 'NO_BACKSLASH_ESCAPES')",
    );
    return await use(connection);
  } catch (error) {
    throw targetFailure(target, error, refused, credential.username, secrets);
  } finally {
    if (connection) {
      connections.delete(connection);
      connection.destroy();
    }
  }
}

async function loginWorks(
  target: TargetEndpoint,
  credential: LoginCredential,
  secrets: SecretSet,
  timeoutMs: number,
  connections: Set<mysql.Connection>,
): Promise<boolean> {
  try {
    await withConnection(
      target,
      credential,
      'current',
      secrets,
      timeoutMs,
      connections,
      async (connection) => {
        await connection.query('SELECT 1');
      },
    );
    return true;
  } catch (error) {
    if (error instanceof TargetRejectedError) return false;
    throw error;
  }
}

const closeAll = (connections: Set<mysql.Connection>) => {
  for (const connection of connections) connection.destroy();
};

export const mariadbConnector: PasswordRotationConnector = {
  kind: 'mariadb',

  async setPassword(input: SetPasswordInput): Promise<void> {
    checkCommonInput(input);
    checkNewPassword(input.newPassword, /\0/, 'must not contain NUL characters');
    const { target, account, current, functional, newPassword, timeoutMs } = input;
    const hash = nativePasswordHash(newPassword);
    const secrets = new SecretSet(newPassword, hash, hash.slice(1), current?.password, functional?.password);
    const connections = new Set<mysql.Connection>();
    await withDeadline(
      target,
      timeoutMs,
      async () => {
        if (functional) {
          const user = literal(account.username, ['account', 'username']);
          const host = literal(account.host ?? '%', ['account', 'host']);
          await withConnection(
            target,
            functional,
            'functional',
            secrets,
            timeoutMs,
            connections,
            async (connection) => {
              await connection.query(`ALTER USER ${user}@${host} IDENTIFIED BY PASSWORD '${hash}'`);
            },
          );
          return;
        }
        if (current?.password === undefined) {
          throw ValidationError.field(
            ['current', 'password'],
            'is required to change a password as the account itself',
          );
        }
        if (current.username !== account.username) {
          throw ValidationError.field(
            ['current', 'username'],
            'must be the account itself (or give a functional account)',
          );
        }
        try {
          await withConnection(
            target,
            current,
            'current',
            secrets,
            timeoutMs,
            connections,
            async (connection) => {
              await connection.query(`SET PASSWORD = '${hash}'`);
            },
          );
        } catch (error) {
          // Idempotency: a repeat after a successful change finds the new password in place.
          if (
            error instanceof TargetRejectedError &&
            (await loginWorks(
              target,
              { username: account.username, password: newPassword },
              secrets,
              timeoutMs,
              connections,
            ))
          ) {
            return;
          }
          throw error;
        }
      },
      () => closeAll(connections),
    );
  },

  async verify(input: VerifyInput): Promise<VerifyOutcome> {
    checkCommonInput(input);
    const secrets = new SecretSet(input.credential.password);
    const connections = new Set<mysql.Connection>();
    const works = await withDeadline(
      input.target,
      input.timeoutMs,
      () => loginWorks(input.target, input.credential, secrets, input.timeoutMs, connections),
      () => closeAll(connections),
    );
    return works ? 'accepted' : 'rejected';
  },
};
