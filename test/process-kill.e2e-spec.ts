import { Client } from 'pg';
import request from 'supertest';
import { COMPLIANT_SLACK_IDS, putCompliantSlackTenant, slackConnection, startSimulator } from './support/simulator';
import { createPostgresDatabase, type TestDatabase } from './support/database';
import { ADMIN_KEY } from './support/tollgate';
import { ensureBuilt, killAllTollgates, spawnTollgate, stopTollgate, type TollgateProcess } from './support/processes';
import { historyViolations } from './support/invariants';

// Real worker processes on one Postgres, SIGKILLed one after another while they poll. Several
// processes need a real server, so this spec always uses one, with or without DATABASE_URL.
describe('kill -9 of a worker mid-poll', () => {
  const REPLICAS = 3;
  const CONNECTIONS = 24;
  const INTERVAL = 2;
  const LEASE = 3;
  const KILLS = 4;
  /**
   * How late after its lease expired a taken-over connection may be claimed: "within the lease time",
   * which leaves room for scheduler ticks and a loaded 2-core machine.
   */
  const CLAIM_SLACK_MS = LEASE * 1000;
  const team = COMPLIANT_SLACK_IDS.teamIds[0];
  const env = (db: TestDatabase) => ({
    ...db.env,
    TOLLGATE_LEASE_SECONDS: String(LEASE),
    TOLLGATE_POLL_TIMEOUT_SECONDS: '2',
  });
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
    // The first one migrates the database; the others find it ready.
    replicas = [await spawnTollgate(env(db))];
    replicas.push(...(await Promise.all(Array.from({ length: REPLICAS - 1 }, () => spawnTollgate(env(db))))));
  }, 240_000);

  afterAll(async () => {
    await killAllTollgates();
    await pg?.end();
    await db?.drop();
    await sim?.close();
  });

  it('its leases are taken over within the lease time, every due poll happens, no drift is duplicated', async () => {
    const api = (p: TollgateProcess) => ({
      post: (path: string) => request(p.url).post(`/api/v1${path}`).set('Authorization', `Bearer ${ADMIN_KEY}`),
      get: (path: string) => request(p.url).get(`/api/v1${path}`).set('Authorization', `Bearer ${ADMIN_KEY}`),
    });
    // Every other tenant drifts; every fourth is fixed halfway through the kills.
    for (let i = 0; i < CONNECTIONS; i++) {
      const token = `xoxp-kill-${i}`;
      await putCompliantSlackTenant(sim, token);
      if (i % 2 === 0) await sim.control().patch(`/_sim/slack/tenants/${token}/teams/${team}`).send({ discoverability: 'open' }).expect(200);
    }
    // Each poll takes at least this long, so a worker always has some in flight when it dies.
    await sim.control().post('/_sim/faults').send({ provider: 'slack', method: 'admin.teams.list', kind: 'slow', delayMs: 400 }).expect(201);
    const ids: string[] = [];
    for (let i = 0; i < CONNECTIONS; i++) {
      const res = await api(replicas[i % REPLICAS])
        .post('/connections')
        .send(slackConnection(sim, `xoxp-kill-${i}`, `kill ${i}`, { pollIntervalSeconds: INTERVAL }))
        .expect(201);
      ids.push(res.body.id as string);
    }
    await new Promise((r) => setTimeout(r, INTERVAL * 1000));

    const orphans: { id: string; leaseExpiresAt: Date; victim: string }[] = [];
    for (let k = 0; k < KILLS; k++) {
      if (k === KILLS / 2) {
        for (let i = 0; i < CONNECTIONS; i += 4) {
          await sim.control().patch(`/_sim/slack/tenants/xoxp-kill-${i}/teams/${team}`).send({ discoverability: 'invite_only' }).expect(200);
        }
      }
      const slot = k % REPLICAS;
      const victim = replicas[slot];
      const holds = async () =>
        (
          await pg.query<{ id: string; lease_expires_at: Date }>(
            `SELECT id, lease_expires_at FROM connections WHERE lease_owner LIKE $1 || '%' AND lease_expires_at > now()`,
            [victim.workerPrefix],
          )
        ).rows;
      const until = Date.now() + 10_000;
      while ((await holds()).length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      victim.kill('SIGKILL');
      await victim.exited;
      // What it held when it died: leases nobody will release, only their expiry.
      for (const row of await holds()) orphans.push({ id: row.id, leaseExpiresAt: row.lease_expires_at, victim: victim.workerPrefix });
      replicas[slot] = await spawnTollgate(env(db));
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(orphans.length).toBeGreaterThan(0);
    // Long enough for the last orphan to be taken over and every connection to be due once more.
    await new Promise((r) => setTimeout(r, (LEASE + INTERVAL) * 1000 + CLAIM_SLACK_MS));
    const verify = (await api(replicas[0]).get('/evidence/verify').expect(200)).body;
    expect(verify).toMatchObject({ ok: true, problem: null });
    const [{ end }] = (await pg.query<{ end: Date }>(`SELECT now() AS end`)).rows;
    await Promise.all(replicas.map((r) => stopTollgate(r)));

    for (const orphan of orphans) {
      const next = (
        await pg.query<{ worker: string; started_at: Date }>(
          `SELECT worker, started_at FROM poll_runs WHERE connection_id = $1 AND started_at >= $2 ORDER BY started_at LIMIT 1`,
          [orphan.id, orphan.leaseExpiresAt],
        )
      ).rows[0];
      expect(next).toBeDefined();
      expect(next.worker.startsWith(orphan.victim)).toBe(false);
      // The replica that took the lease over may itself be the next one killed before it recorded
      // its poll: then the connection was orphaned again, and the clock restarts at that lease's expiry.
      const expiry = Math.max(
        ...orphans
          .filter((o) => o.id === orphan.id && o.leaseExpiresAt <= next.started_at)
          .map((o) => o.leaseExpiresAt.getTime()),
      );
      expect(next.started_at.getTime() - expiry).toBeLessThan(CLAIM_SLACK_MS);
    }

    const runs = await pg.query<{ connection_id: string; started: Date[] }>(
      `SELECT connection_id, array_agg(started_at ORDER BY started_at) AS started FROM poll_runs GROUP BY connection_id`,
    );
    expect(runs.rows).toHaveLength(CONNECTIONS);
    // Once per interval at most; at the latest a lease later for each time the poll that was due died
    // with its worker (a connection can be orphaned twice in a row when its taker is killed next).
    const orphanedBetween = (id: string, from: Date, to: Date) =>
      orphans.filter((o) => o.id === id && o.leaseExpiresAt > from && o.leaseExpiresAt <= to).length;
    const longest = (lost: number) => (INTERVAL + Math.max(1, lost) * LEASE) * 1000 + CLAIM_SLACK_MS;
    for (const row of runs.rows) {
      for (let i = 1; i < row.started.length; i++) {
        const gap = row.started[i].getTime() - row.started[i - 1].getTime();
        expect(gap).toBeGreaterThanOrEqual(INTERVAL * 1000 - 5);
        expect(gap).toBeLessThan(longest(orphanedBetween(row.connection_id, row.started[i - 1], row.started[i])));
      }
      expect(end.getTime() - row.started[row.started.length - 1].getTime()).toBeLessThan(longest(1));
    }

    expect(await historyViolations(pg)).toEqual([]);
    // Count the effects per key: one episode per drifting tenant, resolved once for the fixed ones.
    const perConnection = await pg.query<{ connection_id: string; statuses: string[]; opened: number; resolved: number }>(
      `SELECT d.connection_id, array_agg(d.status) AS statuses,
              (SELECT count(*)::int FROM drift_events e JOIN drifts x ON x.id = e.drift_id WHERE x.connection_id = d.connection_id AND e.kind = 'opened') AS opened,
              (SELECT count(*)::int FROM drift_events e JOIN drifts x ON x.id = e.drift_id WHERE x.connection_id = d.connection_id AND e.kind = 'resolved') AS resolved
       FROM drifts d GROUP BY d.connection_id`,
    );
    const byConnection = new Map(perConnection.rows.map((r) => [r.connection_id, r]));
    ids.forEach((id, i) => {
      const expected = i % 4 === 0 ? { statuses: ['resolved'], opened: 1, resolved: 1 } : i % 2 === 0 ? { statuses: ['open'], opened: 1, resolved: 0 } : undefined;
      const actual = byConnection.get(id);
      expect({ i, drifts: actual ? { statuses: actual.statuses, opened: actual.opened, resolved: actual.resolved } : undefined }).toEqual({ i, drifts: expected });
    });
  });
});
