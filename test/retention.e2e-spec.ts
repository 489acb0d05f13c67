import { DataSource } from 'typeorm';
import { HistoryRetention } from '../apps/tollgate/src/retention/history-retention.service';
import { COMPLIANT_SLACK_IDS, putCompliantSlackTenant, slackConnection, startSimulator } from './support/simulator';
import { createTestDatabase, type TestDatabase } from './support/database';
import { pollNow, startTollgate, type RunningTollgate } from './support/tollgate';

const DAY = 86_400_000;

// Poll runs and finished webhook deliveries are pruned after TOLLGATE_HISTORY_RETENTION_DAYS;
// pending deliveries and the evidence (drifts, their events, the ledger, audit events) never are.
describe('history retention', () => {
  const token = 'xoxp-e2e-retention';
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  let db: TestDatabase;
  let t: RunningTollgate;
  let ds: DataSource;
  let connectionId: string;

  const count = async (sql: string, params: unknown[] = []) => Number((await ds.query(sql, params))[0].n);
  const evidence = async () => ({
    drifts: await count('SELECT count(*) AS n FROM drifts'),
    events: await count('SELECT count(*) AS n FROM drift_events'),
    ledger: await count('SELECT count(*) AS n FROM evidence_ledger'),
    audit: await count('SELECT count(*) AS n FROM audit_events'),
  });

  beforeAll(async () => {
    sim = await startSimulator();
    await putCompliantSlackTenant(sim, token);
    // One drift, so that there is evidence the pruning must leave alone.
    await sim.control().patch(`/_sim/slack/tenants/${token}/teams/${COMPLIANT_SLACK_IDS.teamIds[0]}`).send({ discoverability: 'open' }).expect(200);
    db = await createTestDatabase();
    t = await startTollgate({ ...db.env, TOLLGATE_HISTORY_RETENTION_DAYS: '7' });
    ds = t.app.get(DataSource);
    connectionId = (await t.api().post('/connections').send(slackConnection(sim, token, 'retention')).expect(201)).body.id;
    await pollNow(t, connectionId);
  });

  afterAll(async () => {
    await t?.close();
    await db?.drop();
    await sim?.close();
  });

  it('deletes what is past the retention, oldest first in batches, and nothing else', async () => {
    const now = new Date();
    const ago = (days: number) => new Date(now.getTime() - days * DAY);
    // 12,000 old poll runs (more than two batches) and one from yesterday.
    await ds.query(
      `INSERT INTO poll_runs (id, connection_id, worker, started_at, finished_at, outcome)
       SELECT gen_random_uuid(), $1, 'old', $2::timestamptz - g * interval '1 second', $2::timestamptz - g * interval '1 second', 'success'
       FROM generate_series(1, 12000) g`,
      [connectionId, ago(8)],
    );
    const [{ id: recentRun }] = await ds.query(
      `INSERT INTO poll_runs (id, connection_id, worker, started_at, finished_at, outcome) VALUES (gen_random_uuid(), $1, 'recent', $2, $2, 'success') RETURNING id`,
      [connectionId, ago(1)],
    );
    const delivery = async (state: string, days: number): Promise<string> =>
      (await ds.query(`INSERT INTO webhook_deliveries (event, payload, created_at, state) VALUES ('drift.opened', '{}', $1, $2) RETURNING id`, [ago(days), state]))[0].id;
    const oldDelivered = await delivery('delivered', 10);
    const oldFailed = await delivery('failed', 10);
    const oldPending = await delivery('pending', 10);
    const recentDelivered = await delivery('delivered', 2);
    const runsBefore = await count('SELECT count(*) AS n FROM poll_runs');
    const evidenceBefore = await evidence();
    expect(evidenceBefore.drifts).toBeGreaterThan(0);
    expect(evidenceBefore.ledger).toBeGreaterThan(0);

    expect(await t.app.get(HistoryRetention).run(now)).toEqual({ poll_runs: 12_000, webhook_deliveries: 2 });

    expect(await count('SELECT count(*) AS n FROM poll_runs')).toBe(runsBefore - 12_000);
    expect(await count(`SELECT count(*) AS n FROM poll_runs WHERE worker = 'old'`)).toBe(0);
    expect(await count('SELECT count(*) AS n FROM poll_runs WHERE id = $1', [recentRun])).toBe(1);
    const left = (await ds.query('SELECT id FROM webhook_deliveries WHERE id = ANY($1::uuid[])', [[oldDelivered, oldFailed, oldPending, recentDelivered]])).map(
      (r: { id: string }) => r.id,
    );
    expect(left.sort()).toEqual([oldPending, recentDelivered].sort());
    expect(await evidence()).toEqual(evidenceBefore);
    expect((await t.api().get('/evidence/verify').expect(200)).body.ok).toBe(true);
    expect(t.logs.some((l) => l.includes('history past its retention deleted') && l.includes('"poll_runs":12000'))).toBe(true);

    // Nothing more to do the next time.
    expect(await t.app.get(HistoryRetention).run(now)).toEqual({ poll_runs: 0, webhook_deliveries: 0 });
  });
});
