import { COMPLIANT_SLACK_IDS, putCompliantSlackTenant, slackConnection, startSimulator } from './support/simulator';
import { createTestDatabase, type TestDatabase } from './support/database';
import { pollNow, startTollgate, type RunningTollgate } from './support/tollgate';

// The whole loop over HTTP: simulator tenant -> poll -> findings -> drift episodes -> resolution.
describe('posture loop (Slack, end to end)', () => {
  const token = 'xoxp-e2e-posture-loop-0001';
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  let db: TestDatabase;
  let t: RunningTollgate;
  let connectionId: string;

  beforeAll(async () => {
    sim = await startSimulator();
    await putCompliantSlackTenant(sim, token);
    db = await createTestDatabase();
    t = await startTollgate(db.env);
    const res = await t.api().post('/connections').send(slackConnection(sim, token, 'Acme Slack')).expect(201);
    connectionId = res.body.id;
  });

  afterAll(async () => {
    await t?.close();
    await db?.drop();
    await sim?.close();
  });

  it('a compliant tenant passes every control of slack-locked-down', async () => {
    const polled = await pollNow(t, connectionId);
    expect(polled).toMatchObject({ status: { consecutiveFailures: 0, lastFailure: null } });
    const findings = (await t.api().get(`/connections/${connectionId}/findings`).expect(200)).body;
    expect(findings.baselineId).toBe('slack-locked-down');
    expect(findings.summary).toEqual({ pass: findings.findings.length, fail: 0, unknown: 0 });
    expect(findings.findings.length).toBeGreaterThanOrEqual(7);
    expect(findings.findings).toContainEqual(expect.objectContaining({ controlId: 'SLACK.GUESTS.3', status: 'pass' }));
    const drifts = (await t.api().get('/drifts').expect(200)).body;
    expect(drifts.items).toEqual([]);
  });

  it('an unchanged poll keeps the same snapshot and findings', async () => {
    const before = (await t.api().get(`/connections/${connectionId}/snapshot`).expect(200)).body;
    await pollNow(t, connectionId);
    const after = (await t.api().get(`/connections/${connectionId}/snapshot`).expect(200)).body;
    expect(after.id).toBe(before.id);
    expect(after.contentHash).toBe(before.contentHash);
    expect(Date.parse(after.lastSeenAt)).toBeGreaterThan(Date.parse(before.lastSeenAt));
  });

  it('a changed sharing setting opens exactly one drift with expected and observed values', async () => {
    const team = COMPLIANT_SLACK_IDS.teamIds[1];
    await sim.control().patch(`/_sim/slack/tenants/${token}/teams/${team}`).send({ discoverability: 'open' }).expect(200);
    await pollNow(t, connectionId);
    const { items } = (await t.api().get('/drifts?status=open').expect(200)).body;
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      connectionId,
      provider: 'slack',
      controlId: 'SLACK.SHARING.1',
      area: 'sharing',
      resourceKey: `team:${team}`,
      status: 'open',
      observed: 'open',
      resolvedAt: null,
      exceptionId: null,
    });
    expect(JSON.stringify(items[0].expected)).toContain('invite_only');
    expect(items[0].references.length).toBeGreaterThan(0);
  });

  it('an app with a forbidden scope opens an oauth drift', async () => {
    await sim
      .control()
      .post(`/_sim/slack/tenants/${token}/apps`)
      .send({ id: 'A0EXFILTR1', name: 'History Exporter', scopes: ['channels:history', 'chat:write'] })
      .expect(201);
    await pollNow(t, connectionId);
    const { items } = (await t.api().get('/drifts?status=open').expect(200)).body;
    const oauth = items.filter((d: { area: string }) => d.area === 'oauth');
    expect(oauth.length).toBeGreaterThanOrEqual(1);
    expect(oauth.every((d: { resourceKey: string }) => d.resourceKey === 'app:A0EXFILTR1')).toBe(true);
    const forbidden = oauth.find((d: { controlId: string }) => d.controlId === 'SLACK.OAUTH.1');
    expect(forbidden).toBeDefined();
    expect(JSON.stringify(forbidden.observed)).toContain('channels:history');
    // The sharing drift is still one episode, not a second one.
    expect(items.filter((d: { controlId: string }) => d.controlId === 'SLACK.SHARING.1')).toHaveLength(1);
  });

  it('reverting both resolves every drift, with the history kept', async () => {
    await sim
      .control()
      .patch(`/_sim/slack/tenants/${token}/teams/${COMPLIANT_SLACK_IDS.teamIds[1]}`)
      .send({ discoverability: 'invite_only' })
      .expect(200);
    await sim.control().delete(`/_sim/slack/tenants/${token}/apps/A0EXFILTR1`).expect(200);
    await pollNow(t, connectionId);
    expect((await t.api().get('/drifts?status=open').expect(200)).body.items).toEqual([]);
    const resolved = (await t.api().get('/drifts?status=resolved').expect(200)).body.items;
    expect(resolved.length).toBeGreaterThanOrEqual(2);
    for (const d of resolved) {
      expect(d.resolvedAt).not.toBeNull();
      const detail = (await t.api().get(`/drifts/${d.id}`).expect(200)).body;
      expect(detail.events.map((e: { kind: string }) => e.kind)).toEqual(['opened', 'resolved']);
    }
    const findings = (await t.api().get(`/connections/${connectionId}/findings`).expect(200)).body;
    expect(findings.summary.fail).toBe(0);
  });

  it('a guest without an expiration date opens SLACK.GUESTS.3; an expiry resolves it', async () => {
    const guest = { id: 'U0E2EGST01', is_restricted: true, is_ultra_restricted: true, workspaces: [COMPLIANT_SLACK_IDS.teamIds[0]] };
    await sim.control().post(`/_sim/slack/tenants/${token}/users`).send(guest).expect(201);
    await pollNow(t, connectionId);
    const open = (await t.api().get('/drifts?status=open&controlId=SLACK.GUESTS.3').expect(200)).body.items;
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ area: 'sharing', resourceKey: 'tenant', observed: 1 });

    await sim
      .control()
      .post(`/_sim/slack/tenants/${token}/users`)
      .send({ ...guest, expiration_ts: Math.floor(Date.now() / 1000) + 30 * 86_400 })
      .expect(201);
    await pollNow(t, connectionId);
    expect((await t.api().get('/drifts?status=open&controlId=SLACK.GUESTS.3').expect(200)).body.items).toEqual([]);
    const findings = (await t.api().get(`/connections/${connectionId}/findings`).expect(200)).body;
    expect(findings.findings).toContainEqual(expect.objectContaining({ controlId: 'SLACK.GUESTS.3', status: 'pass' }));
  });

  it('a provider failure is classified and changes no finding or drift', async () => {
    const before = (await t.api().get(`/connections/${connectionId}/findings`).expect(200)).body;
    await sim.control().post('/_sim/faults').send({ provider: 'slack', kind: 'status', status: 401, body: { ok: false, error: 'invalid_auth' } }).expect(201);
    try {
      const polled = await pollNow(t, connectionId);
      expect(polled).toMatchObject({ status: { consecutiveFailures: 1, lastFailure: { reason: 'auth' } } });
    } finally {
      await sim.control().delete('/_sim/faults').expect(200);
    }
    const after = (await t.api().get(`/connections/${connectionId}/findings`).expect(200)).body;
    expect(after.findings).toEqual(before.findings);
    expect((await t.api().get('/drifts?status=open').expect(200)).body.items).toEqual([]);
    const recovered = await pollNow(t, connectionId);
    expect(recovered).toMatchObject({ status: { consecutiveFailures: 0, lastFailure: null } });
  });

  it('never returns or logs the credentials', async () => {
    const conn = (await t.api().get(`/connections/${connectionId}`).expect(200)).body;
    expect(JSON.stringify(conn)).not.toContain(token);
    expect(conn.credentials).toEqual({ configured: true, keyId: expect.any(String) });
    expect(t.logs.join('\n')).not.toContain(token);
  });
});
