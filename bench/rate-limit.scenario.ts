import { compliantSlackTenant } from '@tollgate/provider-sim';
import type { Figure } from './bench-report';
import { createBenchDatabase, nowMs, seedSlackConnections, simRequest, sleep, startChildSimulator, type ScenarioContext } from './bench-support';
import { COMPLIANT_PARAMETERS, startApp } from './tollgate-under-bench';

const TOKEN = 'xoxp-bench-rate';
const METHOD = 'admin.apps.approved.list';
/** Slack Tier 2: requests per minute, per method, per workspace. */
const TIER2_PER_MINUTE = 20;

interface RequestStats {
  requests: Record<string, number>;
  throttled: Record<string, number>;
}

async function stats(simUrl: string): Promise<{ sent: number; throttled: number }> {
  const s = (await simRequest(simUrl, 'GET', `/_sim/slack/tenants/${TOKEN}/requests`)) as RequestStats;
  return { sent: s.requests[METHOD] ?? 0, throttled: s.throttled[METHOD] ?? 0 };
}

/**
 * One connection to a Slack tenant whose org-level approved-apps list takes `apps` pages (page size
 * capped at 1), polled back to back, against the simulator enforcing Tier 2 on that method with its
 * minute compressed `timeScale` times. The simulator's request counts are sampled every 100 ms;
 * from the first successful call to the last one (span S) the limiter's sliding window allows at
 * most 20 × (floor(S / window) + 1) calls. Efficiency = successful calls ÷ that; failed polls must be 0.
 */
export async function rateLimitScenario(ctx: ScenarioContext): Promise<Figure[]> {
  const timeScale = ctx.quick ? 30 : 10;
  const runSeconds = ctx.quick ? 30 : 120;
  const apps = 100;
  const windowMs = 60_000 / timeScale;
  const sim = await startChildSimulator();
  const bench = await createBenchDatabase();
  try {
    const base = compliantSlackTenant(TOKEN);
    const template = base.approvedApps![0];
    const approvedApps = Array.from({ length: apps }, (_, i) => ({
      ...template,
      app: { ...template.app, id: `A0BENCH${String(i).padStart(4, '0')}`, name: `Bench app ${i}` },
    }));
    await simRequest(sim.url, 'PUT', `/_sim/slack/tenants/${TOKEN}`, {
      ...base,
      approvedApps,
      maxPageSize: 1,
      rateLimits: { enabled: true, timeScale },
    });
    await seedSlackConnections(bench.ds, { count: 1, simUrl: sim.url, token: () => TOKEN, intervalSeconds: 1, parameters: COMPLIANT_PARAMETERS });
    const app = await startApp(bench.url, { TOLLGATE_SCHEDULER_TICK_MS: '100', TOLLGATE_SHUTDOWN_GRACE_SECONDS: '0' });
    const samples: { at: number; ok: number; throttled: number }[] = [];
    try {
      const until = nowMs() + runSeconds * 1000;
      while (nowMs() < until) {
        const s = await stats(sim.url);
        samples.push({ at: nowMs(), ok: s.sent - s.throttled, throttled: s.throttled });
        await sleep(100);
      }
    } finally {
      await app.close();
    }
    const [polls]: { ok: string; failed: string; reasons: string | null }[] = await bench.ds.query(
      `SELECT count(*) FILTER (WHERE outcome = 'success') AS ok, count(*) FILTER (WHERE outcome = 'failure') AS failed,
              string_agg(DISTINCT failure_reason, ',') AS reasons FROM poll_runs`,
    );
    const last = samples[samples.length - 1];
    const firstOk = samples.findIndex((s) => s.ok > 0);
    const lastOk = samples.findIndex((s) => s.ok === last.ok);
    if (firstOk < 0) throw new Error(`no successful ${METHOD} call in ${runSeconds} s`);
    // The span starts a sample before the first success was seen: the call happened in between.
    const spanMs = samples[lastOk].at - (firstOk > 0 ? samples[firstOk - 1].at : samples[0].at);
    const allowed = TIER2_PER_MINUTE * (Math.floor(spanMs / windowMs) + 1);
    const allowedPerSecond = (TIER2_PER_MINUTE * timeScale) / 60;
    ctx.log(
      `${METHOD}: ${last.ok} ok + ${last.throttled} throttled over ${(spanMs / 1000).toFixed(1)} s; the limiter allowed at most ${allowed}; polls ${polls.ok} ok, ${polls.failed} failed (${polls.reasons ?? '-'})`,
    );
    const label = `Slack Tier 2 (${METHOD}, minute compressed ${timeScale}x)`;
    return [
      {
        scenario: 'rate limit',
        figure: `successful calls per second, ${label}`,
        value: last.ok / (spanMs / 1000),
        unit: 'req/s',
        reference: { what: 'most the sliding window allows over the same span', value: allowed / (spanMs / 1000), unit: 'req/s' },
        targets: ctx.quick ? undefined : [{ on: 'ratio', op: '>=', limit: 0.9 }],
        note: `${last.ok} successful calls over ${(spanMs / 1000).toFixed(1)} s; at most ${allowed} allowed (${allowedPerSecond.toFixed(2)}/s nominal)`,
      },
      {
        scenario: 'rate limit',
        figure: `requests answered 429 per successful one, ${label}`,
        value: last.ok > 0 ? last.throttled / last.ok : 0,
        unit: '429s/ok',
      },
      {
        scenario: 'rate limit',
        figure: `failed polls under ${label} (${polls.ok} succeeded)`,
        value: Number(polls.failed),
        unit: 'polls',
        targets: [{ on: 'value', op: '==', limit: 0 }],
      },
    ];
  } finally {
    await bench.drop();
    await sim.stop();
  }
}
