/**
 * SSH login keys of Linux (and other Unix) accounts, in `~/.ssh/authorized_keys`.
 *
 * As the account itself, in three steps that each leave a working login behind:
 *   1. log in with the current credential (the old key, or a password) and append the new public
 *      key to `~/.ssh/authorized_keys` unless it is already there (creating `~/.ssh` with mode 700
 *      and the file with mode 600 when missing);
 *   2. log in with the new key: proves the server accepts it before anything is taken away;
 *   3. over that new login, remove every line holding the old public key (written to a temporary
 *      file in `~/.ssh` and renamed over the original, so a half-written file is never in place).
 * A repeat after a partial or complete run converges: when the current key is already refused
 * but the new one logs in, only step 3 runs.
 *
 * The new key is an ed25519 key generated with `@strongroom/shared/vault/ssh-key-generator` unless
 * the caller passes one. Key material never reaches a command line: public keys go to the remote
 * shell on stdin. Needs a POSIX `sh`, `awk` and `mktemp` on the target, and sshd's default
 * `AuthorizedKeysFile .ssh/authorized_keys`.
 */
import { createHash } from 'node:crypto';
import { ValidationError } from '@strongroom/shared/kernel/errors';
import {
  type KeyRotationConnector,
  type SetKeyInput,
  type SetKeyResult,
  type TargetEndpoint,
  TargetError,
  TargetRejectedError,
  type VerifyInput,
  type VerifyOutcome,
} from '@strongroom/shared/rotation/connector';
import { generateEd25519KeyPair } from '@strongroom/shared/vault/ssh-key-generator';
import ssh2 from 'ssh2';
import { checkCommonInput, endpointName, SecretSet, targetError, withDeadline } from './connector-support.ts';
import { type SshConnection, shellQuote, sshLoginWorks, withConnection } from './ssh-session.ts';

interface PublicKey {
  /** `ssh-ed25519`, `ssh-rsa`, … */
  readonly type: string;
  /** base64 of the public key blob: the second field of an authorized_keys line. */
  readonly blob: string;
  readonly comment: string;
  readonly fingerprint: string;
}

/** The public half of a private key; throws ValidationError (naming no key material) when unusable. */
function publicKeyOf(privateKey: string, field: readonly string[]): PublicKey {
  const parsed = ssh2.utils.parseKey(privateKey);
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (key === undefined || key instanceof Error || key.getPrivatePEM() === null) {
    throw ValidationError.field(field, 'is not an unencrypted private key in a format SSH understands');
  }
  const blob = key.getPublicSSH();
  return {
    type: key.type,
    blob: blob.toString('base64'),
    comment: key.comment.replace(/[^\x21-\x7e]/g, '').slice(0, 128),
    fingerprint: `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`,
  };
}

const lineOf = (key: PublicKey) => `${key.type} ${key.blob}${key.comment ? ` ${key.comment}` : ''}`;

/**
 * Reads one authorized_keys line on stdin and appends it unless a line already holds its key blob
 * (the field after the key type, compared exactly). A file not ending in a newline gets one first.
 */
const addKeyScript = [
  'umask 077',
  'set -e',
  'mkdir -p "$HOME/.ssh"',
  'chmod 700 "$HOME/.ssh"',
  'f="$HOME/.ssh/authorized_keys"',
  'touch "$f"',
  'chmod 600 "$f"',
  'IFS= read -r line',
  'blob=$(printf "%s\\n" "$line" | awk "{print \\$2}")',
  'if awk -v b="$blob" \'{for (i = 1; i <= NF; i++) if ($i == b) found = 1} END {exit !found}\' "$f"; then exit 0; fi',
  'if [ -s "$f" ] && [ -n "$(tail -c 1 "$f")" ]; then echo >> "$f"; fi',
  'printf "%s\\n" "$line" >> "$f"',
].join('\n');

/** Reads one key blob on stdin and rewrites authorized_keys without the lines holding it. */
const removeKeyScript = [
  'umask 077',
  'set -e',
  'f="$HOME/.ssh/authorized_keys"',
  '[ -f "$f" ] || exit 0',
  'IFS= read -r blob',
  't=$(mktemp "$HOME/.ssh/.authorized_keys.XXXXXX")',
  'awk -v b="$blob" \'{for (i = 1; i <= NF; i++) if ($i == b) next; print}\' "$f" > "$t" || { rm -f "$t"; exit 1; }',
  'chmod 600 "$t"',
  'mv -f "$t" "$f"',
].join('\n');

