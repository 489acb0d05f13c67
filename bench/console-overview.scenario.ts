import { createServer } from 'node:net';
import { DEMO_USERS, startDemoIdp, tollgateOidcEnv } from '../apps/demo-idp/src/demo-idp';
import type { Figure } from './bench-report';
import { createBenchDatabase, nowMs, seedSlackConnections, summarize, type ScenarioContext } from './bench-support';
import { launchChromium } from './chromium';
import { generateDrifts } from './drift-report.scenario';
import { startApp } from './tollgate-under-bench';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * The console's overview at 1,000 connections, in the real browser: Debian's chromium signs in
 * through the demo identity provider as the CISO, then loads `/` again and again; each figure runs
 * from navigation to the page marking itself ready (session read, GET /reports/overview, DOM and
 * chart drawn). Reference: the overview's API call alone, fetched from the same page.
 */
export async function consoleOverviewScenario(ctx: ScenarioContext): Promise<Figure[]> {
  const connections = 1000;
  const drifts = ctx.quick ? 20_000 : 100_000;
  const runs = ctx.quick ? 5 : 10;
  const bench = await createBenchDatabase();
  const port = await freePort();
  const idp = await startDemoIdp({ redirectUris: [`http://127.0.0.1:${port}/auth/callback`], postLogoutRedirectUris: [`http://127.0.0.1:${port}/`] });
  try {
    const ids = await seedSlackConnections(bench.ds, {
      count: connections,
      simUrl: 'http://127.0.0.1:9',
      token: () => 'xoxp-bench',
      intervalSeconds: 3600,
      firstDueInSeconds: () => 86_400,
    });
    // 40 findings per connection (30 pass, 10 fail), confirmed now; one connection in fifty failing its polls.
    await bench.ds.query(
      `UPDATE connections SET last_success_at = now(), findings_confirmed_at = now(),
              consecutive_failures = CASE WHEN right(name, 2) = '50' THEN 3 ELSE 0 END,
              findings = (SELECT jsonb_agg(jsonb_build_object('controlId', 'SLACK.BENCH.' || g, 'resourceKey', 'org',
                                                              'status', CASE WHEN g <= 30 THEN 'pass' ELSE 'fail' END))
                          FROM generate_series(1, 40) g)`,
    );
    await generateDrifts(bench.ds, drifts, ids);
    ctx.log(`seeded ${connections} connections and ${drifts} drifts`);
    const app = await startApp(bench.url, { TOLLGATE_ROLE: 'api', ...tollgateOidcEnv(idp, `http://127.0.0.1:${port}`) }, port);
    const browser = await launchChromium();
    try {
      const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
      const ciso = DEMO_USERS.find((u) => u.login === 'ciso')!;
      await page.goto(`${app.url}/auth/login`);
      await page.getByLabel('User').fill(ciso.login);
      await page.getByLabel('Password').fill(ciso.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForSelector('main[data-ready="overview"]', { timeout: 60_000 });
      const rows = await page.locator('table.connections tbody tr').count();
      if (rows !== connections) throw new Error(`the overview showed ${rows} connections, expected ${connections}`);

      const loads: number[] = [];
      const apis: number[] = [];
      for (let i = 0; i < runs + 1; i++) {
        const start = nowMs();
        await page.goto(app.url);
        await page.waitForSelector('main[data-ready="overview"]', { timeout: 60_000 });
        const loaded = nowMs() - start;
        const api = await page.evaluate(async () => {
          const t0 = performance.now();
          await (await fetch('/api/v1/reports/overview')).json();
          return performance.now() - t0;
        });
        // The first load warms the server's and the browser's caches.
        if (i === 0) continue;
        loads.push(loaded);
        apis.push(api);
      }
      const load = summarize(loads);
      const api = summarize(apis);
      ctx.log(`overview at ${connections} connections: p50 ${load.median.toFixed(0)} ms, p95 ${load.p95.toFixed(0)} ms; API alone p50 ${api.median.toFixed(0)} ms`);
      return (['p50', 'p95'] as const).map((q) => ({
        scenario: 'console overview',
        figure: `overview loaded and rendered in chromium, ${connections} connections, ${drifts.toLocaleString('en-US')} drifts, ${q}`,
        value: q === 'p50' ? load.median : load.p95,
        unit: 'ms',
        reference: { what: `GET /reports/overview alone, from the page, ${q}`, value: q === 'p50' ? api.median : api.p95, unit: 'ms' },
        targets: [{ on: 'value', op: '<', limit: 1000 }],
      }));
    } finally {
      await browser.close();
      await app.close();
    }
  } finally {
    await idp.close();
    await bench.drop();
  }
}
