import request from 'supertest';
import { DataSource } from 'typeorm';
import { COMPLIANT_SLACK_IDS, putCompliantSlackTenant, slackConnection, startSimulator } from './support/simulator';
import { createTestDatabase, type TestDatabase } from './support/database';
import { keyFor } from './support/keys';
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

// A live scrape after a rich run (a drift, an oauth drift, throttling, a failing connection, exception
// tickets in several states with one approved that expires in 3 days, a ledger verification): the
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
  /** The scrape just before an exception was approved for one of the open drifts. */
  let beforeApproval: Sample[];
  let exceptedDriftId: string;

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

    // Exception tickets through the API: one left requested, one rejected, and one approved (by
    // someone other than the requester) that covers an open drift and expires within 7 days.
    const owner = await keyFor(t, 'operator', 'business owner');
    const approver = await keyFor(t, 'approver', 'security engineer');
    const [first] = (await t.api().get(`/drifts?status=open&connectionId=${healthyId}`).expect(200)).body.items as { id: string; controlId: string; resourceKey: string }[];
    exceptedDriftId = first.id;
    const ask = (resourceKey: string | undefined, days: number) =>
      owner
        .post('/exceptions')
        .send({ connectionId: healthyId, controlId: first.controlId, resourceKey, justification: 'needed for the metrics e2e run', expiresAt: new Date(Date.now() + days * 86_400_000).toISOString() })
        .expect(201);
    await ask('team:requested-only', 20);
    const rejected = (await ask('team:rejected', 20)).body.id as string;
    await approver.post(`/exceptions/${rejected}/reject`).send({ reason: 'no business need' }).expect(200);
    const soon = (await ask(first.resourceKey, 3)).body.id as string;

    ({ samples: beforeApproval } = await scrapeUntil('readings with both connections and the requested exceptions', (s) =>
      sampleValue(s, 'tollgate_connection_up', broken) !== undefined && sampleValue(s, 'tollgate_exceptions', { state: 'requested' }) === 2,
    ));
    await approver.post(`/exceptions/${soon}/approve`).send({ reason: 'time-boxed, reviewed' }).expect(200);
    expect((await t.api().get('/evidence/verify').expect(200)).body).toMatchObject({ ok: true });

    ({ text } = await scrapeUntil('readings with the approved exception and the verified chain', (s) =>
      sampleValue(s, 'tollgate_exceptions', { state: 'approved' }) === 1 && sampleValue(s, 'tollgate_evidence_chain_ok') === 1,
    ));
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
    // The Slack preset has no attestation control: the series says so with 0 once a poll succeeded.
    expect(sampleValue(samples, 'tollgate_attested_controls', healthy)).toBe(0);
    expect(sampleValue(samples, 'tollgate_attested_controls', broken)).toBeUndefined();
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
    expect([...labelNames].sort()).toEqual(['connection', 'le', 'provider', 'reason', 'risk', 'severity', 'state', 'status', 'version']);
    expect(text).not.toContain(healthyId);
    expect(text).not.toContain(healthyToken);
  });

  it('does not count a drift excepted by an approved exception as open', async () => {
    const total = (s: Sample[]) => s.filter((x) => x.name === 'tollgate_drifts_open' && x.labels.connection === healthy.connection).reduce((n, x) => n + x.value, 0);
    expect((await t.api().get(`/drifts/${exceptedDriftId}`).expect(200)).body).toMatchObject({ status: 'excepted' });
    expect(total(parseExposition(text).samples)).toBe(total(beforeApproval) - 1);
  });

  it('counts exception tickets by state, every state present, and the approved one expiring within 7 days', () => {
    const { samples } = parseExposition(text);
    const byState = Object.fromEntries(samples.filter((s) => s.name === 'tollgate_exceptions').map((s) => [s.labels.state, s.value]));
    expect(byState).toEqual({ requested: 1, approved: 1, rejected: 1, revoked: 0, expired: 0 });
    expect(sampleValue(samples, 'tollgate_exceptions_expiring_soon')).toBe(1);
    expect(sampleValue(beforeApproval, 'tollgate_exceptions_expiring_soon')).toBe(0);
  });

  it('drops the series of a deleted connection', async () => {
    await t.api().delete(`/connections/${brokenId}`).expect(204);
    const { text: after } = await scrapeUntil('the deleted connection gone', (s) => sampleValue(s, 'tollgate_connection_up', broken) === undefined);
    expect(after).not.toContain('connection="Broken Slack"');
  });

  // Last: it leaves the ledger broken.
  it('reports the evidence chain broken once a verification finds an edited entry', async () => {
    const ds = t.app.get(DataSource);
    // The ledger is append-only by trigger; an attacker with the database owner's rights gets past it.
    await ds.query('ALTER TABLE evidence_ledger DISABLE TRIGGER USER');
    try {
      await ds.query(`UPDATE evidence_ledger SET data = jsonb_set(data, '{tampered}', 'true') WHERE seq = 1`);
    } finally {
      await ds.query('ALTER TABLE evidence_ledger ENABLE TRIGGER USER');
    }
    expect((await t.api().get('/evidence/verify').expect(200)).body).toMatchObject({ ok: false, firstBadSeq: 1 });
    await scrapeUntil('tollgate_evidence_chain_ok 0', (s) => sampleValue(s, 'tollgate_evidence_chain_ok') === 0);
  });
});

describe('tollgate_evidence_chain_ok before anyone verified the ledger', () => {
  let db: TestDatabase;
  let t: RunningTollgate;

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTollgate(db.env);
  });

  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('is absent at the first scrape, which starts a verification in the background; later scrapes show its result', async () => {
    const first = parseExposition((await request(t.url).get('/metrics').expect(200)).text);
    expect(first.families.has('tollgate_evidence_chain_ok')).toBe(true);
    expect(sampleValue(first.samples, 'tollgate_evidence_chain_ok')).toBeUndefined();
    // No GET /evidence/verify, and the first checkpoint tick is a minute away: only the scrape started it.
    await eventually('the background verification', async () => {
      const { samples } = parseExposition((await request(t.url).get('/metrics').expect(200)).text);
      return sampleValue(samples, 'tollgate_evidence_chain_ok') === 1 || undefined;
    });
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
