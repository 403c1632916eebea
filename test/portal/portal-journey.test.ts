import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { portalDistDirectory } from '../local-stack/portal.ts';
import { type TestTenant, uniqueSuffix } from '../support/api-harness.ts';
import {
  type AccessibilityFinding,
  type PortalStack,
  type SignedInPage,
  screenshot,
  seriousAccessibilityFindings,
  signIn,
  startPortalStack,
} from '../support/portal-harness.ts';

/**
 * The main journey of the portal, in Chromium, against the whole local stack:
 *
 *   admin:     creates a system, an account with a password, and an access policy (one approval)
 *   requester: finds the account, asks for 45 minutes with a reason
 *   approver:  approves it in the inbox with a comment
 *   requester: reveals the password (masked before, gone after "Hide"), checks in
 *   auditor:   finds every one of those steps in the audit view
 *
 * On every page visited: a screenshot (test/artifacts/portal/) and axe-core's WCAG 2.1 A/AA checks
 * (no serious or critical finding). The password must not appear in any page before the reveal,
 * in the client bundles, or in what the portal and API servers printed.
 */
// page.evaluate callbacks run in the browser; the DOM globals they use.
declare const document: { querySelectorAll(selector: string): Iterable<{ textContent: string | null }> };
declare const navigator: { clipboard: { readText(): Promise<string> } };
declare const localStorage: Record<string, string>;
declare const sessionStorage: Record<string, string>;

let stack: PortalStack;
let tenant: TestTenant;
let requesterGroupName: string;
let approverGroupName: string;
const people = {} as Record<'requester' | 'approver' | 'auditor', { email: string; password: string }>;
const password = `Journey-${uniqueSuffix()}-Pa55!`;
const systemName = `journey-db-${uniqueSuffix()}`;
const accountName = `svc_report@${systemName}`;
const findings: AccessibilityFinding[] = [];
const pagesBeforeReveal: string[] = [];

before(async () => {
  stack = await startPortalStack();
  tenant = await stack.harness.newTenant('portal-journey');
  const token = tenant.adminToken;
  const ok = async (method: string, url: string, body?: unknown) => {
    const response = await stack.harness.call<{ id: string }>(method, url, { token, body });
    if (response.status >= 300) throw new Error(`${method} ${url}: ${response.status} ${response.text}`);
    return response.body;
  };
  requesterGroupName = `Report writers ${uniqueSuffix()}`;
  approverGroupName = `Data owners ${uniqueSuffix()}`;
  const requesters = await ok('POST', '/v1/groups', { name: requesterGroupName, roles: ['requester'] });
  const approvers = await ok('POST', '/v1/groups', { name: approverGroupName, roles: ['requester'] });
  const person = async (key: keyof typeof people, displayName: string, roles: string[], groupId?: string) => {
    const email = `${key}-${uniqueSuffix()}@journey.test`;
    const userPassword = `${key}-${uniqueSuffix()}-passphrase`;
    const user = await ok('POST', '/v1/users', { email, displayName, password: userPassword, roles });
    if (groupId) await ok('PUT', `/v1/groups/${groupId}/members/${user.id}`);
    people[key] = { email, password: userPassword };
  };
  await person('requester', 'Rita Requester', [], requesters.id);
  await person('approver', 'Owen Owner', [], approvers.id);
  await person('auditor', 'Audrey Auditor', ['auditor']);
});

after(async () => {
  await stack?.stop();
});

/** A form control by its label, with or without the " (required)" the forms add. */
const field = (page: Page, label: string) =>
  page.getByLabel(new RegExp(`^${label.replace(/[()]/g, '\\$&')}( \\(required\\))?$`));

/** Waits until the page has streamed in (no loading placeholder left, network quiet). */
async function settle(page: Page) {
  await page.waitForLoadState('networkidle');
  await page.waitForFunction(
    () =>
      ![...document.querySelectorAll('[role="status"]')].some((element) =>
        /^Loading/.test(element.textContent?.trim() ?? ''),
      ),
  );
}

async function visit(page: Page, name: string, options: { beforeReveal?: boolean } = {}) {
  await settle(page);
  await screenshot(page, name);
  findings.push(...(await seriousAccessibilityFindings(page, name)));
  if (options.beforeReveal !== false) pagesBeforeReveal.push(await page.content());
}

/**
 * The requester works from the office network. The local portal takes the person's address from
 * X-Forwarded-For (as it takes CloudFront's viewer address on AWS) and forwards it, signed, to
 * the API: the policy's network condition applies to the person, and the audit trail shows them.
 */
const officeNetwork = '198.51.100.0/24';
const requesterAddress = '198.51.100.23';

const as = (who: keyof typeof people | 'admin', from?: string): Promise<SignedInPage> =>
  signIn(
    stack.browser,
    stack.portal.url,
    who === 'admin'
      ? { tenant: tenant.slug, email: tenant.adminEmail, password: tenant.adminPassword }
      : { tenant: tenant.slug, ...people[who] },
    from ? { 'x-forwarded-for': from } : undefined,
  );

