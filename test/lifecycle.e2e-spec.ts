import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { putCompliantSlackTenant, slackConnection, startSimulator, COMPLIANT_SLACK_PARAMETERS } from './support/simulator';
import { createTestDatabase, type TestDatabase } from './support/database';
import { eventually, pollNow, startTollgate, type RunningTollgate } from './support/tollgate';

const rows = async (t: RunningTollgate, sql: string, params: unknown[] = []) => t.app.get(DataSource).query(sql, params);

describe('drift episodes over a connection\'s life', () => {
  const token = 'xoxp-lifecycle-0001';
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  let db: TestDatabase;
  let t: RunningTollgate;
  let id: string;

  beforeAll(async () => {
    sim = await startSimulator();
    await putCompliantSlackTenant(sim, token);
    db = await createTestDatabase();
    t = await startTollgate(db.env);
    id = (await t.api().post('/connections').send(slackConnection(sim, token, 'lifecycle')).expect(201)).body.id;
    await pollNow(t, id);
  });

  afterAll(async () => {
    await t?.close();
    await db?.drop();
    await sim?.close();
  });

  it('an unchanged poll writes O(1) rows: no drift, snapshot or event row is touched', async () => {
    await sim.control().post(`/_sim/slack/tenants/${token}/external-organizations`).send({ team_id: 'T0STRANGER', team_name: 'Stranger Inc' }).expect(201);
    await pollNow(t, id);
    const before = await rows(t, `SELECT (SELECT string_agg(xmin::text || ':' || id, ',' ORDER BY id) FROM drifts) AS drifts,
      (SELECT count(*) FROM snapshots) AS snapshots, (SELECT count(*) FROM drift_events) AS events, (SELECT count(*) FROM poll_runs) AS runs`);
    await pollNow(t, id);
    const after = await rows(t, `SELECT (SELECT string_agg(xmin::text || ':' || id, ',' ORDER BY id) FROM drifts) AS drifts,
      (SELECT count(*) FROM snapshots) AS snapshots, (SELECT count(*) FROM drift_events) AS events, (SELECT count(*) FROM poll_runs) AS runs`);
    expect(after[0].drifts).toBe(before[0].drifts);
    expect(after[0].snapshots).toBe(before[0].snapshots);
    expect(after[0].events).toBe(before[0].events);
    expect(Number(after[0].runs)).toBe(Number(before[0].runs) + 1);
    // lastSeenAt still moves, derived from the poll that confirmed the same findings.
    const [drift] = (await t.api().get(`/drifts?connectionId=${id}&status=open`).expect(200)).body.items;
    const connection = (await t.api().get(`/connections/${id}`).expect(200)).body;
    expect(drift.lastSeenAt).toBe(connection.status.evaluatedAt);
  });

  it('a changed observation updates the same episode with a changed event', async () => {
    await sim.control().post(`/_sim/slack/tenants/${token}/external-organizations`).send({ team_id: 'T0STRANGR2', team_name: 'Stranger Two' }).expect(201);
    await pollNow(t, id);
    const open = (await t.api().get(`/drifts?connectionId=${id}&status=open`).expect(200)).body.items;
    expect(open).toHaveLength(1);
    expect(open[0].observed).toEqual(expect.arrayContaining(['T0STRANGER', 'T0STRANGR2']));
    const detail = (await t.api().get(`/drifts/${open[0].id}`).expect(200)).body;
    expect(detail.events.map((e: { kind: string }) => e.kind)).toEqual(['opened', 'changed']);
  });

  it('a control the API stops showing (unknown) keeps its drift open; a pass resolves it', async () => {
    await sim.control().post('/_sim/faults').send({ provider: 'slack', method: 'team.externalTeams.list', kind: 'status', status: 200, body: { ok: false, error: 'missing_scope', needed: 'team:read' } }).expect(201);
    try {
      await pollNow(t, id);
      const findings = (await t.api().get(`/connections/${id}/findings`).expect(200)).body.findings;
      expect(findings.find((f: { controlId: string }) => f.controlId === 'SLACK.CONNECT.1').status).toBe('unknown');
      expect((await t.api().get(`/drifts?connectionId=${id}&status=open`).expect(200)).body.items).toHaveLength(1);
    } finally {
      await sim.control().delete('/_sim/faults').expect(200);
    }
    for (const org of ['T0STRANGER', 'T0STRANGR2']) await sim.control().delete(`/_sim/slack/tenants/${token}/external-organizations/${org}`).expect(200);
    await pollNow(t, id);
    expect((await t.api().get(`/drifts?connectionId=${id}&status=open`).expect(200)).body.items).toEqual([]);
    const [resolved] = (await t.api().get(`/drifts?connectionId=${id}&status=resolved`).expect(200)).body.items;
    expect((await t.api().get(`/drifts/${resolved.id}`).expect(200)).body.events.map((e: { kind: string }) => e.kind)).toEqual([
      'opened',
      'changed',
      'resolved',
    ]);
  });
});

