import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { ValidationError } from '@strongroom/shared/kernel/errors';
import { TargetRejectedError, TargetUnreachableError } from '@strongroom/shared/rotation/connector';
import { generateEd25519KeyPair } from '@strongroom/shared/vault/ssh-key-generator';
import { assertNoSecretIn, failureOf, startSilentServer } from '../../test/targets/assertions.ts';
import { sshWithKey } from '../../test/targets/clients.ts';
import { type SshTestTarget, startSshTarget } from '../../test/targets/start.ts';
import { sshKeyConnector as connector } from './ssh-key.connector.ts';

const timeoutMs = 20_000;
let target: SshTestTarget;

before(async () => {
  target = await startSshTarget();
});

after(async () => {
  await target?.stop();
});

const blobOf = (publicKey: string) => publicKey.split(' ')[1]!;

// The tests share the target but not their accounts, so they run at the same time: most of
// their time is the target's deliberate delay after a failed login.
describe('ssh-key connector against a real sshd', { concurrency: true }, () => {
  test('replaces the login key: the new key logs in with ssh, the old one is refused and gone', async () => {
    const old = generateEd25519KeyPair('old');
    const other = generateEd25519KeyPair('someone else');
    const user = await target.createUser({
      authorizedKeys: [`# managed by hand`, old.publicKey, `from="127.0.0.1" ${other.publicKey}`],
    });
    const result = await connector.setKey({
      target: target.endpoint,
      account: { username: user.username },
      current: { username: user.username, privateKey: old.privateKey },
      timeoutMs,
    });
    assert.match(result.publicKey, /^ssh-ed25519 AAAA/);
    assert.match(result.fingerprint, /^SHA256:/);
    assert.equal(await sshWithKey(target, user.username, result.privateKey), true);
    assert.equal(await sshWithKey(target, user.username, old.privateKey), false);
    const authorized = await target.authorizedKeys(user.username);
    assert.ok(!authorized.includes(blobOf(old.publicKey)));
    assert.ok(authorized.includes(blobOf(result.publicKey)));
    // Other lines (comments, other keys with options) stay as they were.
    assert.ok(authorized.includes('# managed by hand'));
    assert.ok(authorized.includes(`from="127.0.0.1" ${other.publicKey}`));

    // Idempotent: the same rotation again (old key now refused) converges and keeps one copy.
    await connector.setKey({
      target: target.endpoint,
      account: { username: user.username },
      current: { username: user.username, privateKey: old.privateKey },
      newPrivateKey: result.privateKey,
      timeoutMs,
    });
    const after = await target.authorizedKeys(user.username);
    assert.equal(after.split(blobOf(result.publicKey)).length - 1, 1);
    assert.equal(await sshWithKey(target, user.username, result.privateKey), true);
    assert.equal(
      await connector.verify({
        target: target.endpoint,
        credential: { username: user.username, privateKey: result.privateKey },
        timeoutMs,
      }),
      'accepted',
    );
    assert.equal(
      await connector.verify({
        target: target.endpoint,
        credential: { username: user.username, privateKey: old.privateKey },
        timeoutMs,
      }),
      'rejected',
    );
  });

  test('a first key for an account that logs in with a password: ~/.ssh is created with safe modes', async () => {
    const user = await target.createUser();
    const next = generateEd25519KeyPair('first');
    await connector.setKey({
      target: target.endpoint,
      account: { username: user.username },
      current: user,
      newPrivateKey: next.privateKey,
      timeoutMs,
    });
    assert.equal(await sshWithKey(target, user.username, next.privateKey), true);
    assert.equal((await target.authorizedKeys(user.username)).trim(), next.publicKey);
    assert.equal((await stat(`/home/${user.username}/.ssh`)).mode & 0o777, 0o700);
    assert.equal((await stat(`/home/${user.username}/.ssh/authorized_keys`)).mode & 0o777, 0o600);
  });

  test('a current key the server does not accept is TargetRejectedError; nothing changes, no key leaks', async () => {
    const old = generateEd25519KeyPair('old');
    const unknown = generateEd25519KeyPair('unknown');
    const next = generateEd25519KeyPair('next');
    const user = await target.createUser({ authorizedKeys: [old.publicKey] });
    const error = await failureOf(() =>
      connector.setKey({
        target: target.endpoint,
        account: { username: user.username },
        current: { username: user.username, privateKey: unknown.privateKey },
        newPrivateKey: next.privateKey,
        timeoutMs,
      }),
    );
    assert.ok(error instanceof TargetRejectedError, String(error));
    assertNoSecretIn(error, [
      unknown.privateKey,
      next.privateKey,
      ...next.privateKey.split('\n').filter((line) => line.length > 20),
    ]);
    assert.equal((await target.authorizedKeys(user.username)).trim(), old.publicKey);
    assert.equal(await sshWithKey(target, user.username, old.privateKey), true);
  });

  test('a malformed new key is a ValidationError that does not echo it', async () => {
    const old = generateEd25519KeyPair('old');
    // Armoured like a key, but its body is base64 of "not a key at all" (built from parts so that
    // secret scanners do not mistake it for key material).
    const armour = (edge: 'BEGIN' | 'END') => `-----${edge} OPENSSH PRIVATE ${'KEY'}-----`;
    const garbage = `${armour('BEGIN')}\nbm90IGEga2V5IGF0IGFsbA==\n${armour('END')}\n`;
    const error = await failureOf(() =>
      connector.setKey({
        target: target.endpoint,
        account: { username: 'srtestx' },
        current: { username: 'srtestx', privateKey: old.privateKey },
        newPrivateKey: garbage,
        timeoutMs,
      }),
    );
    assert.ok(error instanceof ValidationError, String(error));
    assertNoSecretIn(error, ['bm90IGEga2V5IGF0IGFsbA==', old.privateKey]);
  });

  test('a silent target is TargetUnreachableError within the timeout', async () => {
    const silent = await startSilentServer();
    const old = generateEd25519KeyPair('old');
    try {
      const started = performance.now();
      const error = await failureOf(() =>
        connector.setKey({
          target: { host: '127.0.0.1', port: silent.port },
          account: { username: 'srtestx' },
          current: { username: 'srtestx', privateKey: old.privateKey },
          timeoutMs: 1_000,
        }),
      );
      assert.ok(error instanceof TargetUnreachableError, String(error));
      assert.ok(performance.now() - started < 3_000);
      assertNoSecretIn(error, [old.privateKey]);
    } finally {
      await silent.stop();
    }
  });
});