describe('the portal journey', () => {
  let accountId = '';

  it('admin creates a system, an account with its password, and an access policy', async () => {
    const { context, page } = await as('admin');
    await visit(page, '01-admin-home');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).click();
    await page.waitForURL(/\/admin$/);
    await settle(page);
    await visit(page, '02-admin-overview');

    await page.goto('/admin/systems/new');
    await field(page, 'Name').fill(systemName);
    await field(page, 'Platform').selectOption('postgresql');
    await field(page, 'Hostname').fill(`${systemName}.corp.example`);
    await visit(page, '03-admin-new-system');
    await page.getByRole('button', { name: 'Create system' }).click();
    await page.waitForURL(/\/admin\/systems\/sys_/);
    await settle(page);
    await visit(page, '04-admin-system');

    await page
      .getByRole('link', { name: /Add account/ })
      .first()
      .click();
    await page.waitForURL(/\/admin\/accounts\/new\?systemId=sys_/);
    await settle(page);
    await field(page, 'User name').fill('svc_report');
    await field(page, 'Kind').selectOption('database');
    await page.getByLabel('Type the password').check();
    await field(page, 'Password').fill(password);
    await visit(page, '05-admin-new-account');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(/\/admin\/accounts\/acc_/);
    await settle(page);
    accountId = /\/admin\/accounts\/(acc_[0-9A-Z]+)/.exec(page.url())?.[1] ?? '';
    assert.ok(accountId, page.url());
    assert.ok(!(await page.content()).includes(password), 'the typed password is not echoed back');
    await visit(page, '06-admin-account');

    await page.goto('/admin/access-policies/new');
    await field(page, 'Name').fill('Reporting database: one approval');
    await page.getByRole('group', { name: 'Requester groups' }).getByLabel(requesterGroupName).check();
    await page.getByRole('group', { name: 'Systems' }).getByLabel(systemName).check();
    await page.getByRole('radio', { name: /Approvers must agree/ }).check();
    await field(page, 'Approvals needed').fill('1');
    await page.getByRole('group', { name: 'Approver groups' }).getByLabel(approverGroupName).check();
    await field(page, 'Allowed networks').fill(officeNetwork);
    await visit(page, '07-admin-new-policy');
    await page.getByRole('button', { name: 'Create policy' }).click();
    await page.waitForURL(/\/admin\/access-policies\/apo_/);
    await settle(page);
    await visit(page, '08-admin-policy');
    await context.close();
  });

  it('requester outside the allowed network is told the policy does not allow a request', async () => {
    const { context, page } = await as('requester');
    await page.goto(`/accounts/${accountId}/request`);
    await settle(page);
    assert.match(
      await page.locator('main').innerText(),
      /This policy does not allow a request right now: .*network/i,
    );
    await context.close();
  });

  it('requester finds the account and asks for access with a reason', async () => {
    const { context, page } = await as('requester', requesterAddress);
    await visit(page, '09-requester-home');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Accounts' }).click();
    await page.waitForURL(/\/accounts/);
    await settle(page);
    await field(page, 'User name starts with').fill('svc_report');
    await page
      .getByRole('button', { name: /Apply|Filter|Search/ })
      .first()
      .click();
    await page.waitForURL(/username=svc_report/);
    await settle(page);
    await visit(page, '10-requester-accounts');
    await page.getByRole('link', { name: `Request access to ${accountName}` }).click();
    await page.waitForURL(/\/accounts\/acc_.*\/request/);
    await settle(page);
    assert.match(await page.locator('main').innerText(), new RegExp(`1 approval.*${approverGroupName}`, 's'));
    await field(page, 'Duration in minutes').fill('45');
    await field(page, 'Reason').fill('Month-end revenue report for finance');
    await visit(page, '11-requester-request-form');
    await page.getByRole('button', { name: 'Send the request' }).click();
    await page.waitForURL(/\/releases\?requested=req_/);
    await settle(page);
    assert.match(await page.locator('main').innerText(), /waiting for approval|waits for/i);
    await visit(page, '12-requester-waiting');
    await context.close();
  });

  it('approver approves it from the inbox with a comment', async () => {
    const { context, page } = await as('approver');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Approvals' }).click();
    await page.waitForURL(/\/approvals/);
    await settle(page);
    const main = await page.locator('main').innerText();
    assert.match(main, /Rita Requester|requester-/);
    assert.match(main, /Month-end revenue report for finance/);
    assert.match(main, /svc_report/);
    await visit(page, '13-approver-inbox');
    await field(page, 'Comment').first().fill('Approved for the month-end close');
    await page.getByRole('button', { name: new RegExp(`^Approve .*${accountName}`) }).click();
    await page.waitForURL(/approved=/);
    await settle(page);
    // What I decided: the request, my decision and comment, under "Decided recently".
    const decided = page
      .getByRole('region', { name: 'Decided recently' })
      .getByRole('row')
      .filter({ hasText: accountName });
    assert.match(await decided.innerText(), /Approved[\s\S]*Approved for the month-end close[\s\S]*active/);
    await visit(page, '14-approver-approved');
    await context.close();
  });

  it('requester reveals the password (masked first, hidden again) and checks in', async () => {
    const { context, page } = await as('requester', requesterAddress);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: stack.portal.url });
    // Home: the 30-day chart counts the request made today (GET /v1/access-activity).
    await settle(page);
    const chart = page.getByRole('region', { name: 'Access activity, last 30 days' });
    assert.match(
      await chart.locator('figcaption').innerText(),
      /^1 request in the last 30 days \(your requests\), by day in UTC\.$/,
    );
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My access' }).click();
    await page.waitForURL(/\/releases/);
    await settle(page);
    await visit(page, '15-requester-active-release');
    assert.ok(!(await page.content()).includes(password), 'masked until revealed');
    await page.getByRole('button', { name: new RegExp(`Reveal password.*${accountName}`) }).click();
    const secret = page.locator('.secret');
    await secret.waitFor();
    assert.equal(await secret.innerText(), password);
    await visit(page, '16-requester-revealed', { beforeReveal: false });
    await page.getByRole('button', { name: 'Copy' }).click();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), password);
    await page.getByRole('button', { name: 'Hide' }).click();
    await secret.waitFor({ state: 'detached' });
    assert.ok(!(await page.content()).includes(password), 'gone from the page after Hide');
    const storage = await page.evaluate(
      () => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }),
    );
    assert.ok(!storage.includes(password));

    await page.getByRole('button', { name: new RegExp(`Check in.*${accountName}`) }).click();
    await page.waitForURL(/checkedIn=/);
    await settle(page);
    await visit(page, '17-requester-checked-in', { beforeReveal: false });
    await context.close();
  });

  it('auditor sees every step in the audit view', async () => {
    const { context, page } = await as('auditor');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit' }).click();
    await page.waitForURL(/\/audit/);
    await settle(page);
    await visit(page, '18-auditor-audit', { beforeReveal: false });
    const steps = [
      'system.create',
      'account.create',
      'credential.set',
      'access-policy.create',
      'access-request.create',
      'access-request.approve',
      'release.activate',
      'credential.reveal',
      'release.check-in',
    ];
    const trail = await page.locator('main table').first().innerText();
    for (const step of steps) assert.ok(trail.includes(step), `${step} is in the audit view`);
    // The requester's steps carry their own address, forwarded by the portal; the others the
    // portal's loopback address (nobody forwarded one for them).
    const rows = await page.locator('main table').first().locator('tbody tr').allInnerTexts();
    for (const step of ['access-request.create', 'credential.reveal', 'release.check-in']) {
      const row = rows.find((line) => line.includes(step)) ?? '';
      assert.ok(row.includes(requesterAddress), `${step} shows ${requesterAddress}: ${row}`);
    }
    const approval = rows.find((line) => line.includes('access-request.approve')) ?? '';
    assert.ok(!approval.includes(requesterAddress), approval);
    await field(page, 'Target id').fill(accountId);
    await page
      .getByRole('button', { name: /Apply|Filter|Search/ })
      .first()
      .click();
    await page.waitForURL(new RegExp(`targetId=${accountId}`));
    await settle(page);
    await visit(page, '19-auditor-account-trail', { beforeReveal: false });
    const accountTrail = await page.locator('main table').first().innerText();
    for (const step of ['account.create', 'credential.set', 'credential.reveal']) {
      assert.ok(accountTrail.includes(step), `${step} in the account's trail`);
    }
    await page.getByRole('button', { name: 'Verify the chain' }).click();
    await page.getByText(/Chain intact/i).waitFor();
    await visit(page, '20-auditor-verified', { beforeReveal: false });
    await context.close();
  });

  it('found no serious or critical accessibility violation on any page', () => {
    assert.deepEqual(findings, []);
  });

  it('kept the password out of pages before the reveal, the client bundles and every log', () => {
    assert.ok(pagesBeforeReveal.length >= 10, `${pagesBeforeReveal.length} pages captured`);
    for (const html of pagesBeforeReveal) assert.ok(!html.includes(password));
    const staticDirectory = path.join(portalDistDirectory, 'static');
    const files: string[] = [];
    const walk = (directory: string) => {
      for (const entry of readdirSync(directory)) {
        const full = path.join(directory, entry);
        if (statSync(full).isDirectory()) walk(full);
        else files.push(full);
      }
    };
    walk(staticDirectory);
    assert.ok(files.some((file) => file.endsWith('.js')));
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      assert.ok(!text.includes(password), `${file} holds the password`);
      // Server-only code never reaches the browser: the session key, Secrets Manager, the API's address.
      for (const marker of [
        'STRONGROOM_WEB_SESSION_SECRET',
        'STRONGROOM_WEB_CLIENT_ADDRESS_KEY',
        'GetSecretValueCommand',
        'STRONGROOM_API_URL',
      ]) {
        assert.ok(!text.includes(marker), `${path.basename(file)} contains ${marker}`);
      }
    }
    assert.ok(!stack.portal.output().includes(password), 'the portal server printed the password');
    assert.ok(!stack.apiLog.join('\n').includes(password), 'the API logged the password');
  });
});
