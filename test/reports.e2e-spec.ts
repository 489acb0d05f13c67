import { parse } from 'csv-parse/sync';
import { DataSource } from 'typeorm';
import type { JsonValue } from '@tollgate/connector-sdk';
import { CSV_COLUMNS, readable } from '../apps/tollgate/src/reports/drift-csv';
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
              '{"op":"in","value":["invite_only"]}', to_jsonb(CASE WHEN i % 7 = 0 THEN '=1+1, say "hi"' ELSE 'open' END),
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
    // Each CSV record is the JSON item in CSV_COLUMNS order: times and ids byte for byte, expected and
    // observed as their readable text, and the JSON columns as the item's values exactly.
    const formula = (v: string) => (/^[=+\-@\t\r]/.test(v) ? `'${v}` : v);
    const asCsv = (d: Record<string, unknown>): string[] =>
      CSV_COLUMNS.map((c) => {
        if (c === 'expected_json' || c === 'observed_json') return JSON.stringify(d[c === 'expected_json' ? 'expected' : 'observed']);
        const v = d[c];
        if (c === 'references') return formula((v as string[]).join('; '));
        if (c === 'expected' || c === 'observed') return formula(readable(v as JsonValue));
        if (c === 'title' || c === 'resourceKey') return formula(v as string);
        return (v ?? '') as string;
      });
    // One comparison for all rows: 100k separate expect() calls would dominate the run time.
    const mismatches = json.items.flatMap((d: Record<string, unknown>, i: number) =>
      JSON.stringify(asCsv(d)) === JSON.stringify(records[i + 1]) ? [] : [{ json: asCsv(d), csv: records[i + 1] }],
    );
    expect(mismatches.slice(0, 3)).toEqual([]);
    expect(json.items.every((d: { openedAt: string }) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(d.openedAt))).toBe(true);
    expect(records.filter((r) => r[5].includes('\n'))).toHaveLength(ROWS / 10_000);
    // What an auditor reads, spelled out for the values inserted above (the JSON report's own values
    // are compared with readable() above), and the JSON columns parse back to the JSON report's values.
    const col = (name: (typeof CSV_COLUMNS)[number]) => CSV_COLUMNS.indexOf(name);
    expect(records[1][col('expected')]).toBe('op = in; value = invite_only');
    expect(new Set(records.slice(1).map((r) => r[col('observed')]))).toEqual(new Set(['open', `'=1+1, say "hi"`]));
    const parsedBack = records.slice(1).map((r) => [JSON.parse(r[col('expected_json')]), JSON.parse(r[col('observed_json')])]);
    expect(parsedBack).toEqual(json.items.map((d: { expected: JsonValue; observed: JsonValue }) => [d.expected, d.observed]));
  });

  it('gives in the report what GET /drifts/:id gives for the same drift', async () => {
    const { items } = (await t.api().get('/reports/drift?since=2026-01-01T00:00:00Z&until=2026-01-01T00:02:00Z').expect(200)).body;
    expect(items.length).toBeGreaterThan(100);
    for (const d of [items[0], items[100]]) {
      const { events: _events, ...one } = (await t.api().get(`/drifts/${d.id}`).expect(200)).body;
      expect(d).toEqual(one);
    }
  });

  it('exports every row once when many share a millisecond across batch boundaries', async () => {
    // 1,200 episodes opened a microsecond apart: JavaScript Dates would cut the keyset to the
    // millisecond and repeat rows at every batch boundary.
    await t.app.get(DataSource).query(
      `INSERT INTO drifts (connection_id, provider, baseline_id, control_id, title, "references", area, severity, resource_key,
                           status, expected, observed, opened_at, last_seen_at, resolved_at)
       SELECT $1, 'slack', 'slack-locked-down', 'SLACK.SHARING.1', 'Workspaces are not open', '[]', 'sharing', 'low', 'micro:' || i,
              'resolved', '{}', '{}', timestamptz '2025-06-01T00:00:00Z' + i * interval '1 microsecond',
              timestamptz '2025-06-01T00:00:01Z', timestamptz '2025-06-01T00:00:01Z'
       FROM generate_series(1, 1200) AS i`,
      [connectionId],
    );
    const csv = await t.api().get('/reports/drift?since=2025-05-31T00:00:00Z&until=2025-06-01T00:00:01Z&format=csv').expect(200);
    const records: string[][] = parse(csv.text, {});
    const keys = records.slice(1).map((r) => r[9]);
    expect(keys).toHaveLength(1200);
    expect(new Set(keys).size).toBe(1200);
    expect(records[1][13]).toBe('2025-06-01T00:00:00.000Z');
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
    expect(mine).toMatchObject({ name: 'reports', provider: 'slack', score: 1, stale: false, staleReason: null, up: true, findings: { fail: 0 } });
    expect(Date.parse(mine.lastSuccessAt)).toBeGreaterThan(Date.now() - 10 * 60_000);
    expect(mine.openDrifts).toEqual({ critical: ROWS / 100, high: 0, medium: 0, low: 0, info: 0 });
  });

  describe('a connection whose findings may be out of date', () => {
    const refuse = (token: string) =>
      sim.control().post('/_sim/faults').send({ provider: 'slack', token, kind: 'status', status: 200, body: { ok: false, error: 'invalid_auth' } }).expect(201);
    const postureOf = async (id: string) =>
      ((await t.api().get('/reports/posture').expect(200)).body.items as Record<string, unknown>[]).find((c) => c.connectionId === id)!;

    it('is stale with the reason and no score once its provider refuses, though its last findings all passed', async () => {
      await putCompliantSlackTenant(sim, 'xoxp-reports-refused');
      const id = (await t.api().post('/connections').send(slackConnection(sim, 'xoxp-reports-refused', 'refused later')).expect(201)).body.id as string;
      await pollNow(t, id);
      const before = await postureOf(id);
      expect(before).toMatchObject({ score: 1, stale: false, staleReason: null, findings: { fail: 0 } });

      await refuse('xoxp-reports-refused');
      await pollNow(t, id);
      const after = await postureOf(id);
      expect(after).toMatchObject({ score: null, stale: true, up: false, lastSuccessAt: before.lastSuccessAt, findings: before.findings });
      expect(after.staleReason).toMatch(/^the last (poll|\d+ polls) failed: auth$/);
    });

    it('is stale with the reason and no score when no poll ever succeeded', async () => {
      await putCompliantSlackTenant(sim, 'xoxp-reports-never');
      await refuse('xoxp-reports-never');
      const id = (await t.api().post('/connections').send(slackConnection(sim, 'xoxp-reports-never', 'never polled')).expect(201)).body.id as string;
      await pollNow(t, id);
      const posture = await postureOf(id);
      expect(posture).toMatchObject({ score: null, stale: true, up: false, lastSuccessAt: null, evaluatedAt: null });
      expect(posture.staleReason).toMatch(/^the last (poll|\d+ polls) failed: auth; never polled successfully$/);
    });
  });
});
