import type { DataSource } from 'typeorm';
import { SEVERITIES, type Severity } from '@tollgate/baseline';
import {
  EXCEPTION_EXPIRING_SOON_DAYS,
  EXCEPTION_STATES,
  type ConnectionReading,
  type ExceptionStateLabel,
  type ExceptionsReading,
  type LoadedReadings,
} from '@tollgate/metrics';

interface ConnectionRow {
  id: string;
  provider: string;
  name: string;
  enabled: boolean;
  poll_interval_seconds: number;
  consecutive_failures: number;
  last_poll_finished_at: Date | null;
  last_success_seconds: number | null;
  /** What the findings- and snapshot-derived counts depend on; null until a poll succeeded. */
  derived_key: string | null;
  drifts_open: Partial<Record<Severity, number>>;
}

interface DerivedRow {
  id: string;
  pass: number;
  fail: number;
  unknown: number;
  attested: number;
  risky: number;
  other: number;
}

interface ExceptionsRow {
  by_state: Partial<Record<ExceptionStateLabel, number>>;
  expiring_soon: number;
}

type Derived = Pick<ConnectionReading, 'findings' | 'attestedControls' | 'oauthGrants'>;

/**
 * Reads what the scrape-time gauges show, aggregated in SQL. The first query (every read) takes
 * each live connection's bookkeeping and its open drifts by severity. The second one only runs for
 * connections whose snapshot or findings changed since the last read, because counting findings
 * and grants means walking JSON documents that can hold 100k grants; its results are kept per
 * connection until the (snapshot, findings hash) pair changes. A third one (every read) counts
 * exception tickets by state.
 */
export class PostureReadingsRepository {
  private readonly derived = new Map<string, { key: string; value: Derived }>();

  constructor(private readonly ds: DataSource) {}

  async read(): Promise<Omit<LoadedReadings, 'evidenceChainOk'>> {
    const connections = await this.readConnections();
    return { connections, exceptions: await this.readExceptions() };
  }

  private async readConnections(): Promise<ConnectionReading[]> {
    const rows: ConnectionRow[] = await this.ds.query(
      `WITH open_drifts AS (
         SELECT connection_id, jsonb_object_agg(severity, n) AS by_severity
         FROM (SELECT connection_id, severity, count(*)::int AS n FROM drifts WHERE status = 'open' GROUP BY 1, 2) s
         GROUP BY connection_id)
       SELECT c.id, c.provider, c.name, c.enabled, c.poll_interval_seconds, c.consecutive_failures, c.last_poll_finished_at,
              extract(epoch FROM c.last_success_at)::float8 AS last_success_seconds,
              CASE WHEN c.current_snapshot_id IS NULL OR c.findings IS NULL THEN NULL
                   ELSE c.current_snapshot_id::text || ':' || coalesce(c.findings_hash, '') END AS derived_key,
              coalesce(d.by_severity, '{}'::jsonb) AS drifts_open
       FROM connections c LEFT JOIN open_drifts d ON d.connection_id = c.id
       WHERE c.deleted_at IS NULL
       ORDER BY c.provider, c.name`,
    );
    const stale = rows.filter((r) => r.derived_key !== null && this.derived.get(r.id)?.key !== r.derived_key);
    if (stale.length > 0) await this.refreshDerived(stale);
    const live = new Set(rows.map((r) => r.id));
    for (const id of this.derived.keys()) if (!live.has(id)) this.derived.delete(id);
    return rows.map((r) => this.toReading(r));
  }

