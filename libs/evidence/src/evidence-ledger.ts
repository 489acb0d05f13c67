import canonicalize from 'canonicalize';
import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { JsonValue } from '@tollgate/connector-sdk';

/** prev_hash of seq 1. */
export const GENESIS_HASH = '0'.repeat(64);

/** Kinds are dotted lower-case names such as `drift.opened` or `exception.approved`. */
export const KIND_PATTERN = /^[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_-]*)*$/;
const MAX_KIND_LENGTH = 100;

/** Serialised per replica set: every appender takes this lock before it reads the head. */
export const LEDGER_LOCK = 'tollgate:evidence-ledger';

// Without the u flag a regex sees UTF-16 code units, which is what makes a lone surrogate visible.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export type LedgerData = Record<string, JsonValue>;

/** What is hashed: exactly these four fields, nothing else. */
export interface LedgerEntry {
  seq: number;
  /** ISO-8601 UTC with milliseconds, as `Date.prototype.toISOString()` writes it. */
  occurredAt: string;
  kind: string;
  data: LedgerData;
}

/** A stored entry, as the API serves it and the verifier reads it. */
export interface LedgerRow extends LedgerEntry {
  prevHash: string;
  hash: string;
}

export interface NewLedgerEntry {
  kind: string;
  data: LedgerData;
  occurredAt: Date;
}

export class InvalidLedgerEntryError extends Error {
  override readonly name = 'InvalidLedgerEntryError';
}

/**
 * hex(SHA-256(prevHash + "\n" + JCS({seq, occurredAt, kind, data}))). Fields other than these four
 * (a row's own hash, its prevHash) are ignored, so a stored row can be passed as it is.
 */
export function entryHash(prevHash: string, entry: LedgerEntry): string {
  const canonical = canonicalize({ seq: entry.seq, occurredAt: entry.occurredAt, kind: entry.kind, data: entry.data });
  if (canonical === undefined) throw new InvalidLedgerEntryError('entry cannot be canonicalised');
  return createHash('sha256').update(`${prevHash}\n${canonical}`, 'utf8').digest('hex');
}

/**
 * The hash is computed over the data as the app built it, and verified over the data read back from
 * jsonb. Those agree only for plain JSON that PostgreSQL stores faithfully: so no undefined array
 * items (undefined properties are simply omitted, as JSON does), no NaN/Infinity, no class instances (a Date would hash as its toJSON string but be stored the same
 * way only by luck), no U+0000 (jsonb rejects it) and no lone surrogates (jsonb rejects those too).
 * Rejecting them here turns a silent chain break into an error at the call site.
 */
function assertPlainJson(value: unknown, path: string): void {
  if (value === null || typeof value === 'boolean') return;
  if (typeof value === 'string') return assertStorableString(value, path);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new InvalidLedgerEntryError(`${path} is ${value}, which JSON cannot hold`);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => assertPlainJson(item, `${path}[${i}]`));
    return;
  }
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) {
      throw new InvalidLedgerEntryError(`${path} is a ${value.constructor?.name ?? 'non-plain object'}; convert it to a string or plain object`);
    }
    for (const [key, item] of Object.entries(value)) {
      assertStorableString(key, `${path} key`);
      // An undefined property is left out by JSON.stringify and by JCS alike: an optional field.
      if (item !== undefined) assertPlainJson(item, `${path}.${key}`);
    }
    return;
  }
  throw new InvalidLedgerEntryError(`${path} is ${typeof value}, which JSON cannot hold`);
}

function assertStorableString(value: string, path: string): void {
  if (value.includes('\u0000')) throw new InvalidLedgerEntryError(`${path} contains U+0000, which jsonb cannot store`);
  if (LONE_SURROGATE.test(value)) throw new InvalidLedgerEntryError(`${path} contains a lone surrogate, which jsonb cannot store`);
}

function prepare(entry: NewLedgerEntry, index: number): { kind: string; data: LedgerData; occurredAt: string } {
  const where = `entries[${index}]`;
  if (typeof entry.kind !== 'string' || entry.kind.length > MAX_KIND_LENGTH || !KIND_PATTERN.test(entry.kind)) {
    throw new InvalidLedgerEntryError(`${where}.kind must be a dotted lower-case name such as drift.opened (got ${JSON.stringify(entry.kind)})`);
  }
  if (!(entry.occurredAt instanceof Date) || Number.isNaN(entry.occurredAt.getTime())) {
    throw new InvalidLedgerEntryError(`${where}.occurredAt must be a valid Date`);
  }
  const occurredAt = entry.occurredAt.toISOString();
  // Years past 9999 serialise as +0YYYYY, which PostgreSQL would read back differently.
  if (!/^\d{4}-/.test(occurredAt)) throw new InvalidLedgerEntryError(`${where}.occurredAt is out of range`);
  if (entry.data === null || typeof entry.data !== 'object' || Array.isArray(entry.data)) {
    throw new InvalidLedgerEntryError(`${where}.data must be a JSON object`);
  }
  assertPlainJson(entry.data, `${where}.data`);
  return { kind: entry.kind, data: entry.data, occurredAt };
}

/**
 * Appends to the hash-chained evidence ledger inside the caller's transaction, so an entry commits
 * together with the change it records or not at all. Sequence numbers stay gapless across replicas
 * because appenders serialise on a transaction-scoped advisory lock before reading the head; the
 * lock is held until the caller commits, so callers should append as late in their transaction as
 * they can. Must run at READ COMMITTED (the default): the head is read after the lock is granted.
 */
export class EvidenceLedger {
  async append(em: EntityManager, entries: NewLedgerEntry[]): Promise<{ seq: number; hash: string }[]> {
    if (entries.length === 0) return [];
    if (!em.queryRunner?.isTransactionActive) {
      throw new Error('EvidenceLedger.append must run inside a transaction (pass the transaction EntityManager)');
    }
    const prepared = entries.map(prepare);

    await em.query('SELECT pg_advisory_xact_lock(hashtext($1))', [LEDGER_LOCK]);
    const [head] = (await em.query('SELECT seq, hash FROM evidence_ledger ORDER BY seq DESC LIMIT 1')) as { seq: string; hash: string }[];
    let seq = head ? Number(head.seq) : 0;
    let prevHash = head ? head.hash : GENESIS_HASH;

    const rows: { seq: number; occurred_at: string; kind: string; data: LedgerData; prev_hash: string; hash: string }[] = [];
    for (const entry of prepared) {
      seq += 1;
      const hash = entryHash(prevHash, { seq, ...entry });
      rows.push({ seq, occurred_at: entry.occurredAt, kind: entry.kind, data: entry.data, prev_hash: prevHash, hash });
      prevHash = hash;
    }
    // One statement and one JSON parameter whatever the batch size, as the drift writes do: an
    // array per column (unnest) cost three times as much, most of it quoting 10,000 jsonb array items.
    await em.query(
      `INSERT INTO evidence_ledger (seq, occurred_at, kind, data, prev_hash, hash)
       SELECT x.seq, x.occurred_at, x.kind, x.data, x.prev_hash, x.hash
       FROM jsonb_to_recordset($1::jsonb) AS x(seq bigint, occurred_at timestamptz, kind text, data jsonb, prev_hash text, hash text)`,
      [JSON.stringify(rows)],
    );
    return rows.map(({ seq, hash }) => ({ seq, hash }));
  }
}
