import { randomBytes } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { connectorFor } from '@strongroom/connectors/index';
import {
  type AuditedWriter,
  createAuditedWriter,
} from '@strongroom/functions/adapters/dynamo/audited-writer';
import { accessContext } from '@strongroom/functions/compose-access';
import { rotationContext } from '@strongroom/functions/compose-rotation';
import {
  type AwsClients,
  type Composition,
  compose,
  createAwsClients,
} from '@strongroom/functions/composition-root';
import { configFromEnvironment, type StrongroomConfig } from '@strongroom/functions/config';
import { type ApiApp, createApiApp } from '@strongroom/functions/http/api-app';
import { createLogger } from '@strongroom/functions/observability/logger';
import type { TenantRole } from '@strongroom/shared/identity/roles';
import { type Clock, systemClock } from '@strongroom/shared/kernel/clock';
import { bootstrapLocalResources } from '../local-stack/bootstrap.ts';
import { startLocalStack } from '../local-stack/stack.ts';

/**
 * In-process access to the whole API over the real local AWS stack. `npm test` starts the stack
 * once and passes its environment down; a test file run on its own starts a private stack.
 */
export const operator = { email: 'operator@strongroom.test', password: 'operator-passphrase-for-tests' };

let environmentReady: Promise<void> | undefined;

async function ensureEnvironment(): Promise<void> {
  if (process.env.STRONGROOM_MAIN_TABLE) return;
  // Stopped when this test process exits: the emulators exit when their stdin pipe closes.
  const stack = await startLocalStack({});
  process.once('beforeExit', () => void stack.stop());
  Object.assign(process.env, stack.env);
  Object.assign(process.env, await bootstrapLocalResources(stack.env, { stage: 'test' }));
  process.env.STRONGROOM_PASSWORD_HASH_COST ??= '14';
}

export interface ApiResponse<T = unknown> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
  readonly text: string;
}

export interface CallOptions {
  readonly token?: string;
  readonly body?: unknown;
  readonly rawBody?: string;
  readonly headers?: Record<string, string>;
}

export interface Harness {
  readonly app: ApiApp;
  readonly composition: Composition;
  readonly config: StrongroomConfig;
  readonly clients: AwsClients;
  readonly logLines: string[];
  /** The audited writer the adapters are built with, for tests and benchmarks that build one. */
  readonly writer: AuditedWriter;
  call<T = any>(method: string, path: string, options?: CallOptions): Promise<ApiResponse<T>>;
  login(tenant: string, email: string, password: string): Promise<string>;
  operatorToken(): Promise<string>;
  newTenant(prefix?: string): Promise<TestTenant>;
  scanTable(table: string): Promise<Record<string, unknown>[]>;
}

export interface TestTenant {
  readonly id: string;
  readonly slug: string;
  readonly adminToken: string;
  readonly adminEmail: string;
  readonly adminPassword: string;
  /** Creates a user with these direct roles and returns a signed-in token. */
  userWithRoles(
    roles: readonly TenantRole[],
  ): Promise<{ id: string; email: string; password: string; token: string }>;
}

export const uniqueSuffix = () => randomBytes(5).toString('hex');

export interface HarnessOptions {
  /** Overrides of the configuration read from the environment (e.g. a missing audit table). */
  readonly config?: Partial<StrongroomConfig>;
  /** Seed the provider operator (off for harnesses whose writes are meant to fail). */
  readonly seedOperator?: boolean;
  /** Counts the credential cipher's KMS calls (benchmarks). */
  readonly onKmsCall?: (operation: 'GenerateDataKey' | 'Encrypt' | 'Decrypt') => void;
  /** A clock the test can move (expiry); tokens are issued and checked against it too. */
  readonly clock?: Clock;
  /** Rotation connectors (fault injection); the real registry by default. */
  readonly connectorFor?: Parameters<typeof rotationContext>[0];
}

