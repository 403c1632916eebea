import { mkdirSync } from 'node:fs';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { startApiServer } from '@strongroom/functions/local-server';
import { createLogger } from '@strongroom/functions/observability/logger';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { ensurePortalBuilt, type PortalServer, startPortal } from '../local-stack/portal.ts';
import { ensureChromiumInstalled } from '../targets/install.ts';
import { createHarness, type Harness } from './api-harness.ts';

/**
 * The portal end to end: the whole API on a loopback port (real DynamoDB Local and moto behind
 * it), a production build of web/ served by its standalone server, and Debian's Chromium driven by
 * playwright-core. Screenshots land in test/artifacts/portal/.
 */
export const artifactsDirectory = path.resolve(import.meta.dirname, '..', 'artifacts', 'portal');

/** Chromium as this machine allows it: no sandbox (root), no GPU, and no calls home. */
export const chromiumArguments = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface PortalStack {
  readonly harness: Harness;
  readonly apiUrl: string;
  readonly portal: PortalServer;
  readonly browser: Browser;
  /** API log lines (checked for secrets). */
  readonly apiLog: string[];
  /** Another portal server on the same build and API (e.g. with a short inactivity limit). */
  startAnotherPortal(env: Record<string, string>): Promise<PortalServer>;
  stop(): Promise<void>;
}

export async function startPortalStack(): Promise<PortalStack> {
  mkdirSync(artifactsDirectory, { recursive: true });
  const [harness, executablePath] = await Promise.all([createHarness(), ensureChromiumInstalled()]);
  await ensurePortalBuilt();
  const apiLog: string[] = [];
  const clientAddressKey = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url');
  const api = await startApiServer({
    composition: harness.composition,
    logger: createLogger({ service: 'portal-test-api', level: 'info', write: (line) => apiLog.push(line) }),
    port: 0,
    clientAddressKey,
  });
  const sessionSecret = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url');
  const portals: PortalServer[] = [];
  const startAnotherPortal = async (env: Record<string, string>) => {
    const portal = await startPortal({ apiUrl: api.url, sessionSecret, clientAddressKey, env });
    portals.push(portal);
    return portal;
  };
  const portal = await startAnotherPortal({});
  const browser = await chromium.launch({ executablePath, args: chromiumArguments });
  return {
    harness,
    apiUrl: api.url,
    portal,
    browser,
    apiLog,
    startAnotherPortal,
    stop: async () => {
      await browser.close().catch(() => {});
      await Promise.all(portals.map((p) => p.stop()));
      await api.close();
    },
  };
}

export interface SignedInPage {
  readonly context: BrowserContext;
  readonly page: Page;
}

/** A fresh browser profile (its own cookies) signed in through the sign-in form. */
export async function signIn(
  browser: Browser,
  baseUrl: string,
  user: { tenant: string; email: string; password: string },
  /** Headers on every request of the browser (e.g. the X-Forwarded-For an edge would add). */
  extraHTTPHeaders?: Record<string, string>,
): Promise<SignedInPage> {
  const context = await browser.newContext({
    baseURL: baseUrl,
    viewport: { width: 1280, height: 900 },
    ...(extraHTTPHeaders ? { extraHTTPHeaders } : {}),
  });
  const page = await context.newPage();
  await page.goto('/sign-in');
  await page.getByLabel('Organisation').fill(user.tenant);
  await page.getByLabel('E-mail').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/sign-in'));
  return { context, page };
}

export interface AccessibilityFinding {
  readonly page: string;
  readonly id: string;
  readonly impact: string;
  readonly help: string;
  readonly targets: string[];
}

/** axe-core's serious and critical findings on the page as it is now (WCAG 2.x A and AA rules). */
export async function seriousAccessibilityFindings(
  page: Page,
  label: string,
): Promise<AccessibilityFinding[]> {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  return results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => ({
      page: label,
      id: violation.id,
      impact: violation.impact ?? 'unknown',
      help: violation.help,
      targets: violation.nodes.slice(0, 5).map((node) => node.target.join(' ')),
    }));
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(artifactsDirectory, `${name}.png`), fullPage: true });
}
