import {
  COMPLIANT_GOOGLE_IDS,
  COMPLIANT_GOOGLE_SETTINGS,
  COMPLIANT_M365_IDS,
  compliantGoogleTenant,
  compliantM365Tenant,
  compliantSlackTenant,
  googleServiceAccountKey,
  SIGN_IN_SCOPES,
} from '@tollgate/provider-sim';
import type { Figure } from './bench-report';
import {
  createBenchDatabase,
  nowMs,
  seedConnections,
  seedSlackConnections,
  simRequest,
  sleep,
  startChildSimulator,
  type BenchDatabase,
  type ScenarioContext,
} from './bench-support';
import { COMPLIANT_PARAMETERS, startApp } from './tollgate-under-bench';

const SLACK_TOKEN = 'xoxp-bench-rate';
const SLACK_METHOD = 'admin.apps.approved.list';
/** Slack Tier 2: requests per minute, per method, per workspace. */
const TIER2_PER_MINUTE = 20;
const M365_TENANT = 'bench-rate.onmicrosoft.example';
const GOOGLE_WITH_RETRY_AFTER = 'C0benchra';
const GOOGLE_WITHOUT_RETRY_AFTER = 'C0benchnora';

interface RequestStats {
  requests: Record<string, number>;
  throttled: Record<string, number>;
}

/** One rate-limited connection: how its limiter counts, and how to read the simulator's counts. */
interface LimitedCase {
  /** Provider, limit and time scale, as the figures name them. */
  label: string;
  /** Which limiter, for the reference: "sliding window" or "fixed window". */
  limiter: string;
  /** Calls the limiter admits per window. */
  limit: number;
  windowMs: number;
  connectionId: string;
  /** Where the tenant's request counts are (`GET /_sim/.../requests`) and which operations the limiter counts. */
  statsPath: string;
  counted: (operation: string) => boolean;
}

interface PollCounts {
  ok: number;
  failed: number;
  reasons: string | null;
  messages: string | null;
}

interface Sample {
  at: number;
  ok: number;
  throttled: number;
}

async function calls(simUrl: string, c: LimitedCase): Promise<{ ok: number; throttled: number }> {
  const s = (await simRequest(simUrl, 'GET', c.statsPath)) as RequestStats;
  const sum = (counts: Record<string, number>) =>
    Object.entries(counts).reduce((total, [operation, n]) => total + (c.counted(operation) ? n : 0), 0);
  const throttled = sum(s.throttled);
  return { ok: sum(s.requests) - throttled, throttled };
}

/**
 * A Slack tenant whose org-level approved-apps list takes `apps` pages (page size capped at 1), the
 * simulator enforcing Tier 2 on that method (a sliding minute per method) with its minute compressed
 * `timeScale` times.
 */
async function slackCase(simUrl: string, bench: BenchDatabase, quick: boolean): Promise<LimitedCase> {
  const timeScale = quick ? 30 : 10;
  const base = compliantSlackTenant(SLACK_TOKEN);
  const template = base.approvedApps![0];
  const approvedApps = Array.from({ length: 100 }, (_, i) => ({
    ...template,
    app: { ...template.app, id: `A0BENCH${String(i).padStart(4, '0')}`, name: `Bench app ${i}` },
  }));
  await simRequest(simUrl, 'PUT', `/_sim/slack/tenants/${SLACK_TOKEN}`, {
    ...base,
    approvedApps,
    maxPageSize: 1,
    rateLimits: { enabled: true, timeScale },
  });
  const [connectionId] = await seedSlackConnections(bench.ds, {
    count: 1,
    simUrl,
    token: () => SLACK_TOKEN,
    intervalSeconds: 1,
    parameters: COMPLIANT_PARAMETERS,
  });
  return {
    label: `Slack Tier 2 (${SLACK_METHOD}, minute compressed ${timeScale}x)`,
    limiter: 'sliding window',
    limit: TIER2_PER_MINUTE,
    windowMs: 60_000 / timeScale,
    connectionId,
    statsPath: `/_sim/slack/tenants/${SLACK_TOKEN}/requests`,
    counted: (operation) => operation === SLACK_METHOD,
  };
}

