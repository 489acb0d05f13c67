import type { DriftRow } from '@tollgate/drift';

/**
 * The drift report as RFC 4180 CSV: a header row, CRLF, ISO-8601 UTC times, JSON cells as
 * JSON.stringify writes them. Written here rather than with csv-stringify: the report is one fixed
 * shape of short text cells, and the library's general per-field machinery and the garbage it made
 * were a fifth of a million-row export's time (docs/performance.md); csv-parse checks the output in
 * the tests.
 */
export const CSV_COLUMNS = [
  'id', 'connectionId', 'provider', 'baselineId', 'controlId', 'title', 'references', 'area', 'severity', 'resourceKey',
  'status', 'expected', 'observed', 'openedAt', 'lastSeenAt', 'resolvedAt', 'exceptionId', 'resolution',
] as const;

// A spreadsheet would run a cell starting with these as a formula; a leading quote keeps it text.
const FORMULA = /^[=+\-@\t\r]/;
const QUOTED = /[",\r\n]/;
const MEMO_SIZE = 1000;
/** One RFC 4180 field: quoted, with quotes doubled, when it holds a quote, comma or line break. */
const field = (v: string) => (QUOTED.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
/** A field whose text comes from a provider or a user: never a formula. */
const text = (v: string) => field(FORMULA.test(v) ? `'${v}` : v);
/** JSON as JSON.stringify writes it (jsonb's text form has spaces after ':' and ','); absent is null. */
const json = (v: string | null) => (v === null ? 'null' : field(JSON.stringify(JSON.parse(v))));
const references = (v: string) => text((JSON.parse(v) as string[]).join('; '));

/** `make` remembered for the last MEMO_SIZE distinct inputs (then it starts over). */
function remembered<T extends string | null>(make: (raw: T) => string): (raw: T) => string {
  const memo = new Map<T, string>();
  return (raw) => {
    let cell = memo.get(raw);
    if (cell === undefined) {
      if (memo.size >= MEMO_SIZE) memo.clear();
      cell = make(raw);
      memo.set(raw, cell);
    }
    return cell;
  };
}

/**
 * Writes drift report records, each CRLF-terminated, in CSV_COLUMNS order. A control's references
 * and expected value repeat on every drift of that control: each writer remembers the cells it made
 * from them, which spares a JSON parse and stringify per row.
 */
export function csvWriter(): (d: DriftRow) => string {
  const referencesCell = remembered(references);
  const expectedCell = remembered(json);
  return (d) =>
    `${d.id},${d.connection_id},${field(d.provider)},${field(d.baseline_id)},${field(d.control_id)},${text(d.title)},` +
    `${referencesCell(d.references)},${field(d.area)},${field(d.severity)},${text(d.resource_key)},${d.status},` +
    `${expectedCell(d.expected)},${json(d.observed)},${d.opened_at},${d.last_seen_at},${d.resolved_at ?? ''},${d.exception_id ?? ''},${d.resolution ?? ''}\r\n`;
}
