import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, Locator, Page } from 'playwright-core';
import { parse } from 'csv-parse/sync';
import { COMPLIANT_SLACK_IDS, putCompliantSlackTenant, slackConnection, startSimulator } from './support/simulator';
import { startSignInStack, type SignInStack } from './support/sign-in-stack';
import { launchChromium } from '../bench/chromium';
import { pollNow, type RunningTollgate } from './support/tollgate';
import { DEMO_ROLE_MAPPING, DEMO_USERS } from '../apps/demo-idp/src/demo-idp';

const TOKEN = 'xoxp-console-0001';
const [TEAM_A, TEAM_B] = COMPLIANT_SLACK_IDS.teamIds;
// The README's screenshots are rewritten only when asked (TOLLGATE_UPDATE_SCREENSHOTS=1): a test run leaves the tree clean.
const SCREENSHOTS = process.env.TOLLGATE_UPDATE_SCREENSHOTS === '1' ? join(__dirname, '..', 'docs', 'screenshots') : mkdtempSync(join(tmpdir(), 'tollgate-console-'));

/** Waits until the locator's first match has text containing (or matching) `pattern` (pages render after their API calls). */
async function hasText(locator: Locator, pattern: RegExp | string, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last: string | null = null;
  for (;;) {
    last = (await locator.count()) > 0 ? await locator.first().innerText() : null;
    if (last !== null && (typeof pattern === 'string' ? last.includes(pattern) : pattern.test(last))) return;
    if (Date.now() > until) throw new Error(`expected ${String(locator)} to have text ${String(pattern)}, it had ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits until the locator matches `n` elements. */
async function hasCount(locator: Locator, n: number, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while ((await locator.count()) !== n) {
    if (Date.now() > until) throw new Error(`expected ${String(locator)} ${n} times, found ${await locator.count()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const visible = (locator: Locator) => locator.first().waitFor({ state: 'visible', timeout: 10_000 });

/**
 * The console in a real browser (Debian's chromium driven by playwright-core): people sign in
 * through the demo OIDC provider's login form, read the overview, open a drift, request an exception
 * and meet the four-eyes rule on screen, download the CSV report. axe-core checks every page.
 */
describe('the console in a browser', () => {
  let stack: SignInStack;
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  let t: RunningTollgate;
  let chromium: Browser;
  let connectionId: string;
  const cspErrors: string[] = [];

  /** A new browser context (its own cookies) signed in as `login` through the provider's form. */
  async function signedIn(login: string): Promise<Page> {
    const user = DEMO_USERS.find((u) => u.login === login)!;
    const context = await chromium.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    const page = await context.newPage();
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) cspErrors.push(m.text());
    });
    await page.goto(t.url);
    await page.waitForSelector('main[data-ready="signed-out"]');
    await page.getByRole('link', { name: 'Sign in' }).first().click();
    await page.getByLabel('User').fill(user.login);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForSelector('main[data-ready="overview"]');
    await hasText(page.locator('#who'), user.email);
    await hasText(page.locator('#who .role'), user.role);
    return page;
  }

  async function ready(page: Page, name: string): Promise<void> {
    await page.waitForSelector(`main[data-ready="${name}"]`);
  }

  /** No serious or critical accessibility violation on the page as it is now. */
  async function accessible(page: Page): Promise<void> {
    const { violations } = await new AxeBuilder({ page }).analyze();
    const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
    expect(bad).toEqual([]);
  }

  beforeAll(async () => {
    // The console is served from the build output, as in production; esbuild takes about a second.
    execFileSync(process.execPath, [join(__dirname, '..', 'scripts', 'build-console.cjs')]);
    sim = await startSimulator();
    await putCompliantSlackTenant(sim, TOKEN);
    // The tenant drifts: two teams become discoverable by anyone.
    for (const team of [TEAM_A, TEAM_B]) await sim.control().patch(`/_sim/slack/tenants/${TOKEN}/teams/${team}`).send({ discoverability: 'open' }).expect(200);
    stack = await startSignInStack();
    [t] = stack.apps;
    connectionId = (await t.api().post('/connections').send(slackConnection(sim, TOKEN, 'Acme Slack')).expect(201)).body.id;
    await pollNow(t, connectionId);
    chromium = await launchChromium();
  });

  afterAll(async () => {
    await chromium?.close();
    await stack?.close();
    await sim?.close();
  });

  afterEach(() => {
    // uPlot, the pages and the styles run under the CSP without a single refusal.
    expect(cspErrors).toEqual([]);
  });

  it('serves the console at / with a strict Content-Security-Policy, and leaves the API, /docs, /healthz and /metrics where they were', async () => {
    const res = await fetch(`${t.url}/`);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    const html = await res.text();
    expect(html).not.toMatch(/<script>|<script [^>]*>[^<]|https?:\/\//);
    expect((await fetch(`${t.url}/drifts/00000000-0000-4000-8000-000000000000`)).headers.get('content-type')).toMatch(/text\/html/);
    expect((await fetch(`${t.url}/app.js`)).headers.get('content-type')).toMatch(/javascript/);
    expect((await fetch(`${t.url}/api/v1/connections`)).status).toBe(401);
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${t.url}/docs-json`)).status).toBe(200);
    expect((await fetch(`${t.url}/metrics`)).status).toBe(200);
    expect((await fetch(`${t.url}/no-such-page`)).status).toBe(404);
  });

  it('shows a visitor only a sign-in button, accessibly', async () => {
    const page = await (await chromium.newContext()).newPage();
    await page.goto(t.url);
    await ready(page, 'signed-out');
    expect(await page.getByRole('link', { name: 'Sign in' }).first().getAttribute('href')).toBe('/auth/login');
    await accessible(page);
    await page.context().close();
  });

  it('signs the CISO in through the provider and shows the overview: scores, open drifts, the week, stale connections, the evidence state', async () => {
    const page = await signedIn('ciso');
    const row = page.locator('table.connections tbody tr', { hasText: 'Acme Slack' });
    await hasCount(row, 1);
    await hasText(row.locator('td').nth(2), /^\d+%$/);
    await visible(page.locator('section', { hasText: 'Open drifts by severity' }).locator('tr', { hasText: 'medium' }).or(page.locator('section', { hasText: 'Open drifts by severity' }).locator('tr', { hasText: 'high' })).first());
    await hasText(page.locator('dl.figures'), 'Drifts opened');
    await hasText(page.locator('dl.figures dd').first(), /^2$/);
    await visible(page.locator('canvas').first());
    await visible(page.getByText(/Verifying the ledger is for auditors/));
    await accessible(page);
    await page.screenshot({ path: join(SCREENSHOTS, 'overview.png'), fullPage: true });

    await page.getByRole('link', { name: 'Acme Slack' }).first().click();
    await ready(page, 'connection');
    await hasText(page.getByRole('heading', { level: 1 }), 'Acme Slack');
    await visible(page.getByRole('heading', { name: 'Poll health' }));
    const failing = page.locator('details.control.failing').first();
    await failing.locator('summary').click();
    await visible(failing.getByRole('heading', { name: 'Rationale' }));
    await visible(failing.getByRole('heading', { name: 'Remediation' }));
    await hasCount(page.locator('section', { hasText: 'Drift history' }).locator('tbody tr'), 2);
    await accessible(page);
    await page.screenshot({ path: join(SCREENSHOTS, 'connection.png'), fullPage: true });
    await page.context().close();
  });

  it('lets an operator request an exception on a drift but not approve it; an approver approves it', async () => {
    const op = await signedIn('operator');
    await op.goto(`${t.url}/connections/${connectionId}`);
    await ready(op, 'connection');
    await op.getByRole('link', { name: new RegExp(`team:${TEAM_A}`) }).or(op.locator('tr', { hasText: `team:${TEAM_A}` }).getByRole('link')).first().click();
    await ready(op, 'drift');
    await visible(op.getByRole('heading', { name: 'Expected' }));
    await visible(op.getByRole('heading', { name: 'Observed' }));
    await hasText(op.locator('ol.timeline li').first(), 'opened');
    await accessible(op);
    await op.getByLabel('Justification').fill('the partner programme needs this team discoverable until the launch');
    await op.getByRole('button', { name: 'Request exception' }).click();
    await hasText(op.locator('[data-field="state"]'), /^requested$/);
    const approve = op.getByRole('button', { name: 'Approve' });
    await visible(approve);
    expect(await approve.isDisabled()).toBe(true);
    await hasText(op.locator('.why'), /Your role \(operator\) cannot approve/);
    await accessible(op);
    const driftUrl = op.url();

    const approver = await signedIn('approver');
    await approver.goto(driftUrl);
    await ready(approver, 'drift');
    await visible(approver.getByRole('button', { name: 'Approve' }));
    expect(await approver.getByRole('button', { name: 'Approve' }).isEnabled()).toBe(true);
    await approver.getByLabel(/Reason/).fill('accepted until the launch');
    await approver.getByRole('button', { name: 'Approve' }).click();
    await hasText(approver.locator('[data-field="state"]'), 'approved');
    await hasText(approver.locator('[data-field="decidedBy"]'), 'approver@demo.tollgate.test');
    await hasText(approver.locator('[data-field="status"]'), 'excepted');
    await op.context().close();
    await approver.context().close();
  });

  it('shows the four-eyes rule: the requester sees the approve button disabled with the reason, the API refuses it if forced, another approver approves', async () => {
    const ada = await signedIn('approver');
    await ada.goto(`${t.url}/connections/${connectionId}`);
    await ready(ada, 'connection');
    await ada.locator('tr', { hasText: `team:${TEAM_B}` }).getByRole('link').first().click();
    await ready(ada, 'drift');
    await ada.getByLabel('Justification').fill('a second team joins the partner programme for a week');
    await ada.getByRole('button', { name: 'Request exception' }).click();
    await hasText(ada.locator('[data-field="state"]'), 'requested');
    const approve = ada.getByRole('button', { name: 'Approve' });
    await visible(approve);
    expect(await approve.isDisabled()).toBe(true);
    await hasText(ada.locator('.why'), /You \(approver@demo\.tollgate\.test\) requested this; four-eyes: another approver must decide/);
    // Forced anyway (the disabled attribute removed): the API refuses and the page says so.
    await approve.evaluate((b) => b.removeAttribute('disabled'));
    await ada.getByLabel(/Reason/).fill('approving my own request');
    await approve.click();
    await hasText(ada.getByRole('alert'), /Refused: .*HTTP 403/);
    await hasText(ada.locator('[data-field="state"]'), 'requested');

    const bo = await signedIn('approver2');
    await bo.goto(`${t.url}/exceptions`);
    await ready(bo, 'exceptions');
    const row = bo.locator('tr', { hasText: 'a second team joins' });
    await row.getByLabel(/Reason/).fill('checked with the partner team');
    await row.getByRole('button', { name: 'Approve' }).click();
    await ready(bo, 'exceptions');
    await hasCount(bo.locator('section', { hasText: 'In force' }).locator('tr', { hasText: 'a second team joins' }), 1);
    await accessible(bo);
    await ada.context().close();
    await bo.context().close();
  });

  it('gives an auditor the CSV drift report, the ledger verification and the signed head', async () => {
    const page = await signedIn('auditor');
    await hasText(page.locator('section', { hasText: 'Evidence chain' }), /Intact: \d+ entries verified/);
    await page.getByRole('link', { name: 'Auditor' }).click();
    await ready(page, 'audit');
    await hasText(page.locator('[data-field="verify"]'), 'The chain verifies.');
    await visible(page.getByRole('heading', { name: 'Signed head' }));
    await hasText(page.locator('section', { hasText: 'Signed head' }).locator('code').first(), /^[0-9a-f]{64}$/);
    await accessible(page);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download the drift report (CSV)' }).click()]);
    const csv = readFileSync((await download.path())!, 'utf8');
    const rows = parse(csv) as string[][];
    expect(rows[0]).toEqual(expect.arrayContaining(['id', 'connectionId', 'controlId', 'resourceKey', 'status']));
    const resource = rows[0].indexOf('resourceKey');
    const status = rows[0].indexOf('status');
    const a = rows.find((r) => r[resource] === `team:${TEAM_A}`)!;
    expect(a[status]).toBe('excepted');
    expect(a[rows[0].indexOf('connectionId')]).toBe(connectionId);

    const [ledger] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download the ledger (JSON)' }).click()]);
    const body = JSON.parse(readFileSync((await ledger.path())!, 'utf8')) as { signedHead: { seq: number }; items: { kind: string }[] };
    expect(body.items.map((e) => e.kind)).toEqual(expect.arrayContaining(['exception.requested', 'exception.approved']));
    expect(body.signedHead.seq).toBeGreaterThanOrEqual(body.items.length);
    await page.context().close();
  });

  it('signs out through the provider', async () => {
    const page = await signedIn('ciso');
    // The page may already stand at `/`: wait for the logout answer itself, not for a URL.
    const [logout] = await Promise.all([
      page.waitForResponse((r) => r.url() === `${t.url}/auth/logout` && r.request().method() === 'POST'),
      page.getByRole('button', { name: 'Sign out' }).click(),
    ]);
    expect(logout.status()).toBe(200);
    expect((await page.context().request.get(`${t.url}/auth/session`)).status()).toBe(401);
    await page.context().close();
  });

  // Last: it restarts the app with another role mapping.
  it('says next to the role when a person is scoped to connections, and shows only theirs', async () => {
    await t.api().post('/connections').send(slackConnection(sim, TOKEN, 'Other Slack')).expect(201);
    t = await stack.restart(0, { TOLLGATE_OIDC_ROLE_MAPPING: DEMO_ROLE_MAPPING.replace('tollgate-operators=operator', `tollgate-operators=operator:${connectionId}`) });
    const page = await signedIn('operator');
    await hasText(page.locator('#who .scope'), 'scoped to 1 connection');
    await hasCount(page.locator('table.connections tbody tr', { hasText: 'Acme Slack' }), 1);
    await hasCount(page.locator('table.connections tbody tr', { hasText: 'Other Slack' }), 0);
    await accessible(page);
    await page.context().close();

    const viewer = await signedIn('ciso');
    await hasCount(viewer.locator('table.connections tbody tr', { hasText: 'Other Slack' }), 1);
    await hasCount(viewer.locator('#who .scope'), 0);
    await viewer.context().close();
  });
});
