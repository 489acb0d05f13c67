import type { JsonValue } from '@tollgate/connector-sdk';
import type { DriftRow } from '@tollgate/drift';

/**
 * The drift report as RFC 4180 CSV: a header row, CRLF, ISO-8601 UTC times. `expected` and
 * `observed` are readable text (see `readable`) for the auditor reading the sheet; `expected_json`
 * and `observed_json` carry the same values exactly, as JSON.stringify writes them, for a program.
 * Written here rather than with csv-stringify: the report is one fixed shape of short text cells, and the library's general per-field machinery and the garbage it made
 * were a fifth of a million-row export's time (docs/performance.md); csv-parse checks the output in
 * the tests.
 */
export const CSV_COLUMNS = [
  'id', 'connectionId', 'provider', 'baselineId', 'controlId', 'title', 'references', 'area', 'severity', 'resourceKey',
  'status', 'expected', 'observed', 'openedAt', 'lastSeenAt', 'resolvedAt', 'exceptionId', 'resolution',
  // Last, so that adding them moved no column an existing sheet or script reads by position.
  'expected_json', 'observed_json',
] as const;

// A spreadsheet would run a cell starting with these as a formula; a leading quote keeps it text.
const FORMULA = /^[=+\-@\t\r]/;
const QUOTED = /[",\r\n]/;
const MEMO_SIZE = 1000;
/** One RFC 4180 field: quoted, with quotes doubled, when it holds a quote, comma or line break. */
const field = (v: string) => (QUOTED.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
/** A field whose text comes from a provider or a user: never a formula. */
const text = (v: string) => field(FORMULA.test(v) ? `'${v}` : v);
/**
 * A value's two cells from one parse: its readable text (formula-guarded: it is provider text) and
 * its JSON as JSON.stringify writes it (jsonb's text form has spaces after ':' and ','); absent is
 * empty as text and null as JSON. The JSON cell needs no guard: JSON text starts with `{ [ "`, a
 * letter or a digit, or `-` only for a number, which a spreadsheet reads as that number.
 */
const valueCells = (v: string | null): [string, string] => {
  if (v === null) return ['', 'null'];
  const parsed = JSON.parse(v) as JsonValue;
  return [text(readable(parsed)), field(JSON.stringify(parsed))];
};

const references = (v: string) => text((JSON.parse(v) as string[]).join('; '));

type JsonScalar = string | number | boolean | null;
type JsonObject = { [key: string]: JsonValue };

/** A scalar as a person reads it: a string as itself, null as nothing. */
const scalar = (v: JsonScalar): string => (v === null ? '' : typeof v === 'string' ? v : String(v));

/**
 * A JSON value as one line of text for an auditor: `key = value` pairs separated by `; `, nested
 * objects flattened to dotted paths (`a.b = c`), lists joined with `, ` (an object or list inside a
 * list in parentheses, so its separators stay apart from the list's), null and empty as nothing.
 * Plain loops and string concatenation, no regular expressions: it runs on every row of an export
 * that must keep 100k rows/s (docs/performance.md). Not meant to be parsed back: the JSON columns are.
 */
export function readable(value: JsonValue): string {
  if (value === null || typeof value !== 'object') return scalar(value);
  if (Array.isArray(value)) {
    let out = '';
    for (let i = 0; i < value.length; i++) {
      const v = value[i];
      out += (i === 0 ? '' : ', ') + (v !== null && typeof v === 'object' ? `(${readable(v)})` : scalar(v));
    }
    return out;
  }
  return pairs(value, '', '');
}

/** `out` with the `path = value` pairs of `obj` appended, nested objects depth-first under `prefix`. */
function pairs(obj: JsonObject, prefix: string, out: string): string {
  for (const key in obj) {
    const v = obj[key];
    const path = prefix + key;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const before = out;
      out = pairs(v, `${path}.`, out);
      // An empty object still shows its key, as an empty value does.
      if (out === before) out += (out === '' ? '' : '; ') + path + ' = ';
    } else {
      out += (out === '' ? '' : '; ') + path + ' = ' + (Array.isArray(v) ? readable(v) : scalar(v));
    }
  }
  return out;
}

/** `make` remembered for the last MEMO_SIZE distinct inputs (then it starts over). */
function remembered<T extends string | null, C>(make: (raw: T) => C): (raw: T) => C {
  const memo = new Map<T, C>();
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
 * from them, which spares a JSON parse, a stringify and the readable text per row.
 */
export function csvWriter(): (d: DriftRow) => string {
  const referencesCell = remembered(references);
  const expectedCells = remembered(valueCells);
  return (d) => {
    const [expected, expectedJson] = expectedCells(d.expected);
    const [observed, observedJson] = valueCells(d.observed);
    return (
      `${d.id},${d.connection_id},${field(d.provider)},${field(d.baseline_id)},${field(d.control_id)},${text(d.title)},` +
      `${referencesCell(d.references)},${field(d.area)},${field(d.severity)},${text(d.resource_key)},${d.status},` +
      `${expected},${observed},${d.opened_at},${d.last_seen_at},${d.resolved_at ?? ''},${d.exception_id ?? ''},${d.resolution ?? ''},` +
      `${expectedJson},${observedJson}\r\n`
    );
  };
}
