import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestTenant } from '../support/api-harness.ts';
import {
  type PortalStack,
  screenshot,
  seriousAccessibilityFindings,
  signIn,
  startPortalStack,
} from '../support/portal-harness.ts';

/**
 * The portal's session in a real browser: the sealed cookie's flags, the security headers and
 * CSP, CSRF defences, keyboard-only sign-in, sign-out, and the inactivity warning and sign-out.
 */
// Callbacks passed to page.evaluate run in the browser; these are the few DOM globals they use.
declare const document: {
  activeElement: { getAttribute(name: string): string | null } | null;
  cookie: string;
};

let stack: PortalStack;
let tenant: TestTenant;

before(async () => {
  stack = await startPortalStack();
  tenant = await stack.harness.newTenant('portal-session');
});
after(async () => {
  await stack?.stop();
});

const admin = () => ({ tenant: tenant.slug, email: tenant.adminEmail, password: tenant.adminPassword });

describe('portal session', () => {
  it('signs in with the keyboard only and keeps the tokens in a sealed, httpOnly, Secure, SameSite=Strict cookie', async () => {
    const context = await stack.browser.newContext({ baseURL: stack.portal.url });
    const page = await context.newPage();
    const response = await page.goto('/');
    assert.ok(page.url().includes('/sign-in'), 'signed-out users land on the sign-in page');
    assert.ok(response);
    const headers = (await page.goto('/sign-in'))?.headers() ?? {};
    const csp = headers['content-security-policy'] ?? '';
    assert.match(csp, /script-src 'self' 'nonce-[^']+' 'strict-dynamic'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(headers['x-frame-options'], 'DENY');
    assert.equal(headers['x-content-type-options'], 'nosniff');
    assert.equal(headers['referrer-policy'], 'no-referrer');
    assert.equal(headers['x-powered-by'], undefined);

    assert.deepEqual(await seriousAccessibilityFindings(page, 'sign-in'), []);
    // Keyboard only: Tab into the form, type, Enter.
    await page.keyboard.press('Tab');
    let guard = 0;
    while (
      (await page.evaluate(() => document.activeElement?.getAttribute('name'))) !== 'tenant' &&
      guard++ < 10
    ) {
      await page.keyboard.press('Tab');
    }
    await page.keyboard.type(tenant.slug);
    await page.keyboard.press('Tab');
    await page.keyboard.type(tenant.adminEmail);
    await page.keyboard.press('Tab');
    await page.keyboard.type(tenant.adminPassword);
    await page.keyboard.press('Enter');
    await page.waitForURL((url) => url.pathname === '/');
    await screenshot(page, 'session-home');

    const cookies = await context.cookies();
    assert.equal(cookies.length, 1, JSON.stringify(cookies.map((c) => c.name)));
    const [cookie] = cookies;
    assert.equal(cookie?.name, '__Host-strongroom-session');
    assert.equal(cookie?.httpOnly, true);
    assert.equal(cookie?.secure, true);
    assert.equal(cookie?.sameSite, 'Strict');
    assert.equal(cookie?.path, '/');
    // Sealed: neither the JWT nor the refresh token can be read out of it.
    assert.ok(!cookie?.value.includes('eyJ0eXAi') && cookie?.value.split('.').length === 5, 'a compact JWE');
    assert.equal(await page.evaluate(() => document.cookie), '', 'no cookie is visible to scripts');
    const storage = await page.evaluate(
      () => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }),
    );
    assert.equal(storage, '{}{}');
    const html = await page.content();
    assert.ok(!html.includes('eyJ'), 'no token in the page');
    await context.close();
  });

  it('refuses a forged cookie and mutations from another origin or without the CSRF token', async () => {
    const { context, page } = await signIn(stack.browser, stack.portal.url, admin());
    const [cookie] = await context.cookies();
    assert.ok(cookie);

    const forged = await fetch(`${stack.portal.url}/`, {
      headers: { cookie: `${cookie.name}=${cookie.value.slice(0, -4)}AAAA` },
      redirect: 'manual',
    });
    assert.equal(forged.status, 307);
    assert.match(forged.headers.get('location') ?? '', /\/sign-in/);

    const crossSite = await fetch(`${stack.portal.url}/api/session`, {
      method: 'POST',
      headers: {
        cookie: `${cookie.name}=${cookie.value}`,
        origin: 'https://attacker.example',
        'sec-fetch-site': 'cross-site',
        'x-strongroom-activity': 'active',
      },
    });
    assert.equal(crossSite.status, 403);

    const withoutToken = await page.evaluate(async () => {
      const response = await fetch('/api/session', {
        method: 'POST',
        headers: { 'x-strongroom-activity': 'active' },
      });
      return response.status;
    });
    assert.equal(withoutToken, 403, 'same origin but no CSRF token');
    await context.close();
  });

  it('signs out: the cookie is cleared and the API session ends', async () => {
    const { context, page } = await signIn(stack.browser, stack.portal.url, admin());
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/sign-in\?reason=signed-out/);
    assert.match(await page.getByRole('status').first().innerText(), /signed out/i);
    assert.deepEqual(
      (await context.cookies()).filter((c) => c.value !== ''),
      [],
    );
    await page.goto('/');
    assert.ok(page.url().includes('/sign-in'));
    const revoked = await stack.harness.call<{ items: { actor: { id: string } }[] }>(
      'GET',
      '/v1/audit/events?action=auth.session.revoke',
      { token: tenant.adminToken },
    );
    assert.equal(revoked.status, 200, revoked.text);
    assert.ok(revoked.body.items.length >= 1, 'the API session was revoked (audited)');
    await context.close();
  });

  it('warns before the inactivity sign-out, stays signed in on request, then signs out when idle', async () => {
    // The same build with a 25-second limit instead of 15 minutes, and the warning 20 s before it:
    // the dialog comes after 5 idle seconds and stays long enough to be examined on a busy machine.
    const shortLived = await stack.startAnotherPortal({
      STRONGROOM_WEB_INACTIVITY_SECONDS: '25',
      STRONGROOM_WEB_INACTIVITY_WARNING_SECONDS: '20',
    });
    const { context, page } = await signIn(stack.browser, shortLived.url, admin());
    const dialog = page.getByRole('alertdialog', { name: 'Are you still there?' });
    await dialog.waitFor({ timeout: 15_000 });
    assert.deepEqual(await seriousAccessibilityFindings(page, 'inactivity warning'), []);
    await screenshot(page, 'session-inactivity-warning');
    const stay = page.getByRole('button', { name: 'Stay signed in' });
    assert.equal(
      await stay.evaluate((button) => button === document.activeElement),
      true,
      'focus moves to the dialog',
    );
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'hidden', timeout: 5_000 });

    await page.waitForURL(/\/sign-in\?reason=inactive/, { timeout: 45_000 });
    assert.match(await page.getByRole('status').first().innerText(), /15 minutes|without activity/i);
    await page.goto('/');
    assert.ok(page.url().includes('/sign-in'), 'the session is over on the server too');
    await context.close();
  });
});
