import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import type { JsonValue } from '@tollgate/connector-sdk';
import type { DriftResolution } from './drift-recorder';

export interface DriftView {
  id: string;
  connectionId: string;
  provider: string;
  baselineId: string;
  controlId: string;
  title: string;
  references: string[];
  area: string;
  severity: string;
  resourceKey: string;
  status: 'open' | 'resolved' | 'excepted';
  expected: JsonValue;
  observed: JsonValue;
  openedAt: string;
  lastSeenAt: string;
  resolvedAt: string | null;
  exceptionId: string | null;
  /** Why it closed: `remediated` or `baseline_changed`; null while open or excepted. */
  resolution: DriftResolution | null;
}

export interface DriftEventView {
  id: string;
  kind: 'opened' | 'changed' | 'resolved' | 'excepted' | 'reopened';
  occurredAt: string;
  pollId: string | null;
  expected: JsonValue;
  observed: JsonValue;
  note: string | null;
  /** On a `resolved` event: why it closed; null on the others. */
  resolution: DriftResolution | null;
}

export interface DriftFilter {
  status?: string;
  connectionId?: string;
  provider?: string;
  controlId?: string;
  severity?: string;
  since?: Date;
  until?: Date;
  /** Restricts to these connections (a scoped API key); undefined means all. */
  connectionIds?: string[];
}

export interface DriftPage {
  items: DriftView[];
  nextCursor: string | null;
}

export class InvalidCursorError extends Error {}

interface Cursor {
  openedAt: string;
  id: string;
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.openedAt, c.id])).toString('base64url');
}

/** The exact forms encodeCursor writes: Date.toISOString() (years 0001-9999, which Postgres takes) and a UUID. */
const CURSOR_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const CURSOR_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A cursor is only ever one encodeCursor wrote, so it is checked to exactly that: a time that
 * round-trips through Date (no February 30th, no year 275760, nothing Date.parse is lenient about)
 * and a UUID of hex digits. Anything looser reached the SQL casts and answered 500.
 */
export function decodeCursor(raw: string): Cursor {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    if (
      Array.isArray(parsed) &&
      parsed.length === 2 &&
      typeof parsed[0] === 'string' &&
      CURSOR_TIME.test(parsed[0]) &&
      // Postgres has no year 0.
      !parsed[0].startsWith('0000') &&
      !Number.isNaN(Date.parse(parsed[0])) &&
      new Date(parsed[0]).toISOString() === parsed[0] &&
      typeof parsed[1] === 'string' &&
      CURSOR_ID.test(parsed[1])
    ) {
      return { openedAt: parsed[0], id: parsed[1] };
    }
  } catch {
    // fall through to the error below
  }
  throw new InvalidCursorError('cursor is not one this API returned');
}

