import { Client } from 'pg';
import request from 'supertest';
import { putCompliantSlackTenant, slackConnection, startSimulator } from './support/simulator';
import { createPostgresDatabase, serverUrl, type TestDatabase } from './support/database';
import { eventually, pollNow, startTollgate, type RunningTollgate } from './support/tollgate';
import { parseExposition, sampleValue } from './support/metrics-queries';

// The database disappears under a running Tollgate: it is dropped (its backends terminated, and
// reconnecting fails). Needs a server to drop a database on, so it always uses a real PostgreSQL.
describe('health and metrics while the database is gone', () => {
  const token = 'xoxp-e2e-db-down-0001';
  const acme = { provider: 'slack', connection: 'Acme Slack' };
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  let db: TestDatabase;
  let t: RunningTollgate;

  /** A scrape that must answer within a second, whatever the database does. */
  const scrape = async () => {
    const res = await request(t.url).get('/metrics').timeout(1000).expect(200);
    return parseExposition(res.text).samples;
  };

  beforeAll(async () => {
    sim = await startSimulator();
    await putCompliantSlackTenant(sim, token);
    db = await createPostgresDatabase();
    t = await startTollgate(db.env);
    const id = (await t.api().post('/connections').send(slackConnection(sim, token, acme.connection)).expect(201)).body.id;
    await pollNow(t, id);
  });

  afterAll(async () => {
    await t?.close();
    await db?.drop();
    await sim?.close();
  });

  it('while the database answers: /readyz 200 and tollgate_database_up 1', async () => {
    expect((await request(t.url).get('/readyz').expect(200)).body).toEqual({ status: 'ready', database: 'up', migrations: 'applied' });
    const samples = await eventually('a reading with the connection', async () => {
      const s = await scrape();
      return sampleValue(s, 'tollgate_connection_up', acme) === 1 ? s : undefined;
    });
    expect(sampleValue(samples, 'tollgate_database_up')).toBe(1);
  });

  it('once it is gone: /readyz 503, /healthz 200, /metrics answers with the last values and tollgate_database_up 0', async () => {
    const name = new URL(db.url as string).pathname.slice(1);
    const admin = new Client({ connectionString: serverUrl() });
    await admin.connect();
    try {
      await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
    } finally {
      await admin.end();
    }

    const ready = await eventually('/readyz to fail', async () => {
      const res = await request(t.url).get('/readyz');
      return res.status === 503 ? res : undefined;
    });
    expect(ready.body).toMatchObject({ statusCode: 503, message: expect.stringMatching(/^not ready: /) });
    expect((await request(t.url).get('/healthz').expect(200)).body).toEqual({ status: 'ok' });

    const samples = await eventually('tollgate_database_up 0', async () => {
      const s = await scrape();
      return sampleValue(s, 'tollgate_database_up') === 0 ? s : undefined;
    });
    expect(sampleValue(samples, 'tollgate_connection_up', acme)).toBe(1);
    expect(sampleValue(samples, 'tollgate_drifts_open', { ...acme, severity: 'critical' })).toBe(0);
    // And it stays that way, scrape after scrape.
    for (let i = 0; i < 3; i++) expect(sampleValue(await scrape(), 'tollgate_database_up')).toBe(0);
  });
});
