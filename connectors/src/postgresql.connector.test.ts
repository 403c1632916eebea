import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ValidationError } from '@strongroom/shared/kernel/errors';
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
import { psqlLogin } from '../../test/targets/clients.ts';
import { type PostgresTestTarget, startPostgresTarget, testPassword } from '../../test/targets/start.ts';
import { postgresqlConnector as connector } from './postgresql.connector.ts';
import { saslPrepPassword, scramSha256Verifier } from './postgresql-scram.ts';

const timeoutMs = 15_000;
let target: PostgresTestTarget;

before(async () => {
  target = await startPostgresTarget();
});

after(async () => {
  await target?.stop();
});

const storedPassword = async (role: string) =>
  (
    await target.sql(`SELECT rolpassword FROM pg_authid WHERE rolname = '${role.replace(/'/g, "''")}'`)
  ).trim();

test('as the role itself: psql logs in with the new password, not the old; the server never saw the plaintext', async () => {
  const role = await target.createRole();
  const newPassword = testPassword();
  await connector.setPassword({
    target: target.endpoint,
    account: { username: role.username },
    current: role,
    newPassword,
    timeoutMs,
  });
  assert.equal(await psqlLogin(target.endpoint, role.username, newPassword), true);
  assert.equal(await psqlLogin(target.endpoint, role.username, role.password), false);
  assert.match(await storedPassword(role.username), /^SCRAM-SHA-256\$4096:/);
  // log_statement = all: the ALTER ROLE is in the log, with the verifier only.
  assert.match(target.log(), /ALTER ROLE CURRENT_USER PASSWORD 'SCRAM-SHA-256\$/);
  assert.ok(!target.log().includes(newPassword));

  // Idempotent: the same call again (its `current` now refused) succeeds.
  await connector.setPassword({
    target: target.endpoint,
    account: { username: role.username },
    current: role,
    newPassword,
    timeoutMs,
  });
  assert.equal(await psqlLogin(target.endpoint, role.username, newPassword), true);
  assert.equal(
    await connector.verify({
      target: target.endpoint,
      credential: { username: role.username, password: newPassword },
      timeoutMs,
    }),
    'accepted',
  );
  assert.equal(await connector.verify({ target: target.endpoint, credential: role, timeoutMs }), 'rejected');
});

test('through a functional role with CREATEROLE (not a superuser), twice; names with quotes and spaces', async () => {
  const functional = await target.createRole({ options: 'CREATEROLE' });
  const role = await target.createRole({ nameSuffix: ' "quoted" Name' });
  const newPassword = testPassword();
  for (let attempt = 0; attempt < 2; attempt++) {
    await connector.setPassword({
      target: target.endpoint,
      account: { username: role.username },
      functional,
      newPassword,
      timeoutMs,
    });
  }
  assert.equal(await psqlLogin(target.endpoint, role.username, newPassword), true);
  assert.equal(await psqlLogin(target.endpoint, role.username, role.password), false);
  assert.equal(await psqlLogin(target.endpoint, functional.username, functional.password), true);
  assert.ok(!target.log().includes(newPassword));
});

test('a non-ASCII password gets the verifier libpq (SASLprep) agrees with', async () => {
  const role = await target.createRole();
  // Full-width letters and digits, an ideographic space and a soft hyphen: SASLprep changes them.
  const newPassword = `Pässwörd\u3000ｆｕｌｌ\u00ADｗｉｄｔｈ１２-${testPassword()}`;
  assert.notEqual(saslPrepPassword(newPassword), newPassword);
  await connector.setPassword({
    target: target.endpoint,
    account: { username: role.username },
    current: role,
    newPassword,
    timeoutMs,
  });
  assert.equal(await psqlLogin(target.endpoint, role.username, newPassword), true);
  assert.equal(await psqlLogin(target.endpoint, role.username, role.password), false);
});

test('the client-side verifier matches what the server computes for the same salt', async () => {
  const role = await target.createRole();
  const password = testPassword();
  await target.sql(
    `SET password_encryption = 'scram-sha-256'; ALTER ROLE "${role.username}" PASSWORD '${password}'`,
  );
  const stored = await storedPassword(role.username);
  const [, iterations, salt] = /^SCRAM-SHA-256\$(\d+):([^$]+)\$/.exec(stored)!;
  assert.equal(
    scramSha256Verifier(password, { salt: Buffer.from(salt!, 'base64'), iterations: Number(iterations) }),
    stored,
  );
});

test('a wrong current password is TargetRejectedError; nothing changes; no secret in the error', async () => {
  const role = await target.createRole();
  const wrong = testPassword();
  const newPassword = testPassword();
  const error = await failureOf(() =>
    connector.setPassword({
      target: target.endpoint,
      account: { username: role.username },
      current: { username: role.username, password: wrong },
      newPassword,
      timeoutMs,
    }),
  );
  assert.ok(error instanceof TargetRejectedError, String(error));
  assert.equal(error.credential, 'current');
  assertNoSecretIn(error, [wrong, newPassword, role.password, 'SCRAM-SHA-256$']);
  assert.equal(await psqlLogin(target.endpoint, role.username, role.password), true);
});

test('a functional role without CREATEROLE is TargetError (permission denied), no secret in it', async () => {
  const functional = await target.createRole();
  const role = await target.createRole();
  const newPassword = testPassword();
  const error = await failureOf(() =>
    connector.setPassword({
      target: target.endpoint,
      account: { username: role.username },
      functional,
      newPassword,
      timeoutMs,
    }),
  );
  assert.ok(error instanceof TargetError, String(error));
  assert.equal(error.code, 'target-permission-denied');
  assertNoSecretIn(error, [functional.password, newPassword, 'SCRAM-SHA-256$']);
  assert.equal(await psqlLogin(target.endpoint, role.username, role.password), true);
});

test('an unknown role is TargetError (account not found); a wrong functional password is rejected', async () => {
  const functional = await target.createRole({ options: 'CREATEROLE' });
  const newPassword = testPassword();
  const missing = await failureOf(() =>
    connector.setPassword({
      target: target.endpoint,
      account: { username: 'srtest_nobody' },
      functional,
      newPassword,
      timeoutMs,
    }),
  );
  assert.ok(missing instanceof TargetError, String(missing));
  assert.equal(missing.code, 'target-account-not-found');
  assertNoSecretIn(missing, [newPassword, functional.password, 'SCRAM-SHA-256$']);

  const wrong = testPassword();
  const rejected = await failureOf(() =>
    connector.setPassword({
      target: target.endpoint,
      account: { username: 'srtest_nobody' },
      functional: { username: functional.username, password: wrong },
      newPassword,
      timeoutMs,
    }),
  );
  assert.ok(rejected instanceof TargetRejectedError, String(rejected));
  assert.equal(rejected.credential, 'functional');
  assertNoSecretIn(rejected, [wrong, newPassword]);
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

test('role names PostgreSQL would truncate are refused', async () => {
  const error = await failureOf(() =>
    connector.setPassword({
      target: target.endpoint,
      account: { username: 'r'.repeat(64) },
      functional: target.admin,
      newPassword: testPassword(),
      timeoutMs,
    }),
  );
  assert.ok(error instanceof ValidationError, String(error));
});

test('over TLS, verified against the CA and the server name', async () => {
  const role = await target.createRole();
  const tlsTarget = { ...target.endpoint, tls: target.tls };
  const newPassword = testPassword();
  await connector.setPassword({
    target: tlsTarget,
    account: { username: role.username },
    current: role,
    newPassword,
    timeoutMs,
  });
  assert.equal(
    await connector.verify({
      target: tlsTarget,
      credential: { username: role.username, password: newPassword },
      timeoutMs,
    }),
    'accepted',
  );
  assert.match(target.log(), new RegExp(`connection authorized: user=${role.username} .*SSL enabled`));

  const untrusted = await failureOf(() =>
    connector.verify({
      target: { ...target.endpoint, tls: { serverName: target.tls.serverName } },
      credential: { username: role.username, password: newPassword },
      timeoutMs,
    }),
  );
  assert.ok(untrusted instanceof TargetError, String(untrusted));
  assert.equal(untrusted.code, 'target-tls-untrusted');
  assertNoSecretIn(untrusted, [newPassword]);

  const wrongName = await failureOf(() =>
    connector.verify({
      target: { ...target.endpoint, tls: { ...target.tls, serverName: 'other.strongroom.test' } },
      credential: { username: role.username, password: newPassword },
      timeoutMs,
    }),
  );
  assert.ok(wrongName instanceof TargetError, String(wrongName));
  assert.equal(wrongName.code, 'target-tls-untrusted');
});
