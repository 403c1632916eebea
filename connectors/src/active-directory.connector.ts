/**
 * Active Directory account passwords over LDAPS, with `ldapts`.
 *
 * AD keeps passwords in `unicodePwd`, written as the password in double quotes, UTF-16LE, and
 * only over an encrypted connection: this connector always speaks LDAPS (TLS from the first byte)
 * and verifies the domain controller's certificate.
 *
 * As the account itself: binds with the current password and sends one modify that deletes the
 * old value and adds the new one. AD treats that as a user's password change, so the domain's
 * policy applies in full (history, complexity, minimum age).
 * Through a functional account: binds as that account and replaces the value: an administrative
 * reset, which needs the "Reset Password" extended right on the account (delegated on its OU).
 *
 * Without `distinguishedName`, the account is looked up by `sAMAccountName` or
 * `userPrincipalName` below the domain's naming context. Bind names may be a UPN, a DN or
 * `DOMAIN\user`.
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
import { Attribute, Change, Client, EqualityFilter, OrFilter } from 'ldapts';
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

/** `unicodePwd`'s value: the password in double quotes, UTF-16LE. */
export function unicodePwdValue(password: string): Buffer {
  return Buffer.from(`"${password}"`, 'utf16le');
}

/** The `data` sub-codes AD puts in an invalidCredentials (49) diagnostic, for the cases that are not a wrong password. */
const accountRestrictions: Record<string, string> = {
  '530': 'may not log on at this time',
  '531': 'may not log on from this workstation',
  '532': 'has an expired password',
  '533': 'is disabled',
  '701': 'has expired',
  '773': 'must change its password at next logon',
  '775': 'is locked out',
};

const resultCode = (error: unknown): number | undefined => {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'number' ? code : undefined;
};

function targetFailure(
  target: TargetEndpoint,
  error: unknown,
  refused: RefusedCredential,
  username: string,
  secrets: SecretSet,
): Error {
  if (error instanceof TargetError || error instanceof ValidationError) return error;
  const where = endpointName(target);
  const message = error instanceof Error ? error.message : String(error);
  const code = resultCode(error);
  if (code === 49) {
    const data = /data ([0-9a-f]{3})/i.exec(message)?.[1]?.toLowerCase();
    const restriction = data === undefined ? undefined : accountRestrictions[data];
    if (restriction) {
      return targetError(
        'target-account-restricted',
        `${where}: the ${refused} account '${username}' ${restriction}.`,
        secrets,
        error,
      );
    }
    return new TargetRejectedError(
      refused,
      `${where} refused the ${refused} credential of '${secrets.redact(username)}'.`,
      {
        cause: secrets.cause(error),
      },
    );
  }
  if (isTlsError(error)) return tlsUntrusted(target, error, secrets);
  if (isNetworkError(error) || /connection timeout|socket closed|connection closed/i.test(message)) {
    return unreachable(target, error, secrets);
  }
  if (code === 51 || code === 52 || code === 3) {
    return new TargetUnreachableError(`${where} is busy or unavailable (LDAP result ${code}).`, {
      cause: secrets.cause(error),
    });
  }
  if (code === 50) {
    return targetError(
      'target-permission-denied',
      `${where}: the ${refused} account may not do this: ${message}`,
      secrets,
      error,
    );
  }
  if (code === 19) {
    return targetError(
      'target-password-refused',
      `${where} refused the new password (password policy: complexity, length, history or minimum age): ${message}`,
      secrets,
      error,
    );
  }
  if (code === 32) return targetError('target-account-not-found', `${where}: ${message}`, secrets, error);
  return targetError(
    'target-error',
    `${where} answered${code === undefined ? '' : ` LDAP result ${code}`}: ${message}`,
    secrets,
    error,
  );
}

function clientFor(target: TargetEndpoint, timeoutMs: number): Client {
  const host = target.host.includes(':') ? `[${target.host}]` : target.host;
  return new Client({
    url: `ldaps://${host}:${target.port}`,
    timeout: Math.max(1, Math.ceil(timeoutMs)),
    connectTimeout: Math.max(1, Math.ceil(timeoutMs)),
    tlsOptions: tlsOptionsOf(target),
  });
}