/**
 * A Microsoft 365 tenant with many service principals (one appRoleAssignments call each) and users,
 * every listing paged by 10, the simulator's per-tenant fixed window on every Graph call (token
 * requests are not limited), answering 429 with Retry-After (the seconds left in the window).
 */
async function graphCase(simUrl: string, bench: BenchDatabase, quick: boolean): Promise<LimitedCase> {
  // 100 calls per 10 s; quick: window and count both scaled 1/5, the same rate.
  const limit = quick ? 20 : 100;
  const windowMs = quick ? 2_000 : 10_000;
  const apps = quick ? 60 : 300;
  const users = quick ? 100 : 500;
  const base = compliantM365Tenant(M365_TENANT);
  const hex = (prefix: string, i: number) => `${prefix}-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
  await simRequest(simUrl, 'PUT', `/_sim/microsoft365/tenants/${M365_TENANT}`, {
    ...base,
    servicePrincipals: [
      ...base.servicePrincipals!,
      ...Array.from({ length: apps }, (_, i) => ({ id: hex('5b000000', i), appId: hex('6c000000', i), displayName: `Bench app ${i}` })),
    ],
    users: [
      ...base.users!,
      ...Array.from({ length: users }, (_, i) => ({ id: hex('7d000000', i), displayName: `Bench user ${i}`, preferredDataLocation: 'EUR' })),
    ],
    pageSize: 10,
  });
  await simRequest(simUrl, 'PUT', `/_sim/microsoft365/tenants/${M365_TENANT}/rate-limits`, {
    enabled: true,
    requests: limit,
    windowMs,
    retryAfter: true,
  });
  const [connectionId] = await seedConnections(bench.ds, {
    provider: 'microsoft365',
    baselineId: 'microsoft365-locked-down',
    count: 1,
    credentials: () => ({ tenantId: M365_TENANT, clientId: COMPLIANT_M365_IDS.clientId, clientSecret: COMPLIANT_M365_IDS.clientSecret }),
    endpoints: { graph: `${simUrl}/microsoft365/graph`, login: `${simUrl}/microsoft365/login` },
    intervalSeconds: 1,
    parameters: { allowedDomains: [COMPLIANT_M365_IDS.allowedDomain], allowedRegions: ['EU'] },
  });
  const scaled = quick ? ', 100 per 10 s scaled 1/5' : '';
  return {
    label: `Graph per-tenant fixed window (${limit} calls per ${windowMs / 1000} s${scaled}, Retry-After)`,
    limiter: 'fixed window',
    limit,
    windowMs,
    connectionId,
    statsPath: `/_sim/microsoft365/tenants/${M365_TENANT}/requests`,
    counted: (operation) => operation !== 'token',
  };
}

/**
 * A Google Workspace tenant with many users (one token listing each) and many org-unit policies of
 * every setting type, every page capped at 5 items, the simulator's sliding window over every API
 * call of the tenant (the token endpoint is exempt), answering 429 RESOURCE_EXHAUSTED without a
 * Retry-After (Google often sends none) or with one as long as the window (the simulator sends a fixed
 * value; the window is the shortest one that is never too early). The first poll reads every
 * user's tokens; the later ones (incremental) read the policies afresh and the token events.
 */
async function googleCase(simUrl: string, bench: BenchDatabase, quick: boolean, retryAfter: boolean): Promise<LimitedCase> {
  // A 1,200/min quota (half the 2,400/min default: another tool impersonating the same admin uses
  // the rest) with its minute compressed 10x (quick: 30x) and its count scaled by as much, so the
  // rate stays 20/s: the connector paces Directory calls in real time, at 2,300/min.
  const scale = quick ? 30 : 10;
  const limit = 1_200 / scale;
  const windowMs = 60_000 / scale;
  const customerId = retryAfter ? GOOGLE_WITH_RETRY_AFTER : GOOGLE_WITHOUT_RETRY_AFTER;
  const users = quick ? 60 : 300;
  // Full: 7 drive_and_docs types × 140 org units in pages of 5 = 196 pages, under the connector's 200 per app.
  const orgUnits = quick ? 30 : 140;
  const base = compliantGoogleTenant(customerId);
  const template = base.users![1];
  await simRequest(simUrl, 'PUT', `/_sim/google/tenants/${customerId}`, {
    ...base,
    users: [
      ...base.users!,
      ...Array.from({ length: users }, (_, i) => ({
        ...template,
        id: `2000000000000${String(i).padStart(6, '0')}`,
        primaryEmail: `bench${i}@acme.example`,
        tokens: [{ clientId: COMPLIANT_GOOGLE_IDS.harmlessClientId, displayText: 'Team Lunch Planner', scopes: [...SIGN_IN_SCOPES] }],
      })),
    ],
    policies: [
      ...base.policies!,
      ...Object.entries(COMPLIANT_GOOGLE_SETTINGS).flatMap(([settingType, value]) =>
        Array.from({ length: orgUnits }, (_, i) => ({ orgUnitId: `03ph8a2zbench${i}`, settingType, value: { ...value }, type: 'ADMIN' as const })),
      ),
    ],
    maxPageSize: 5,
  });
  await simRequest(simUrl, 'PUT', `/_sim/google/tenants/${customerId}/rate-limits`, {
    enabled: true,
    limit,
    windowMs,
    answer: '429',
    ...(retryAfter ? { retryAfterSeconds: windowMs / 1000 } : {}),
  });
  const [connectionId] = await seedConnections(bench.ds, {
    provider: 'google-workspace',
    baselineId: 'google-workspace-locked-down',
    count: 1,
    credentials: () => ({ serviceAccountKey: googleServiceAccountKey({ url: simUrl }, customerId), adminEmail: COMPLIANT_GOOGLE_IDS.adminEmail, customerId }),
    endpoints: { admin: `${simUrl}/google`, cloudidentity: `${simUrl}/google/cloudidentity`, token: `${simUrl}/google/token` },
    intervalSeconds: 1,
    parameters: { allowedRegions: ['EUROPE'] },
  });
  const answer = retryAfter ? `429, Retry-After ${windowMs / 1000} s` : '429, no Retry-After';
  return {
    label: `Google sliding window (${limit} calls per ${windowMs / 1000} s = 1,200/min scaled 1/${scale}; ${answer})`,
    limiter: 'sliding window',
    limit,
    windowMs,
    connectionId,
    statsPath: `/_sim/google/tenants/${customerId}/requests`,
    counted: (operation) => operation !== 'oauth2.token',
  };
}

/**
 * Efficiency of one case from the simulator's counts sampled every 100 ms. Over the span S from the
 * first successful call to the last one, neither limiter can admit more than limit × (⌊S / window⌋ + 1)
 * calls: the sliding window holds at most `limit` calls in any window-long interval, and the fixed
 * window (Graph's) opens a new window on the first call after the previous one ended, so windows
 * start at least a window apart and at most ⌊S / window⌋ + 1 of them start within S.
 * Efficiency = successful calls ÷ that; failed polls must be 0.
 */
function figuresFor(c: LimitedCase, samples: Sample[], polls: PollCounts, ctx: ScenarioContext): Figure[] {
  const last = samples[samples.length - 1];
  const firstOk = samples.findIndex((s) => s.ok > 0);
  const lastOk = samples.findIndex((s) => s.ok === last.ok);
  if (firstOk < 0) throw new Error(`no successful call under ${c.label}`);
  // The span starts a sample before the first success was seen: the call happened in between.
  const spanMs = samples[lastOk].at - (firstOk > 0 ? samples[firstOk - 1].at : samples[0].at);
  const allowed = c.limit * (Math.floor(spanMs / c.windowMs) + 1);
  const nominalPerSecond = (c.limit * 1000) / c.windowMs;
  ctx.log(
    `${c.label}: ${last.ok} ok + ${last.throttled} throttled over ${(spanMs / 1000).toFixed(1)} s; the limiter allowed at most ${allowed}; polls ${polls.ok} ok, ${polls.failed} failed (${polls.reasons ?? '-'})`,
  );
  if (polls.messages) ctx.log(`  failures: ${polls.messages}`);
  return [
    {
      scenario: 'rate limit',
      figure: `successful calls per second, ${c.label}`,
      value: last.ok / (spanMs / 1000),
      unit: 'req/s',
      reference: { what: `most the ${c.limiter} allows over the same span`, value: allowed / (spanMs / 1000), unit: 'req/s' },
      targets: ctx.quick ? undefined : [{ on: 'ratio', op: '>=', limit: 0.9 }],
      note: `${last.ok} successful calls over ${(spanMs / 1000).toFixed(1)} s; at most ${allowed} allowed (${nominalPerSecond.toFixed(2)}/s nominal)`,
    },
    {
      scenario: 'rate limit',
      figure: `requests answered 429 per successful one, ${c.label}`,
      value: last.ok > 0 ? last.throttled / last.ok : 0,
      unit: '429s/ok',
    },
    {
      scenario: 'rate limit',
      figure: `failed polls under ${c.label} (${polls.ok} succeeded)`,
      value: polls.failed,
      unit: 'polls',
      targets: [{ on: 'value', op: '==', limit: 0 }],
      ...(polls.reasons ? { note: `failure reasons: ${polls.reasons}` } : {}),
    },
  ];
}

/**
 * One connection per case, all polled back to back (interval 1 s) by one app at the same time, each
 * against its own simulated tenant and limiter, for `runSeconds`.
 */
export async function rateLimitScenario(ctx: ScenarioContext): Promise<Figure[]> {
  const runSeconds = ctx.quick ? 30 : 120;
  const sim = await startChildSimulator();
  const bench = await createBenchDatabase();
  try {
    const cases = [
      await slackCase(sim.url, bench, ctx.quick),
      await graphCase(sim.url, bench, ctx.quick),
      await googleCase(sim.url, bench, ctx.quick, true),
      await googleCase(sim.url, bench, ctx.quick, false),
    ];
    const app = await startApp(bench.url, { TOLLGATE_SCHEDULER_TICK_MS: '100', TOLLGATE_SHUTDOWN_GRACE_SECONDS: '0' });
    const samples: Sample[][] = cases.map(() => []);
    try {
      const until = nowMs() + runSeconds * 1000;
      while (nowMs() < until) {
        await Promise.all(
          cases.map(async (c, i) => {
            const s = await calls(sim.url, c);
            samples[i].push({ at: nowMs(), ...s });
          }),
        );
        await sleep(100);
      }
    } finally {
      await app.close();
    }
    const rows: { connection_id: string; ok: string; failed: string; reasons: string | null; messages: string | null }[] = await bench.ds.query(
      `SELECT connection_id, count(*) FILTER (WHERE outcome = 'success') AS ok, count(*) FILTER (WHERE outcome = 'failure') AS failed,
              string_agg(DISTINCT failure_reason, ',') AS reasons, string_agg(DISTINCT failure_message, ' | ') AS messages
       FROM poll_runs GROUP BY connection_id`,
    );
    return cases.flatMap((c, i) => {
      const row = rows.find((r) => r.connection_id === c.connectionId);
      const polls = { ok: Number(row?.ok ?? 0), failed: Number(row?.failed ?? 0), reasons: row?.reasons ?? null, messages: row?.messages ?? null };
      return figuresFor(c, samples[i], polls, ctx);
    });
  } finally {
    await bench.drop();
    await sim.stop();
  }
}
