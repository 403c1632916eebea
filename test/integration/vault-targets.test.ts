import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditedWriter } from '@strongroom/functions/adapters/dynamo/audited-writer';
import { createVaultRepositories } from '@strongroom/functions/adapters/dynamo/vault.repo.dynamo';
import { newId } from '@strongroom/shared/kernel/ids';
import type { SystemTarget } from '@strongroom/shared/vault/vault.ports';
import { createHarness, type Harness, type TestTenant, uniqueSuffix } from '../support/api-harness.ts';

let harness: Harness;
let tenant: TestTenant;
let other: TestTenant;
/** The repository the access workflow calls; lookups only read, so no writer is needed. */
let findByTarget: (tenantId: string, target: SystemTarget, limit?: number) => Promise<{ id: string }[]>;

before(async () => {
  harness = await createHarness();
  [tenant, other] = await Promise.all([harness.newTenant('targets'), harness.newTenant('targets-other')]);
  const { systems } = createVaultRepositories({
    client: harness.clients.dynamo,
    table: harness.config.mainTable,
    writer: { commit: () => Promise.reject(new Error('read only')) } as AuditedWriter,
  });
  findByTarget = (tenantId, target, limit) => systems.findByTarget(tenantId, target, limit);
});

type SystemView = {
  id: string;
  name: string;
  hostname: string | null;
  ipAddress: string | null;
  additionalAddresses: string[];
  websiteUrl: string | null;
  applications: string[];
};

const createSystem = async (t: TestTenant, body: Record<string, unknown>) => {
  const response = await harness.call<SystemView>('POST', '/v1/systems', {
    token: t.adminToken,
    body: { platform: 'linux', ...body, name: `${body.name ?? 'sys'}-${uniqueSuffix()}` },
  });
  assert.equal(response.status, 201, response.text);
  return response.body;
};

/** Ids found through `GET /v1/systems?address=`, sorted. */
const byAddress = async (t: TestTenant, address: string) => {
  const response = await harness.call<{ items: SystemView[]; nextCursor?: string }>(
    'GET',
    `/v1/systems?address=${encodeURIComponent(address)}`,
    { token: t.adminToken },
  );
  assert.equal(response.status, 200, response.text);
  assert.equal(response.body.nextCursor, undefined);
  return response.body.items.map((s) => s.id).sort();
};
const ids = (systems: { id: string }[]) => systems.map((s) => s.id).sort();

/** The address index items of a system, straight from the table. */
const indexItemsOf = async (tenantId: string, systemId: string) =>
  (await harness.scanTable(harness.config.mainTable))
    .filter((item) => item.pk === `T#${tenantId}` && String(item.sk).startsWith('SYS_ADDR#'))
    .filter((item) => item.systemId === systemId)
    .map((item) => String(item.sk))
    .sort();

