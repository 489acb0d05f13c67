import request from 'supertest';
import { DataSource } from 'typeorm';
import { COMPLIANT_SLACK_IDS, putCompliantSlackTenant, slackConnection, startSimulator } from './support/simulator';
import { createTestDatabase, type TestDatabase } from './support/database';
import { eventually, pollNow, startTollgate, type RunningTollgate } from './support/tollgate';
import {
  alertRules,
  dashboardQueries,
  parseExposition,
  promtool,
  sampleValue,
  tollgateMetricNames,
  type Sample,
} from './support/metrics-queries';

interface Finding {
  controlId: string;
  area: string;
  status: string;
  resourceKey: string;
}

// A live scrape after a rich run (a drift, an oauth drift, throttling, a failing connection): the
// values agree with the API, promtool accepts the exposition, and every metric the shipped alerts
// and dashboard query is in it.
describe('GET /metrics', () => {
  const healthyToken = 'xoxp-e2e-metrics-healthy-0001';
  const brokenToken = 'xoxp-e2e-metrics-broken-0002';
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  let db: TestDatabase;
  let t: RunningTollgate;
  let healthyId: string;
  let brokenId: string;
  let text: string;

  const scrape = async (): Promise<{ text: string; samples: Sample[]; families: Set<string> }> => {
    const res = await request(t.url).get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain;.*\bversion=0\.0\.4\b/);
    return { text: res.text, ...parseExposition(res.text) };
  };
  /** Scrapes until the cached database readings show `check` true (they are at most a second old). */
  const scrapeUntil = (what: string, check: (samples: Sample[]) => boolean) =>
    eventually(what, async () => {
      const s = await scrape();
      return check(s.samples) ? s : undefined;
    });
  const healthy = { provider: 'slack', connection: 'Acme Slack' };
  const broken = { provider: 'slack', connection: 'Broken Slack' };

  beforeAll(async () => {
    sim = await startSimulator();
    await putCompliantSlackTenant(sim, healthyToken);
    await putCompliantSlackTenant(sim, brokenToken);
    db = await createTestDatabase();
    t = await startTollgate(db.env);
    healthyId = (await t.api().post('/connections').send(slackConnection(sim, healthyToken, healthy.connection)).expect(201)).body.id;
    await pollNow(t, healthyId);

    // A sharing drift and an app with a forbidden scope; one throttled answer on the way.
    await sim.control().patch(`/_sim/slack/tenants/${healthyToken}/teams/${COMPLIANT_SLACK_IDS.teamIds[1]}`).send({ discoverability: 'open' }).expect(200);
    await sim
      .control()
      .post(`/_sim/slack/tenants/${healthyToken}/apps`)
      .send({ id: 'A0METRICS1', name: 'History Exporter', scopes: ['channels:history', 'chat:write'] })
      .expect(201);
    await sim.control().post('/_sim/faults').send({ provider: 'slack', token: healthyToken, kind: 'status', status: 429, retryAfter: 0, times: 1 }).expect(201);
    await pollNow(t, healthyId);

    // A connection whose credential was revoked: every poll fails with reason auth.
    await sim
      .control()
      .post('/_sim/faults')
      .send({ provider: 'slack', token: brokenToken, kind: 'status', status: 200, body: { ok: false, error: 'invalid_auth' } })
      .expect(201);
    brokenId = (await t.api().post('/connections').send(slackConnection(sim, brokenToken, broken.connection)).expect(201)).body.id;
    await pollNow(t, brokenId);

    ({ text } = await scrapeUntil('readings with both connections', (s) => sampleValue(s, 'tollgate_connection_up', broken) !== undefined));
  });

  afterAll(async () => {
    await t?.close();
    await db?.drop();
    await sim?.close();
  });

  it('passes promtool check metrics', () => {
    expect(promtool(['check', 'metrics'], text)).toEqual({ status: 0, output: '' });
  });

  it('counts open drifts by severity as the API lists them', async () => {
    const { samples } = parseExposition(text);
    const open = (await t.api().get(`/drifts?status=open&connectionId=${healthyId}`).expect(200)).body.items as { severity: string }[];
    expect(open.length).toBeGreaterThanOrEqual(2);
    for (const severity of ['critical', 'high', 'medium', 'low', 'info']) {
      expect({ severity, open: sampleValue(samples, 'tollgate_drifts_open', { ...healthy, severity }) }).toEqual({
        severity,
        open: open.filter((d) => d.severity === severity).length,
      });
    }
    expect(sampleValue(samples, 'tollgate_drifts_open', { ...broken, severity: 'critical' })).toBe(0);
  });

  it('reports findings, the posture score without unknowns, and oauth grants by risk', async () => {
    const { samples } = parseExposition(text);
    const findings = (await t.api().get(`/connections/${healthyId}/findings`).expect(200)).body as {
      summary: { pass: number; fail: number; unknown: number };
      findings: Finding[];
    };
    for (const status of ['pass', 'fail', 'unknown'] as const) {
      expect(sampleValue(samples, 'tollgate_findings', { ...healthy, status })).toBe(findings.summary[status]);
    }
    expect(findings.summary.fail).toBeGreaterThan(0);
    expect(sampleValue(samples, 'tollgate_posture_score_ratio', healthy)).toBeCloseTo(
      findings.summary.pass / (findings.summary.pass + findings.summary.fail),
      10,
    );

    const grants = (await t.api().get(`/connections/${healthyId}/snapshot`).expect(200)).body.document.oauthGrants as { appId: string }[];
    const riskyApps = new Set(findings.findings.filter((f) => f.area === 'oauth' && f.status === 'fail').map((f) => f.resourceKey.replace(/^app:/, '')));
    const risky = grants.filter((g) => riskyApps.has(g.appId)).length;
    expect(riskyApps.has('A0METRICS1')).toBe(true);
    expect(risky).toBeGreaterThanOrEqual(1);
    expect(sampleValue(samples, 'tollgate_oauth_grants', { ...healthy, risk: 'risky' })).toBe(risky);
    expect(sampleValue(samples, 'tollgate_oauth_grants', { ...healthy, risk: 'other' })).toBe(grants.length - risky);
    // Never polled successfully: nothing is known, so nothing is exported.
    expect(sampleValue(samples, 'tollgate_findings', { ...broken, status: 'pass' })).toBeUndefined();
    expect(sampleValue(samples, 'tollgate_posture_score_ratio', broken)).toBeUndefined();
    expect(sampleValue(samples, 'tollgate_oauth_grants', { ...broken, risk: 'other' })).toBeUndefined();
  });

  it('reports poll health per connection', async () => {
    const { samples } = parseExposition(text);
    const conn = (await t.api().get(`/connections/${healthyId}`).expect(200)).body as { status: { lastSuccessAt: string } };
    expect(sampleValue(samples, 'tollgate_connection_up', healthy)).toBe(1);
    expect(sampleValue(samples, 'tollgate_connection_up', broken)).toBe(0);
    expect(sampleValue(samples, 'tollgate_last_successful_poll_timestamp_seconds', healthy)).toBeCloseTo(Date.parse(conn.status.lastSuccessAt) / 1000, 2);
    expect(sampleValue(samples, 'tollgate_last_successful_poll_timestamp_seconds', broken)).toBeUndefined();
    expect(sampleValue(samples, 'tollgate_connection_poll_interval_seconds', healthy)).toBe(3600);
    expect(sampleValue(samples, 'tollgate_database_up')).toBe(1);
  });

  it('counts polls, failures by reason, provider requests, throttling and opened drifts', () => {
    const { samples } = parseExposition(text);
    const slack = { provider: 'slack' };
    // A new connection is also polled by the scheduler on its own, so counts are lower bounds.
    const polls = sampleValue(samples, 'tollgate_polls_total', slack);
    expect(polls).toBeGreaterThanOrEqual(3);
    expect(sampleValue(samples, 'tollgate_poll_failures_total', { ...slack, reason: 'auth' })).toBeGreaterThanOrEqual(1);
    expect(sampleValue(samples, 'tollgate_poll_failures_total', { ...slack, reason: 'network' })).toBe(0);
    expect(sampleValue(samples, 'tollgate_poll_duration_seconds_count', slack)).toBe(polls);
    expect(sampleValue(samples, 'tollgate_provider_throttled_total', slack)).toBe(1);
    expect(sampleValue(samples, 'tollgate_provider_requests_total', slack)).toBeGreaterThan(3);
    expect(sampleValue(samples, 'tollgate_drifts_opened_total', { ...slack, severity: 'critical' })).toBeGreaterThanOrEqual(1);
    expect(samples.find((s) => s.name === 'tollgate_build_info')?.value).toBe(1);
    expect(sampleValue(samples, 'process_cpu_seconds_total')).toBeGreaterThan(0);
  });

  it('has every tollgate_* metric that an alert or a dashboard panel queries', () => {
    const { samples, families } = parseExposition(text);
    const exported = new Set([...samples.map((s) => s.name), ...families]);
    const queried = tollgateMetricNames([...alertRules().map((r) => r.expr), ...dashboardQueries()]);
    expect(queried.length).toBeGreaterThanOrEqual(12);
    expect(queried.filter((name) => !exported.has(name))).toEqual([]);
  });

  it('keeps labels bounded: no connection ids, no pollIds, nothing per request', () => {
    const { samples } = parseExposition(text);
    const labelNames = new Set(samples.filter((s) => s.name.startsWith('tollgate_')).flatMap((s) => Object.keys(s.labels)));
    expect([...labelNames].sort()).toEqual(['connection', 'le', 'provider', 'reason', 'risk', 'severity', 'status', 'version']);
    expect(text).not.toContain(healthyId);
    expect(text).not.toContain(healthyToken);
  });

  it('does not count excepted drifts as open', async () => {
    const before = (await scrape()).samples;
    const total = (s: Sample[]) => s.filter((x) => x.name === 'tollgate_drifts_open' && x.labels.connection === healthy.connection).reduce((n, x) => n + x.value, 0);
    const ds = t.app.get(DataSource);
    // The exceptions workflow sets this status; here it is set directly to test only the metric.
    await ds.query(
      `UPDATE drifts SET status = 'excepted' WHERE id = (SELECT id FROM drifts WHERE connection_id = $1 AND status = 'open' ORDER BY opened_at LIMIT 1)`,
      [healthyId],
    );
    await scrapeUntil('one drift fewer open', (s) => total(s) === total(before) - 1);
  });

  it('drops the series of a deleted connection', async () => {
    await t.api().delete(`/connections/${brokenId}`).expect(204);
    const { text: after } = await scrapeUntil('the deleted connection gone', (s) => sampleValue(s, 'tollgate_connection_up', broken) === undefined);
    expect(after).not.toContain('connection="Broken Slack"');
  });
});

describe('GET /metrics with TOLLGATE_METRICS_TOKEN', () => {
  let db: TestDatabase;
  let t: RunningTollgate;

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTollgate({ ...db.env, TOLLGATE_METRICS_TOKEN: 'metrics-scrape-token-0123456789' });
  });

  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('answers 401 without the token or with another one, 200 with it', async () => {
    await request(t.url).get('/metrics').expect(401);
    await request(t.url).get('/metrics').set('Authorization', 'Bearer not-the-token').expect(401);
    const res = await request(t.url).get('/metrics').set('Authorization', 'Bearer metrics-scrape-token-0123456789').expect(200);
    expect(res.text).toContain('tollgate_build_info');
  });
});
