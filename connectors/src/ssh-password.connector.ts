/**
 * Linux (and other Unix) account passwords over SSH.
 *
 * As the account itself: logs in with the current password and answers `passwd`'s prompts on a
 * pseudo-terminal (current password, new password, again). `passwd` never sees a password on its
 * command line, and the terminal does not echo them.
 *
 * Through a functional account: logs in as that account and runs `sudo chpasswd`, writing
 * `user:password` to its standard input. When sudo wants the functional account's password, it is
 * checked first (`sudo -S -v`, fed on stdin) and the `user:password` line is only written after
 * sudo confirmed it, so the line can never be taken for a sudo password. Needed on the target:
 * a sudoers rule for `/usr/sbin/chpasswd` (see docs/connectors.md), and a POSIX login shell.
 */
import { ValidationError } from '@strongroom/shared/kernel/errors';
import {
  type LoginCredential,
  type PasswordRotationConnector,
  type SetPasswordInput,
  type TargetEndpoint,
  TargetError,
  TargetRejectedError,
  type VerifyInput,
  type VerifyOutcome,
} from '@strongroom/shared/rotation/connector';
import type { ClientChannel } from 'ssh2';
import {
  checkCommonInput,
  checkNewPassword,
  endpointName,
  SecretSet,
  targetError,
  withDeadline,
} from './connector-support.ts';
import { type SshConnection, sshLoginWorks, withConnection } from './ssh-session.ts';

/** Portable Unix user names (no `:` or whitespace, which chpasswd's line format cannot carry). */
const usernamePattern = /^[A-Za-z0-9._][A-Za-z0-9._-]{0,63}\$?$/;
const sudoValidatedMarker = 'strongroom-sudo-validated';
const chpasswdPath = '/usr/sbin/chpasswd';
/** sudo's ways of saying the account may not run the command (as opposed to a wrong password). */
const sudoDenial = /not allowed|not in the sudoers|may not run|no tty present|a terminal is required/i;

function lastLines(text: string, count: number): string {
  return text
    .replace(/\r/g, '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0)
    .slice(-count)
    .join(' / ');
}

/** What passwd said, without its prompts. */
const passwdSaid = (transcript: string) =>
  lastLines(
    transcript
      .replace(/\r/g, '')
      .split('\n')
      .filter((line) => !/password:\s*$/i.test(line))
      .join('\n'),
    2,
  ) || 'no explanation';

/** Drives `passwd` on a pseudo-terminal. */
function passwdDialogue(
  target: TargetEndpoint,
  channel: ClientChannel,
  currentPassword: string,
  newPassword: string,
  secrets: SecretSet,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let transcript = '';
    let pending = '';
    let currentPrompts = 0;
    let newPrompts = 0;
    let exitCode: number | null = null;
    let failure: Error | undefined;
    const abort = (error: Error) => {
      failure ??= error;
      channel.write('\x03');
      channel.close();
    };
    channel.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      transcript += text;
      pending += text;
      const tail = pending.replace(/\r/g, '');
      if (/current[^\n]*password[^\n]*:\s*$/i.test(tail)) {
        pending = '';
        if (++currentPrompts > 1) {
          abort(
            new TargetRejectedError(
              'current',
              `passwd on ${endpointName(target)} refused the current password.`,
            ),
          );
        } else {
          channel.write(`${currentPassword}\n`);
        }
      } else if (/(retype|re-enter|again|repeat)[^\n]*password[^\n]*:\s*$/i.test(tail)) {
        pending = '';
        channel.write(`${newPassword}\n`);
      } else if (/new[^\n]*password[^\n]*:\s*$/i.test(tail)) {
        pending = '';
        if (++newPrompts > 1) {
          abort(
            targetError(
              'target-password-refused',
              `passwd on ${endpointName(target)} refused the new password: ${passwdSaid(transcript)}`,
              secrets,
            ),
          );
        } else {
          channel.write(`${newPassword}\n`);
        }
      }
    });
    channel.on('exit', (code: number | null) => {
      exitCode = code;
    });
    channel.on('close', () => {
      if (failure) return reject(failure);
      if (exitCode === 0) return resolve();
      if (currentPrompts === 0 && newPrompts === 0) {
        return reject(
          targetError(
            'target-command-failed',
            `passwd on ${endpointName(target)} did not ask for passwords (exit ${exitCode}): ${passwdSaid(transcript)}`,
            secrets,
          ),
        );
      }
      reject(
        targetError(
          'target-password-refused',
          `passwd on ${endpointName(target)} did not change the password (exit ${exitCode}): ${passwdSaid(transcript)}`,
          secrets,
        ),
      );
    });
  });
}

