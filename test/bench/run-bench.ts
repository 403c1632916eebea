/**
 * `npm run bench`: figures, not pass/fail. Starts the local AWS stack, then measures
 *   1. credential retrieval through the API (in-process HTTP, real DynamoDB Local and moto KMS):
 *      requests/s, p50/p99 over ≥ 2,000 retrievals of 20 hot accounts, with the data-key cache;
 *   2. DynamoDB requests and KMS calls per retrieval, with and without the data-key cache;
 *   3. the same retrievals as raw SDK calls alone (2 GetItem, ESDK decrypt, a 2-item
 *      TransactWriteItems like the audit append) → the service's overhead as a ratio;
 *   4. the access workflow: approve-and-retrieve round trips, and policy decisions for a tenant
 *      with 10,000 policies over 1,000,000 accounts (see access-bench.ts);
 *   5. rotations end to end (queue → worker → real PostgreSQL roles and Linux accounts over SSH),
 *      per minute, with queue lag and a login with every stored credential afterwards;
 *   6. the portal's first-load JavaScript per route (gzip) in Chromium, and its time to first byte;
 *   7. the vault Lambda bundle (minified) and its cold init against a hello-world bundle.
 * The last line printed is one JSON object with every figure.
 */
import { randomUUID } from 'node:crypto';
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import {
  createKmsCredentialCipher,
  defaultCacheSettings,
} from '@strongroom/functions/adapters/kms/credential-cipher.kms';
import { bootstrapLocalResources } from '../local-stack/bootstrap.ts';
import { ensureLocalStackInstalled } from '../local-stack/install.ts';
import { startLocalStack } from '../local-stack/stack.ts';
import { createHarness, type Harness } from '../support/api-harness.ts';
import { benchApproveAndRetrieve, benchPolicyEvaluation } from './access-bench.ts';
import { bundle, coldInit, helloWorldEntry, httpApiEvent } from './lambda-bundles.ts';
import { benchPortal } from './portal-bench.ts';
import { benchRotations } from './rotation-bench.ts';

const retrievals = Number(process.env.BENCH_RETRIEVALS ?? 2_000);
const uncachedRetrievals = Math.max(200, Math.round(retrievals / 4));
const hotAccounts = 20;
const concurrency = 4;
const coldRuns = Number(process.env.BENCH_COLD_RUNS ?? 10);
const log = (line: string) => console.log(line);

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const round = (value: number, digits = 2) => Number(value.toFixed(digits));

async function timed(total: number, operation: (index: number) => Promise<void>) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const index = next++;
        const begin = performance.now();
        await operation(index);
        latencies.push(performance.now() - begin);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    count: total,
    perSecond: round(total / seconds, 1),
    p50Ms: round(percentile(latencies, 50)),
    p99Ms: round(percentile(latencies, 99)),
  };
}

function countDynamoRequests(harness: Harness) {
  const counter = { requests: 0 };
  harness.clients.dynamo.middlewareStack.add(
    (next) => async (args) => {
      counter.requests += 1;
      return next(args);
    },
    { step: 'initialize', name: 'benchRequestCounter' },
  );
  return counter;
}

async function prepareAccounts(harness: Harness) {
  const tenant = await harness.newTenant('bench');
  const token = tenant.adminToken;
  const system = await harness.call('POST', '/v1/systems', {
    token,
    body: { name: 'bench-system', hostname: 'bench.example', platform: 'linux' },
  });
  const accountIds: string[] = [];
  for (let i = 0; i < hotAccounts; i += 1) {
    const account = await harness.call('POST', '/v1/accounts', {
      token,
      body: { systemId: system.body.id, username: `bench-${i}`, kind: 'local' },
    });
    await harness.call('POST', `/v1/accounts/${account.body.id}/credential`, {
      token,
      body: { generate: true },
    });
    accountIds.push(account.body.id);
  }
  return { tenant, accountIds };
}