describe('shutdown', () => {
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  let db: TestDatabase;

  beforeAll(async () => {
    sim = await startSimulator();
    db = await createTestDatabase();
  });

  afterAll(async () => {
    await db?.drop();
    await sim?.close();
  });

  async function pollInFlight(t: RunningTollgate, token: string, name: string): Promise<string> {
    await putCompliantSlackTenant(sim, token);
    await sim.control().post('/_sim/faults').send({ provider: 'slack', token, method: 'team.info', kind: 'slow', delayMs: 1500 }).expect(201);
    const id = (await t.api().post('/connections').send(slackConnection(sim, token, name)).expect(201)).body.id as string;
    await eventually('the poll to start', async () => t.scheduler.activePolls > 0);
    return id;
  }

  it('finishes in-flight polls within the grace period (SIGTERM path)', async () => {
    const t = await startTollgate(db.env);
    const id = await pollInFlight(t, 'xoxp-shutdown-grace', 'graceful');
    await t.close();
    const after = await startTollgate({ ...db.env, TOLLGATE_ROLE: 'api' });
    try {
      const runs = await rows(after, `SELECT outcome FROM poll_runs WHERE connection_id = $1`, [id]);
      expect(runs).toEqual([{ outcome: 'success' }]);
      const [c] = await rows(after, `SELECT lease_token FROM connections WHERE id = $1`, [id]);
      expect(c.lease_token).toBeNull();
    } finally {
      await after.close();
      await sim.control().delete('/_sim/faults').expect(200);
    }
  });

  it('releases the lease of a poll still running when the grace period ends, recording nothing', async () => {
    const t = await startTollgate({ ...db.env, TOLLGATE_SHUTDOWN_GRACE_SECONDS: '0' });
    const id = await pollInFlight(t, 'xoxp-shutdown-abort', 'aborted');
    await t.close();
    const after = await startTollgate({ ...db.env, TOLLGATE_ROLE: 'api' });
    try {
      expect(await rows(after, `SELECT 1 FROM poll_runs WHERE connection_id = $1`, [id])).toEqual([]);
      const [c] = await rows(after, `SELECT lease_token, next_poll_at <= now() AS due FROM connections WHERE id = $1`, [id]);
      expect(c).toEqual({ lease_token: null, due: true });
    } finally {
      await after.close();
      await sim.control().delete('/_sim/faults').expect(200);
    }
  });
});

