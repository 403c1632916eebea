import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Principal } from '@strongroom/shared/identity/principal';
import { createClientAddressKeySource } from '../adapters/secrets/client-address-key.ts';
import type { Logger } from '../observability/logger.ts';
import { createApiApp } from './api-app.ts';
import {
  clientAddressHeader,
  clientSignatureHeader,
  clientUserAgentHeader,
  signClientAttestation,
  verifyClientAttestation,
} from './client-attestation.ts';

const key = new TextEncoder().encode(randomBytes(32).toString('base64url'));
const now = Date.UTC(2026, 10, 23, 12, 0, 0);
const seconds = Math.floor(now / 1000);
const token = `Bearer ${'a'.repeat(40)}`;

function headersOf(values: Record<string, string>) {
  return (name: string) => values[name.toLowerCase()];
}

function attested(overrides: Partial<{ address: string; userAgent: string; timestamp: number }> = {}) {
  const address = overrides.address ?? '203.0.113.9';
  const userAgent = overrides.userAgent ?? 'Mozilla/5.0 (X11; Linux x86_64)';
  const signature = signClientAttestation(key, {
    timestamp: overrides.timestamp ?? seconds,
    address,
    userAgent,
    authorization: token,
  });
  return {
    authorization: token,
    [clientAddressHeader]: address,
    [clientUserAgentHeader]: userAgent,
    [clientSignatureHeader]: signature,
  };
}

describe('verifyClientAttestation', () => {
  it('accepts the portal’s signed address and user agent', () => {
    assert.deepEqual(verifyClientAttestation(headersOf(attested()), key, now), {
      kind: 'attested',
      sourceIp: '203.0.113.9',
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64)',
    });
    const v6 = attested({ address: '2001:db8::7' });
    assert.equal(verifyClientAttestation(headersOf(v6), key, now).kind, 'attested');
  });

  it('says absent when nothing is forwarded', () => {
    assert.deepEqual(verifyClientAttestation(headersOf({ authorization: token }), key, now), {
      kind: 'absent',
    });
  });

  it('refuses a changed address, user agent or token, and another key', () => {
    const good = attested();
    const refused = (values: Record<string, string>, withKey = key) =>
      verifyClientAttestation(headersOf(values), withKey, now);
    assert.equal(refused({ ...good, [clientAddressHeader]: '203.0.113.10' }).kind, 'refused');
    assert.equal(refused({ ...good, [clientUserAgentHeader]: 'curl/8' }).kind, 'refused');
    assert.equal(refused({ ...good, authorization: `Bearer ${'b'.repeat(40)}` }).kind, 'refused');
    const { authorization: _, ...withoutToken } = good;
    assert.equal(refused(withoutToken).kind, 'refused');
    assert.equal(refused(good, new TextEncoder().encode('x'.repeat(43))).kind, 'refused');
  });

  it('refuses a stale or future signature, and accepts small clock skew', () => {
    assert.equal(
      verifyClientAttestation(headersOf(attested({ timestamp: seconds - 121 })), key, now).kind,
      'refused',
    );
    assert.equal(
      verifyClientAttestation(headersOf(attested({ timestamp: seconds + 121 })), key, now).kind,
      'refused',
    );
    assert.equal(
      verifyClientAttestation(headersOf(attested({ timestamp: seconds - 90 })), key, now).kind,
      'attested',
    );
  });

  it('refuses without a key, with half the headers, a bad address or a malformed signature', () => {
    const good = attested();
    const check = (values: Record<string, string>, withKey: Uint8Array | null = key) =>
      verifyClientAttestation(headersOf(values), withKey, now);
    assert.deepEqual(check(good, null), { kind: 'refused', reason: 'no client-address key is configured' });
    const { [clientSignatureHeader]: _signature, ...unsigned } = good;
    assert.equal(check(unsigned).kind, 'refused');
    const { [clientAddressHeader]: _address, ...addressless } = good;
    assert.equal(check(addressless).kind, 'refused');
    for (const address of ['localhost', '203.0.113.9, 10.0.0.1', '', '999.1.1.1']) {
      assert.equal(check(attested({ address })).kind, 'refused', address);
    }
    assert.equal(check({ ...good, [clientSignatureHeader]: 'v1=abc' }).kind, 'refused');
    assert.equal(check(attested({ userAgent: 'x'.repeat(513) })).kind, 'refused');
  });
});

