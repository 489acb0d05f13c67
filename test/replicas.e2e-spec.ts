import { Client } from 'pg';
import request from 'supertest';
import { COMPLIANT_SLACK_IDS, putCompliantSlackTenant, slackConnection, startSimulator } from './support/simulator';
import { createPostgresDatabase, type TestDatabase } from './support/database';
import { eventually, startTollgate, type RunningTollgate } from './support/tollgate';

// Two app instances on one Postgres share 50 connections through leases alone. Embedded mode is
// single-process by design, so this spec always uses a real PostgreSQL server.
describe('two replicas on one database', () => {
  const CONNECTIONS = 50;
  const INTERVAL = 2;
  const INTERVALS = 3;
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  let db: TestDatabase;
  let replicas: RunningTollgate[] = [];
  let pg: Client;

  beforeAll(async () => {
    sim = await startSimulator();
    db = await createPostgresDatabase();
    replicas = [await startTollgate(db.env), await startTollgate(db.env)];
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  });

  afterAll(async () => {
    await pg?.end();
    for (const r of replicas) await r.close();
    await db?.drop();
    await sim?.close();
  });

  it(`polls each of ${CONNECTIONS} connections once per interval, with no duplicate drift`, async () => {
    // Every other tenant drifts (an open workspace), so both replicas race to open the same drifts.
    for (let i = 0; i < CONNECTIONS; i++) {
      const token = `xoxp-replica-${i}`;
      await putCompliantSlackTenant(sim, token);
      if (i % 2 === 0) {
        await request(sim.url)
          .patch(`/_sim/slack/tenants/${token}/teams/${COMPLIANT_SLACK_IDS.teamIds[0]}`)
          .send({ discoverability: 'open' })
          .expect(200);
      }
      await replicas[i % 2]
        .api()
        .post('/connections')
        .send(slackConnection(sim, token, `tenant ${i}`, { pollIntervalSeconds: INTERVAL }))
        .expect(201);
    }
    const window = (INTERVAL * INTERVALS + 0.5) * 1000;
    await new Promise((r) => setTimeout(r, window));
    for (const r of replicas) await r.app.close();
    replicas = [];

    const runs = await pg.query<{ connection_id: string; started: Date[]; workers: string[]; outcomes: string[] }>(
      `SELECT connection_id, array_agg(started_at ORDER BY started_at) AS started,
              array_agg(DISTINCT worker) AS workers, array_agg(outcome) AS outcomes
       FROM poll_runs GROUP BY connection_id`,
    );
    expect(runs.rows).toHaveLength(CONNECTIONS);
    const allWorkers = new Set(runs.rows.flatMap((r) => r.workers));
    expect(allWorkers.size).toBe(2);
    for (const row of runs.rows) {
      expect(row.outcomes.every((o) => o === 'success')).toBe(true);
      // Connections created early poll during the creation of the others too, so the count is a
      // lower bound; the gaps say "once per interval": never sooner than the interval, never a skipped one.
      expect(row.started.length).toBeGreaterThanOrEqual(INTERVALS);
      for (let i = 1; i < row.started.length; i++) {
        const gap = row.started[i].getTime() - row.started[i - 1].getTime();
        expect(gap).toBeGreaterThanOrEqual(INTERVAL * 1000 - 5);
        expect(gap).toBeLessThan(2 * INTERVAL * 1000);
      }
    }

    const dupes = await pg.query(
      `SELECT connection_id, control_id, resource_key, count(*) FROM drifts
       GROUP BY connection_id, control_id, resource_key HAVING count(*) > 1`,
    );
    expect(dupes.rows).toEqual([]);
    const drifts = await pg.query<{ n: string }>(`SELECT count(*) AS n FROM drifts WHERE status = 'open'`);
    expect(Number(drifts.rows[0].n)).toBe(CONNECTIONS / 2);
    const opened = await pg.query<{ n: string }>(`SELECT count(*) AS n FROM drift_events WHERE kind = 'opened'`);
    expect(Number(opened.rows[0].n)).toBe(CONNECTIONS / 2);
  });

  it('a crashed holder\'s lease expires and another replica takes the connection over', async () => {
    const token = 'xoxp-replica-takeover';
    await putCompliantSlackTenant(sim, token);
    const a = await startTollgate({ ...db.env, TOLLGATE_ROLE: 'api' });
    replicas.push(a);
    const created = await a.api().post('/connections').send(slackConnection(sim, token, 'takeover', { pollIntervalSeconds: 60 })).expect(201);
    const id = created.body.id as string;
    // A worker that claimed the connection and died: its lease is held but nobody is polling.
    const lease = await pg.query<{ lease_expires_at: Date }>(
      `UPDATE connections SET lease_owner = 'dead-worker', lease_token = gen_random_uuid(),
              lease_expires_at = now() + interval '2 seconds', next_poll_at = now() WHERE id = $1
       RETURNING lease_expires_at`,
      [id],
    );
    const b = await startTollgate(db.env);
    replicas.push(b);
    const run = await eventually(
      'the takeover poll',
      async () =>
        (await pg.query<{ worker: string; started_at: Date }>(`SELECT worker, started_at FROM poll_runs WHERE connection_id = $1`, [id]))
          .rows[0],
    );
    expect(run.worker).toBe(b.scheduler.workerId);
    expect(run.started_at.getTime()).toBeGreaterThanOrEqual(lease.rows[0].lease_expires_at.getTime());
  });
});
