import { gzipSync } from 'node:zlib';
import { ensurePortalBuilt } from '../local-stack/portal.ts';
import { type PortalStack, signIn, startPortalStack } from '../support/portal-harness.ts';

/**
 * The portal's first-load JavaScript per route, measured in the browser: every script the page
 * loads on a cold visit (fresh profile, empty cache), gzip-compressed here at level 9 the way a
 * CDN would serve it, summed per route. Also the server's time to the first byte of each page.
 */
const routes = (ids: { accountId: string; systemId: string }) => [
  '/sign-in',
  '/',
  '/accounts',
  `/accounts/${ids.accountId}`,
  `/accounts/${ids.accountId}/request`,
  '/releases',
  '/approvals',
  '/audit',
  '/admin',
  '/admin/systems',
  `/admin/systems/${ids.systemId}`,
  '/admin/systems/new',
  '/admin/import',
  '/admin/password-policies',
  '/admin/access-policies',
  '/admin/access-policies/new',
  '/admin/users',
  '/admin/groups',
  '/admin/roles',
];

export async function benchPortal(log: (line: string) => void) {
  const build = await ensurePortalBuilt((line) => log(`  ${line}`));
  const stack: PortalStack = await startPortalStack();
  try {
    const tenant = await stack.harness.newTenant('portal-bench');
    const token = tenant.adminToken;
    const system = await stack.harness.call<{ id: string }>('POST', '/v1/systems', {
      token,
      body: { name: 'bench-web-01', hostname: 'web-01.bench.example', platform: 'linux' },
    });
    const account = await stack.harness.call<{ id: string }>('POST', '/v1/accounts', {
      token,
      body: { systemId: system.body.id, username: 'deploy', kind: 'local' },
    });
    const ids = { accountId: account.body.id, systemId: system.body.id };
    const signedIn = await signIn(stack.browser, stack.portal.url, {
      tenant: tenant.slug,
      email: tenant.adminEmail,
      password: tenant.adminPassword,
    });
    const [cookie] = await signedIn.context.cookies();
    await signedIn.context.close();

    const perRoute: Record<string, number> = {};
    const timeToFirstByte: Record<string, number> = {};
    for (const route of routes(ids)) {
      const context = await stack.browser.newContext({ baseURL: stack.portal.url });
      if (cookie && route !== '/sign-in') await context.addCookies([cookie]);
      const page = await context.newPage();
      const scripts = new Map<string, Buffer>();
      page.on('response', async (response) => {
        if (response.request().resourceType() !== 'script') return;
        scripts.set(response.url(), await response.body().catch(() => Buffer.alloc(0)));
      });
      const response = await page.goto(route, { waitUntil: 'networkidle' });
      if (
        !response ||
        response.status() >= 400 ||
        new URL(page.url()).pathname !== new URL(route, 'http://x').pathname
      ) {
        log(`  ${route}: not measured (status ${response?.status()}, ended at ${page.url()})`);
        await context.close();
        continue;
      }
      const timing = await page.evaluate(() => {
        const [navigation] = performance.getEntriesByType('navigation' as never) as unknown as {
          requestStart: number;
          responseStart: number;
        }[];
        return navigation ? navigation.responseStart - navigation.requestStart : 0;
      });
      let gzipBytes = 0;
      for (const body of scripts.values()) gzipBytes += gzipSync(body, { level: 9 }).length;
      const label = route.replace(ids.accountId, '[accountId]').replace(ids.systemId, '[systemId]');
      perRoute[label] = Number((gzipBytes / 1024).toFixed(1));
      timeToFirstByte[label] = Number(timing.toFixed(1));
      log(
        `  ${label}: ${perRoute[label]} KB gzip first-load JS (${scripts.size} scripts), TTFB ${timeToFirstByte[label]} ms`,
      );
      await context.close();
    }
    const sizes = Object.values(perRoute);
    return {
      portalBuildSeconds: build.built ? Number((build.ms / 1000).toFixed(1)) : null,
      portalRoutesMeasured: sizes.length,
      portalFirstLoadJsKbGzipMax: sizes.length ? Math.max(...sizes) : null,
      portalFirstLoadJsKbGzip: perRoute,
      portalTimeToFirstByteMs: timeToFirstByte,
    };
  } finally {
    await stack.stop();
  }
}
