import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ValidationError } from '@strongroom/shared/kernel/errors';
import {
  TargetError,
  TargetRejectedError,
  TargetUnreachableError,
} from '@strongroom/shared/rotation/connector';
import { generateEd25519KeyPair } from '@strongroom/shared/vault/ssh-key-generator';
import {
  assertNoSecretIn,
  failureOf,
  refusedPort,
  startSilentServer,
} from '../../test/targets/assertions.ts';
import { sshWithPassword } from '../../test/targets/clients.ts';
import { type SshTestTarget, startSshTarget, testPassword } from '../../test/targets/start.ts';
import { sshPasswordConnector as connector } from './ssh-password.connector.ts';

const timeoutMs = 20_000;
let target: SshTestTarget;

before(async () => {
  target = await startSshTarget();
});

after(async () => {
  await target?.stop();
});

// The tests share the target but not their accounts, so they run at the same time: most of
// their time is the target's deliberate delay after a failed login.
describe('ssh-password connector against a real sshd', { concurrency: true }, () => {
  test('as the account itself: passwd changes the password; ssh accepts the new one, refuses the old', async () => {
    const user = await target.createUser();
    const newPassword = testPassword();
    await connector.setPassword({
      target: target.endpoint,
      account: { username: user.username },
      current: user,
      newPassword,
      timeoutMs,
    });
    assert.equal(await sshWithPassword(target, user.username, newPassword), true);
    assert.equal(await sshWithPassword(target, user.username, user.password), false);

    // Idempotent: the same call again (its `current` now refused) finds the new password in place.
    await connector.setPassword({
      target: target.endpoint,
      account: { username: user.username },
      current: user,
      newPassword,
      timeoutMs,
    });
    assert.equal(await sshWithPassword(target, user.username, newPassword), true);
    assert.equal(
      await connector.verify({
        target: target.endpoint,
        credential: { username: user.username, password: newPassword },
        timeoutMs,
      }),
      'accepted',
    );
    assert.equal(
      await connector.verify({ target: target.endpoint, credential: user, timeoutMs }),
      'rejected',
    );
  });

  test('through a functional account with NOPASSWD sudo for chpasswd only, twice (idempotent)', async () => {
    const functional = await target.createUser({ sudoChpasswd: 'nopasswd' });
    const user = await target.createUser();
    const newPassword = testPassword();
    for (let attempt = 0; attempt < 2; attempt++) {
      await connector.setPassword({
        target: target.endpoint,
        account: { username: user.username },
        functional,
        newPassword,
        timeoutMs,
      });
    }
    assert.equal(await sshWithPassword(target, user.username, newPassword), true);
    assert.equal(await sshWithPassword(target, user.username, user.password), false);
  });

  test('through a functional account whose sudo asks for its own password', async () => {
    const functional = await target.createUser({ sudoChpasswd: 'password' });
    const user = await target.createUser();
    const newPassword = testPassword();
    await connector.setPassword({
      target: target.endpoint,
      account: { username: user.username },
      functional,
      newPassword,
      timeoutMs,
    });
    assert.equal(await sshWithPassword(target, user.username, newPassword), true);
    assert.equal(await sshWithPassword(target, user.username, user.password), false);
    // The functional account's own password is untouched.
    assert.equal(await sshWithPassword(target, functional.username, functional.password), true);
  });

  test('a wrong current password is TargetRejectedError, names no secret, and changes nothing', async () => {
    const user = await target.createUser();
    const wrong = testPassword();
    const newPassword = testPassword();
    const error = await failureOf(() =>
      connector.setPassword({
        target: target.endpoint,
        account: { username: user.username },
        current: { username: user.username, password: wrong },
        newPassword,
        timeoutMs,
      }),
    );
    assert.ok(error instanceof TargetRejectedError, String(error));
    assert.equal(error.credential, 'current');
    assertNoSecretIn(error, [wrong, newPassword, user.password]);
    assert.equal(await sshWithPassword(target, user.username, user.password), true);
  });

  test('sudo refusing the functional password is TargetRejectedError (functional); nothing changes', async () => {
    // The functional account logs in with its key; the (wrong) password is only what sudo gets.
    const key = generateEd25519KeyPair('functional');
    const functional = await target.createUser({ sudoChpasswd: 'password', authorizedKeys: [key.publicKey] });
    const user = await target.createUser();
    const wrong = testPassword();
    const newPassword = testPassword();
    const error = await failureOf(() =>
      connector.setPassword({
        target: target.endpoint,
        account: { username: user.username },
        functional: { username: functional.username, privateKey: key.privateKey, password: wrong },
        newPassword,
        timeoutMs,
      }),
    );
    assert.ok(error instanceof TargetRejectedError, String(error));
    assert.equal(error.credential, 'functional');
    assertNoSecretIn(error, [wrong, newPassword, key.privateKey]);
    assert.equal(await sshWithPassword(target, user.username, user.password), true);
  });

  test('a functional account without the sudo rule is TargetError (permission denied); nothing changes', async () => {
    const unprivileged = await target.createUser();
    const user = await target.createUser();
    const newPassword = testPassword();
    const error = await failureOf(() =>
      connector.setPassword({
        target: target.endpoint,
        account: { username: user.username },
        functional: unprivileged,
        newPassword,
        timeoutMs,
      }),
    );
    assert.ok(error instanceof TargetError, String(error));
    assert.equal(error.code, 'target-permission-denied');
    assertNoSecretIn(error, [newPassword, unprivileged.password]);
    assert.equal(await sshWithPassword(target, user.username, user.password), true);
  });

  test('a functional account the SSH server refuses is TargetRejectedError (functional)', async () => {
    const user = await target.createUser();
    const wrong = testPassword();
    const newPassword = testPassword();
    const error = await failureOf(() =>
      connector.setPassword({
        target: target.endpoint,
        account: { username: user.username },
        functional: { username: 'srtestnobody', password: wrong },
        newPassword,
        timeoutMs,
      }),
    );
    assert.ok(error instanceof TargetRejectedError, String(error));
    assert.equal(error.credential, 'functional');
    assertNoSecretIn(error, [wrong, newPassword]);
  });

  test('a new password that passwd refuses is TargetError with passwd’s reason and no secret', async () => {
    const user = await target.createUser();
    const weak = 'abc';
    const error = await failureOf(() =>
      connector.setPassword({
        target: target.endpoint,
        account: { username: user.username },
        current: user,
        newPassword: weak,
        timeoutMs,
      }),
    );
    assert.ok(error instanceof TargetError, String(error));
    assert.equal(error.code, 'target-password-refused');
    assertNoSecretIn(error, [user.password]);
    assert.doesNotMatch(error.message, /\babc\b/);
    assert.equal(await sshWithPassword(target, user.username, user.password), true);
  });

  test('a pinned host key that does not match stops before any credential is sent', async () => {
    const user = await target.createUser();
    const error = await failureOf(() =>
      connector.verify({
        target: { ...target.endpoint, hostKeySha256: 'SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU' },
        credential: user,
        timeoutMs,
      }),
    );
    assert.ok(error instanceof TargetError, String(error));
    assert.equal(error.code, 'target-host-key-mismatch');
    assert.doesNotMatch(target.log(), new RegExp(`(Accepted|Failed) \\w+ for ${user.username}`));
    // With the right pin the same login works.
    assert.equal(
      await connector.verify({ target: target.endpoint, credential: user, timeoutMs }),
      'accepted',
    );
  });

  test('unreachable targets: refused and silent ports give TargetUnreachableError within the timeout', async () => {
    const password = testPassword();
    const closedPort = await refusedPort();
    const refused = await failureOf(() =>
      connector.verify({
        target: { host: '127.0.0.1', port: closedPort },
        credential: { username: 'srtestx', password },
        timeoutMs: 5_000,
      }),
    );
    assert.ok(refused instanceof TargetUnreachableError, String(refused));
    assertNoSecretIn(refused, [password]);

    const silent = await startSilentServer();
    try {
      const started = performance.now();
      const error = await failureOf(() =>
        connector.setPassword({
          target: { host: '127.0.0.1', port: silent.port },
          account: { username: 'srtestx' },
          current: { username: 'srtestx', password },
          newPassword: testPassword(),
          timeoutMs: 1_500,
        }),
      );
      const elapsed = performance.now() - started;
      assert.ok(error instanceof TargetUnreachableError, String(error));
      assert.ok(elapsed < 4_000, `took ${elapsed} ms`);
      assertNoSecretIn(error, [password]);
    } finally {
      await silent.stop();
    }
  });

  test('inputs that cannot be fed safely are refused before connecting', async () => {
    const error = await failureOf(() =>
      connector.setPassword({
        target: target.endpoint,
        account: { username: 'srtestx' },
        current: { username: 'srtestx', password: 'x' },
        newPassword: 'line\nbreak',
        timeoutMs,
      }),
    );
    assert.ok(error instanceof ValidationError);
    assertNoSecretIn(error, ['line\nbreak']);
  });
});