describe('system target addresses', () => {
  it('stores additional addresses normalized, the website URL and applications deduplicated', async () => {
    const system = await createSystem(tenant, {
      name: 'db01',
      hostname: 'DB01.Corp.Example.',
      ipAddress: '10.20.0.5',
      additionalAddresses: ['2001:0DB8:0:0:0:0:0:5', 'DB01-VIP.corp.example', '10.20.0.6', '2001:db8::5'],
      websiteUrl: 'https://Console.Corp.Example/admin',
      applications: ['sqlplus', 'ssms', 'sqlplus'],
    });
    assert.deepEqual(system.additionalAddresses, ['2001:db8::5', 'db01-vip.corp.example', '10.20.0.6']);
    assert.equal(system.websiteUrl, 'https://Console.Corp.Example/admin');
    assert.deepEqual(system.applications, ['sqlplus', 'ssms']);
    const read = await harness.call<SystemView>('GET', `/v1/systems/${system.id}`, {
      token: tenant.adminToken,
    });
    assert.deepEqual(read.body, { ...system, accountCount: 0 } as unknown as SystemView);

    const plain = await createSystem(tenant, { name: 'plain', hostname: 'plain.corp.example' });
    assert.deepEqual(plain.additionalAddresses, []);
    assert.equal(plain.websiteUrl, null);
    assert.deepEqual(plain.applications, []);
  });

  it('finds systems by FQDN, short name, IPv4, IPv6 in any spelling, additional address and URL', async () => {
    const db = await createSystem(tenant, {
      name: 'lookup-db',
      hostname: 'db07.lookup.example',
      ipAddress: '10.30.0.7',
      additionalAddresses: ['2001:db8:30::7', 'db07-vip.lookup.example', '10.30.0.8'],
      websiteUrl: 'https://console07.lookup.example:8443/ui',
    });
    const twin = await createSystem(tenant, { name: 'lookup-twin', hostname: 'db07.dr.example' });
    const bare = await createSystem(tenant, { name: 'lookup-bare', hostname: 'LEGACYBOX' });
    const portal = await createSystem(tenant, { name: 'lookup-portal', hostname: 'portal.lookup.example' });

    // FQDN: exact, whatever the case or a trailing dot; never a partial match.
    assert.deepEqual(await byAddress(tenant, 'db07.lookup.example'), [db.id]);
    assert.deepEqual(await byAddress(tenant, 'DB07.Lookup.Example.'), [db.id]);
    assert.deepEqual(await byAddress(tenant, 'db07.lookup'), []);
    assert.deepEqual(await byAddress(tenant, 'b07.lookup.example'), []);
    // Short name: the first label of every hostname, and single-label hostnames.
    assert.deepEqual(await byAddress(tenant, 'db07'), [db.id, twin.id].sort());
    assert.deepEqual(await byAddress(tenant, 'DB07-VIP'), [db.id]);
    assert.deepEqual(await byAddress(tenant, 'legacybox'), [bare.id]);
    // IPv4, IPv6 (non-canonical), IPv4-mapped IPv6, additional addresses.
    assert.deepEqual(await byAddress(tenant, '10.30.0.7'), [db.id]);
    assert.deepEqual(await byAddress(tenant, '10.30.0.8'), [db.id]);
    assert.deepEqual(await byAddress(tenant, '2001:0DB8:0030:0000:0000:0000:0000:0007'), [db.id]);
    assert.deepEqual(await byAddress(tenant, '::ffff:10.30.0.7'), [db.id]);
    assert.deepEqual(await byAddress(tenant, '10.30.0.9'), []);

    // Through the repository port: URLs (website host, or a system at that host) and IP lists.
    assert.deepEqual(ids(await findByTarget(tenant.id, { url: 'HTTPS://console07.lookup.example/other' })), [
      db.id,
    ]);
    assert.deepEqual(ids(await findByTarget(tenant.id, { url: 'http://portal.lookup.example/' })), [
      portal.id,
    ]);
    assert.deepEqual(
      ids(await findByTarget(tenant.id, { ipAddresses: ['192.0.2.99', '2001:db8:30:0::7', 'not-an-ip'] })),
      [db.id],
    );
    // Several addresses of one system: deduplicated.
    const many = await findByTarget(tenant.id, {
      hostname: 'db07.lookup.example',
      ipAddresses: ['10.30.0.7', '10.30.0.8'],
      url: 'https://db07-vip.lookup.example',
    });
    assert.deepEqual(ids(many), [db.id]);
    assert.deepEqual(await findByTarget(tenant.id, {}), []);
    assert.deepEqual(await findByTarget(tenant.id, { hostname: 'not a host!' }), []);
  });

  it('caps a lookup at its limit', async () => {
    const shared = `vip-${uniqueSuffix()}.limit.example`;
    for (let i = 0; i < 3; i++) await createSystem(tenant, { name: 'limit', hostname: shared });
    assert.equal((await findByTarget(tenant.id, { hostname: shared })).length, 3);
    assert.equal((await findByTarget(tenant.id, { hostname: shared }, 2)).length, 2);
    const page = await harness.call('GET', `/v1/systems?address=${shared}&limit=1`, {
      token: tenant.adminToken,
    });
    assert.equal(page.body.items.length, 1);
    const withCursor = await harness.call('GET', `/v1/systems?address=${shared}&cursor=abc`, {
      token: tenant.adminToken,
    });
    assert.equal(withCursor.status, 400);
    assert.equal(withCursor.body.errors[0].field, 'cursor');
  });

  it('replaces the index entries when the addresses change, and clears with null', async () => {
    const token = tenant.adminToken;
    const system = await createSystem(tenant, {
      name: 'moving',
      hostname: 'old.move.example',
      ipAddress: '10.40.0.1',
      additionalAddresses: ['10.40.0.2', 'alias.move.example'],
      websiteUrl: 'https://old-console.move.example',
      applications: ['ssms'],
    });
    assert.deepEqual(await indexItemsOf(tenant.id, system.id), [
      `SYS_ADDR#host:alias.move.example#${system.id}`,
      `SYS_ADDR#host:old.move.example#${system.id}`,
      `SYS_ADDR#ip:10.40.0.1#${system.id}`,
      `SYS_ADDR#ip:10.40.0.2#${system.id}`,
      `SYS_ADDR#short:alias#${system.id}`,
      `SYS_ADDR#short:old#${system.id}`,
      `SYS_ADDR#url:old-console.move.example#${system.id}`,
    ]);

    const patched = await harness.call<SystemView>('PATCH', `/v1/systems/${system.id}`, {
      token,
      body: {
        hostname: 'new.move.example',
        ipAddress: 'FD00::1',
        additionalAddresses: ['alias.move.example'],
        websiteUrl: 'http://new-console.move.example/',
        applications: ['sqlplus', 'toad'],
      },
    });
    assert.equal(patched.status, 200, patched.text);
    assert.deepEqual(patched.body.applications, ['sqlplus', 'toad']);
    assert.deepEqual(await byAddress(tenant, 'old.move.example'), []);
    assert.deepEqual(await byAddress(tenant, 'old'), []);
    assert.deepEqual(await byAddress(tenant, '10.40.0.1'), []);
    assert.deepEqual(await byAddress(tenant, '10.40.0.2'), []);
    assert.deepEqual(ids(await findByTarget(tenant.id, { url: 'https://old-console.move.example' })), []);
    assert.deepEqual(await byAddress(tenant, 'new.move.example'), [system.id]);
    assert.deepEqual(await byAddress(tenant, 'fd00:0::1'), [system.id]);
    assert.deepEqual(await byAddress(tenant, 'alias.move.example'), [system.id]);
    assert.deepEqual(ids(await findByTarget(tenant.id, { url: 'https://new-console.move.example/x' })), [
      system.id,
    ]);

    const cleared = await harness.call<SystemView>('PATCH', `/v1/systems/${system.id}`, {
      token,
      body: { websiteUrl: null, ipAddress: null, additionalAddresses: [], applications: [] },
    });
    assert.equal(cleared.status, 200, cleared.text);
    assert.equal(cleared.body.websiteUrl, null);
    assert.deepEqual(cleared.body.additionalAddresses, []);
    assert.deepEqual(await indexItemsOf(tenant.id, system.id), [
      `SYS_ADDR#host:new.move.example#${system.id}`,
      `SYS_ADDR#short:new#${system.id}`,
    ]);

    // A description-only change keeps the index as it is.
    const described = await harness.call('PATCH', `/v1/systems/${system.id}`, {
      token,
      body: { description: 'x' },
    });
    assert.equal(described.status, 200, described.text);
    assert.deepEqual(await byAddress(tenant, 'new'), [system.id]);
    assert.equal((await indexItemsOf(tenant.id, system.id)).length, 2);

    const events = await harness.call('GET', `/v1/audit/events?targetId=${system.id}&action=system.update`, {
      token,
    });
    assert.equal(events.body.items.length, 3);
  });

  it('keeps concurrent address changes consistent: the index matches the stored system', async () => {
    const token = tenant.adminToken;
    const system = await createSystem(tenant, { name: 'racy', hostname: 'racy.example' });
    const responses = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        harness.call('PATCH', `/v1/systems/${system.id}`, {
          token,
          body: { additionalAddresses: [`10.50.0.${i + 1}`, `racy-${i}.example`] },
        }),
      ),
    );
    for (const response of responses) assert.ok([200, 409].includes(response.status), response.text);
    assert.ok(responses.some((r) => r.status === 200));
    const stored = await harness.call<SystemView>('GET', `/v1/systems/${system.id}`, { token });
    const [ip, host] = stored.body.additionalAddresses as [string, string];
    const short = host.split('.')[0];
    assert.deepEqual(
      await indexItemsOf(tenant.id, system.id),
      [
        `SYS_ADDR#host:${host}#${system.id}`,
        `SYS_ADDR#host:racy.example#${system.id}`,
        `SYS_ADDR#ip:${ip}#${system.id}`,
        `SYS_ADDR#short:${short}#${system.id}`,
        `SYS_ADDR#short:racy#${system.id}`,
      ].sort(),
    );
  });

  it('removes the index entries with the system', async () => {
    const token = tenant.adminToken;
    const system = await createSystem(tenant, {
      name: 'doomed',
      hostname: 'doomed.targets.example',
      additionalAddresses: ['10.60.0.1'],
      websiteUrl: 'https://doomed-console.targets.example',
    });
    assert.equal((await indexItemsOf(tenant.id, system.id)).length, 4);
    const deleted = await harness.call('DELETE', `/v1/systems/${system.id}`, { token });
    assert.equal(deleted.status, 204, deleted.text);
    assert.deepEqual(await indexItemsOf(tenant.id, system.id), []);
    assert.deepEqual(await byAddress(tenant, '10.60.0.1'), []);
    assert.deepEqual(await byAddress(tenant, 'doomed.targets.example'), []);
  });

  it('never returns another tenant’s systems', async () => {
    const hostname = `shared-${uniqueSuffix()}.iso.example`;
    const mine = await createSystem(tenant, { name: 'iso', hostname, ipAddress: '10.70.0.1' });
    const theirs = await createSystem(other, { name: 'iso', hostname, ipAddress: '10.70.0.1' });
    assert.deepEqual(await byAddress(tenant, hostname), [mine.id]);
    assert.deepEqual(await byAddress(other, hostname), [theirs.id]);
    assert.deepEqual(await byAddress(tenant, '10.70.0.1'), [mine.id]);
    assert.deepEqual(ids(await findByTarget(other.id, { hostname, ipAddresses: ['10.70.0.1'] })), [
      theirs.id,
    ]);
  });

  it('reads systems stored before addresses existed, and indexes them on their next change', async () => {
    const token = tenant.adminToken;
    const id = newId('system');
    const name = `legacy-${uniqueSuffix()}`;
    await harness.clients.dynamo.send(
      new PutCommand({
        TableName: harness.config.mainTable,
        Item: {
          pk: `T#${tenant.id}`,
          sk: `SYS#${id}`,
          entity: 'system',
          id,
          tenantId: tenant.id,
          name,
          hostname: 'legacy.old.example',
          ipAddress: null,
          platform: 'linux',
          workgroup: 'default',
          tags: [],
          description: '',
          passwordPolicyId: null,
          accountCount: 0,
          createdAt: new Date().toISOString(),
        },
      }),
    );
    const read = await harness.call<SystemView>('GET', `/v1/systems/${id}`, { token });
    assert.equal(read.status, 200, read.text);
    assert.deepEqual(read.body.additionalAddresses, []);
    assert.equal(read.body.websiteUrl, null);
    assert.deepEqual(read.body.applications, []);
    assert.deepEqual(await byAddress(tenant, 'legacy.old.example'), []);

    const patched = await harness.call('PATCH', `/v1/systems/${id}`, {
      token,
      body: { additionalAddresses: ['10.80.0.1'] },
    });
    assert.equal(patched.status, 200, patched.text);
    assert.deepEqual(await byAddress(tenant, 'legacy.old.example'), [id]);
    assert.deepEqual(await byAddress(tenant, '10.80.0.1'), [id]);
    const deleted = await harness.call('DELETE', `/v1/systems/${id}`, { token });
    assert.equal(deleted.status, 204, deleted.text);
    assert.deepEqual(await indexItemsOf(tenant.id, id), []);
  });

  it('refuses bad addresses, URLs and applications naming the field, writing nothing', async () => {
    const token = tenant.adminToken;
    const before = await harness.call('GET', '/v1/systems?limit=200', { token });
    const cases: [Record<string, unknown>, string][] = [
      [{ additionalAddresses: ['db01.example', 'not a host!'] }, 'additionalAddresses.1'],
      [{ additionalAddresses: ['010.0.0.1'] }, 'additionalAddresses.0'],
      [{ additionalAddresses: Array.from({ length: 21 }, (_, i) => `10.90.0.${i}`) }, 'additionalAddresses'],
      [{ additionalAddresses: 'db01.example' }, 'additionalAddresses'],
      [{ websiteUrl: 'ftp://files.example' }, 'websiteUrl'],
      [{ websiteUrl: 'console.example' }, 'websiteUrl'],
      [{ websiteUrl: 'https://admin:hunter2@console.example/' }, 'websiteUrl'],
      [{ websiteUrl: `https://console.example/${'x'.repeat(2048)}` }, 'websiteUrl'],
      [{ applications: ['sqlplus', '  '] }, 'applications.1'],
      [{ applications: ['x'.repeat(121)] }, 'applications.0'],
      [{ applications: ['bad\u0007bell'] }, 'applications.0'],
      [{ applications: Array.from({ length: 21 }, (_, i) => `app${i}`) }, 'applications'],
    ];
    for (const [fields, field] of cases) {
      const created = await harness.call('POST', '/v1/systems', {
        token,
        body: { name: `bad-${uniqueSuffix()}`, hostname: 'bad.example', platform: 'linux', ...fields },
      });
      assert.equal(created.status, 400, `${JSON.stringify(fields)}: ${created.text}`);
      assert.ok(
        created.body.errors.some((e: { field: string }) => e.field === field),
        `${field} in ${created.text}`,
      );
      assert.ok(!created.text.includes('hunter2'));
    }
    const system = await createSystem(tenant, { name: 'patch-bad', hostname: 'patch-bad.example' });
    const patched = await harness.call('PATCH', `/v1/systems/${system.id}`, {
      token,
      body: { websiteUrl: 'javascript:alert(1)' },
    });
    assert.equal(patched.status, 400);
    assert.equal(patched.body.errors[0].field, 'websiteUrl');
    const query = await harness.call('GET', '/v1/systems?address=-bad-', { token });
    assert.equal(query.status, 400);
    assert.equal(query.body.errors[0].field, 'address');
    const after = await harness.call('GET', '/v1/systems?limit=200', { token });
    assert.equal(after.body.items.length, before.body.items.length + 1);
  });
});
