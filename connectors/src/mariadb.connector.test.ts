import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  TargetError,
  TargetRejectedError,
  TargetUnreachableError,
} from '@strongroom/shared/rotation/connector';
import {
  assertNoSecretIn,
  failureOf,
  refusedPort,
  startSilentServer,
} from '../../test/targets/assertions.ts';
import { mariadbLogin } from '../../test/targets/clients.ts';
import { type MariadbTestTarget, startMariadbTarget, testPassword } from '../../test/targets/start.ts';
import { mariadbConnector as connector, nativePasswordHash } from './mariadb.connector.ts';

const timeoutMs = 15_000;
let target: MariadbTestTarget;

before(async () => {
  target = await startMariadbTarget();
});

after(async () => {
  await target?.stop();
});

test('as the account itself: the mariadb client logs in with the new password, not the old; no plaintext logged', async () => {
  const user = await target.createUser();
  const newPassword = testPassword();
  await connector.setPassword({
    target: target.endpoint,
    account: { username: user.username },
    current: user,
    newPassword,
    timeoutMs,
  });
  assert.equal(await mariadbLogin(target.endpoint, user.username, newPassword), true);
  assert.equal(await mariadbLogin(target.endpoint, user.username, user.password), false);
  const generalLog = await target.generalLog();
  assert.match(generalLog, /SET PASSWORD = '\*[0-9A-F]{40}'/);
  assert.ok(!generalLog.includes(newPassword));

  // Idempotent.
  await connector.setPassword({
    target: target.endpoint,
    account: { username: user.username },
    current: user,
    newPassword,
    timeoutMs,
  });
  assert.equal(await mariadbLogin(target.endpoint, user.username, newPassword), true);
  assert.equal(
    await connector.verify({
      target: target.endpoint,
      credential: { username: user.username, password: newPassword },
      timeoutMs,
    }),
    'accepted',
  );
  assert.equal(await connector.verify({ target: target.endpoint, credential: user, timeoutMs }), 'rejected');
});

test('through a functional account with CREATE USER only, twice; quoted names and a host part', async () => {
  const functional = await target.createUser({ grants: ['CREATE USER ON *.*'] });
  const user = await target.createUser({ nameSuffix: "'o''brien", host: '127.0.0.1' });
  const newPassword = `${testPassword()}'\\"`;
  for (let attempt = 0; attempt < 2; attempt++) {
    await connector.setPassword({
      target: target.endpoint,
      account: { username: user.username, host: user.host },
      functional,
      newPassword,
      timeoutMs,
    });
  }
  assert.equal(await mariadbLogin(target.endpoint, user.username, newPassword), true);
  assert.equal(await mariadbLogin(target.endpoint, user.username, user.password), false);
  assert.ok(!(await target.generalLog()).includes(newPassword));
});

test('a non-ASCII password works with the mariadb client', async () => {
  const user = await target.createUser();
  const newPassword = `Grüße-密码-${testPassword()}`;
  await connector.setPassword({
    target: target.endpoint,
    account: { username: user.username },
    current: user,
    newPassword,
    timeoutMs,
  });
  assert.equal(await mariadbLogin(target.endpoint, user.username, newPassword), true);
});

test('the client-side hash is what the server computes', async () => {
  const password = testPassword();
  assert.equal((await target.sql(`SELECT PASSWORD('${password}')`)).trim(), nativePasswordHash(password));
});

test('a wrong current password is TargetRejectedError; nothing changes; no secret in the error', async () => {
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
  assertNoSecretIn(error, [wrong, newPassword, nativePasswordHash(newPassword).slice(1)]);
  assert.equal(await mariadbLogin(target.endpoint, user.username, user.password), true);
});

test('a functional account without CREATE USER is TargetError (permission denied); no secret in it', async () => {
  const functional = await target.createUser();
  const user = await target.createUser();
  const newPassword = testPassword();
  const error = await failureOf(() =>
    connector.setPassword({
      target: target.endpoint,
      account: { username: user.username },
      functional,
      newPassword,
      timeoutMs,
    }),
  );
  assert.ok(error instanceof TargetError, String(error));
  assert.equal(error.code, 'target-permission-denied');
  assertNoSecretIn(error, [functional.password, newPassword, nativePasswordHash(newPassword).slice(1)]);
  assert.equal(await mariadbLogin(target.endpoint, user.username, user.password), true);
});

test('an unknown account is TargetError (account not found), without the hash in it', async () => {
  const functional = await target.createUser({ grants: ['CREATE USER ON *.*'] });
  const newPassword = testPassword();
  const error = await failureOf(() =>
    connector.setPassword({
      target: target.endpoint,
      account: { username: 'srtest_nobody' },
      functional,
      newPassword,
      timeoutMs,
    }),
  );
  assert.ok(error instanceof TargetError, String(error));
  assert.equal(error.code, 'target-account-not-found');
  assertNoSecretIn(error, [newPassword, functional.password, nativePasswordHash(newPassword).slice(1)]);
});

test('unreachable: a refused port and a silent server give TargetUnreachableError within the timeout', async () => {
  const password = testPassword();
  const closedPort = await refusedPort();
  const refused = await failureOf(() =>
    connector.verify({
      target: { host: '127.0.0.1', port: closedPort },
      credential: { username: 'x', password },
      timeoutMs,
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
        account: { username: 'x' },
        current: { username: 'x', password },
        newPassword: testPassword(),
        timeoutMs: 1_000,
      }),
    );
    assert.ok(error instanceof TargetUnreachableError, String(error));
    assert.ok(performance.now() - started < 3_000);
    assertNoSecretIn(error, [password]);
  } finally {
    await silent.stop();
  }
});

test('over TLS, verified against the CA and the server name (or the address)', async () => {
  const user = await target.createUser();
  const newPassword = testPassword();
  const before = await target.tlsAccepts();
  await connector.setPassword({
    target: { ...target.endpoint, tls: target.tls },
    account: { username: user.username },
    current: user,
    newPassword,
    timeoutMs,
  });
  assert.ok((await target.tlsAccepts()) > before);
  assert.equal(await mariadbLogin(target.endpoint, user.username, newPassword), true);
  // By address only: the certificate also names 127.0.0.1.
  assert.equal(
    await connector.verify({
      target: { ...target.endpoint, tls: { caCertificate: target.tls.caCertificate } },
      credential: { username: user.username, password: newPassword },
      timeoutMs,
    }),
    'accepted',
  );

  for (const tls of [
    { serverName: target.tls.serverName },
    { ...target.tls, serverName: 'other.strongroom.test' },
  ]) {
    const error = await failureOf(() =>
      connector.verify({
        target: { ...target.endpoint, tls },
        credential: { username: user.username, password: newPassword },
        timeoutMs,
      }),
    );
    assert.ok(error instanceof TargetError, String(error));
    assert.equal(error.code, 'target-tls-untrusted');
    assertNoSecretIn(error, [newPassword]);
  }
});