export async function createHarness(options: HarnessOptions = {}): Promise<Harness> {
  environmentReady ??= ensureEnvironment();
  await environmentReady;
  const config = { ...configFromEnvironment(), ...options.config };
  const logLines: string[] = [];
  const logger = createLogger({ service: 'test', level: 'debug', write: (line) => logLines.push(line) });
  const clients = createAwsClients();
  const composition = compose({
    config,
    clients,
    contexts: ['identity', 'vault', 'access', 'rotation', 'audit'],
    modules: [accessContext, rotationContext(options.connectorFor ?? connectorFor)],
    onKmsCall: options.onKmsCall,
    ...(options.clock ? { clock: options.clock } : {}),
    onDeliveryError: (error) => logLines.push(`delivery error: ${String(error)}`),
  });
  const app = createApiApp({
    services: composition.services,
    verifyAccessToken: composition.verifyAccessToken,
    logger,
    // Tests play callers from other networks through this header; production reads API Gateway's view.
    sourceIpOf: (c) => c.req.header('x-test-source-ip') ?? '192.0.2.10',
  });
  if (options.seedOperator !== false) {
    await composition.services.identity!.ensureProviderOperator(operator.email, operator.password);
  }

  const call = async <T>(
    method: string,
    path: string,
    callOptions: CallOptions = {},
  ): Promise<ApiResponse<T>> => {
    const headers: Record<string, string> = { 'user-agent': 'strongroom-tests', ...callOptions.headers };
    if (callOptions.token) headers.authorization = `Bearer ${callOptions.token}`;
    let body: string | undefined = callOptions.rawBody;
    if (callOptions.body !== undefined) {
      body = JSON.stringify(callOptions.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await app.request(path, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    if (/^application\/(problem\+)?json/.test(response.headers.get('content-type') ?? '') && text)
      parsed = JSON.parse(text);
    return { status: response.status, headers: response.headers, body: parsed as T, text };
  };

  const login = async (tenant: string, email: string, password: string) => {
    const response = await call<{ accessToken: string }>('POST', '/v1/auth/login', {
      body: { tenant, email, password },
    });
    if (response.status !== 200)
      throw new Error(`login ${email} failed: ${response.status} ${response.text}`);
    return response.body.accessToken;
  };

  let operatorTokenCache: string | undefined;
  const operatorToken = async () => {
    operatorTokenCache ??= await login('provider', operator.email, operator.password);
    return operatorTokenCache;
  };

  const newTenant = async (prefix = 'acme'): Promise<TestTenant> => {
    const slug = `${prefix}-${uniqueSuffix()}`;
    const adminEmail = `admin@${slug}.test`;
    const adminPassword = `admin-${uniqueSuffix()}-passphrase`;
    const created = await call<{ id: string }>('POST', '/v1/tenants', {
      token: await operatorToken(),
      body: {
        slug,
        name: `Tenant ${slug}`,
        admin: { email: adminEmail, displayName: 'Admin', password: adminPassword },
      },
    });
    if (created.status !== 201) throw new Error(`createTenant failed: ${created.status} ${created.text}`);
    const adminToken = await login(slug, adminEmail, adminPassword);
    return {
      id: created.body.id,
      slug,
      adminToken,
      adminEmail,
      adminPassword,
      async userWithRoles(roles) {
        const email = `${roles.join('-') || 'nobody'}-${uniqueSuffix()}@${slug}.test`;
        const password = `user-${uniqueSuffix()}-passphrase`;
        const user = await call<{ id: string }>('POST', '/v1/users', {
          token: adminToken,
          body: { email, displayName: email, password, roles },
        });
        if (user.status !== 201) throw new Error(`createUser failed: ${user.status} ${user.text}`);
        return { id: user.body.id, email, password, token: await login(slug, email, password) };
      },
    };
  };

  const scanTable = async (table: string) => {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await clients.dynamo.send(
        new ScanCommand({ TableName: table, ExclusiveStartKey: startKey }),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  };

  const writer = createAuditedWriter({
    client: clients.dynamo,
    auditTable: config.auditTable,
    clock: options.clock ?? systemClock,
  });
  return {
    app,
    composition,
    config,
    clients,
    logLines,
    writer,
    call,
    login,
    operatorToken,
    newTenant,
    scanTable,
  };
}
