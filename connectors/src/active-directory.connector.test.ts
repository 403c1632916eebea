import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ValidationError } from '@strongroom/shared/kernel/errors';
import {
  TargetError,
  TargetRejectedError,
  TargetUnreachableError,
} from '@strongroom/shared/rotation/connector';
import { assertNoSecretIn, failureOf, startSilentServer } from '../../test/targets/assertions.ts';
import { ldapBind } from '../../test/targets/clients.ts';
import {
  type ActiveDirectoryTestTarget,
  startActiveDirectoryTarget,
  testPassword,
} from '../../test/targets/start.ts';
import { activeDirectoryConnector as connector } from './active-directory.connector.ts';

const timeoutMs = 15_000;
let target: ActiveDirectoryTestTarget;

before(async () => {
  target = await startActiveDirectoryTarget();
});

after(async () => {
  await target?.stop();
});

// The tests share the target but not their accounts, so they run at the same time: most of
// their time is the target's deliberate delay after a failed login.
describe('active-directory connector against a real Samba AD DC', { concurrency: true }, () => {
  test('as the account itself (delete old + add new): ldapsearch binds with the new password, not the old', async () => {
    const user = await target.createUser();
    const newPassword = testPassword();
    await connector.setPassword({
      target: target.endpoint,
      account: { username: user.username, distinguishedName: user.distinguishedName },
      current: user,
      newPassword,
      timeoutMs,
    });
    assert.equal(await ldapBind(target, user.userPrincipalName, newPassword), true);
    assert.equal(await ldapBind(target, user.userPrincipalName, user.password), false);
    // The DN binds too: it is the same account.
    assert.equal(await ldapBind(target, user.distinguishedName, newPassword), true);

    // Idempotent: repeating (its `current` now refused) finds the new password in place.
    await connector.setPassword({
      target: target.endpoint,
      account: { username: user.username, distinguishedName: user.distinguishedName },
      current: user,
      newPassword,
      timeoutMs,
    });
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

  test('through a functional account holding only Reset Password on the OU (replace), twice, DN looked up', async () => {
    const user = await target.createUser();
    const newPassword = testPassword();
    for (let attempt = 0; attempt < 2; attempt++) {
      await connector.setPassword({
        target: target.endpoint,
        // No DN: found by sAMAccountName.
        account: { username: user.distinguishedName.slice(3, user.distinguishedName.indexOf(',')) },
        functional: target.helpdesk,
        newPassword,
        timeoutMs,
      });
    }
    assert.equal(await ldapBind(target, user.userPrincipalName, newPassword), true);
    assert.equal(await ldapBind(target, user.userPrincipalName, user.password), false);
    assert.equal(await ldapBind(target, target.helpdesk.userPrincipalName, target.helpdesk.password), true);
  });

  test('the functional account cannot reset a user outside its OU: TargetError (permission denied), nothing changes', async () => {
    const outsider = await target.createUser({ ou: 'outside' });
    const newPassword = testPassword();
    const error = await failureOf(() =>
      connector.setPassword({
        target: target.endpoint,
        account: { username: outsider.username, distinguishedName: outsider.distinguishedName },
        functional: target.helpdesk,
        newPassword,
        timeoutMs,
      }),
    );
    assert.ok(error instanceof TargetError, String(error));
    assert.equal(error.code, 'target-permission-denied');
    assertNoSecretIn(error, [newPassword, target.helpdesk.password]);
    assert.equal(await ldapBind(target, outsider.userPrincipalName, outsider.password), true);
  });

  test('a wrong current password is TargetRejectedError; a wrong functional one too; no secrets in either', async () => {
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

    const functionalError = await failureOf(() =>
      connector.setPassword({
        target: target.endpoint,
        account: { username: user.username },
        functional: { username: target.helpdesk.username, password: wrong },
        newPassword,
        timeoutMs,
      }),
    );
    assert.ok(functionalError instanceof TargetRejectedError, String(functionalError));
    assert.equal(functionalError.credential, 'functional');
    assertNoSecretIn(functionalError, [wrong, newPassword]);
    assert.equal(await ldapBind(target, user.userPrincipalName, user.password), true);
  });

  test('a password the domain policy refuses is TargetError (password refused) without the secrets', async () => {
    const user = await target.createUser();
    const weak = 'abcdefgh';
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
    assertNoSecretIn(error, [weak, user.password]);
    assert.equal(await ldapBind(target, user.userPrincipalName, user.password), true);
  });

  test('TLS: an unknown CA or a wrong server name stops before the bind', async () => {
    const user = await target.createUser();
    const otherCa = await failureOf(() =>
      connector.verify({
        target: {
          host: target.endpoint.host,
          port: target.endpoint.port,
          tls: { serverName: target.endpoint.tls.serverName },
        },
        credential: user,
        timeoutMs,
      }),
    );
    assert.ok(otherCa instanceof TargetError, String(otherCa));
    assert.equal(otherCa.code, 'target-tls-untrusted');
    assertNoSecretIn(otherCa, [user.password]);

    const wrongName = await failureOf(() =>
      connector.verify({
        target: { ...target.endpoint, tls: { ...target.endpoint.tls, serverName: 'dc9.example.test' } },
        credential: user,
        timeoutMs,
      }),
    );
    assert.ok(wrongName instanceof TargetError, String(wrongName));
    assert.equal(wrongName.code, 'target-tls-untrusted');

    // By address, the certificate's IP entry matches.
    assert.equal(
      await connector.verify({
        target: { ...target.endpoint, tls: { caCertificate: target.endpoint.tls.caCertificate } },
        credential: user,
        timeoutMs,
      }),
      'accepted',
    );
  });

  test('a silent target is TargetUnreachableError within the timeout; an empty password is refused locally', async () => {
    const silent = await startSilentServer();
    const password = testPassword();
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
    const empty = await failureOf(() =>
      connector.verify({
        target: target.endpoint,
        credential: { username: target.admin.username, password: '' },
        timeoutMs,
      }),
    );
    assert.ok(empty instanceof ValidationError, String(empty));
  });
});
