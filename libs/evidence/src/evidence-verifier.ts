import type { KeyObject } from 'node:crypto';
import { keyIdOf, toPublicKey, verifyCheckpoint, type CheckpointRow } from './checkpoint-signer';
import { entryHash, GENESIS_HASH, type LedgerRow } from './evidence-ledger';

export interface VerifyReport {
  ok: boolean;
  /** Entries whose seq, link and hash were checked and found good. */
  entriesChecked: number;
  /** The last good entry (on success: the head). 0 / null for an empty ledger. */
  headSeq: number;
  headHash: string | null;
  /** The first seq that is missing, out of place or altered; null when ok. */
  firstBadSeq: number | null;
  problem: string | null;
  /** Checkpoints whose signature and hash were checked and found good. */
  checkpointsChecked: number;
  lastCheckpointSeq: number | null;
}

export interface VerifyOptions {
  /**
   * Start after a point already trusted (a verified checkpoint) instead of at seq 1: `entries` then
   * begin at from.seq + 1 and the first one must link to from.hash. Checkpoints at or before
   * from.seq are ignored.
   */
  from?: { seq: number; hash: string };
}

type PublicKeys = KeyObject | string | (KeyObject | string)[];

const HEX64 = /^[0-9a-f]{64}$/;

class Broken extends Error {
  constructor(
    readonly seq: number | null,
    message: string,
  ) {
    super(message);
  }
}

function isRow(row: unknown): row is LedgerRow {
  const r = row as Partial<LedgerRow> | null;
  return (
    typeof r === 'object' &&
    r !== null &&
    Number.isSafeInteger(r.seq) &&
    typeof r.occurredAt === 'string' &&
    typeof r.kind === 'string' &&
    typeof r.data === 'object' &&
    r.data !== null &&
    !Array.isArray(r.data) &&
    typeof r.prevHash === 'string' &&
    typeof r.hash === 'string'
  );
}

function isCheckpoint(c: unknown): c is CheckpointRow {
  const r = c as Partial<CheckpointRow> | null;
  return (
    typeof r === 'object' &&
    r !== null &&
    Number.isSafeInteger(r.seq) &&
    (r.seq as number) > 0 &&
    typeof r.hash === 'string' &&
    typeof r.signedAt === 'string' &&
    typeof r.keyId === 'string' &&
    typeof r.signature === 'string'
  );
}

/**
 * Checks the whole chain in one pass and stops at the first problem, naming its seq:
 * - seq must run 1, 2, 3, ... (a deleted row or a gap names the missing seq);
 * - each row's prev_hash must be the previous row's hash (rows reordered or removed before it);
 * - each row's hash must be entryHash(prev_hash, row) (kind, occurredAt, data or the hash edited);
 * - each checkpoint must carry a good Ed25519 signature by one of the given keys and match the
 *   ledger's hash at its seq (a chain rewritten and re-hashed after the checkpoint was signed);
 * - no checkpoint may lie beyond the head (the tail was cut off: firstBadSeq = head + 1).
 * Only the previous hash and the checkpoints are held in memory, so entries may be a stream of
 * any length. The verifier trusts nothing but the public keys it is given.
 */
export async function verifyLedger(
  entries: AsyncIterable<LedgerRow> | Iterable<LedgerRow>,
  checkpoints: CheckpointRow[],
  publicKey: PublicKeys,
  options: VerifyOptions = {},
): Promise<VerifyReport> {
  const startSeq = options.from?.seq ?? 0;
  const report: VerifyReport = {
    ok: false,
    entriesChecked: 0,
    headSeq: startSeq,
    headHash: options.from?.hash ?? null,
    firstBadSeq: null,
    problem: null,
    checkpointsChecked: 0,
    lastCheckpointSeq: null,
  };
  let prevHash = options.from?.hash ?? GENESIS_HASH;

  try {
    const keys = new Map<string, KeyObject>();
    for (const k of Array.isArray(publicKey) ? publicKey : [publicKey]) {
      const key = toPublicKey(k);
      keys.set(keyIdOf(key), key);
    }
    const pending = checkpoints.map((c, i) => {
      if (!isCheckpoint(c)) throw new Broken(null, `checkpoint #${i + 1} is malformed`);
      return c;
    });
    pending.sort((a, b) => a.seq - b.seq);
    let next = 0;
    while (next < pending.length && pending[next].seq <= startSeq) next += 1;

    const checkCheckpoint = (c: CheckpointRow): void => {
      const key = keys.get(c.keyId);
      if (!key) {
        throw new Broken(c.seq, `the checkpoint at seq ${c.seq} was signed with key ${c.keyId}, which is not among the verifying keys (${[...keys.keys()].join(', ')})`);
      }
      if (!verifyCheckpoint(c, key)) throw new Broken(c.seq, `the checkpoint at seq ${c.seq} has an invalid signature: it was forged or altered`);
    };

    let expected = startSeq + 1;
    for await (const row of entries) {
      if (!isRow(row)) throw new Broken(expected, `the row at seq ${expected} is malformed`);
      if (row.seq !== expected) {
        throw new Broken(
          expected,
          row.seq > expected
            ? `seq ${expected} is missing: the row after seq ${expected - 1} has seq ${row.seq} (rows were deleted)`
            : `seq ${row.seq} appears again after seq ${expected - 1}: rows are out of order or duplicated`,
        );
      }
      if (row.prevHash !== prevHash) {
        throw new Broken(
          row.seq,
          row.seq === 1
            ? 'prev_hash of seq 1 is not the genesis value (64 zeros)'
            : `prev_hash of seq ${row.seq} is not the hash of seq ${row.seq - 1}: rows were reordered, replaced or deleted`,
        );
      }
      let computed: string;
      try {
        computed = entryHash(prevHash, row);
      } catch {
        throw new Broken(row.seq, `seq ${row.seq} cannot be canonicalised`);
      }
      if (!HEX64.test(row.hash) || computed !== row.hash) {
        throw new Broken(row.seq, `the hash of seq ${row.seq} does not match its content: its kind, occurredAt, data or stored hash was altered`);
      }
      prevHash = row.hash;
      report.entriesChecked += 1;
      report.headSeq = row.seq;
      report.headHash = row.hash;
      expected += 1;

      while (next < pending.length && pending[next].seq === row.seq) {
        const c = pending[next];
        checkCheckpoint(c);
        if (c.hash !== row.hash) {
          throw new Broken(
            row.seq,
            `the ledger at seq ${row.seq} does not match the signed checkpoint: history up to seq ${row.seq}` +
              `${report.lastCheckpointSeq ? ` (after the good checkpoint at seq ${report.lastCheckpointSeq})` : ''} was rewritten and re-hashed after it was signed`,
          );
        }
        report.checkpointsChecked += 1;
        report.lastCheckpointSeq = c.seq;
        next += 1;
      }
    }

    if (next < pending.length) {
      const beyond = pending[next];
      checkCheckpoint(beyond);
      const head = expected - 1;
      throw new Broken(
        head + 1,
        `the ledger ends at seq ${head} but a signed checkpoint covers seq ${beyond.seq}: rows ${head + 1}..${beyond.seq} or more were removed (truncated)`,
      );
    }
    report.ok = true;
  } catch (err) {
    if (!(err instanceof Broken)) throw err;
    report.firstBadSeq = err.seq;
    report.problem = err.message;
  }
  return report;
}