  /**
   * Tickets of deleted connections count too: they stay in the exceptions API. The expiring-soon
   * count uses the partial index on expires_at of approved tickets.
   */
  private async readExceptions(): Promise<ExceptionsReading> {
    const [row]: ExceptionsRow[] = await this.ds.query(
      `SELECT coalesce((SELECT jsonb_object_agg(state, n)
                        FROM (SELECT state, count(*)::int AS n FROM exception_tickets GROUP BY state) s), '{}'::jsonb) AS by_state,
              (SELECT count(*)::int FROM exception_tickets
               WHERE state = 'approved' AND expires_at <= now() + make_interval(days => $1)) AS expiring_soon`,
      [EXCEPTION_EXPIRING_SOON_DAYS],
    );
    const byState = Object.fromEntries(EXCEPTION_STATES.map((s) => [s, row.by_state[s] ?? 0])) as Record<ExceptionStateLabel, number>;
    return { byState, expiringSoon: row.expiring_soon };
  }

  private async refreshDerived(stale: ConnectionRow[]): Promise<void> {
    const keys = new Map(stale.map((r) => [r.id, r.derived_key as string]));
    // Grants count as risky when their app is the resource of a failing oauth finding (resourceKey
    // `app:<appId>`, which is how the evaluator names oauth failures).
    const rows: DerivedRow[] = await this.ds.query(
      `WITH c AS (
         SELECT id, findings, current_snapshot_id FROM connections WHERE id = ANY($1::uuid[])),
       f AS (
         SELECT c.id, e->>'status' AS status, e->>'area' AS area, e->>'resourceKey' AS resource_key,
                e->'attestation' IS NOT NULL AS attested
         FROM c, jsonb_array_elements(coalesce(c.findings, '[]'::jsonb)) e),
       status_counts AS (
         SELECT id, count(*) FILTER (WHERE status = 'pass')::int AS pass, count(*) FILTER (WHERE status = 'fail')::int AS fail,
                count(*) FILTER (WHERE status = 'unknown')::int AS unknown,
                count(*) FILTER (WHERE status = 'pass' AND attested)::int AS attested
         FROM f GROUP BY id),
       risky_apps AS (
         SELECT DISTINCT id, substr(resource_key, 5) AS app_id FROM f
         WHERE area = 'oauth' AND status = 'fail' AND resource_key LIKE 'app:%'),
       grants AS (
         SELECT c.id, g->>'appId' AS app_id
         FROM c JOIN snapshots s ON s.id = c.current_snapshot_id,
              jsonb_array_elements(coalesce(s.document->'oauthGrants', '[]'::jsonb)) g),
       grant_counts AS (
         SELECT g.id, count(r.app_id)::int AS risky, (count(*) - count(r.app_id))::int AS other
         FROM grants g LEFT JOIN risky_apps r ON r.id = g.id AND r.app_id = g.app_id
         GROUP BY g.id)
       SELECT c.id, coalesce(sc.pass, 0) AS pass, coalesce(sc.fail, 0) AS fail, coalesce(sc.unknown, 0) AS unknown,
              coalesce(sc.attested, 0) AS attested, coalesce(gc.risky, 0) AS risky, coalesce(gc.other, 0) AS other
       FROM c LEFT JOIN status_counts sc ON sc.id = c.id LEFT JOIN grant_counts gc ON gc.id = c.id`,
      [[...keys.keys()]],
    );
    for (const r of rows) {
      this.derived.set(r.id, {
        key: keys.get(r.id) as string,
        value: {
          findings: { pass: r.pass, fail: r.fail, unknown: r.unknown },
          attestedControls: r.attested,
          oauthGrants: { risky: r.risky, other: r.other },
        },
      });
    }
  }

  private toReading(r: ConnectionRow): ConnectionReading {
    const driftsOpen = Object.fromEntries(SEVERITIES.map((s) => [s, r.drifts_open[s] ?? 0])) as Record<Severity, number>;
    const derived = r.derived_key === null ? undefined : this.derived.get(r.id)?.value;
    return {
      provider: r.provider,
      connection: r.name,
      driftsOpen,
      polling: r.enabled
        ? {
            intervalSeconds: r.poll_interval_seconds,
            up: r.last_poll_finished_at !== null && r.consecutive_failures === 0,
            lastSuccessSeconds: r.last_success_seconds,
          }
        : undefined,
      ...derived,
    };
  }
}
