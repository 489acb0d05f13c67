import { Client } from 'pg';
import request from 'supertest';
import { COMPLIANT_SLACK_IDS, putCompliantSlackTenant, slackConnection, startSimulator } from './support/simulator';
import { createPostgresDatabase, type TestDatabase } from './support/database';
import { ADMIN_KEY } from './support/tollgate';
import { ensureBuilt, killAllTollgates, spawnTollgate, stopTollgate, type TollgateProcess } from './support/processes';
import { historyViolations } from './support/invariants';

// Three real processes share 200 connections through leases alone (the in-process version with
// two replicas is test/replicas.e2e-spec.ts). Always on a real PostgreSQL server.
describe('three replica processes on one database', () => {
  const REPLICAS = 3;
  const CONNECTIONS = 200;
  const INTERVAL = 5;
  const INTERVALS = 3;
  const team = COMPLIANT_SLACK_IDS.teamIds[0];
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  let db: TestDatabase;
  let pg: Client;
  let replicas: TollgateProcess[] = [];

  beforeAll(async () => {
    await ensureBuilt();
    sim = await startSimulator();
    db = await createPostgresDatabase();
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    replicas = [await spawnTollgate(db.env)];
    replicas.push(...(await Promise.all(Array.from({ length: REPLICAS - 1 }, () => spawnTollgate(db.env)))));
  }, 240_000);

  afterAll(async () => {
    await killAllTollgates();
    await pg?.end();
    await db?.drop();
    await sim?.close();
  });

  it(`poll each of ${CONNECTIONS} connections once per interval, with no duplicate drift`, async () => {
    // Every other tenant drifts, so the replicas race to open the same drifts.
    const create = async (i: number) => {
      const token = `xoxp-procs-${i}`;
      await putCompliantSlackTenant(sim, token);
      if (i % 2 === 0) await sim.control().patch(`/_sim/slack/tenants/${token}/teams/${team}`).send({ discoverability: 'open' }).expect(200);
      await request(replicas[i % REPLICAS].url)
        .post('/api/v1/connections')
        .set('Authorization', `Bearer ${ADMIN_KEY}`)
        .send(slackConnection(sim, token, `tenant ${i}`, { pollIntervalSeconds: INTERVAL }))
        .expect(201);
    };
    const BATCH = 10;
    for (let i = 0; i < CONNECTIONS; i += BATCH) await Promise.all(Array.from({ length: BATCH }, (_, j) => create(i + j)));
    await new Promise((r) => setTimeout(r, (INTERVAL * INTERVALS + 0.5) * 1000));
    await Promise.all(replicas.map((r) => stopTollgate(r)));

    const runs = await pg.query<{ connection_id: string; started: Date[]; outcomes: string[] }>(
      `SELECT connection_id, array_agg(started_at ORDER BY started_at) AS started, array_agg(outcome ORDER BY started_at) AS outcomes
       FROM poll_runs GROUP BY connection_id`,
    );
    expect(runs.rows).toHaveLength(CONNECTIONS);
    const workers = await pg.query<{ n: number }>(`SELECT count(DISTINCT worker)::int AS n FROM poll_runs`);
    expect(workers.rows[0].n).toBe(REPLICAS);
    for (const row of runs.rows) {
      expect(row.outcomes.filter((o) => o !== 'success')).toEqual([]);
      // Connections created early poll during the creation of the others too, so the count is a
      // lower bound; the gaps say "once per interval": never sooner than the interval, never a skipped one.
      expect(row.started.length).toBeGreaterThanOrEqual(INTERVALS);
      for (let i = 1; i < row.started.length; i++) {
        const gap = row.started[i].getTime() - row.started[i - 1].getTime();
        expect(gap).toBeGreaterThanOrEqual(INTERVAL * 1000 - 5);
        expect(gap).toBeLessThan(2 * INTERVAL * 1000);
      }
    }

    expect(await historyViolations(pg)).toEqual([]);
    const drifts = await pg.query<{ status: string; n: number }>(`SELECT status, count(*)::int AS n FROM drifts GROUP BY status`);
    expect(drifts.rows).toEqual([{ status: 'open', n: CONNECTIONS / 2 }]);
    const opened = await pg.query<{ n: number }>(`SELECT count(*)::int AS n FROM drift_events WHERE kind = 'opened'`);
    expect(opened.rows[0].n).toBe(CONNECTIONS / 2);
  });
});
