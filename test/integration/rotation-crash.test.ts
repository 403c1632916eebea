import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { postgresqlConnector } from '@strongroom/connectors/postgresql.connector';
import { createAuditedWriter } from '@strongroom/functions/adapters/dynamo/audited-writer';
import { createIdentityRepositories } from '@strongroom/functions/adapters/dynamo/identity.repo.dynamo';
import { createRotationRepository } from '@strongroom/functions/adapters/dynamo/rotation.repo.dynamo';
import { createTenantKeyDirectory } from '@strongroom/functions/adapters/dynamo/tenant-key-directory';
import { createVaultRepositories } from '@strongroom/functions/adapters/dynamo/vault.repo.dynamo';
import {
  createKmsCredentialCipher,
  defaultCacheSettings,
} from '@strongroom/functions/adapters/kms/credential-cipher.kms';
import { systemClock } from '@strongroom/shared/kernel/clock';
import {
  type PasswordRotationConnector,
  type RotationConnector,
  TargetUnreachableError,
} from '@strongroom/shared/rotation/connector';
import type { RotationRecord, RotationRepository } from '@strongroom/shared/rotation/rotation.ports';
import { createRotationService } from '@strongroom/shared/rotation/rotation.service';
import { createRotationEngine } from '@strongroom/shared/rotation/rotation-engine';
import { effectivePasswordRules } from '@strongroom/shared/vault/password-rules';
import type { AccountRecord } from '@strongroom/shared/vault/vault.ports';
import { createHarness, type Harness } from '../support/api-harness.ts';
import { type PostgresTestTarget, startPostgresTarget } from '../targets/start.ts';

/**
 * Crash and fault injection against a real PostgreSQL: ≥ 500 randomized schedules. Each rotates one
 * role while faults strike: the worker dies before or after each persisted step, inside `set`
 * before or after the target accepted the new password, the target is unreachable, a duplicate
 * worker runs the same job at the same time, and a late duplicate arrives after the end. After
 * every crash, the target must accept the stored CURRENT or the stored PENDING; after each
 * schedule, the rotation has succeeded and the stored CURRENT opens the target.
 */

const schedules = Number(process.env.ROTATION_CRASH_SCHEDULES ?? 520);
const parallel = 4;
const seed = Number(process.env.ROTATION_CRASH_SEED ?? 20261123);

class Crash extends Error {
  constructor(where: string) {
    super(`simulated crash ${where}`);
    this.name = 'Crash';
  }
}

/** Deterministic PRNG (mulberry32) so a failing schedule can be replayed from the seed. */
function prng(start: number) {
  let a = start;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type FaultPoint =
  | {
      kind: 'repository';
      method: 'storePending' | 'advance' | 'finish' | 'recordFailure';
      when: 'before' | 'after';
    }
  | { kind: 'connector'; method: 'setPassword' | 'verify'; when: 'before' | 'after' | 'unreachable' };

const faultPoints: FaultPoint[] = [
  ...(['storePending', 'advance', 'finish', 'recordFailure'] as const).flatMap((method) =>
    (['before', 'after'] as const).map((when) => ({ kind: 'repository' as const, method, when })),
  ),
  ...(['setPassword', 'verify'] as const).flatMap((method) =>
    (['before', 'after', 'unreachable'] as const).map((when) => ({
      kind: 'connector' as const,
      method,
      when,
    })),
  ),
];

/** Arms one fault: the n-th call of the method (counting from 1) fails as planned. */
interface ArmedFault {
  readonly point: FaultPoint;
  readonly onCall: number;
}

function faulty<T extends object>(
  real: T,
  kind: FaultPoint['kind'],
  fault: ArmedFault | null,
  fired: { done: boolean },
): T {
  const calls = new Map<string, number>();
  return new Proxy(real, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        const name = String(property);
        const count = (calls.get(name) ?? 0) + 1;
        calls.set(name, count);
        const strike =
          fault !== null &&
          !fired.done &&
          fault.point.kind === kind &&
          fault.point.method === name &&
          fault.onCall === count;
        if (strike && fault.point.when === 'unreachable') {
          fired.done = true;
          throw new TargetUnreachableError('simulated: the target did not answer in time');
        }
        if (strike && fault.point.when === 'before') {
          fired.done = true;
          throw new Crash(`before ${name}`);
        }
        const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        if (strike && fault.point.when === 'after') {
          fired.done = true;
          throw new Crash(`after ${name}`);
        }
        return result;
      };
    },
  });
}

