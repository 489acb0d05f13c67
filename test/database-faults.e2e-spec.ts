import { Client } from 'pg';
import request from 'supertest';
import { COMPLIANT_SLACK_IDS, putCompliantSlackTenant, slackConnection, startSimulator } from './support/simulator';
import { createPostgresDatabase, serverUrl, type TestDatabase } from './support/database';
import { eventually, startTollgate, type RunningTollgate } from './support/tollgate';
import { historyViolations } from './support/invariants';
import { LEDGER_LOCK } from '@tollgate/evidence';

// Postgres goes away under a running Tollgate: its sessions are killed mid-poll, then the database
// refuses connections for a while. Needs a server whose sessions can be terminated, so it always
// uses a real PostgreSQL, with or without DATABASE_URL.
describe('Postgres connection loss', () => {
  /** Where the poll is when its sessions die: between requests to the provider, or inside its transaction. */
  type KillPoint = 'collecting' | 'fencing' | 'recording';
  const KILL_POINTS: KillPoint[] = ['collecting', 'fencing', 'recording'];
  const ROUNDS = 9;
  const token = 'xoxp-e2e-db-faults-0001';
  const team = COMPLIANT_SLACK_IDS.teamIds[0];
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  let db: TestDatabase;
  let dbName: string;
  let t: RunningTollgate;
  let admin: Client;
  let connectionId: string;

  /** A client on the test database; reconnected whenever the database took it away. */
  let inspector: Client | undefined;
  const pg = async (): Promise<Client> => {
    if (!inspector) {
      const c = new Client({ connectionString: db.url });
      c.on('error', () => {
        if (inspector === c) inspector = undefined;
      });
      await c.connect();
      inspector = c;
    }
    return inspector;
  };
  const closeInspector = async () => {
    const c = inspector;
    inspector = undefined;
    await c?.end().catch(() => undefined);
  };

  /** Terminates every session Tollgate holds on the test database; returns how many there were. */
  const killTollgateSessions = async (): Promise<number> => {
    const { rowCount } = await admin.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'tollgate'`,
      [dbName],
    );
    return rowCount ?? 0;
  };
  const setDiscoverability = (discoverability: string) =>
    sim.control().patch(`/_sim/slack/tenants/${token}/teams/${team}`).send({ discoverability }).expect(200);
  const faultHits = async (id: string): Promise<number> =>
    ((await sim.control().get('/_sim/faults').expect(200)).body.faults as { id: string; hits: number }[]).find((f) => f.id === id)?.hits ?? -1;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  beforeAll(async () => {
    sim = await startSimulator();
    await putCompliantSlackTenant(sim, token);
    db = await createPostgresDatabase();
    dbName = new URL(db.url as string).pathname.slice(1);
    admin = new Client({ connectionString: serverUrl() });
    await admin.connect();
    // A short lease: a poll whose every write was cut off is retried once its lease expires.
    t = await startTollgate({ ...db.env, TOLLGATE_LEASE_SECONDS: '4', TOLLGATE_POLL_TIMEOUT_SECONDS: '3' });
    connectionId = (await t.api().post('/connections').send(slackConnection(sim, token, 'db faults')).expect(201)).body.id;
  });

  afterAll(async () => {
    await admin?.query(`ALTER DATABASE ${dbName} ALLOW_CONNECTIONS true`).catch(() => undefined);
    await closeInspector();
    await t?.close();
    await admin?.end();
    await db?.drop();
    await sim?.close();
  });

  it(`sessions killed mid-poll, ${ROUNDS} times: no partial snapshot, no lost or duplicated drift or ledger entry`, async () => {
    const stoppedInTransaction: KillPoint[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const point = KILL_POINTS[round % KILL_POINTS.length];
      // Every round flips the posture, so every poll that counts opens or resolves the drift.
      await setDiscoverability(round % 2 === 0 ? 'open' : 'invite_only');
      const fault = await sim.control().post('/_sim/faults').send({ provider: 'slack', token, method: 'admin.teams.list', kind: 'slow', delayMs: 300, times: 1 }).expect(201);
      const c = await pg();
      const successes = async (on: Client) =>
        (await on.query<{ n: number }>(`SELECT count(*)::int AS n FROM poll_runs WHERE connection_id = $1 AND outcome = 'success'`, [connectionId])).rows[0].n;
      const before = await successes(c);
      await c.query(`UPDATE connections SET next_poll_at = now() WHERE id = $1`, [connectionId]);
      await eventually('the poll to reach the slow method', async () => (await faultHits(fault.body.fault.id)) > 0, 10_000);

      if (point === 'collecting') {
        expect(await killTollgateSessions()).toBeGreaterThan(0);
      } else {
        // Hold what the poll's transaction will wait for: the connection row it fences on, or the
        // ledger lock it takes after writing the snapshot and drifts. Kill it while it waits.
        await c.query('BEGIN');
        if (point === 'fencing') await c.query(`SELECT 1 FROM connections WHERE id = $1 FOR UPDATE`, [connectionId]);
        else await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [LEDGER_LOCK]);
        await eventually(`the poll's transaction to wait (${point})`, async () => {
          const { rows } = await admin.query(
            `SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND application_name = 'tollgate' AND wait_event_type = 'Lock' AND xact_start IS NOT NULL`,
            [dbName],
          );
          return rows.length > 0;
        }, 10_000);
        expect(await killTollgateSessions()).toBeGreaterThan(0);
        stoppedInTransaction.push(point);
        await c.query('ROLLBACK');
      }

      await eventually(
        `round ${round} (${point}): a successful poll after the kill`,
        async () => {
          const on = await pg().catch(() => undefined);
          const now = on ? await successes(on).catch(() => undefined) : undefined;
          if (now !== undefined && now > before) return true;
          // A poll the kill turned into a failure is due again only after a backoff; ask again.
          await on?.query(`UPDATE connections SET next_poll_at = now() WHERE id = $1 AND lease_owner IS NULL`, [connectionId]).catch(() => undefined);
          return false;
        },
        20_000,
      );
      await sim.control().delete('/_sim/faults').expect(200);
    }
    expect(stoppedInTransaction.length).toBeGreaterThan(0);

    const c = await pg();
    expect(await historyViolations(c)).toEqual([]);
    // Each opening round opened one episode, each fixing round resolved it: nothing lost, nothing twice.
    const openings = Math.ceil(ROUNDS / 2);
    const fixes = Math.floor(ROUNDS / 2);
    const drifts = await c.query<{ status: string; n: number }>(`SELECT status, count(*)::int AS n FROM drifts GROUP BY status ORDER BY status`);
    expect(drifts.rows).toEqual([...(openings > fixes ? [{ status: 'open', n: 1 }] : []), { status: 'resolved', n: fixes }]);
    const events = await c.query<{ kind: string; n: number }>(`SELECT kind, count(*)::int AS n FROM drift_events GROUP BY kind ORDER BY kind`);
    expect(events.rows).toEqual([
      { kind: 'opened', n: openings },
      { kind: 'resolved', n: fixes },
    ]);
    const verify = (await t.api().get('/evidence/verify').expect(200)).body;
    expect(verify).toMatchObject({ ok: true, headSeq: ROUNDS, problem: null });
  });

  it('unreachable: /readyz red within 5 s; back: polling resumes by itself within 30 s', async () => {
    await t.api().patch(`/connections/${connectionId}`).send({ pollIntervalSeconds: 1 }).expect(200);
    await (await pg()).query(`UPDATE connections SET next_poll_at = now() WHERE id = $1`, [connectionId]);
    await closeInspector();
    await admin.query(`ALTER DATABASE ${dbName} ALLOW_CONNECTIONS false`);
    try {
      await killTollgateSessions();
      await eventually(
        '/readyz to go red',
        async () => (await request(t.url).get('/readyz').timeout(3000).catch(() => undefined))?.status === 503,
        5_000,
      );
      expect((await request(t.url).get('/healthz').expect(200)).body).toEqual({ status: 'ok' });
      // The posture drifts while Tollgate cannot see the database.
      await setDiscoverability('open');
      await sleep(2000);
      expect((await request(t.url).get('/readyz').timeout(3000)).status).toBe(503);
    } finally {
      await admin.query(`ALTER DATABASE ${dbName} ALLOW_CONNECTIONS true`);
    }
    const back = new Date();

    await eventually('/readyz to be green again', async () => (await request(t.url).get('/readyz').timeout(3000).catch(() => undefined))?.status === 200, 30_000);
    const c = await pg();
    const resumed = await eventually(
      'a successful poll after the database came back',
      async () =>
        (await c.query<{ started_at: Date }>(`SELECT started_at FROM poll_runs WHERE connection_id = $1 AND outcome = 'success' AND started_at >= $2`, [connectionId, back]))
          .rows[0],
      30_000,
    );
    expect(resumed.started_at.getTime()).toBeGreaterThanOrEqual(back.getTime());
    const open = await c.query<{ resource_key: string }>(`SELECT resource_key FROM drifts WHERE status = 'open'`);
    expect(open.rows).toEqual([{ resource_key: `team:${team}` }]);
    expect(await historyViolations(c)).toEqual([]);
  });
});