async function serviceRun(
  harness: Harness,
  token: string,
  accountIds: string[],
  count: number,
  kms: { calls: number },
) {
  const retrieve = async (index: number) => {
    const response = await harness.call(
      'POST',
      `/v1/accounts/${accountIds[index % accountIds.length]}/credential/retrieve`,
      {
        token,
        body: { reason: 'benchmark retrieval' },
      },
    );
    if (response.status !== 200) throw new Error(`retrieval failed: ${response.status} ${response.text}`);
  };
  // Warm-up: one retrieval per account fills the key caches (signing key, tenant key, data keys).
  for (let i = 0; i < accountIds.length; i += 1) await retrieve(i);
  const dynamo = countDynamoRequests(harness);
  kms.calls = 0;
  const figures = await timed(count, retrieve);
  return {
    ...figures,
    dynamodbRequestsPerRetrieval: round(dynamo.requests / count, 3),
    kmsCallsPerRetrieval: round(kms.calls / count, 4),
  };
}

log('▶ local AWS stack');
await ensureLocalStackInstalled((line) => log(`  ${line}`));
const stack = await startLocalStack({});
const figures: Record<string, unknown> = { retrievals, hotAccounts, concurrency };
try {
  Object.assign(process.env, stack.env, await bootstrapLocalResources(stack.env, { stage: 'bench' }));
  process.env.STRONGROOM_PASSWORD_HASH_COST = '14';
  process.env.STRONGROOM_LOG_LEVEL = 'warn';

  log('▶ retrieval through the API, data-key cache on');
  const cachedKms = { calls: 0 };
  const cached = await createHarness({ onKmsCall: () => (cachedKms.calls += 1) });
  const { tenant, accountIds } = await prepareAccounts(cached);
  const withCache = await serviceRun(cached, tenant.adminToken, accountIds, retrievals, cachedKms);
  log(`  ${JSON.stringify(withCache)}`);

  log('▶ retrieval through the API, data-key cache off');
  const uncachedKms = { calls: 0 };
  const uncached = await createHarness({
    config: { dataKeyCache: 'off' },
    onKmsCall: () => (uncachedKms.calls += 1),
  });
  const withoutCache = await serviceRun(
    uncached,
    tenant.adminToken,
    accountIds,
    uncachedRetrievals,
    uncachedKms,
  );
  log(`  ${JSON.stringify(withoutCache)}`);

  log('▶ the same retrievals as raw SDK calls');
  const config = cached.config;
  const dynamo = cached.clients.dynamo;
  const cipher = createKmsCredentialCipher({ kms: cached.clients.kms, cache: defaultCacheSettings });
  const tenantRecord = await dynamo.send(
    new GetCommand({ TableName: config.mainTable, Key: { pk: `TENANT#${tenant.id}`, sk: 'TENANT' } }),
  );
  const keyArn = tenantRecord.Item!.keyArn as string;
  const benchLane = `BENCH#${randomUUID()}`;
  const rawRetrieve = async (index: number) => {
    const accountId = accountIds[index % accountIds.length]!;
    const account = await dynamo.send(
      new GetCommand({ TableName: config.mainTable, Key: { pk: `T#${tenant.id}`, sk: `ACC#${accountId}` } }),
    );
    const version = account.Item!.currentVersion as number;
    const credential = await dynamo.send(
      new GetCommand({
        TableName: config.mainTable,
        Key: { pk: `T#${tenant.id}`, sk: `CRED#${accountId}#${String(version).padStart(8, '0')}` },
      }),
    );
    await cipher.decrypt(keyArn, credential.Item!.ciphertext as string, {
      tenantId: tenant.id,
      accountId,
      version,
    });
    await dynamo.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: config.auditTable,
              Item: {
                pk: benchLane,
                sk: `E#${index}#${randomUUID()}`,
                action: 'bench',
                detail: 'x'.repeat(400),
              },
            },
          },
          {
            Update: {
              TableName: config.auditTable,
              Key: { pk: `${benchLane}#HEAD#${index % concurrency}`, sk: 'HEAD' },
              UpdateExpression: 'ADD seq :one',
              ExpressionAttributeValues: { ':one': 1 },
            },
          },
        ],
      }),
    );
  };
  for (let i = 0; i < accountIds.length; i += 1) await rawRetrieve(i);
  const raw = await timed(retrievals, rawRetrieve);
  log(`  ${JSON.stringify(raw)}`);

  log('▶ access workflow: approve-and-retrieve round trips');
  Object.assign(
    figures,
    await benchApproveAndRetrieve(cached, Number(process.env.BENCH_ROUND_TRIPS ?? 200), log),
  );
  log('▶ access workflow: policy decisions (10,000 policies, 1,000,000 accounts)');
  Object.assign(
    figures,
    await benchPolicyEvaluation(
      cached,
      {
        policies: Number(process.env.BENCH_POLICIES ?? 10_000),
        accounts: 1_000_000,
        decisions: Number(process.env.BENCH_DECISIONS ?? 5_000),
      },
      log,
    ),
  );

  log('▶ rotations end to end (PostgreSQL roles and Linux accounts over SSH)');
  Object.assign(
    figures,
    await benchRotations(
      cached,
      {
        postgresAccounts: Number(process.env.BENCH_ROTATION_PG ?? 400),
        sshAccounts: Number(process.env.BENCH_ROTATION_SSH ?? 100),
        workers: Number(process.env.BENCH_ROTATION_WORKERS ?? 8),
        lanesPerSystem: Number(process.env.BENCH_ROTATION_LANES ?? 8),
      },
      log,
    ),
  );

  log('▶ portal: first-load JavaScript per route (Chromium, gzip)');
  Object.assign(figures, await benchPortal(log));

  log('▶ Lambda bundles and cold init');
  const vaultBundle = await bundle('vault', 'functions/src/entry/vault.handler.ts');
  const helloBundle = await bundle('hello-world', await helloWorldEntry());
  const token = tenant.adminToken;
  const event = httpApiEvent('GET', `/v1/accounts/${accountIds[0]}`, { authorization: `Bearer ${token}` });
  const childEnv = { ...process.env, NODE_OPTIONS: '' };
  const vaultInits: number[] = [];
  const helloInits: number[] = [];
  for (let run = 0; run < coldRuns; run += 1) {
    vaultInits.push(await coldInit(vaultBundle.file, event, childEnv));
    helloInits.push(await coldInit(helloBundle.file, event, childEnv));
  }
  vaultInits.sort((a, b) => a - b);
  helloInits.sort((a, b) => a - b);
  const vaultInitMs = round(percentile(vaultInits, 50), 1);
  const helloInitMs = round(percentile(helloInits, 50), 1);
  log(
    `  vault bundle ${vaultBundle.bytes} bytes, init ${vaultInitMs} ms; hello-world ${helloBundle.bytes} bytes, init ${helloInitMs} ms`,
  );

  Object.assign(figures, {
    retrievalPerSecond: withCache.perSecond,
    retrievalP50Ms: withCache.p50Ms,
    retrievalP99Ms: withCache.p99Ms,
    dynamodbRequestsPerRetrievalCached: withCache.dynamodbRequestsPerRetrieval,
    kmsCallsPerRetrievalCached: withCache.kmsCallsPerRetrieval,
    uncachedRetrievals,
    retrievalPerSecondUncached: withoutCache.perSecond,
    retrievalP50MsUncached: withoutCache.p50Ms,
    dynamodbRequestsPerRetrievalUncached: withoutCache.dynamodbRequestsPerRetrieval,
    kmsCallsPerRetrievalUncached: withoutCache.kmsCallsPerRetrieval,
    rawSdkPerSecond: raw.perSecond,
    rawSdkP50Ms: raw.p50Ms,
    rawSdkP99Ms: raw.p99Ms,
    serviceOverheadRatioP50: round(withCache.p50Ms / raw.p50Ms),
    serviceOverheadRatioThroughput: round(raw.perSecond / withCache.perSecond),
    vaultBundleBytes: vaultBundle.bytes,
    helloWorldBundleBytes: helloBundle.bytes,
    vaultColdInitMedianMs: vaultInitMs,
    helloWorldColdInitMedianMs: helloInitMs,
    coldInitRatio: round(vaultInitMs / helloInitMs),
    coldRuns,
  });
} finally {
  await stack.stop();
}
console.log(JSON.stringify(figures));