/** ISO-8601 UTC with milliseconds, the form Date.toISOString() gives, made by Postgres. */
const iso = (column: string) => `to_char((${column}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * Every column as text, so the driver parses no dates and no JSON only to have them written out
 * again (the CSV report; docs/performance.md). `key_at` is opened_at in Postgres's own text form,
 * exact to the microsecond, for the report's keyset: a Date would cut it to the millisecond and
 * repeat rows. lastSeenAt of an episode that is still failing moves with every poll that confirmed
 * the same findings; deriving it here keeps an unchanged poll at O(1) writes.
 */
const SELECT_DRIFT = `
  SELECT d.id, d.connection_id, d.provider, d.baseline_id, d.control_id, d.title, d."references", d.area,
         d.severity, d.resource_key, d.status, d.expected, d.observed, ${iso('d.opened_at')} AS opened_at,
         ${iso(`CASE WHEN d.status <> 'resolved' AND d.still_failing AND c.findings_confirmed_at > d.last_seen_at
                     THEN c.findings_confirmed_at ELSE d.last_seen_at END`)} AS last_seen_at,
         ${iso('d.resolved_at')} AS resolved_at, d.exception_id, d.resolution, d.opened_at AS key_at
  FROM drifts d JOIN connections c ON c.id = d.connection_id`;

/** A drift as DriftQuery reads it: every column text, the JSON ones in jsonb's text form. */
export interface DriftRow {
  id: string;
  connection_id: string;
  provider: string;
  baseline_id: string;
  control_id: string;
  title: string;
  /** JSON array of strings. */
  references: string;
  area: string;
  severity: string;
  resource_key: string;
  status: DriftView['status'];
  /** JSON; null when absent. */
  expected: string | null;
  /** JSON; null when absent. */
  observed: string | null;
  opened_at: string;
  last_seen_at: string;
  resolved_at: string | null;
  exception_id: string | null;
  resolution: DriftResolution | null;
  key_at: string;
}

const AS_TEXT = { getTypeParser: () => (value: string) => value };

/** The JSON form of a drift, as GET /drifts and the JSON report give it. */
export function toView(r: DriftRow): DriftView {
  return {
    id: r.id,
    connectionId: r.connection_id,
    provider: r.provider,
    baselineId: r.baseline_id,
    controlId: r.control_id,
    title: r.title,
    references: JSON.parse(r.references) as string[],
    area: r.area,
    severity: r.severity,
    resourceKey: r.resource_key,
    status: r.status,
    expected: r.expected === null ? null : (JSON.parse(r.expected) as JsonValue),
    observed: r.observed === null ? null : (JSON.parse(r.observed) as JsonValue),
    openedAt: r.opened_at,
    lastSeenAt: r.last_seen_at,
    resolvedAt: r.resolved_at,
    exceptionId: r.exception_id,
    resolution: r.resolution,
  };
}

export interface ReportRange {
  since?: Date;
  until: Date;
  /** Restricts to these connections (a scoped API key); undefined means all. */
  connectionIds?: string[];
}

/** One batch of the drift report: episodes overlapping the range, oldest first, after `after`. */
export function overlappingSql(range: ReportRange, batchSize: number, after?: Pick<DriftRow, 'key_at' | 'id'>): { text: string; values: unknown[] } {
  const values: unknown[] = [range.until, range.since ?? null, range.connectionIds ?? null, batchSize];
  let keyset = '';
  if (after) {
    values.push(after.key_at, after.id);
    keyset = 'AND (d.opened_at, d.id) > ($5::timestamptz, $6::uuid)';
  }
  return {
    text: `${SELECT_DRIFT}
      WHERE d.opened_at < $1 AND ($2::timestamptz IS NULL OR d.resolved_at IS NULL OR d.resolved_at >= $2)
        AND ($3::uuid[] IS NULL OR d.connection_id = ANY($3::uuid[])) ${keyset}
      ORDER BY d.opened_at, d.id LIMIT $4`,
    values,
  };
}

/** GET /drifts: one page (and one row more, to tell whether there is a next), newest first. */
export function listSql(filter: DriftFilter, limit: number, cursor?: string): { text: string; values: unknown[] } {
  const where: string[] = [];
  const values: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    values.push(value);
    where.push(sql.replace('?', `$${values.length}`));
  };
  if (filter.status) add('d.status = ?', filter.status);
  if (filter.connectionId) add('d.connection_id = ?', filter.connectionId);
  if (filter.provider) add('d.provider = ?', filter.provider);
  if (filter.controlId) add('d.control_id = ?', filter.controlId);
  if (filter.severity) add('d.severity = ?', filter.severity);
  if (filter.since) add('d.opened_at >= ?', filter.since);
  if (filter.until) add('d.opened_at < ?', filter.until);
  if (filter.connectionIds) add('d.connection_id = ANY(?::uuid[])', filter.connectionIds);
  if (cursor) {
    const c = decodeCursor(cursor);
    values.push(c.openedAt, c.id);
    where.push(`(d.opened_at, d.id) < ($${values.length - 1}::timestamptz, $${values.length}::uuid)`);
  }
  values.push(limit + 1);
  return {
    text: `${SELECT_DRIFT} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY d.opened_at DESC, d.id DESC LIMIT $${values.length}`,
    values,
  };
}

/** Read side of drift history: filters, keyset pagination newest first, one drift with its events. */
export class DriftQuery {
  constructor(private readonly ds: DataSource) {}

  async list(filter: DriftFilter, limit: number, cursor?: string): Promise<DriftPage> {
    const rows = await this.read(listSql(filter, limit, cursor));
    const items = rows.slice(0, limit).map(toView);
    const last = rows.length > limit ? items[limit - 1] : undefined;
    return { items, nextCursor: last ? encodeCursor({ openedAt: last.openedAt, id: last.id }) : null };
  }

  /**
   * Every drift episode that overlaps [since, until), oldest first, in keyset batches: memory stays
   * flat however many rows there are. The next batch is read while the caller writes out the
   * current one, so the database round trip and the response's back-pressure overlap instead of
   * adding up; at most two batches are held. Batches are small on purpose: at 2,000-5,000 rows the
   * rows held outlived V8's young generation and a third of an export's time went to the garbage
   * collector; at 500 it is under a tenth (docs/performance.md). Each batch is one pool query, so
   * a long export does not hold a connection (the embedded database has only one).
   */
  async *overlapping(range: ReportRange, batchSize = 500): AsyncGenerator<DriftRow[]> {
    const batchAfter = (after?: DriftRow): Promise<DriftRow[]> => {
      const read = this.read(overlappingSql(range, batchSize, after));
      // A caller that stops early never awaits the prefetched batch; its failure must not go unhandled.
      read.catch(() => undefined);
      return read;
    };
    let next = batchAfter();
    for (;;) {
      const rows = await next;
      if (rows.length === 0) return;
      const more = rows.length === batchSize;
      if (more) {
        next = batchAfter(rows[rows.length - 1]);
        // pg's pool and client send a query on a later tick than it is asked for: without this
        // turn of the event loop the next query left only after the caller had formatted this
        // batch, and the database idled meanwhile (the app was busy 76 % of an export; now 95 %).
        await new Promise((resolve) => setImmediate(resolve));
      }
      yield rows;
      if (!more) return;
    }
  }

  async get(id: string, connectionIds?: string[]): Promise<(DriftView & { events: DriftEventView[] }) | null> {
    const params: unknown[] = [id];
    let scope = '';
    if (connectionIds) {
      params.push(connectionIds);
      scope = ' AND d.connection_id = ANY($2::uuid[])';
    }
    const [row] = await this.read({ text: `${SELECT_DRIFT} WHERE d.id = $1${scope}`, values: params });
    if (!row) return null;
    const events: {
      id: string;
      kind: DriftEventView['kind'];
      occurred_at: Date;
      poll_id: string | null;
      expected: JsonValue;
      observed: JsonValue;
      note: string | null;
      resolution: DriftResolution | null;
    }[] = await this.ds.query(
        `SELECT id, kind, occurred_at, poll_id, expected, observed, note, resolution FROM drift_events WHERE drift_id = $1 ORDER BY id`,
        [id],
      );
    return {
      ...toView(row),
      events: events.map((e) => ({
        id: String(e.id),
        kind: e.kind,
        occurredAt: e.occurred_at.toISOString(),
        pollId: e.poll_id,
        expected: e.expected,
        observed: e.observed,
        note: e.note,
        resolution: e.resolution,
      })),
    };
  }

  /**
   * Drift rows through the pool, every column as text. Each query takes a pooled connection and
   * gives it back, so a long export does not hold one (the embedded database has only one).
   */
  private async read(query: { text: string; values: unknown[] }): Promise<DriftRow[]> {
    const pool = (this.ds.driver as PostgresDriver).master as Pool;
    return (await pool.query<DriftRow>({ ...query, types: AS_TEXT })).rows;
  }
}
