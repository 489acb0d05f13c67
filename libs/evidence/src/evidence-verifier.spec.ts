import { generateKeyPairSync } from 'node:crypto';
import { CheckpointSigner, type CheckpointRow } from './checkpoint-signer';
import { entryHash, GENESIS_HASH, type LedgerData, type LedgerRow } from './evidence-ledger';
import { verifyLedger } from './evidence-verifier';

const signer = new CheckpointSigner(Buffer.alloc(32, 7));

/** A well-formed chain of n entries, built the way EvidenceLedger builds it. */
function chain(n: number): LedgerRow[] {
  const rows: LedgerRow[] = [];
  let prevHash = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const entry = {
      seq,
      occurredAt: new Date(Date.UTC(2026, 10, 25, 10, 0, seq)).toISOString(),
      kind: seq % 2 ? 'drift.opened' : 'exception.approved',
      data: { driftId: `d-${seq}`, severity: 'high', count: seq, nested: { ok: seq % 3 === 0, list: [1, 'two', null] } } as LedgerData,
    };
    const hash = entryHash(prevHash, entry);
    rows.push({ ...entry, prevHash, hash });
    prevHash = hash;
  }
  return rows;
}

const checkpoint = (rows: LedgerRow[], seq: number): CheckpointRow =>
  signer.signCheckpoint({ seq, hash: rows[seq - 1].hash, signedAt: '2026-11-25T11:00:00.000Z' });

/** Re-hashes every row from `from` on, as an attacker who can write the table would. */
function rehashFrom(rows: LedgerRow[], from: number): void {
  for (let i = from - 1; i < rows.length; i++) {
    rows[i].prevHash = i === 0 ? GENESIS_HASH : rows[i - 1].hash;
    rows[i].hash = entryHash(rows[i].prevHash, rows[i]);
  }
}

describe('entryHash', () => {
  it('is SHA-256 over prevHash, a newline and the JCS of {seq, occurredAt, kind, data}', () => {
    // Computed independently: printf '%s\n%s' "$(printf '0%.0s' {1..64})" '{"data":{"a":1,"b":"x"},"kind":"drift.opened","occurredAt":"2026-11-25T10:00:00.000Z","seq":1}' | sha256sum
    const hash = entryHash(GENESIS_HASH, { seq: 1, occurredAt: '2026-11-25T10:00:00.000Z', kind: 'drift.opened', data: { b: 'x', a: 1 } });
    expect(hash).toBe('bf76163b1ad47c5bd206de9ad9b9e14bf408b83e87571926dc7a7e0f30adb92d');
  });

  it('ignores key order and fields outside the four hashed ones', () => {
    const entry = { seq: 3, occurredAt: '2026-11-25T10:00:00.000Z', kind: 'drift.resolved', data: { x: [1, 2], y: { b: 1, a: 2 } } };
    const reordered = { data: { y: { a: 2, b: 1 }, x: [1, 2] }, kind: 'drift.resolved', occurredAt: entry.occurredAt, seq: 3, hash: 'ignored', prevHash: 'ignored' };
    expect(entryHash(GENESIS_HASH, reordered)).toBe(entryHash(GENESIS_HASH, entry));
  });

  it('gives the same hash after a JSON round trip of the data', () => {
    const data: LedgerData = { big: 2 ** 53 + 2, tiny: 1e-7, huge: 1e21, ratio: 0.1 + 0.2, neg: -0, text: 'é 😀 "q" \\', empty: {}, list: [] };
    const entry = { seq: 1, occurredAt: '2026-11-25T10:00:00.000Z', kind: 'drift.changed', data };
    const back = JSON.parse(JSON.stringify(entry)) as typeof entry;
    expect(entryHash(GENESIS_HASH, back)).toBe(entryHash(GENESIS_HASH, entry));
  });
});

