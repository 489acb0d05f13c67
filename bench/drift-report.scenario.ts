import { spawn, spawnSync } from 'node:child_process';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { DriftQuery, listSql, overlappingSql, type DriftFilter } from '@tollgate/drift';
import type { Figure } from './bench-report';
import { createBenchDatabase, nowMs, seedSlackConnections, time, type ScenarioContext } from './bench-support';
import { startApp } from './tollgate-under-bench';

const ADMIN_KEY = 'bench-bootstrap-admin-key-0123456789abcdef';

/** Generates `rows` drift episodes over `connections` connections in SQL, spread over a year; a third resolved. */
export async function generateDrifts(ds: DataSource, rows: number, connectionIds: string[]): Promise<void> {
  await ds.query(
    `INSERT INTO drifts (connection_id, provider, baseline_id, control_id, title, "references", area, severity, resource_key,
                         status, expected, observed, opened_at, last_seen_at, resolved_at, still_failing)
     SELECT ($2::uuid[])[1 + g % cardinality($2::uuid[])], 'slack', 'slack-locked-down', 'SLACK.OAUTH.' || (1 + g % 2),
            'No unapproved app holds admin or bulk-read scopes', '["Slack Enterprise Grid: App Management / app approval"]',
            'oauth', (ARRAY['critical','high','medium','low','info'])[1 + g % 5], 'app:A' || lpad(g::text, 9, '0'),
            CASE WHEN g % 3 = 0 THEN 'resolved' ELSE 'open' END,
            '{"forbiddenScopes":["admin.*","*:history"]}',
            jsonb_build_object('appName', 'Bench app ' || g, 'forbiddenScopes', jsonb_build_array('channels:history')),
            t, t, CASE WHEN g % 3 = 0 THEN t + interval '1 day' END, g % 3 <> 0
     -- Milliseconds, as the recorder stores them (JS Dates): the keyset cursors rely on it.
     FROM generate_series(1, $1) g, LATERAL (SELECT date_trunc('milliseconds', now() - interval '365 days' * ($1 - g) / $1) AS t) x`,
    [rows, connectionIds],
  );
  await ds.query('ANALYZE drifts');
  await ds.query('ANALYZE connections');
}

function literal(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'number') return String(v);
  if (v instanceof Date) return `'${v.toISOString()}'`;
  return `'${String(v).replace(/'/g, "''")}'`;
}

interface CsvExport {
  lines: number;
  seconds: number;
  peakRssGrowth: number;
}