describe('the API’s view of the caller', () => {
  const principal: Principal = {
    kind: 'user',
    tenantId: 'ten_test',
    subject: 'usr_test',
    name: 'joe@acme.test',
    roles: ['requester'],
    sessionId: 'ses_test',
  };
  function appWith(clientAddressKey?: () => Promise<Uint8Array | null>) {
    const warnings: { message: string; fields: unknown }[] = [];
    const logger: Logger = {
      debug() {},
      info() {},
      warn: (message, fields) => warnings.push({ message, fields }),
      error: (message, fields) => warnings.push({ message, fields }),
    };
    const app = createApiApp({
      services: {},
      verifyAccessToken: async () => principal,
      logger,
      sourceIpOf: () => '10.1.2.3',
      now: () => now,
      ...(clientAddressKey ? { clientAddressKey } : {}),
    });
    app.get('/v1/test/caller', (c) => {
      const { sourceIp, userAgent } = c.get('context');
      return c.json({ sourceIp, userAgent });
    });
    return { app, warnings };
  }
  const caller = async (app: ReturnType<typeof appWith>['app'], headers: Record<string, string>) =>
    (await (await app.request('/v1/test/caller', { headers })).json()) as {
      sourceIp: string;
      userAgent: string;
    };

  it('is the person behind the portal when the portal attests it', async () => {
    const { app, warnings } = appWith(async () => key);
    assert.deepEqual(await caller(app, attested()), {
      sourceIp: '203.0.113.9',
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64)',
    });
    assert.deepEqual(warnings, []);
  });

  it('stays the edge’s view, with a warning, when the attestation is refused', async () => {
    const { app, warnings } = appWith(async () => key);
    const forged = { ...attested(), [clientAddressHeader]: '198.51.100.1', 'user-agent': 'curl/8' };
    assert.deepEqual(await caller(app, forged), { sourceIp: '10.1.2.3', userAgent: 'curl/8' });
    assert.equal(warnings.length, 1);
    const [warning] = warnings;
    assert.equal(warning?.message, 'forwarded client address refused');
    assert.deepEqual(
      { ...(warning?.fields as Record<string, unknown>), requestId: 'any' },
      { requestId: 'any', reason: 'the signature does not match', edgeAddress: '10.1.2.3' },
    );
  });

  it('ignores forwarded headers when the deployment has no key, and when the key cannot be read', async () => {
    const none = appWith();
    assert.equal((await caller(none.app, attested())).sourceIp, '10.1.2.3');
    const broken = appWith(async () => {
      throw new Error('AccessDenied');
    });
    assert.equal((await caller(broken.app, attested())).sourceIp, '10.1.2.3');
    assert.deepEqual(
      broken.warnings.map((w) => w.message),
      ['client-address key unavailable', 'forwarded client address refused'],
    );
  });
});

describe('client-address key source', () => {
  it('reads the key from Secrets Manager once, only when asked (moto)', async () => {
    const value = randomBytes(32).toString('base64url');
    const created = await new SecretsManagerClient({}).send(
      new CreateSecretCommand({
        Name: `client-address-${randomBytes(4).toString('hex')}`,
        SecretString: value,
      }),
    );
    let clients = 0;
    const source = createClientAddressKeySource({
      secretArn: created.ARN,
      secretsManager: () => {
        clients += 1;
        return new SecretsManagerClient({});
      },
    });
    assert.equal(clients, 0);
    assert.deepEqual(await source(), new TextEncoder().encode(value));
    assert.deepEqual(await source(), new TextEncoder().encode(value));
    assert.equal(clients, 1);
  });

  it('is null without configuration, inline when given, and refuses a short key', async () => {
    assert.equal(await createClientAddressKeySource({})(), null);
    const inline = 'k'.repeat(32);
    assert.deepEqual(await createClientAddressKeySource({ inline })(), new TextEncoder().encode(inline));
    await assert.rejects(createClientAddressKeySource({ inline: 'short' })(), /at least 32/);
  });

  it('retries a failed read instead of remembering the failure (moto)', async () => {
    const name = `client-address-${randomBytes(4).toString('hex')}`;
    // Secrets Manager takes a name where an ARN goes; the secret does not exist yet.
    const source = createClientAddressKeySource({
      secretArn: name,
      secretsManager: () => new SecretsManagerClient({}),
    });
    await assert.rejects(source());
    const value = randomBytes(32).toString('base64url');
    await new SecretsManagerClient({}).send(new CreateSecretCommand({ Name: name, SecretString: value }));
    assert.deepEqual(await source(), new TextEncoder().encode(value));
  });
});
