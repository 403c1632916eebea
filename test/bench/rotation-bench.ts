import { SQSClient } from '@aws-sdk/client-sqs';
import { postgresqlConnector } from '@strongroom/connectors/postgresql.connector';
import { sshPasswordConnector } from '@strongroom/connectors/ssh-password.connector';
import { createRotationRepository } from '@strongroom/functions/adapters/dynamo/rotation.repo.dynamo';
import { createVaultRepositories } from '@strongroom/functions/adapters/dynamo/vault.repo.dynamo';
import { createLogger } from '@strongroom/functions/observability/logger';
import { createRotationWorker } from '@strongroom/functions/workers/rotation-worker';
import { startSqsPoller } from '@strongroom/functions/workers/sqs-poller';
import { systemClock } from '@strongroom/shared/kernel/clock';
import { rotationQueue } from '@strongroom/shared/platform/resources';
import type { RotationJob } from '@strongroom/shared/rotation/rotation.ports';
import { createRotationService } from '@strongroom/shared/rotation/rotation.service';
import { effectivePasswordRules } from '@strongroom/shared/vault/password-rules';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { Harness } from '../support/api-harness.ts';
import { startPostgresTarget, startSshTarget } from '../targets/start.ts';

/**
 * Rotations end to end: jobs on the FIFO rotation queue → the worker (polling like Lambda's event
 * source mapping would) → real PostgreSQL roles and real Linux accounts over SSH. Measures
 * rotations per minute, queue lag (enqueue → the worker picks the job up) and, afterwards, logs in
 * with every stored credential to count any lost.
 */

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const round = (value: number, digits = 2) => Number(value.toFixed(digits));