describe('TOLLGATE_CONNECTIONS_FILE', () => {
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  let db: TestDatabase;
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-file-'));
  const file = join(dir, 'connections.yaml');

  const write = (entries: { name: string; interval: number; parameters?: Record<string, unknown> }[]) =>
    writeFileSync(
      file,
      `connections:\n${entries
        .map(
          (e) => `  - name: ${e.name}
    provider: slack
    pollIntervalSeconds: ${e.interval}
    credentials: { token: "\${TOLLGATE_E2E_FILE_TOKEN}" }
    endpoints: { api: "${sim.url}/slack/api" }
    declaredResidency: EU
    parameters: ${JSON.stringify(e.parameters ?? COMPLIANT_SLACK_PARAMETERS)}
`,
        )
        .join('')}`,
    );

  beforeAll(async () => {
    sim = await startSimulator();
    await putCompliantSlackTenant(sim, 'xoxp-from-file');
    process.env.TOLLGATE_E2E_FILE_TOKEN = 'xoxp-from-file';
    db = await createTestDatabase();
  });

  afterAll(async () => {
    delete process.env.TOLLGATE_E2E_FILE_TOKEN;
    await db?.drop();
    await sim?.close();
  });

  it('creates, updates and removes file-managed connections, and the API may not change them', async () => {
    write([
      { name: 'Filed A', interval: 600 },
      { name: 'Filed B', interval: 600 },
    ]);
    const t1 = await startTollgate({ ...db.env, TOLLGATE_CONNECTIONS_FILE: file });
    let keepId: string;
    try {
      const { items } = (await t1.api().get('/connections').expect(200)).body;
      expect(items.map((c: { name: string; source: string }) => [c.name, c.source])).toEqual([
        ['Filed A', 'file'],
        ['Filed B', 'file'],
      ]);
      keepId = items[0].id;
      expect((await t1.api().patch(`/connections/${keepId}`).send({ pollIntervalSeconds: 900 }).expect(409)).body.message).toMatch(/TOLLGATE_CONNECTIONS_FILE/);
      await t1.api().delete(`/connections/${keepId}`).expect(409);
      const polled = await pollNow(t1, keepId);
      expect(polled).toMatchObject({ status: { consecutiveFailures: 0 } });
    } finally {
      await t1.close();
    }

    write([{ name: 'Filed A', interval: 1200 }]);
    const t2 = await startTollgate({ ...db.env, TOLLGATE_CONNECTIONS_FILE: file });
    try {
      const { items } = (await t2.api().get('/connections').expect(200)).body;
      expect(items).toHaveLength(1);
      expect(items[0]).toMatchObject({ id: keepId, name: 'Filed A', pollIntervalSeconds: 1200 });
      // Data survived the restart: the findings of the first run are still there.
      expect((await t2.api().get(`/connections/${keepId}/findings`).expect(200)).body.summary.pass).toBeGreaterThan(0);
      // Reconciling re-sealed the credentials with the connection's endpoints: they still open.
      expect(await pollNow(t2, keepId)).toMatchObject({ status: { consecutiveFailures: 0, lastFailure: null } });
    } finally {
      await t2.close();
    }
  });

  it('applies a loosening change from the file directly, recorded in the ledger under the file as principal', async () => {
    const looser = { ...COMPLIANT_SLACK_PARAMETERS, approvedApps: ['A0FROMGIT1'] };
    write([{ name: 'Filed A', interval: 1200, parameters: looser }]);
    const t3 = await startTollgate({ ...db.env, TOLLGATE_CONNECTIONS_FILE: file });
    try {
      const [connection] = (await t3.api().get('/connections').expect(200)).body.items;
      expect(connection.parameters).toEqual(looser);
      const [change] = (await t3.api().get(`/connections/${connection.id}/changes`).expect(200)).body.items;
      expect(change).toMatchObject({ status: 'applied', source: 'file', loosening: true, requestedBy: `file:${file}`, requestedByKeyId: null });
      const entries: { kind: string; data: Record<string, unknown> }[] = (await t3.api().get('/evidence/ledger?limit=1000').expect(200)).body.items;
      expect(entries.find((e) => e.kind === 'connection.change.applied' && e.data.changeId === change.id)?.data).toMatchObject({
        principal: `file:${file}`,
        keyId: null,
        loosening: true,
        after: { parameters: looser },
      });
    } finally {
      await t3.close();
    }
  });
});
