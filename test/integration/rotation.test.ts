import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generateEd25519KeyPair } from '@strongroom/shared/vault/ssh-key-generator';
import { type AccessWorld, createAccessWorld } from '../support/access-setup.ts';
import { createHarness, type Harness } from '../support/api-harness.ts';
import { eventually, startRotationWorkers } from '../support/rotation-setup.ts';
import { psqlLogin, sshWithKey, sshWithPassword } from '../targets/clients.ts';
import {
  type PostgresTestTarget,
  type SshTestTarget,
  startPostgresTarget,
  startSshTarget,
} from '../targets/start.ts';

/**
 * Rotation end to end: API → rotation queue (FIFO) → worker → a real PostgreSQL and a real sshd,
 * then a login with the new secret through a different client (psql, ssh), the old one refused.
 */

let harness: Harness;
let world: AccessWorld;
let postgres: PostgresTestTarget;
let ssh: SshTestTarget;
let workers: ReturnType<typeof startRotationWorkers>;
const tenants = new Set<string>();
let admin: string;

before(async () => {
  [postgres, ssh, harness] = await Promise.all([startPostgresTarget(), startSshTarget(), createHarness()]);
  world = await createAccessWorld(harness, 'rotation');
  tenants.add(world.tenant.id);
  admin = world.tenant.adminToken;
  workers = startRotationWorkers(harness, () => tenants);
});

after(async () => {
  await workers?.stop();
  await Promise.all([postgres?.stop(), ssh?.stop()]);
});