export async function benchRotations(
  harness: Harness,
  options: { postgresAccounts: number; sshAccounts: number; workers: number; lanesPerSystem: number },
  log: (line: string) => void,
) {
  const [postgres, ssh] = await Promise.all([startPostgresTarget(), startSshTarget()]);
  try {
    const tenant = await harness.newTenant('bench-rotation');
    const token = tenant.adminToken;
    const api = async (method: string, path: string, body?: unknown) => {
      const response = await harness.call(method, path, { token, body });
      if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${response.text}`);
      return response.body;
    };
    const pgSystem = await api('POST', '/v1/systems', {
      name: 'bench-pg',
      ipAddress: '127.0.0.1',
      platform: 'postgresql',
      connection: { port: postgres.endpoint.port, maxConcurrentRotations: options.lanesPerSystem },
    });
    const sshSystem = await api('POST', '/v1/systems', {
      name: 'bench-ssh',
      ipAddress: '127.0.0.1',
      platform: 'linux',
      connection: {
        port: ssh.endpoint.port,
        hostKeySha256: ssh.endpoint.hostKeySha256,
        maxConcurrentRotations: options.lanesPerSystem,
      },
    });
    const seedStarted = performance.now();
    const accounts: { id: string; username: string; kind: 'pg' | 'ssh' }[] = [];
    const onboard = async (systemId: string, username: string, password: string, kind: 'pg' | 'ssh') => {
      const account = await api('POST', '/v1/accounts', {
        systemId,
        username,
        kind: kind === 'pg' ? 'database' : 'local',
      });
      await api('POST', `/v1/accounts/${account.id}/credential`, { password });
      accounts.push({ id: account.id, username, kind });
    };
    const inBatches = async <T>(items: T[], size: number, each: (item: T) => Promise<void>) => {
      for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(each));
    };
    await inBatches(
      Array.from({ length: options.postgresAccounts }, (_, i) => i),
      8,
      async () => {
        const role = await postgres.createRole();
        await onboard(pgSystem.id, role.username, role.password, 'pg');
      },
    );
    await inBatches(
      Array.from({ length: options.sshAccounts }, (_, i) => i),
      4,
      async () => {
        const user = await ssh.createUser();
        await onboard(sshSystem.id, user.username, user.password, 'ssh');
      },
    );
    log(
      `  onboarded ${options.postgresAccounts} PostgreSQL roles and ${options.sshAccounts} Linux accounts in ${round((performance.now() - seedStarted) / 1000, 1)} s`,
    );

    const engine = harness.composition.rotationEngine;
    if (!engine) throw new Error('no rotation engine');
    const lags: number[] = [];
    const mine = new Set(accounts.map((a) => a.id));
    let completed = 0;
    const rotated = new Set<string>();
    let failedJobs = 0;
    const worker = createRotationWorker({
      engine,
      logger: createLogger({ service: 'bench', level: 'error' }),
    });
    const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
      const own = event.Records.filter((r) => mine.has((JSON.parse(r.body) as RotationJob).accountId));
      const foreign = event.Records.filter((r) => !own.includes(r));
      for (const record of own) lags.push(Date.now() - Number(record.attributes.SentTimestamp));
      const result = await worker({ Records: own });
      failedJobs += result.batchItemFailures.length;
      const failed = new Set(result.batchItemFailures.map((f) => f.itemIdentifier));
      // Distinct accounts, not messages: a job delivered twice (its visibility timeout ran out
      // while it waited behind others) must not let the count reach the total before every
      // account's job has run.
      for (const record of own) {
        if (!failed.has(record.messageId)) rotated.add((JSON.parse(record.body) as RotationJob).accountId);
      }
      completed = rotated.size;
      return {
        batchItemFailures: [
          ...result.batchItemFailures,
          ...foreign.map((r) => ({ itemIdentifier: r.messageId })),
        ],
      };
    };
    const sqs = new SQSClient({});
    const poller = startSqsPoller({
      sqs,
      queueUrl: process.env[rotationQueue.envVar] as string,
      handler,
      concurrency: options.workers,
      visibilityTimeoutSeconds: 120,
    });
    const started = performance.now();
    await inBatches(accounts, 16, async (account) => {
      await api('POST', '/v1/rotations', { accountId: account.id, reason: 'benchmark' });
    });
    const enqueuedSeconds = (performance.now() - started) / 1000;
    while (completed < accounts.length) {
      if (performance.now() - started > 15 * 60_000)
        throw new Error(`only ${completed} rotations in 15 minutes`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const seconds = (performance.now() - started) / 1000;
    await poller.stop();
    sqs.destroy();

    const vaultRepositories = createVaultRepositories({
      client: harness.clients.dynamo,
      table: harness.config.mainTable,
      writer: harness.writer,
    });
    // Zero lost: every stored CURRENT logs in, through the same clients a user would use.
    const countLost = async (expectedVersion: number) => {
      let lost = 0;
      await inBatches(accounts, 8, async (account) => {
        const secret = await api('POST', `/v1/accounts/${account.id}/credential/retrieve`, {
          reason: 'bench verification',
        });
        const connector = account.kind === 'pg' ? postgresqlConnector : sshPasswordConnector;
        const target = account.kind === 'pg' ? postgres.endpoint : ssh.endpoint;
        const verdict = await connector.verify({
          target,
          credential: { username: account.username, password: secret.password },
          timeoutMs: 20_000,
        });
        if (verdict !== 'accepted' || secret.version !== expectedVersion) {
          lost++;
          const history = (await api('GET', `/v1/rotations?accountId=${account.id}`)) as {
            items: { id: string; status: string; step?: string; trigger?: string; createdAt?: string }[];
          };
          log(
            `  lost? ${account.kind} ${account.username}: ${verdict}, version ${secret.version} (expected ${expectedVersion}); rotations ${JSON.stringify(history.items)}`,
          );
        }
      });
      return lost;
    };
    const lost = await countLost(2);
    lags.sort((a, b) => a - b);

    // The same rotations again with the jobs handed straight to the engine (no emulated queue):
    // what the worker, DynamoDB Local and the targets sustain. moto's FIFO SQS is far slower than
    // SQS (each call takes 0.1–0.6 s here and grows with the queue), so the queue figures above
    // mostly measure the emulator.
    const direct = createRotationService({
      rotations: createRotationRepository({
        client: harness.clients.dynamo,
        table: harness.config.mainTable,
        writer: harness.writer,
      }),
      accounts: vaultRepositories.accounts,
      systems: vaultRepositories.systems,
      rulesFor: (account) => effectivePasswordRules(vaultRepositories, account),
      queue: { enqueue: async () => {} },
      clock: systemClock,
    });
    const operator = {
      principal: {
        kind: 'user' as const,
        tenantId: tenant.id,
        subject: 'usr_BENCH',
        name: 'bench',
        roles: ['tenant-admin' as const],
        sessionId: 'ses_BENCH',
      },
      requestId: 'bench',
      sourceIp: '127.0.0.1',
      userAgent: 'bench',
    };
    let nextDirect = 0;
    let directFailures = 0;
    const directStarted = performance.now();
    await Promise.all(
      Array.from({ length: options.workers * 2 }, async () => {
        while (nextDirect < accounts.length) {
          const account = accounts[nextDirect++]!;
          const rotation = await direct.rotateAccountNow(operator, account.id, 'benchmark (direct)');
          const done = await engine.run(tenant.id, rotation.id).catch(() => null);
          if (done?.status !== 'succeeded') directFailures++;
        }
      }),
    );
    const directSeconds = (performance.now() - directStarted) / 1000;
    const lostWithoutQueue = await countLost(3);
    const figures = {
      rotationAccounts: accounts.length,
      rotationPostgresAccounts: options.postgresAccounts,
      rotationSshAccounts: options.sshAccounts,
      rotationWorkers: options.workers,
      rotationLanesPerSystem: options.lanesPerSystem,
      rotationsPerMinute: round((accounts.length / seconds) * 60, 0),
      rotationEnqueueSeconds: round(enqueuedSeconds, 1),
      rotationQueueLagP50Ms: round(percentile(lags, 50), 0),
      rotationQueueLagP99Ms: round(percentile(lags, 99), 0),
      rotationRetriedJobs: failedJobs,
      rotationLost: lost,
      rotationsPerMinuteWithoutQueue: round((accounts.length / directSeconds) * 60, 0),
      rotationWithoutQueueFailures: directFailures,
      rotationLostWithoutQueue: lostWithoutQueue,
    };
    log(`  ${JSON.stringify(figures)}`);
    return figures;
  } finally {
    await Promise.all([postgres.stop(), ssh.stop()]);
  }
}