let harness: Harness;
let postgres: PostgresTestTarget;

before(async () => {
  [postgres, harness] = await Promise.all([startPostgresTarget(), createHarness()]);
});

after(async () => {
  await postgres?.stop();
});

describe('rotation under crashes and faults (real PostgreSQL)', () => {
  it(`${schedules} randomized schedules: no credential is ever lost`, async () => {
    const tenant = await harness.newTenant('crash');
    const token = tenant.adminToken;
    const api = async (method: string, path: string, body?: unknown) => {
      const response = await harness.call(method, path, { token, body });
      if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${response.text}`);
      return response.body;
    };
    const system = await api('POST', '/v1/systems', {
      name: 'crash-pg',
      ipAddress: '127.0.0.1',
      platform: 'postgresql',
      connection: { port: postgres.endpoint.port, maxConcurrentRotations: parallel },
    });
    const roles = await Promise.all(Array.from({ length: parallel }, () => postgres.createRole()));
    const accountIds: string[] = [];
    for (const role of roles) {
      const account = await api('POST', '/v1/accounts', {
        systemId: system.id,
        username: role.username,
        kind: 'database',
      });
      await api('POST', `/v1/accounts/${account.id}/credential`, { password: role.password });
      accountIds.push(account.id);
    }

    const { client } = { client: harness.clients.dynamo };
    const writer = createAuditedWriter({ client, auditTable: harness.config.auditTable, clock: systemClock });
    const vault = createVaultRepositories({ client, table: harness.config.mainTable, writer });
    const identity = createIdentityRepositories({ client, table: harness.config.mainTable, writer });
    const tenantKeys = createTenantKeyDirectory(identity.tenants);
    const cipher = createKmsCredentialCipher({ kms: harness.clients.kms, cache: defaultCacheSettings });
    const realRotations = createRotationRepository({ client, table: harness.config.mainTable, writer });
    const rulesFor = (account: AccountRecord) => effectivePasswordRules(vault, account);
    const service = createRotationService({
      rotations: realRotations,
      accounts: vault.accounts,
      systems: vault.systems,
      rulesFor,
      queue: { enqueue: async () => {} },
      clock: systemClock,
    });
    const engineWith = (rotations: RotationRepository, connector: RotationConnector) =>
      createRotationEngine({
        rotations,
        accounts: vault.accounts,
        systems: vault.systems,
        credentials: vault.credentials,
        rulesFor,
        cipher,
        tenantKeys,
        connectorFor: () => connector,
        clock: systemClock,
        targetTimeoutMs: 10_000,
      });
    const context = { requestId: 'crash-test', sourceIp: 'internal', userAgent: 'crash-test' };

    const opens = async (password: string, username: string) =>
      (await postgresqlConnector.verify({
        target: postgres.endpoint,
        credential: { username, password },
        timeoutMs: 10_000,
      })) === 'accepted';
    const decrypt = async (account: AccountRecord, version: number) => {
      const record = await vault.credentials.getVersion(account.tenantId, account.id, version);
      return cipher.decrypt(await tenantKeys.keyArnOf(account.tenantId), record!.ciphertext, {
        tenantId: account.tenantId,
        accountId: account.id,
        version,
      });
    };
    /** The invariant: the target accepts the stored CURRENT or the stored PENDING. */
    const assertTargetOpens = async (accountId: string, rotation: RotationRecord | null, where: string) => {
      const account = (await vault.accounts.get(tenant.id, accountId))!;
      const current = await decrypt(account, account.currentVersion!);
      if (await opens(current, account.username)) return 'current';
      if (rotation?.pendingVersion) {
        const pending = await decrypt(account, rotation.pendingVersion);
        if (await opens(pending, account.username)) return 'pending';
      }
      assert.fail(`neither CURRENT nor PENDING opens the target ${where}`);
    };

    const stats = {
      schedules: 0,
      crashes: 0,
      unreachable: 0,
      duplicates: 0,
      lateDuplicates: 0,
      attempts: 0,
      recoveredOnPending: 0,
    };
    const random = prng(seed);
    const plans = Array.from({ length: schedules }, (_, index) => {
      const faults: ArmedFault[] = Array.from({ length: 1 + Math.floor(random() * 3) }, () => ({
        point: faultPoints[Math.floor(random() * faultPoints.length)]!,
        onCall: 1 + Math.floor(random() * 2),
      }));
      return { index, faults, duplicate: random() < 0.25, lateDuplicate: random() < 0.2 };
    });

    let next = 0;
    await Promise.all(
      accountIds.map(async (accountId) => {
        while (next < plans.length) {
          const plan = plans[next++]!;
          const account = (await vault.accounts.get(tenant.id, accountId))!;
          const started = await service.rotateAccountNow(
            {
              principal: {
                kind: 'user',
                tenantId: tenant.id,
                subject: 'usr_crash',
                name: 'crash test',
                roles: ['tenant-admin'],
                sessionId: 'ses',
              },
              ...context,
            },
            account.id,
            `schedule ${plan.index}`,
          );
          // Run attempts: each arms the next planned fault; the last ones run clean, like redeliveries.
          let rotation: RotationRecord | null = null;
          for (let attempt = 0; attempt < plan.faults.length + 4; attempt++) {
            stats.attempts++;
            const fault = plan.faults[attempt] ?? null;
            const fired = { done: false };
            const engine = engineWith(
              faulty(realRotations, 'repository', fault, fired),
              faulty(postgresqlConnector as PasswordRotationConnector, 'connector', fault, fired),
            );
            const runs = [engine.run(tenant.id, started.id)];
            if (plan.duplicate && attempt === 0) {
              stats.duplicates++;
              runs.push(engineWith(realRotations, postgresqlConnector).run(tenant.id, started.id));
            }
            const outcomes = await Promise.allSettled(runs);
            for (const outcome of outcomes) {
              if (outcome.status === 'rejected') {
                const error = outcome.reason as Error;
                if (error instanceof Crash) stats.crashes++;
                else if (error.name === 'RotationAttemptFailedError') stats.unreachable++;
                else throw error;
              }
            }
            rotation = await realRotations.get(tenant.id, started.id);
            const which = await assertTargetOpens(
              account.id,
              rotation,
              `after attempt ${attempt} of schedule ${plan.index}`,
            );
            if (which === 'pending') stats.recoveredOnPending++;
            if (rotation?.status !== 'running') break;
          }
          assert.equal(
            rotation?.status,
            'succeeded',
            `schedule ${plan.index}: ${JSON.stringify(rotation?.lastError)}`,
          );
          if (plan.lateDuplicate) {
            stats.lateDuplicates++;
            const late = await engineWith(realRotations, postgresqlConnector).run(tenant.id, started.id);
            assert.equal(late?.status, 'succeeded', 'a late duplicate changes nothing');
          }
          const after = (await vault.accounts.get(tenant.id, account.id))!;
          assert.equal(after.currentVersion, rotation?.pendingVersion, 'PENDING became CURRENT');
          assert.equal(after.activeRotationId ?? null, null);
          assert.ok(
            await opens(await decrypt(after, after.currentVersion!), after.username),
            'the stored CURRENT opens the target',
          );
          stats.schedules++;
        }
      }),
    );
    console.log(`rotation crash schedules: ${JSON.stringify({ seed, ...stats })}`);
    assert.ok(stats.schedules >= 500 || schedules < 500, `${stats.schedules} schedules run`);
    assert.ok(stats.crashes >= schedules / 4, 'the faults actually struck');
  });
});
