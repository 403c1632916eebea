/**
 * What every connector needs: keeping secrets out of errors, one deadline per operation, and the
 * mapping of network failures to `TargetUnreachableError`.
 *
 * Library errors are never attached as they are: drivers put the statement (mysql2's `sql`), the
 * server's reply or the connection options on their errors. A cause is rebuilt as a plain `Error`
 * holding only the library error's name, code and message, with every known secret replaced.
 */
import { isIP } from 'node:net';
import { type ConnectionOptions, checkServerIdentity, type PeerCertificate } from 'node:tls';
import { ValidationError } from '@strongroom/shared/kernel/errors';
import { TargetError, TargetUnreachableError } from '@strongroom/shared/rotation/connector';

const redactedMarker = '[redacted]';

/** The secrets of one operation; every text that leaves a connector goes through `redact`. */
export class SecretSet {
  private readonly values = new Set<string>();

  constructor(...secrets: readonly (string | undefined)[]) {
    this.add(...secrets);
  }

  add(...secrets: readonly (string | undefined)[]): this {
    for (const secret of secrets) {
      if (secret === undefined || secret.length === 0) continue;
      this.values.add(secret);
      // Also as a key's lines and as it may be echoed back trimmed.
      const trimmed = secret.trim();
      if (trimmed.length >= 4) this.values.add(trimmed);
      if (secret.includes('\n')) {
        for (const line of secret.split('\n')) if (line.trim().length >= 16) this.values.add(line.trim());
      }
    }
    return this;
  }

  redact(text: string): string {
    let result = text;
    // Longest first, so a secret that contains another one is replaced whole.
    for (const secret of [...this.values].sort((a, b) => b.length - a.length)) {
      if (result.includes(secret)) result = result.split(secret).join(redactedMarker);
    }
    return result;
  }

  /** A plain, secret-free copy of a library error, to use as `cause`. */
  cause(error: unknown): Error {
    if (!(error instanceof Error)) return new Error(this.redact(String(error)));
    const code = (error as { code?: unknown }).code;
    const copy = new Error(this.redact(`${error.name}: ${error.message}`));
    if (typeof code === 'string' || typeof code === 'number') Object.assign(copy, { code });
    return copy;
  }
}

const networkErrorCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EPIPE',
  'EADDRNOTAVAIL',
]);

/** Whether an error (or its cause) is a socket-level failure: refused, reset, unreachable, DNS. */
export function isNetworkError(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && networkErrorCodes.has(code)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

export function describeNetworkError(error: unknown): string {
  const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : 'connection failed';
}

/** `host:port` as it appears in messages. */
export function endpointName(target: { readonly host: string; readonly port: number }): string {
  return target.host.includes(':') ? `[${target.host}]:${target.port}` : `${target.host}:${target.port}`;
}

export function unreachable(
  target: { readonly host: string; readonly port: number },
  error: unknown,
  secrets: SecretSet,
): TargetUnreachableError {
  return new TargetUnreachableError(
    `${endpointName(target)} could not be reached (${secrets.redact(describeNetworkError(error))}).`,
    { cause: secrets.cause(error) },
  );
}

export function timedOut(
  target: { readonly host: string; readonly port: number },
  timeoutMs: number,
): TargetUnreachableError {
  return new TargetUnreachableError(`${endpointName(target)} did not complete within ${timeoutMs} ms.`);
}

/**
 * Runs `operation` with a deadline. When the deadline passes first, `abort` is called (to close
 * sockets) and the result is a `TargetUnreachableError`; a late result of `operation` is ignored.
 */
export async function withDeadline<T>(
  target: { readonly host: string; readonly port: number },
  timeoutMs: number,
  operation: (signal: AbortSignal) => Promise<T>,
  abort: () => void = () => {},
): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      try {
        abort();
      } catch {
        // Closing is best effort.
      }
      reject(timedOut(target, timeoutMs));
    }, timeoutMs);
  });
  const running = operation(controller.signal);
  running.catch(() => {});
  try {
    return await Promise.race([running, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Checks the inputs every connector shares; throws `ValidationError` naming the field. */
export function checkCommonInput(input: {
  readonly target: { readonly host: string; readonly port: number };
  readonly timeoutMs: number;
}): void {
  if (typeof input.target?.host !== 'string' || input.target.host.length === 0) {
    throw ValidationError.field(['target', 'host'], 'is required');
  }
  if (!Number.isInteger(input.target.port) || input.target.port < 1 || input.target.port > 65_535) {
    throw ValidationError.field(['target', 'port'], 'must be a TCP port (1–65535)');
  }
  if (!Number.isFinite(input.timeoutMs) || input.timeoutMs <= 0) {
    throw ValidationError.field(['timeoutMs'], 'must be a positive number of milliseconds');
  }
}

export function checkNewPassword(newPassword: string, forbidden: RegExp, description: string): void {
  if (typeof newPassword !== 'string' || newPassword.length === 0) {
    throw ValidationError.field(['newPassword'], 'is required');
  }
  // The message never repeats the password.
  if (forbidden.test(newPassword)) throw ValidationError.field(['newPassword'], description);
}

/** A `TargetError` whose message went through the secret filter. */
export function targetError(code: string, message: string, secrets: SecretSet, cause?: unknown): TargetError {
  return new TargetError(
    code,
    secrets.redact(message),
    cause === undefined ? {} : { cause: secrets.cause(cause) },
  );
}

/**
 * Node TLS options for a target: the certificate is always verified, against `caCertificate` when
 * given (else the system's trust store), and its name against `serverName` (else `host`).
 */
export function tlsOptionsOf(target: {
  readonly host: string;
  readonly tls?: { readonly caCertificate?: string; readonly serverName?: string };
}): ConnectionOptions {
  const expectedName = target.tls?.serverName ?? target.host;
  return {
    rejectUnauthorized: true,
    minVersion: 'TLSv1.2',
    ...(target.tls?.caCertificate === undefined ? {} : { ca: target.tls.caCertificate }),
    // SNI carries host names only (RFC 6066).
    ...(isIP(expectedName) === 0 ? { servername: expectedName } : {}),
    checkServerIdentity: (_host: string, certificate: PeerCertificate) =>
      checkServerIdentity(expectedName, certificate),
  };
}

const tlsErrorCodes =
  /^(ERR_TLS_|CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ERR_SSL_|HANDSHAKE_SSL_ERROR)/;

/** Whether an error is a failed TLS verification or handshake (the target is not the one expected). */
export function isTlsError(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && tlsErrorCodes.test(code)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

export function tlsUntrusted(
  target: { readonly host: string; readonly port: number },
  error: unknown,
  secrets: SecretSet,
): TargetError {
  return new TargetError(
    'target-tls-untrusted',
    `${endpointName(target)}'s TLS certificate was not accepted (${secrets.redact(describeNetworkError(error))}); nothing was sent.`,
    { cause: secrets.cause(error) },
  );
}