describe('verifyLedger', () => {
  it('accepts an empty ledger', async () => {
    expect(await verifyLedger([], [], signer.publicKey)).toEqual({
      ok: true, entriesChecked: 0, headSeq: 0, headHash: null, firstBadSeq: null, problem: null, checkpointsChecked: 0, lastCheckpointSeq: null,
    });
  });

  it('accepts a chain of 1..n with checkpoints, from an async stream, with a PEM key', async () => {
    const rows = chain(50);
    async function* stream() {
      for (const r of rows) yield r;
    }
    const report = await verifyLedger(stream(), [checkpoint(rows, 50), checkpoint(rows, 20)], signer.publicKeyPem);
    expect(report).toEqual({
      ok: true, entriesChecked: 50, headSeq: 50, headHash: rows[49].hash, firstBadSeq: null, problem: null, checkpointsChecked: 2, lastCheckpointSeq: 50,
    });
  });

  it.each([
    ['data', (r: LedgerRow) => (r.data = { ...r.data, severity: 'low' })],
    ['kind', (r: LedgerRow) => (r.kind = 'drift.resolved')],
    ['occurredAt', (r: LedgerRow) => (r.occurredAt = '2020-01-01T00:00:00.000Z')],
    ['stored hash', (r: LedgerRow) => (r.hash = 'f'.repeat(64))],
  ])('names the seq whose %s was edited', async (_, edit) => {
    const rows = chain(10);
    edit(rows[6]);
    const report = await verifyLedger(rows, [], signer.publicKey);
    expect(report).toMatchObject({ ok: false, firstBadSeq: 7, entriesChecked: 6, headSeq: 6 });
    expect(report.problem).toMatch(/hash of seq 7 does not match its content|prev_hash of seq 8/);
  });

  it('names a deleted middle row', async () => {
    const rows = chain(10);
    rows.splice(4, 1);
    const report = await verifyLedger(rows, [], signer.publicKey);
    expect(report).toMatchObject({ ok: false, firstBadSeq: 5 });
    expect(report.problem).toContain('seq 5 is missing');
  });

  it('names the first of two rows whose contents were swapped', async () => {
    const rows = chain(10);
    const [a, b] = [rows[4], rows[5]];
    rows[4] = { ...b, seq: 5 };
    rows[5] = { ...a, seq: 6 };
    const report = await verifyLedger(rows, [], signer.publicKey);
    expect(report).toMatchObject({ ok: false, firstBadSeq: 5 });
    expect(report.problem).toContain('prev_hash of seq 5');
  });

  it('names rows served out of order', async () => {
    const rows = chain(10);
    [rows[2], rows[3]] = [rows[3], rows[2]];
    expect(await verifyLedger(rows, [], signer.publicKey)).toMatchObject({ ok: false, firstBadSeq: 3 });
  });

  it('names a duplicated row', async () => {
    const rows = chain(5);
    rows.splice(3, 0, rows[2]);
    const report = await verifyLedger(rows, [], signer.publicKey);
    expect(report).toMatchObject({ ok: false, firstBadSeq: 4 });
    expect(report.problem).toContain('seq 3 appears again');
  });

  it('refuses a first row that does not start at the genesis hash', async () => {
    const rows = chain(3);
    rows[0].prevHash = 'a'.repeat(64);
    rows[0].hash = entryHash(rows[0].prevHash, rows[0]);
    expect(await verifyLedger(rows, [], signer.publicKey)).toMatchObject({ ok: false, firstBadSeq: 1 });
  });

  it('detects a truncated tail only up to the last checkpoint', async () => {
    const rows = chain(20);
    const cps = [checkpoint(rows, 10), checkpoint(rows, 15)];
    const cutBelow = await verifyLedger(rows.slice(0, 12), cps, signer.publicKey);
    expect(cutBelow).toMatchObject({ ok: false, firstBadSeq: 13, headSeq: 12, checkpointsChecked: 1, lastCheckpointSeq: 10 });
    expect(cutBelow.problem).toContain('truncated');
    // Rows after the last checkpoint carry no signature: cutting them leaves a valid, shorter chain.
    expect(await verifyLedger(rows.slice(0, 17), cps, signer.publicKey)).toMatchObject({ ok: true, headSeq: 17 });
  });

  it('catches a chain rewritten and re-hashed after a checkpoint was signed', async () => {
    const rows = chain(20);
    const cps = [checkpoint(rows, 8), checkpoint(rows, 16)];
    rows[11].data = { driftId: 'forged' };
    rehashFrom(rows, 12);
    const report = await verifyLedger(rows, cps, signer.publicKey);
    expect(report).toMatchObject({ ok: false, firstBadSeq: 16, lastCheckpointSeq: 8 });
    expect(report.problem).toContain('does not match the signed checkpoint');
    // Without checkpoints the rewrite is invisible: that is what they are for.
    expect(await verifyLedger(rows, [], signer.publicKey)).toMatchObject({ ok: true });
  });

  it('refuses a checkpoint with an altered claim or signature', async () => {
    const rows = chain(5);
    const moved = { ...checkpoint(rows, 3), signedAt: '2030-01-01T00:00:00.000Z' };
    expect(await verifyLedger(rows, [moved], signer.publicKey)).toMatchObject({ ok: false, firstBadSeq: 3, problem: expect.stringContaining('invalid signature') });
    const cp = checkpoint(rows, 4);
    const flipped = Buffer.from(cp.signature, 'base64');
    flipped[0] ^= 1;
    expect(await verifyLedger(rows, [{ ...cp, signature: flipped.toString('base64') }], signer.publicKey)).toMatchObject({ ok: false, firstBadSeq: 4 });
  });

  it('refuses checkpoints signed by a key it was not given, and accepts several keys', async () => {
    const rows = chain(5);
    const other = new CheckpointSigner(Buffer.alloc(32, 9));
    const cps = [checkpoint(rows, 2), other.signCheckpoint({ seq: 4, hash: rows[3].hash, signedAt: '2026-11-25T12:00:00.000Z' })];
    const report = await verifyLedger(rows, cps, signer.publicKey);
    expect(report).toMatchObject({ ok: false, firstBadSeq: 4, problem: expect.stringContaining(`key ${other.keyId}`) });
    expect(await verifyLedger(rows, cps, [signer.publicKey, other.publicKeyPem])).toMatchObject({ ok: true, checkpointsChecked: 2 });
  });

  it('refuses a forged checkpoint beyond the head as forged, not as truncation', async () => {
    const rows = chain(5);
    const forged: CheckpointRow = { ...checkpoint(rows, 5), seq: 9 };
    expect(await verifyLedger(rows, [forged], signer.publicKey)).toMatchObject({ ok: false, firstBadSeq: 9, problem: expect.stringContaining('invalid signature') });
  });

  it('refuses a key that is not Ed25519', async () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await expect(verifyLedger([], [], publicKey)).rejects.toThrow('expected an Ed25519 public key');
  });

  it('continues from a trusted point', async () => {
    const rows = chain(12);
    const cps = [checkpoint(rows, 4), checkpoint(rows, 10)];
    const report = await verifyLedger(rows.slice(4), cps, signer.publicKey, { from: { seq: 4, hash: rows[3].hash } });
    expect(report).toMatchObject({ ok: true, entriesChecked: 8, headSeq: 12, checkpointsChecked: 1, lastCheckpointSeq: 10 });
    const unlinked = await verifyLedger(rows.slice(4), [], signer.publicKey, { from: { seq: 4, hash: 'b'.repeat(64) } });
    expect(unlinked).toMatchObject({ ok: false, firstBadSeq: 5 });
  });

  it('reports malformed rows instead of throwing', async () => {
    const rows = chain(3) as unknown[];
    rows[1] = { seq: 2, kind: 'drift.opened' };
    expect(await verifyLedger(rows as LedgerRow[], [], signer.publicKey)).toMatchObject({ ok: false, firstBadSeq: 2, problem: 'the row at seq 2 is malformed' });
  });

  it('streams: checks a long chain without materialising it', async () => {
    let prevHash = GENESIS_HASH;
    function* generate(n: number): Generator<LedgerRow> {
      for (let seq = 1; seq <= n; seq++) {
        const entry = { seq, occurredAt: '2026-11-25T10:00:00.000Z', kind: 'drift.changed', data: { seq } };
        const hash = entryHash(prevHash, entry);
        yield { ...entry, prevHash, hash };
        prevHash = hash;
      }
    }
    const report = await verifyLedger(generate(20_000), [], signer.publicKey);
    expect(report).toMatchObject({ ok: true, entriesChecked: 20_000, headSeq: 20_000 });
  });
});