async function runScript(
  connection: SshConnection,
  target: TargetEndpoint,
  what: string,
  script: string,
  stdin: string,
  secrets: SecretSet,
): Promise<void> {
  const result = await connection.run(`/bin/sh -c ${shellQuote(script)}`, { stdin });
  if (result.exitCode !== 0) {
    throw targetError(
      'target-command-failed',
      `${what} on ${endpointName(target)} failed (exit ${result.exitCode}): ${result.stderr.trim().split('\n').slice(-3).join(' / ')}`,
      secrets,
    );
  }
}

async function rotateKey(
  input: SetKeyInput,
  next: { readonly privateKey: string; readonly key: PublicKey },
  secrets: SecretSet,
  connections: Set<SshConnection>,
): Promise<void> {
  const { target, account, current, timeoutMs } = input;
  const oldKey =
    current.privateKey === undefined ? undefined : publicKeyOf(current.privateKey, ['current', 'privateKey']);
  const newLogin = { username: account.username, privateKey: next.privateKey };
  const removeOldKey = async (connection: SshConnection) => {
    if (oldKey === undefined || oldKey.blob === next.key.blob) return;
    await runScript(connection, target, 'Removing the old key', removeKeyScript, `${oldKey.blob}\n`, secrets);
  };

  try {
    await withConnection(target, current, 'current', secrets, timeoutMs, connections, (connection) =>
      runScript(connection, target, 'Adding the new key', addKeyScript, `${lineOf(next.key)}\n`, secrets),
    );
  } catch (error) {
    // A repeat after the old key was already removed: finish over the new key.
    if (!(error instanceof TargetRejectedError)) throw error;
    if (!(await sshLoginWorks(target, newLogin, secrets, timeoutMs, connections))) throw error;
  }

  try {
    await withConnection(target, newLogin, 'current', secrets, timeoutMs, connections, removeOldKey);
  } catch (error) {
    if (error instanceof TargetRejectedError) {
      throw new TargetError(
        'target-new-key-refused',
        `${endpointName(target)} does not accept the new key for '${account.username}' although it was added to ~/.ssh/authorized_keys (another AuthorizedKeysFile, or key type not allowed?); the old key was kept.`,
      );
    }
    throw error;
  }
}

export const sshKeyConnector: KeyRotationConnector = {
  kind: 'ssh-key',

  async setKey(input: SetKeyInput): Promise<SetKeyResult> {
    checkCommonInput(input);
    const { current, account } = input;
    if (current === undefined || (current.privateKey === undefined && current.password === undefined)) {
      throw ValidationError.field(['current'], 'needs the current private key or a password');
    }
    if (current.username !== account.username) {
      throw ValidationError.field(['current', 'username'], 'must be the account itself');
    }
    const privateKey =
      input.newPrivateKey ?? generateEd25519KeyPair(`strongroom:${account.username}`).privateKey;
    const secrets = new SecretSet(privateKey, current.privateKey, current.password);
    const key = publicKeyOf(privateKey, ['newPrivateKey']);
    const connections = new Set<SshConnection>();
    await withDeadline(
      input.target,
      input.timeoutMs,
      () => rotateKey(input, { privateKey, key }, secrets, connections),
      () => {
        for (const connection of connections) connection.close();
      },
    );
    return { publicKey: lineOf(key), privateKey, fingerprint: key.fingerprint };
  },

  async verify(input: VerifyInput): Promise<VerifyOutcome> {
    checkCommonInput(input);
    const secrets = new SecretSet(input.credential.password, input.credential.privateKey);
    const connections = new Set<SshConnection>();
    const works = await withDeadline(
      input.target,
      input.timeoutMs,
      () => sshLoginWorks(input.target, input.credential, secrets, input.timeoutMs, connections),
      () => {
        for (const connection of connections) connection.close();
      },
    );
    return works ? 'accepted' : 'rejected';
  },
};
