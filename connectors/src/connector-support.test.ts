import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inspect } from 'node:util';
import { TargetUnreachableError } from '@strongroom/shared/rotation/connector';
import { SecretSet, withDeadline } from './connector-support.ts';

test('redact replaces every known secret, longest first, and multi-line keys line by line', () => {
  const key = '-----BEGIN KEY-----\nAAAAB3NzaC1lZDI1NTE5AAAAIbase64line\n-----END KEY-----\n';
  const secrets = new SecretSet('hunter2-long', 'hunter2-long-and-longer', key, undefined, '');
  const text = 'a hunter2-long-and-longer b hunter2-long c AAAAB3NzaC1lZDI1NTE5AAAAIbase64line d';
  assert.equal(secrets.redact(text), 'a [redacted] b [redacted] c [redacted] d');
});

test('cause keeps name, code and a redacted message, and drops everything else a driver attached', () => {
  const secrets = new SecretSet('S3cret-Value');
  const driverError = Object.assign(new Error("Access denied near 'S3cret-Value'"), {
    code: 'ER_SOMETHING',
    sql: "SET PASSWORD = 'S3cret-Value'",
    config: { password: 'S3cret-Value' },
  });
  const cause = secrets.cause(driverError);
  const shown = inspect(cause, { depth: 10, showHidden: true });
  assert.ok(!shown.includes('S3cret-Value'));
  assert.equal((cause as { code?: string }).code, 'ER_SOMETHING');
  assert.equal((cause as { sql?: string }).sql, undefined);
  assert.match(cause.message, /\[redacted\]/);
});

test('withDeadline ends a hung operation with TargetUnreachableError and calls abort', async () => {
  let aborted = false;
  const started = performance.now();
  await assert.rejects(
    withDeadline(
      { host: 'h', port: 1 },
      50,
      () => new Promise(() => {}),
      () => {
        aborted = true;
      },
    ),
    TargetUnreachableError,
  );
  assert.ok(aborted);
  assert.ok(performance.now() - started < 1_000);
});
