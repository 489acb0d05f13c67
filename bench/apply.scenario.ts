import { createHash, randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { Finding } from '@tollgate/baseline';
import { DriftRecorder, type ApplyInput, type ApplyResult } from '@tollgate/drift';
import { EvidenceLedger } from '@tollgate/evidence';
import type { Figure } from './bench-report';
import { createBenchDatabase, nowMs, seedSlackConnections, summarize, type ScenarioContext } from './bench-support';
import { slackDocumentWithGrants } from './posture-fixtures';

function failingFindings(n: number, variant: number): Finding[] {
  const findings: Finding[] = [];
  for (let i = 0; i < n; i++) {
    findings.push({
      controlId: 'SLACK.OAUTH.1',
      title: 'No unapproved app holds admin or bulk-read scopes',
      area: 'oauth',
      severity: 'high',
      references: ['Slack Enterprise Grid: App Management / app approval'],
      resourceKey: `app:A${String(i).padStart(9, '0')}`,
      status: 'fail',
      expected: { forbiddenScopes: ['admin.*', '*:history'] },
      observed: { appName: `Bench app ${i}`, forbiddenScopes: [variant % 2 === 0 ? 'channels:history' : 'files:read'] },
      message: `Bench app ${i} holds a forbidden scope`,
    });
  }
  return findings;
}

/**
 * Row writes counted in this backend's not-yet-flushed statistics, over every user table. Since
 * PostgreSQL 15 these include earlier transactions whose counts are still pending, so callers take
 * the difference between the start and the end of their transaction.
 */
async function rowsWritten(em: EntityManager): Promise<number> {
  const [row]: { n: string }[] = await em.query(
    `SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0)::bigint AS n FROM pg_stat_xact_user_tables`,
  );
  return Number(row.n);
}

interface Applied {
  ms: number;
  rows: number;
  result: ApplyResult;
}

async function timedApply(ds: DataSource, recorder: DriftRecorder, input: ApplyInput): Promise<Applied> {
  const t0 = nowMs();
  const out = await ds.transaction(async (em) => {
    const before = await rowsWritten(em);
    const result = await recorder.apply(em, input);
    return { result, rows: (await rowsWritten(em)) - before };
  });
  return { ms: nowMs() - t0, ...out };
}

/** Plain multi-row INSERTs of `rows` (one VALUES list per 65,535 bind parameters); RETURNING what is asked. */
async function insertValues(em: EntityManager, table: string, columns: string[], rows: unknown[][], returning = ''): Promise<Record<string, unknown>[]> {
  const chunk = Math.floor(65_535 / columns.length);
  const out: Record<string, unknown>[] = [];
  for (let at = 0; at < rows.length; at += chunk) {
    const values: unknown[] = [];
    const tuples = rows.slice(at, at + chunk).map((row) => {
      const b = values.length;
      values.push(...row);
      return `(${row.map((_, k) => `$${b + k + 1}`).join(',')})`;
    });
    out.push(...(await em.query(`INSERT INTO ${table} (${columns.join(',')}) VALUES ${tuples.join(',')} ${returning}`, values)));
  }
  return out;
}

const DRIFT_COLUMNS = ['connection_id', 'provider', 'baseline_id', 'control_id', 'title', '"references"', 'area', 'severity', 'resource_key', 'status', 'exception_id', 'expected', 'observed', 'opened_at', 'last_seen_at'];

function driftValues(connectionId: string, findings: Finding[], now: Date): unknown[][] {
  return findings.map((f) => [
    connectionId, 'slack', 'slack-locked-down', f.controlId, f.title, JSON.stringify(f.references), f.area, f.severity,
    f.resourceKey, 'open', null, JSON.stringify(f.expected), JSON.stringify(f.observed), now, now,
  ]);
}

/** The drift rows alone by plain multi-row INSERTs, in one transaction: the reference of earlier runs. */
async function rawDriftInsert(ds: DataSource, connectionId: string, findings: Finding[]): Promise<number> {
  const rows = driftValues(connectionId, findings, new Date());
  const t0 = nowMs();
  await ds.transaction((em) => insertValues(em, 'drifts', DRIFT_COLUMNS, rows));
  return nowMs() - t0;
}

/**
 * The rows an apply that opens N drifts writes, by plain multi-row INSERTs in one transaction: N
 * drifts, N drift events and N evidence-ledger entries with the same contents (the ledger's hashes
 * made up beforehand, not computed). What writing those rows costs at least.
 */
async function rawInsertOfTheSameRows(ds: DataSource, connectionId: string, findings: Finding[]): Promise<number> {
  const now = new Date();
  const pollId = randomUUID();
  const drifts = driftValues(connectionId, findings, now);
  const [{ head }]: { head: string }[] = await ds.query('SELECT coalesce(max(seq), 0) AS head FROM evidence_ledger');
  const hashes = findings.map((_, i) => createHash('sha256').update(`${connectionId}:${i}`).digest('hex'));
  const t0 = nowMs();
  await ds.transaction(async (em) => {
    const ids = await insertValues(em, 'drifts', DRIFT_COLUMNS, drifts, 'RETURNING id');
    await insertValues(em, 'drift_events', ['drift_id', 'kind', 'occurred_at', 'poll_id', 'expected', 'observed', 'note'],
      findings.map((f, i) => [ids[i].id, 'opened', now, pollId, JSON.stringify(f.expected), JSON.stringify(f.observed), f.message]));
    await insertValues(em, 'evidence_ledger', ['seq', 'occurred_at', 'kind', 'data', 'prev_hash', 'hash'],
      findings.map((f, i) => [
        Number(head) + i + 1, now, 'drift.opened',
        JSON.stringify({
          driftId: ids[i].id, connectionId, provider: 'slack', baselineId: 'slack-locked-down', controlId: f.controlId,
          resourceKey: f.resourceKey, severity: f.severity, status: 'open', exceptionId: null, expected: f.expected, observed: f.observed, pollId,
        }),
        i === 0 ? '0'.repeat(64) : hashes[i - 1], hashes[i],
      ]));
  });
  return nowMs() - t0;
}

/**
 * DriftRecorder.apply against the real Postgres: an unchanged poll must write O(1) rows whatever
 * the number of findings, and a poll where every finding changed must cost no more than about
 * twice plain INSERTs of the rows it writes: per changed finding a drift, a drift event and a
 * hash-chained evidence ledger entry.
 */
export async function applyScenario(ctx: ScenarioContext): Promise<Figure[]> {
  const bench = await createBenchDatabase();
  try {
    const recorder = new DriftRecorder(new EvidenceLedger());
    const changedSize = ctx.quick ? 1_000 : 10_000;
    const unchangedSizes = ctx.quick ? [1_000] : [1_000, 10_000];
    const rounds = ctx.quick ? 2 : 3;
    const figures: Figure[] = [];

    const opens: number[] = [];
    const changes: number[] = [];
    const raws: number[] = [];
    const driftsOnly: number[] = [];
    const unchanged = new Map<number, { rows: number; ms: number }[]>();
    const base = { provider: 'slack', baselineId: 'slack-locked-down', exceptions: [] };
    for (let round = 0; round < rounds; round++) {
      for (const n of new Set([changedSize, ...unchangedSizes])) {
        const [connectionId, rawConnectionId, driftsOnlyConnectionId] = await seedSlackConnections(bench.ds, {
          count: 3,
          simUrl: 'http://127.0.0.1:9',
          token: () => 'xoxp-bench',
          intervalSeconds: 3600,
          firstDueInSeconds: () => 86_400,
        });
        const document = slackDocumentWithGrants(Math.min(n, 1000));
        const first = failingFindings(n, 0);
        const opened = await timedApply(bench.ds, recorder, {
          ...base, connectionId, pollId: randomUUID(), now: new Date(), document, findings: first,
          previous: { snapshotId: null, findingsHash: null },
        });
        const second = failingFindings(n, 1);
        const changed = await timedApply(bench.ds, recorder, {
          ...base, connectionId, pollId: randomUUID(), now: new Date(), document, findings: second,
          previous: { snapshotId: opened.result.snapshotId, findingsHash: opened.result.findingsHash },
        });
        const same = await timedApply(bench.ds, recorder, {
          ...base, connectionId, pollId: randomUUID(), now: new Date(), document, findings: second,
          previous: { snapshotId: changed.result.snapshotId, findingsHash: changed.result.findingsHash },
        });
        if (same.result.findingsChanged || same.result.snapshotChanged) throw new Error('an unchanged apply reported a change');
        if (unchangedSizes.includes(n)) unchanged.set(n, [...(unchanged.get(n) ?? []), { rows: same.rows, ms: same.ms }]);
        if (n === changedSize) {
          if (opened.result.opened.length !== n || changed.result.changed !== n) throw new Error('apply did not open/change every drift');
          opens.push(opened.ms);
          changes.push(changed.ms);
          raws.push(await rawInsertOfTheSameRows(bench.ds, rawConnectionId, first));
          driftsOnly.push(await rawDriftInsert(bench.ds, driftsOnlyConnectionId, first));
          ctx.log(
            `apply ${n}: open ${opened.ms.toFixed(0)} ms (${opened.rows} rows), change ${changed.ms.toFixed(0)} ms (${changed.rows} rows), ` +
              `raw INSERT of the same rows ${raws.at(-1)!.toFixed(0)} ms, of the drift rows alone ${driftsOnly.at(-1)!.toFixed(0)} ms`,
          );
        }
      }
    }
    const raw = summarize(raws).median;
    const opened = summarize(opens).median;
    const label = changedSize.toLocaleString('en-US');
    const reference = { what: `raw multi-row INSERTs of the same rows: ${label} drifts, events, ledger entries`, value: raw, unit: 'ms' };
    figures.push({
      scenario: 'apply',
      figure: `${label} new failing findings (drifts opened), median`,
      value: opened,
      unit: 'ms',
      reference,
      targets: ctx.quick ? undefined : [{ on: 'ratio', op: '<=', limit: 2 }],
    });
    figures.push({
      scenario: 'apply',
      figure: `${label} changed findings (drifts changed), median`,
      value: summarize(changes).median,
      unit: 'ms',
      reference,
      targets: ctx.quick ? undefined : [{ on: 'ratio', op: '<=', limit: 2 }],
    });
    figures.push({
      scenario: 'apply',
      figure: `${label} new failing findings (drifts opened), median, against the drift rows alone`,
      value: opened,
      unit: 'ms',
      reference: { what: `raw multi-row INSERT of the ${label} drift rows only (a third of what apply writes)`, value: summarize(driftsOnly).median, unit: 'ms' },
      note: 'the reference of runs before 2026-11-26; shown for comparison, no target',
    });
    for (const [n, runs] of unchanged) {
      const label = n.toLocaleString('en-US');
      figures.push({
        scenario: 'apply',
        figure: `unchanged snapshot, ${label} findings: rows written`,
        value: Math.max(...runs.map((r) => r.rows)),
        unit: 'rows',
        targets: [{ on: 'value', op: '<=', limit: 1 }],
        note: 'pg_stat_xact_user_tables, difference across the apply transaction',
      });
      figures.push({
        scenario: 'apply',
        figure: `unchanged snapshot, ${label} findings: time, median`,
        value: summarize(runs.map((r) => r.ms)).median,
        unit: 'ms',
      });
    }
    return figures;
  } finally {
    await bench.drop();
  }
}
