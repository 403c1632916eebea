/**
 * The port between the rotation engine and the systems whose secrets it changes. A connector
 * logs in to one kind of target (an SSH server, a database, a directory) and changes one
 * account's password or key there. Implementations live in `@strongroom/connectors`; they run in
 * the cloud rotation worker and in the on-prem broker, so this contract names no framework.
 *
 * Two ways to change a secret:
 * - as the account itself (`functional` absent): log in with the account's `current` secret and
 *   change it the way a user would (`passwd`, `ALTER ROLE CURRENT_USER`, a self-service LDAP modify);
 * - through a functional account (`functional` present): a privileged account resets it.
 *
 * Every method is idempotent: repeating a call with the same new secret after it succeeded (or
 * after a failure that left the change half-done) succeeds and leaves the same state.
 *
 * Secrets (passwords, private keys, and password-equivalent hashes a connector derives from them)
 * never appear in an error's message, in its `cause` chain, or in anything a connector logs.
 */
import { AppError, type AppErrorOptions, type ErrorKind } from '../kernel/errors.ts';

export type PasswordConnectorKind = 'ssh-password' | 'postgresql' | 'mariadb' | 'active-directory';
export type KeyConnectorKind = 'ssh-key';
export type ConnectorKind = PasswordConnectorKind | KeyConnectorKind;

/** Where a target listens, and how to recognise it. */
export interface TargetEndpoint {
  readonly host: string;
  readonly port: number;
  /**
   * TLS towards the target: required for Active Directory (LDAPS), optional for PostgreSQL and
   * MariaDB (plain TCP when absent). The certificate is always verified: against `caCertificate`
   * (PEM) when given, otherwise against the system's trust store; `serverName` is the name the
   * certificate must carry when it differs from `host` (e.g. connecting by IP address).
   */
  readonly tls?: { readonly caCertificate?: string; readonly serverName?: string };
  /**
   * SSH: the host key's `SHA256:…` fingerprint (as `ssh-keygen -l` prints it). When given, any
   * other host key aborts the connection before a credential is sent.
   */
  readonly hostKeySha256?: string;
  /** PostgreSQL: the database to connect to (default `postgres`). */
  readonly database?: string;
}

/** A secret to log in with: a password, a private key (OpenSSH or PEM, unencrypted), or both. */
export interface LoginCredential {
  readonly username: string;
  readonly password?: string;
  readonly privateKey?: string;
}

/** The account whose secret changes. */
export interface TargetAccount {
  /** Login name: Linux user, database role, AD `sAMAccountName` or `userPrincipalName`. */
  readonly username: string;
  /** Active Directory: the account's DN; looked up by `username` when absent. */
  readonly distinguishedName?: string;
  /** MariaDB: the host part of `'user'@'host'` (default `%`); used by a functional account. */
  readonly host?: string;
}

export interface SetPasswordInput {
  readonly target: TargetEndpoint;
  readonly account: TargetAccount;
  /** The account's current secret: required when changing as the account itself. */
  readonly current?: LoginCredential;
  /** A privileged account that resets `account`'s password. */
  readonly functional?: LoginCredential;
  readonly newPassword: string;
  /** Upper bound for the whole operation, connecting included. */
  readonly timeoutMs: number;
}

export interface SetKeyInput {
  readonly target: TargetEndpoint;
  readonly account: TargetAccount;
  /** The account's current login (its current private key, or a password): required. */
  readonly current: LoginCredential;
  /**
   * The new private key (OpenSSH, unencrypted). Absent: the connector generates an ed25519 key.
   * Pass the returned key when retrying, so that a retry converges on the same key.
   */
  readonly newPrivateKey?: string;
  readonly timeoutMs: number;
}

export interface SetKeyResult {
  /** `ssh-ed25519 AAAA… comment`, as now in `authorized_keys`. */
  readonly publicKey: string;
  /** The new private key: a secret. */
  readonly privateKey: string;
  /** `SHA256:…` of the new public key. */
  readonly fingerprint: string;
}

export interface VerifyInput {
  readonly target: TargetEndpoint;
  readonly credential: LoginCredential;
  readonly timeoutMs: number;
}

/** 'accepted': the target let the credential log in; 'rejected': it refused it. */
export type VerifyOutcome = 'accepted' | 'rejected';

interface ConnectorBase {
  /**
   * Tries to log in with `credential`. Throws `TargetUnreachableError` when it cannot tell (no
   * answer within the timeout, connection refused), `TargetError` when the target is not the one
   * expected (host key or certificate mismatch) or answers something unexpected.
   */
  verify(input: VerifyInput): Promise<VerifyOutcome>;
}

export interface PasswordRotationConnector extends ConnectorBase {
  readonly kind: PasswordConnectorKind;
  /**
   * Changes the account's password on the target: as the account itself (`functional` absent,
   * `current` required) or through the privileged `functional` account. Idempotent: when the
   * account's current password was already changed to `newPassword`, it succeeds.
   */
  setPassword(input: SetPasswordInput): Promise<void>;
}

export interface KeyRotationConnector extends ConnectorBase {
  readonly kind: KeyConnectorKind;
  /**
   * Replaces the account's login key: adds the new public key to the account's authorized keys,
   * logs in with the new key, then removes the old key (the one in `current.privateKey`).
   * Idempotent: a repeat with the same `newPrivateKey` succeeds and leaves one copy of it.
   */
  setKey(input: SetKeyInput): Promise<SetKeyResult>;
}

export type RotationConnector = PasswordRotationConnector | KeyRotationConnector;

/** Which credential a target refused. */
export type RefusedCredential = 'current' | 'functional';

/**
 * Anything a target answered that is not what the connector needed (a password-policy
 * violation, missing privileges, an unexpected host key…). `code` names the case; the message
 * says what happened in words a rotation report can show.
 */
export class TargetError extends AppError {
  constructor(code: string, message: string, options: AppErrorOptions = {}, kind: ErrorKind = 'conflict') {
    super(kind, code, message, options);
    this.name = 'TargetError';
  }
}

/** The target refused the credentials (wrong password, unknown user, key not authorized). */
export class TargetRejectedError extends TargetError {
  readonly credential: RefusedCredential;
  constructor(credential: RefusedCredential, message: string, options: AppErrorOptions = {}) {
    super('target-rejected', message, options);
    this.name = 'TargetRejectedError';
    this.credential = credential;
  }
}

/** The target could not be reached or did not answer in time; the change may be retried. */
export class TargetUnreachableError extends TargetError {
  constructor(message: string, options: AppErrorOptions = {}) {
    super('target-unreachable', message, options, 'unavailable');
    this.name = 'TargetUnreachableError';
  }
}
