import { parse } from 'csv-parse/sync';
import { DataSource } from 'typeorm';
import { CSV_COLUMNS } from '../apps/tollgate/src/reports/reports.controller';
import { putCompliantSlackTenant, slackConnection, startSimulator } from './support/simulator';
import { createTestDatabase, type TestDatabase } from './support/database';
import { pollNow, startTollgate, type RunningTollgate } from './support/tollgate';

const ROWS = 100_000;

describe('auditor reports', () => {
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  let db: TestDatabase;
  let t: RunningTollgate;
  let connectionId: string;

  beforeAll(async () => {
    sim = await startSimulator();
    await putCompliantSlackTenant(sim, 'xoxp-reports');
    db = await createTestDatabase();
    t = await startTollgate(db.env);
    connectionId = (await t.api().post('/connections').send(slackConnection(sim, 'xoxp-reports', 'reports')).expect(201)).body.id;
    await pollNow(t, connectionId);
    // History made directly in the database: 100k episodes, a few with text that CSV must quote.
    await t.app.get(DataSource).query(
      `INSERT INTO drifts (connection_id, provider, baseline_id, control_id, title, "references", area, severity, resource_key,
                           status, expected, observed, opened_at, last_seen_at, resolved_at)
       SELECT $1, 'slack', 'slack-locked-down', 'SLACK.SHARING.1',
              CASE WHEN i % 10000 = 0 THEN E'Title with "quotes", commas\\nand a newline' ELSE 'Workspaces are not open' END,
              '["Slack Enterprise Grid: workspace discoverability"]', 'sharing',
              (ARRAY['critical','high','medium','low','info'])[1 + i % 5], 'team:T' || i,
              CASE WHEN i % 100 = 0 THEN 'open' ELSE 'resolved' END,
              '{"op":"in","value":["invite_only"]}', to_jsonb(CASE WHEN i % 7 = 0 THEN 'say "hi", =1+1' ELSE 'open' END),
              timestamptz '2026-01-01T00:00:00Z' + i * interval '1 second',
              timestamptz '2026-01-01T00:00:00Z' + i * interval '1 second' + interval '1 hour',
              CASE WHEN i % 100 = 0 THEN NULL ELSE timestamptz '2026-01-01T00:00:00Z' + i * interval '1 second' + interval '1 hour' END
       FROM generate_series(1, ${ROWS}) AS i`,
      [connectionId],
    );
  });

  afterAll(async () => {
    await t?.close();
    await db?.drop();
    await sim?.close();
  });

  it(`exports ${ROWS} drifts as RFC 4180 CSV that parses and matches the JSON export`, async () => {
    const range = 'since=2025-12-31T00:00:00Z&until=2026-03-01T00:00:00Z';
    const json = (await t.api().get(`/reports/drift?${range}&format=json`).expect(200).expect('Content-Type', /application\/json/)).body;
    expect(json.items).toHaveLength(ROWS);
    const csv = await t
      .api()
      .get(`/reports/drift?${range}&format=csv`)
      .buffer(true)
      .parse((res, done) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => done(null, text));
      })
      .expect(200)
      .expect('Content-Type', /text\/csv/);
    const records: string[][] = parse(csv.body as string, { relax_column_count: false });
    expect(records[0]).toEqual([...CSV_COLUMNS]);
    expect(records).toHaveLength(ROWS + 1);
    expect((csv.body as string).slice(0, 200)).toContain('\r\n');
    const unescape = (v: string) => (v.startsWith("'=") ? v.slice(1) : v);
    // One comparison for all rows: 100k separate expect() calls would dominate the run time.
    const mismatches: number[] = [];
    for (let i = 0; i < ROWS; i++) {
      const row = records[i + 1];
      const d = json.items[i];
      const same =
        row[0] === d.id &&
        row[5] === d.title &&
        row[9] === d.resourceKey &&
        row[10] === d.status &&
        unescape(row[12]) === JSON.stringify(d.observed) &&
        row[13] === d.openedAt &&
        row[15] === (d.resolvedAt ?? '');
      if (!same) mismatches.push(i);
    }
    expect(mismatches).toEqual([]);
    expect(json.items.every((d: { openedAt: string }) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(d.openedAt))).toBe(true);
    expect(records.filter((r) => r[5].includes('\n'))).toHaveLength(ROWS / 10_000);
  });

  it('reports only episodes that overlap the window, oldest first', async () => {
    const { items } = (await t.api().get('/reports/drift?since=2026-01-01T00:00:10Z&until=2026-01-01T00:00:20Z').expect(200)).body;
    // Episodes last an hour: those opened in the hour before `since` still overlap.
    expect(items.length).toBe(19);
    const opened = items.map((d: { openedAt: string }) => d.openedAt);
    expect(opened).toEqual([...opened].sort());
  });

  it('refuses a window that ends before it starts, and unknown formats', async () => {
    await t.api().get('/reports/drift?since=2026-02-01T00:00:00Z&until=2026-01-01T00:00:00Z').expect(400);
    await t.api().get('/reports/drift?format=xml').expect(400);
  });

  it('gives the posture per connection: score and open drifts by severity', async () => {
    const { items } = (await t.api().get('/reports/posture').expect(200)).body;
    const mine = items.find((c: { connectionId: string }) => c.connectionId === connectionId);
    expect(mine).toMatchObject({ name: 'reports', provider: 'slack', score: 1, up: true, findings: { fail: 0 } });
    expect(mine.openDrifts).toEqual({ critical: ROWS / 100, high: 0, medium: 0, low: 0, info: 0 });
  });
});