/** GET `url` with curl piped into wc -l; this process's RSS is sampled meanwhile (it holds the app). */
export async function exportCsv(url: string): Promise<CsvExport> {
  const rssBefore = process.memoryUsage().rss;
  let peakRss = rssBefore;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  const start = nowMs();
  try {
    const child = spawn('sh', ['-c', 'curl -sS --fail -H "$AUTH" "$URL" | wc -l'], {
      env: { ...process.env, AUTH: `authorization: Bearer ${ADMIN_KEY}`, URL: url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    if (code !== 0 || err) throw new Error(`curl | wc failed (${code}): ${err}`);
    return { lines: Number(out.trim()), seconds: (nowMs() - start) / 1000, peakRssGrowth: Math.max(0, peakRss - rssBefore) };
  } finally {
    clearInterval(sampler);
  }
}

/**
 * The drift list's first page (GET /drifts, 50 rows, newest first) and the streamed CSV report
 * (GET /reports/drift?format=csv) over a drifts table generated in SQL. References: the very same
 * SELECT through a bare pg client, and psql's \copy of the report's SELECT to /dev/null.
 */
export async function driftReportScenario(ctx: ScenarioContext): Promise<Figure[]> {
  const rows = ctx.quick ? 100_000 : 1_000_000;
  const bench = await createBenchDatabase();
  try {
    const ids = await seedSlackConnections(bench.ds, {
      count: 100,
      simUrl: 'http://127.0.0.1:9',
      token: () => 'xoxp-bench',
      intervalSeconds: 3600,
      firstDueInSeconds: () => 86_400,
    });
    const t0 = nowMs();
    await generateDrifts(bench.ds, rows, ids);
    ctx.log(`generated ${rows} drifts in ${((nowMs() - t0) / 1000).toFixed(1)} s`);
    const label = rows.toLocaleString('en-US');
    const figures: Figure[] = [];

    const client = new Client({ connectionString: bench.url });
    await client.connect();
    try {
      const pages: { name: string; filter: DriftFilter }[] = [
        { name: 'no filter', filter: {} },
        { name: 'status=open&severity=critical', filter: { status: 'open', severity: 'critical' } },
        { name: 'connectionId=…', filter: { connectionId: ids[7] } },
      ];
      const query = new DriftQuery(bench.ds);
      for (const { name, filter } of pages) {
        const ours = await time(() => query.list(filter, 50), { minRuns: 100, maxRuns: 100, warmup: 3 });
        const { text, values } = listSql(filter, 50);
        const bare = await time(() => client.query(text, values), { minRuns: 100, maxRuns: 100, warmup: 3 });
        ctx.log(`first page (${name}): p50 ${ours.median.toFixed(2)} ms, p95 ${ours.p95.toFixed(2)} ms; bare pg ${bare.median.toFixed(2)} / ${bare.p95.toFixed(2)} ms`);
        figures.push({
          scenario: 'drift report',
          figure: `first page of 50 (${name}) over ${label} drifts, p50`,
          value: ours.median,
          unit: 'ms',
          reference: { what: 'same SQL, bare pg client, p50', value: bare.median, unit: 'ms' },
        });
        figures.push({
          scenario: 'drift report',
          figure: `first page of 50 (${name}) over ${label} drifts, p95`,
          value: ours.p95,
          unit: 'ms',
          reference: { what: 'same SQL, bare pg client, p95', value: bare.p95, unit: 'ms' },
          targets: ctx.quick ? undefined : [{ on: 'value', op: '<', limit: 50 }],
        });
      }
    } finally {
      await client.end();
    }

    // The CSV export through the real app and its HTTP stream, read by curl in its own process (as
    // psql is for the reference), so that the client's parsing is not in the app's process. First
    // the oldest tenth of the rows, then all of them: memory is flat if the app grows no more for
    // ten times the rows.
    const [{ at }]: { at: Date }[] = await bench.ds.query('SELECT opened_at AS at FROM drifts ORDER BY opened_at OFFSET $1 LIMIT 1', [rows / 10]);
    const app = await startApp(bench.url, { TOLLGATE_ROLE: 'api', TOLLGATE_BOOTSTRAP_ADMIN_KEY: ADMIN_KEY });
    const exports: { rows: number; csv: CsvExport }[] = [];
    try {
      for (const [expected, query] of [[rows / 10, `&until=${at.toISOString()}`], [rows, '']] as const) {
        const csv = await exportCsv(`${app.url}/api/v1/reports/drift?format=csv${query}`);
        if (csv.lines - 1 !== expected) throw new Error(`CSV report had ${csv.lines - 1} rows, expected ${expected}`);
        exports.push({ rows: expected, csv });
      }
    } finally {
      await app.close();
    }
    const [tenth, all] = exports;
    const mb = (e: { csv: CsvExport }) => e.csv.peakRssGrowth / 2 ** 20;
    const { seconds } = all.csv;
    const csvRows = rows;

    const { text, values } = overlappingSql({ until: new Date() }, rows * 10);
    const reportSql = text.replace(/\$(\d+)/g, (_m, i: string) => literal(values[Number(i) - 1])).replace(/\s+/g, ' ');
    const psqlStart = nowMs();
    const psql = spawnSync('psql', [bench.url, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', `\\copy (${reportSql}) to '/dev/null' with csv header`], {
      encoding: 'utf8',
    });
    const psqlSeconds = (nowMs() - psqlStart) / 1000;
    if (psql.status !== 0) throw new Error(`psql failed: ${psql.stderr}`);
    ctx.log(`CSV: ${csvRows} rows in ${seconds.toFixed(1)} s (${(csvRows / seconds).toFixed(0)} rows/s), peak RSS +${mb(all).toFixed(0)} MB (+${mb(tenth).toFixed(0)} MB for a tenth); psql \\copy ${psqlSeconds.toFixed(1)} s`);
    figures.push({
      scenario: 'drift report',
      figure: `CSV export of ${label} drifts over HTTP`,
      value: csvRows / seconds,
      unit: 'rows/s',
      reference: { what: 'psql \\copy of the same SELECT', value: rows / psqlSeconds, unit: 'rows/s' },
      targets: ctx.quick ? undefined : [{ on: 'value', op: '>=', limit: 100_000 }],
    });
    figures.push({
      scenario: 'drift report',
      figure: `peak RSS growth of the app while exporting ${label} drifts as CSV`,
      value: mb(all),
      unit: 'MB',
      reference: { what: `the same while exporting ${tenth.rows.toLocaleString('en-US')}`, value: mb(tenth), unit: 'MB' },
      // Flat: two batches of 500 rows in flight, whatever the size of the report.
      targets: ctx.quick ? undefined : [{ on: 'value', op: '<', limit: 64 }],
    });
    return figures;
  } finally {
    await bench.drop();
  }
}
