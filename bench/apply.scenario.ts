import { randomUUID } from 'node:crypto';
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

/** The same drift rows written by one plain multi-row INSERT per 4,000 rows: what a write of them costs at least. */
async function rawInsert(ds: DataSource, connectionId: string, findings: Finding[]): Promise<number> {
  const t0 = nowMs();
  await ds.transaction(async (em) => {
    const perRow = 15;
    const chunk = Math.floor(65_535 / perRow);
    const now = new Date();
    for (let at = 0; at < findings.length; at += chunk) {
      const values: unknown[] = [];
      const tuples: string[] = [];
      for (const f of findings.slice(at, at + chunk)) {
        const b = values.length;
        tuples.push(`(${Array.from({ length: perRow }, (_, k) => `$${b + k + 1}`).join(',')})`);
        values.push(
          connectionId, 'slack', 'slack-locked-down', f.controlId, f.title, JSON.stringify(f.references), f.area, f.severity,
          f.resourceKey, 'open', null, JSON.stringify(f.expected), JSON.stringify(f.observed), now, now,
        );
      }
      await em.query(
        `INSERT INTO drifts (connection_id, provider, baseline_id, control_id, title, "references", area, severity,
                             resource_key, status, exception_id, expected, observed, opened_at, last_seen_at)
         VALUES ${tuples.join(',')}`,
        values,
      );
    }
  });
  return nowMs() - t0;
}

/**
 * DriftRecorder.apply against the real Postgres: an unchanged poll must write O(1) rows whatever
 * the number of findings, and a poll where every finding changed must cost no more than about
 * twice a plain INSERT of the same drift rows (apply also writes one drift event and one evidence
 * ledger entry, hash-chained, per changed finding).
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
    const unchanged = new Map<number, { rows: number; ms: number }[]>();
    const base = { provider: 'slack', baselineId: 'slack-locked-down', exceptions: [] };
    for (let round = 0; round < rounds; round++) {
      for (const n of new Set([changedSize, ...unchangedSizes])) {
        const [connectionId, rawConnectionId] = await seedSlackConnections(bench.ds, {
          count: 2,
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
          raws.push(await rawInsert(bench.ds, rawConnectionId, first));
          ctx.log(`apply ${n}: open ${opened.ms.toFixed(0)} ms (${opened.rows} rows), change ${changed.ms.toFixed(0)} ms (${changed.rows} rows), raw INSERT ${raws.at(-1)!.toFixed(0)} ms`);
        }
      }
    }
    const raw = summarize(raws).median;
    const label = changedSize.toLocaleString('en-US');
    const reference = { what: `raw multi-row INSERT of ${label} drifts`, value: raw, unit: 'ms' };
    figures.push({
      scenario: 'apply',
      figure: `${label} new failing findings (drifts opened), median`,
      value: summarize(opens).median,
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
