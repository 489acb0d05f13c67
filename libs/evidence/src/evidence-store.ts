import type { DataSource } from 'typeorm';
import type { CheckpointRow } from './checkpoint-signer';
import type { LedgerData, LedgerRow } from './evidence-ledger';

interface LedgerRecord {
  seq: string;
  occurred_at: Date;
  kind: string;
  data: LedgerData;
  prev_hash: string;
  hash: string;
}

interface CheckpointRecord {
  seq: string;
  hash: string;
  signed_at: Date;
  key_id: string;
  signature: string;
}

const LEDGER_COLUMNS = 'seq, occurred_at, kind, data, prev_hash, hash';
const STREAM_BATCH = 1000;

// bigint arrives as a string; seqs stay far below 2^53, so a number is exact.
const toRow = (r: LedgerRecord): LedgerRow => ({
  seq: Number(r.seq),
  occurredAt: r.occurred_at.toISOString(),
  kind: r.kind,
  data: r.data,
  prevHash: r.prev_hash,
  hash: r.hash,
});

const toCheckpoint = (r: CheckpointRecord): CheckpointRow => ({
  seq: Number(r.seq),
  hash: r.hash,
  signedAt: r.signed_at.toISOString(),
  keyId: r.key_id,
  signature: r.signature,
});

/** Reads the ledger and its checkpoints, and writes checkpoints; appends go through EvidenceLedger. */
export class EvidenceStore {
  constructor(private readonly ds: DataSource) {}

  /**
   * Entries after `afterSeq`, in seq order. With `connectionIds`, only the entries about those
   * connections (`data.connectionId`): seqs then have gaps, and each entry keeps its stored prevHash
   * and hash, so a holder of the whole ledger can still place and check it.
   */
  async page(afterSeq: number, limit: number, connectionIds?: string[]): Promise<{ items: LedgerRow[]; nextAfterSeq: number | null }> {
    const rows = (await this.ds.query(
      `SELECT ${LEDGER_COLUMNS} FROM evidence_ledger
       WHERE seq > $1 AND ($3::text[] IS NULL OR data->>'connectionId' = ANY($3::text[])) ORDER BY seq LIMIT $2`,
      [afterSeq, limit + 1, connectionIds ?? null],
    )) as LedgerRecord[];
    const items = rows.slice(0, limit).map(toRow);
    return { items, nextAfterSeq: rows.length > limit ? items[items.length - 1].seq : null };
  }

  /**
   * Entries after `afterSeq` up to `untilSeq`, in keyset batches: memory stays flat however long
   * the ledger is, and no connection is held between batches (the embedded database has one).
   */
  async *stream(afterSeq: number, untilSeq: number, batch = STREAM_BATCH): AsyncGenerator<LedgerRow> {
    let after = afterSeq;
    while (after < untilSeq) {
      const rows = (await this.ds.query(
        `SELECT ${LEDGER_COLUMNS} FROM evidence_ledger WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT $3`,
        [after, untilSeq, batch],
      )) as LedgerRecord[];
      if (rows.length === 0) return;
      for (const r of rows) yield toRow(r);
      after = Number(rows[rows.length - 1].seq);
    }
  }

  async head(): Promise<{ seq: number; hash: string } | null> {
    const [row] = (await this.ds.query('SELECT seq, hash FROM evidence_ledger ORDER BY seq DESC LIMIT 1')) as { seq: string; hash: string }[];
    return row ? { seq: Number(row.seq), hash: row.hash } : null;
  }

  async checkpoints(): Promise<CheckpointRow[]> {
    const rows = (await this.ds.query('SELECT seq, hash, signed_at, key_id, signature FROM evidence_checkpoints ORDER BY seq')) as CheckpointRecord[];
    return rows.map(toCheckpoint);
  }

  async lastCheckpoint(): Promise<CheckpointRow | null> {
    const [row] = (await this.ds.query(
      'SELECT seq, hash, signed_at, key_id, signature FROM evidence_checkpoints ORDER BY seq DESC LIMIT 1',
    )) as CheckpointRecord[];
    return row ? toCheckpoint(row) : null;
  }

  /** false when a checkpoint at that seq exists already (another replica signed the same head). */
  async insertCheckpoint(c: CheckpointRow): Promise<boolean> {
    const rows = (await this.ds.query(
      `INSERT INTO evidence_checkpoints (seq, hash, signed_at, key_id, signature) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (seq) DO NOTHING RETURNING seq`,
      [c.seq, c.hash, c.signedAt, c.keyId, c.signature],
    )) as unknown[];
    return rows.length === 1;
  }
}