/** Binds, runs `use`, and always unbinds; failures become the connector's errors. */
async function withBinding<T>(
  target: TargetEndpoint,
  credential: LoginCredential,
  refused: RefusedCredential,
  secrets: SecretSet,
  timeoutMs: number,
  clients: Set<Client>,
  use: (client: Client) => Promise<T>,
): Promise<T> {
  // An empty password would be an unauthenticated bind, which "succeeds" (RFC 4513 5.1.2).
  if (credential.password === undefined || credential.password.length === 0) {
    throw ValidationError.field([refused, 'password'], 'is required for Active Directory');
  }
  const client = clientFor(target, timeoutMs);
  clients.add(client);
  try {
    await client.bind(credential.username, credential.password);
    return await use(client);
  } catch (error) {
    throw targetFailure(target, error, refused, credential.username, secrets);
  } finally {
    clients.delete(client);
    await client.unbind().catch(() => {});
  }
}

async function bindWorks(
  target: TargetEndpoint,
  credential: LoginCredential,
  secrets: SecretSet,
  timeoutMs: number,
  clients: Set<Client>,
): Promise<boolean> {
  try {
    await withBinding(target, credential, 'current', secrets, timeoutMs, clients, async () => {});
    return true;
  } catch (error) {
    if (error instanceof TargetRejectedError) return false;
    throw error;
  }
}

/** The account's DN: given, or found by sAMAccountName / userPrincipalName in the domain. */
async function distinguishedNameOf(
  client: Client,
  account: { username: string; distinguishedName?: string },
): Promise<string> {
  if (account.distinguishedName) return account.distinguishedName;
  const name = account.username.includes('\\')
    ? account.username.slice(account.username.indexOf('\\') + 1)
    : account.username;
  const rootDse = await client.search('', { scope: 'base', attributes: ['defaultNamingContext'] });
  const base = rootDse.searchEntries[0]?.defaultNamingContext;
  if (typeof base !== 'string') {
    throw new TargetError('target-error', 'The directory did not name its default naming context.');
  }
  const { searchEntries } = await client.search(base, {
    scope: 'sub',
    filter: new OrFilter({
      filters: [
        new EqualityFilter({ attribute: 'sAMAccountName', value: name }),
        new EqualityFilter({ attribute: 'userPrincipalName', value: account.username }),
      ],
    }),
    attributes: ['distinguishedName'],
    sizeLimit: 2,
  });
  if (searchEntries.length !== 1 || !searchEntries[0]) {
    throw new TargetError(
      'target-account-not-found',
      searchEntries.length === 0
        ? `No account '${account.username}' in ${base}.`
        : `More than one account matches '${account.username}'; give its distinguished name.`,
    );
  }
  return searchEntries[0].dn;
}

/** Destroys the sockets at once (an unbind would wait for a server that may not answer). */
const closeAll = (clients: Set<Client>) => {
  for (const client of clients) (client as unknown as { socket?: { destroy(): void } }).socket?.destroy();
};

export const activeDirectoryConnector: PasswordRotationConnector = {
  kind: 'active-directory',

  async setPassword(input: SetPasswordInput): Promise<void> {
    checkCommonInput(input);
    checkNewPassword(input.newPassword, /\0/, 'must not contain NUL characters');
    const { target, account, current, functional, newPassword, timeoutMs } = input;
    const secrets = new SecretSet(newPassword, current?.password, functional?.password);
    const clients = new Set<Client>();
    const password = (operation: 'add' | 'delete' | 'replace', value: string) =>
      new Change({
        operation,
        modification: new Attribute({ type: 'unicodePwd', values: [unicodePwdValue(value)] }),
      });
    await withDeadline(
      target,
      timeoutMs,
      async () => {
        if (functional) {
          await withBinding(target, functional, 'functional', secrets, timeoutMs, clients, async (client) => {
            await client.modify(await distinguishedNameOf(client, account), password('replace', newPassword));
          });
          return;
        }
        if (current?.password === undefined) {
          throw ValidationError.field(
            ['current', 'password'],
            'is required to change a password as the account itself',
          );
        }
        try {
          await withBinding(target, current, 'current', secrets, timeoutMs, clients, async (client) => {
            if (current.password === newPassword) return;
            await client.modify(await distinguishedNameOf(client, account), [
              password('delete', current.password!),
              password('add', newPassword),
            ]);
          });
        } catch (error) {
          // Idempotency: a repeat after a successful change finds the new password in place.
          if (
            error instanceof TargetRejectedError &&
            (await bindWorks(
              target,
              { username: current.username, password: newPassword },
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
    const clients = new Set<Client>();
    const works = await withDeadline(
      input.target,
      input.timeoutMs,
      () => bindWorks(input.target, input.credential, secrets, input.timeoutMs, clients),
      () => closeAll(clients),
    );
    return works ? 'accepted' : 'rejected';
  },
};