const call = async <T = any>(method: string, path: string, body?: unknown) => {
  const response = await harness.call<T>(method, path, { token: admin, body });
  return response;
};
const ok = async <T = any>(method: string, path: string, body?: unknown): Promise<T> => {
  const response = await call<T>(method, path, body);
  if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${response.text}`);
  return response.body;
};

async function system(name: string, platform: string, connection: Record<string, unknown>) {
  return ok('POST', '/v1/systems', {
    name: `${name}-${Date.now()}`,
    ipAddress: '127.0.0.1',
    platform,
    connection,
  });
}

async function account(
  systemId: string,
  username: string,
  kind: string,
  credential: Record<string, unknown>,
  rotation = {},
) {
  const created = await ok('POST', '/v1/accounts', { systemId, username, kind, rotation });
  await ok('POST', `/v1/accounts/${created.id}/credential`, credential);
  return created;
}

const storedSecret = async (accountId: string) =>
  (await ok('POST', `/v1/accounts/${accountId}/credential/retrieve`, { reason: 'verify the rotation' })) as {
    password?: string;
    privateKey?: string;
    version: number;
  };

const finished = (rotationId: string) =>
  eventually(
    async () => {
      const rotation = await ok('GET', `/v1/rotations/${rotationId}`);
      return rotation.status === 'running' ? undefined : rotation;
    },
    90_000,
    `rotation ${rotationId}`,
  );

describe('rotation through the queue against real targets', () => {
  it('PostgreSQL role, as itself: new password works with psql, the old one is refused', async () => {
    const role = await postgres.createRole();
    const pg = await system('pg', 'postgresql', { port: postgres.endpoint.port });
    const dba = await account(pg.id, role.username, 'database', { password: role.password });

    const started = await call('POST', '/v1/rotations', { accountId: dba.id, reason: 'quarterly rotation' });
    assert.equal(started.status, 202, started.text);
    assert.equal(started.body.step, 'create');
    const rotation = await finished(started.body.id);
    assert.equal(rotation.status, 'succeeded', JSON.stringify(rotation.lastError));
    assert.deepEqual(
      rotation.history.map((h: { step: string }) => h.step),
      ['create', 'set', 'test', 'finish'],
    );

    const secret = await storedSecret(dba.id);
    assert.notEqual(secret.password, role.password);
    assert.equal(secret.version, rotation.pendingVersion);
    assert.equal(await psqlLogin(postgres.endpoint, role.username, secret.password!), true);
    assert.equal(await psqlLogin(postgres.endpoint, role.username, role.password), false);

    const versions = await ok('GET', `/v1/accounts/${dba.id}/credential/versions`);
    assert.deepEqual(
      (versions.items ?? versions).map((v: { version: number; status: string }) => [v.version, v.status]),
      [
        [2, 'current'],
        [1, 'previous'],
      ],
    );
    const view = await ok('GET', `/v1/accounts/${dba.id}`);
    assert.equal(view.rotationState.status, 'ok');
    assert.ok(view.rotationState.lastRotatedAt);
    assert.equal(view.rotationState.activeRotationId, null);

    const trail = await ok('GET', `/v1/audit/events?targetId=${dba.id}&limit=50`);
    const actions = trail.items.map((e: { action: string }) => e.action);
    for (const action of [
      'rotation.start',
      'rotation.create',
      'rotation.set',
      'rotation.test',
      'rotation.finish',
    ]) {
      assert.ok(actions.includes(action), `${action} audited`);
    }
    const leaked = [...workers.logLines, JSON.stringify(trail)].filter((line) =>
      line.includes(secret.password!),
    );
    assert.deepEqual(leaked, [], 'the new password appears in no log line and no audit event');
  });

  it('Linux account through a functional account (sudo chpasswd), then ssh with the new password', async () => {
    const functional = await ssh.createUser({ sudoChpasswd: 'nopasswd' });
    const user = await ssh.createUser();
    const host = await system('linux', 'linux', {
      port: ssh.endpoint.port,
      hostKeySha256: ssh.endpoint.hostKeySha256,
    });
    const operator = await account(host.id, functional.username, 'local', { password: functional.password });
    const target = await account(
      host.id,
      user.username,
      'local',
      { password: user.password },
      { functionalAccountId: operator.id },
    );
    const started = await ok('POST', '/v1/rotations', { accountId: target.id });
    const rotation = await finished(started.id);
    assert.equal(rotation.status, 'succeeded', JSON.stringify(rotation.lastError));
    const secret = await storedSecret(target.id);
    assert.equal(await sshWithPassword(ssh, user.username, secret.password!), true);
    assert.equal(await sshWithPassword(ssh, user.username, user.password), false);
  });

  it('SSH key: the new key logs in, the old key is gone from authorized_keys', async () => {
    const original = generateEd25519KeyPair('original');
    const user = await ssh.createUser({ authorizedKeys: [original.publicKey] });
    const host = await system('keys', 'linux', {
      port: ssh.endpoint.port,
      hostKeySha256: ssh.endpoint.hostKeySha256,
    });
    const deploy = await account(host.id, user.username, 'ssh-key', { privateKey: original.privateKey });
    const started = await ok('POST', '/v1/rotations', { accountId: deploy.id });
    const rotation = await finished(started.id);
    assert.equal(rotation.status, 'succeeded', JSON.stringify(rotation.lastError));
    const secret = await storedSecret(deploy.id);
    assert.ok(secret.privateKey && secret.privateKey !== original.privateKey);
    assert.equal(await sshWithKey(ssh, user.username, secret.privateKey!), true);
    assert.equal(await sshWithKey(ssh, user.username, original.privateKey), false);
    const keys = (await ssh.authorizedKeys(user.username)).trim().split('\n');
    assert.equal(keys.length, 1, 'exactly one key left');
  });

  it('a failing target: the account shows "rotation failing" with the target’s error, never the password', async () => {
    const role = await postgres.createRole();
    const pg = await system('pg-fail', 'postgresql', { port: postgres.endpoint.port });
    const wrong = 'not-the-role-password-at-all';
    const dba = await account(pg.id, role.username, 'database', { password: wrong });
    const started = await ok('POST', '/v1/rotations', { accountId: dba.id });
    const failing = await eventually(
      async () => {
        const view = await ok('GET', `/v1/accounts/${dba.id}`);
        return view.rotationState.status === 'failing' ? view : undefined;
      },
      60_000,
      'rotation failing',
    );
    assert.equal(failing.rotationState.lastError.code, 'target-rejected');
    const list = await ok('GET', '/v1/rotations/failing');
    const entry = list.items.find((r: { id: string }) => r.id === started.id);
    assert.ok(entry, 'listed among failing rotations');
    assert.ok(entry.attempts >= 1);
    const pending = await ok('GET', `/v1/accounts/${dba.id}/credential/versions`);
    const everything = JSON.stringify([failing, list, pending, workers.logLines]);
    assert.ok(
      !everything.includes(wrong) && !everything.includes(role.password),
      'no secret in errors or logs',
    );

    // Fix the stored credential: the running rotation is abandoned, a new one succeeds.
    await ok('POST', `/v1/accounts/${dba.id}/credential`, { password: role.password });
    const retried = await eventually(
      async () => {
        const again = await call('POST', '/v1/rotations', { accountId: dba.id, reason: 'after the fix' });
        return again.status === 202 && again.body.id !== started.id ? again.body : undefined;
      },
      60_000,
      'a new rotation',
    );
    const rotation = await finished(retried.id);
    assert.equal(rotation.status, 'succeeded', JSON.stringify(rotation.lastError));
    const after = await ok('GET', '/v1/rotations/failing');
    assert.ok(!after.items.some((r: { accountId: string }) => r.accountId === dba.id), 'no longer failing');
  });

  it('rotates after a release is checked in when the policy says so', async () => {
    const role = await postgres.createRole();
    const pg = await system('pg-release', 'postgresql', { port: postgres.endpoint.port });
    const dba = await account(pg.id, role.username, 'database', { password: role.password });
    const requester = await world.person(['requester'], [world.requesterGroupId]);
    const policy = await world.policy({
      selectors: [{ type: 'system', systemId: pg.id }],
      approval: { mode: 'auto' },
      release: { exclusive: true, requireReason: false, rotateOnCheckIn: true },
    });
    const request = await harness.call('POST', '/v1/access-requests', {
      token: requester.token,
      body: { accountId: dba.id, policyId: policy.id },
    });
    assert.equal(request.status, 201, request.text);
    const seen = await harness.call('POST', `/v1/releases/${request.body.release.id}/credential`, {
      token: requester.token,
      body: {},
    });
    assert.equal(seen.body.password, role.password);
    await harness.call('POST', `/v1/releases/${request.body.release.id}/check-in`, {
      token: requester.token,
    });

    const rotated = await eventually(
      async () => {
        const page = await ok('GET', `/v1/rotations?accountId=${dba.id}`);
        const done = page.items.find(
          (r: { trigger: string; status: string }) => r.trigger === 'release' && r.status !== 'running',
        );
        return done;
      },
      60_000,
      'rotation after check-in',
    );
    assert.equal(rotated.status, 'succeeded', JSON.stringify(rotated.lastError));
    assert.equal(rotated.requestedBy, request.body.release.id);
    assert.equal(
      await psqlLogin(postgres.endpoint, role.username, role.password),
      false,
      'the revealed password is dead',
    );
  });

  it('scheduled and after-onboarding rotations start from the due index', async () => {
    const role = await postgres.createRole();
    const pg = await system('pg-schedule', 'postgresql', { port: postgres.endpoint.port });
    // Onboarded with rotation on: due at once ("randomize after onboarding").
    const fresh = await account(
      pg.id,
      role.username,
      'database',
      { password: role.password },
      { enabled: true },
    );
    const counts = await harness.composition.services.rotation!.startDueRotations({
      requestId: 'scheduler-test',
      sourceIp: 'internal',
      userAgent: 'test',
    });
    assert.ok(counts.started >= 1, JSON.stringify(counts));
    const page = await eventually(
      async () => {
        const list = await ok('GET', `/v1/rotations?accountId=${fresh.id}`);
        return list.items[0]?.status === 'succeeded' ? list : undefined;
      },
      60_000,
      'onboarding rotation',
    );
    assert.equal(page.items[0].trigger, 'onboarding');
    const view = await ok('GET', `/v1/accounts/${fresh.id}`);
    const due = Date.parse(view.rotationState.nextDueAt);
    assert.ok(due > Date.now() + 80 * 86_400_000, 'next due after the policy’s 90-day maximum age');

    const schedule = await ok('PUT', `/v1/rotation-schedules/${fresh.id}`, {
      enabled: true,
      maxAgeDays: 7,
      window: { daysOfWeek: ['sun'], from: '02:00', to: '04:00', timezone: 'Europe/Paris' },
    });
    const next = new Date(schedule.nextDueAt);
    const local = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/Paris',
      weekday: 'short',
      hour: '2-digit',
      hourCycle: 'h23',
    }).format(next);
    assert.match(local, /^Sun,? 0[23]/, `due inside the window (${local})`);
  });
});