async function changeAsSelf(
  input: SetPasswordInput,
  secrets: SecretSet,
  connections: Set<SshConnection>,
): Promise<void> {
  const { target, account, current, newPassword, timeoutMs } = input;
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
    await withConnection(target, current, 'current', secrets, timeoutMs, connections, async (connection) => {
      if (current.password === newPassword) return;
      const channel = await connection.open('LC_ALL=C LANG=C passwd', true);
      await passwdDialogue(target, channel, current.password!, newPassword, secrets);
    });
  } catch (error) {
    // Idempotency: a repeat after a successful change finds the new password already in place.
    if (
      error instanceof TargetRejectedError &&
      (await sshLoginWorks(
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
}

async function changeThroughFunctional(
  input: SetPasswordInput,
  functional: LoginCredential,
  secrets: SecretSet,
  connections: Set<SshConnection>,
): Promise<void> {
  const { target, account, newPassword, timeoutMs } = input;
  if (!usernamePattern.test(account.username)) {
    throw ValidationError.field(['account', 'username'], 'must be a Unix user name (letters, digits, . _ -)');
  }
  const line = `${account.username}:${newPassword}\n`;
  await withConnection(
    target,
    functional,
    'functional',
    secrets,
    timeoutMs,
    connections,
    async (connection) => {
      const direct = await connection.run(`sudo -n ${chpasswdPath}`, { stdin: line });
      if (direct.exitCode === 0) return;
      const needsPassword = /password is required/i.test(direct.stderr);
      if (!needsPassword) throw chpasswdFailure(target, direct.stderr, secrets);
      if (functional.password === undefined) {
        throw new TargetError(
          'target-permission-denied',
          `sudo on ${endpointName(target)} wants a password, and the functional account has none (only a key).`,
        );
      }
      // The leading `sudo -k` drops cached credentials, so `sudo -S -v` asks exactly once and
      // caches them for this shell; only after it confirmed the password does the `user:password`
      // line follow, for a `sudo -n chpasswd` that no longer asks. A refused password ends stdin,
      // so sudo's retry reads end-of-file instead of the line.
      let validated = false;
      let refused = false;
      let denied = false;
      const script = [
        'sudo -k',
        `sudo -S -p '' -v && { echo ${sudoValidatedMarker} >&2; sudo -n ${chpasswdPath}; s=$?; sudo -k; exit $s; }`,
      ].join('; ');
      const result = await connection.run(script, {
        stdin: `${functional.password}\n`,
        endInput: false,
        onStderr: (text, channel) => {
          if (validated || refused || denied) return;
          if (text.includes(sudoValidatedMarker)) {
            validated = true;
            channel.end(line);
          } else if (sudoDenial.test(text)) {
            denied = true;
            channel.end();
          } else if (/try again|incorrect password/i.test(text)) {
            refused = true;
            channel.end();
          }
        },
      });
      if (result.exitCode === 0 && validated) return;
      if (
        !validated &&
        !sudoDenial.test(result.stderr) &&
        (refused || /incorrect password/i.test(result.stderr))
      ) {
        throw new TargetRejectedError(
          'functional',
          `sudo on ${endpointName(target)} refused the functional account's password.`,
        );
      }
      throw chpasswdFailure(target, result.stderr, secrets);
    },
  );
}

function chpasswdFailure(target: TargetEndpoint, stderr: string, secrets: SecretSet): TargetError {
  const said = lastLines(stderr.split(sudoValidatedMarker).join(''), 3);
  if (sudoDenial.test(stderr)) {
    return targetError(
      'target-permission-denied',
      `The functional account may not run chpasswd through sudo on ${endpointName(target)}: ${said}`,
      secrets,
    );
  }
  return targetError('target-command-failed', `chpasswd on ${endpointName(target)} failed: ${said}`, secrets);
}

export const sshPasswordConnector: PasswordRotationConnector = {
  kind: 'ssh-password',

  async setPassword(input: SetPasswordInput): Promise<void> {
    checkCommonInput(input);
    checkNewPassword(input.newPassword, /[\r\n\0]/, 'must not contain line breaks or NUL characters');
    const secrets = new SecretSet(
      input.newPassword,
      input.current?.password,
      input.current?.privateKey,
      input.functional?.password,
      input.functional?.privateKey,
    );
    const connections = new Set<SshConnection>();
    await withDeadline(
      input.target,
      input.timeoutMs,
      () =>
        input.functional
          ? changeThroughFunctional(input, input.functional, secrets, connections)
          : changeAsSelf(input, secrets, connections),
      () => {
        for (const connection of connections) connection.close();
      },
    );
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
