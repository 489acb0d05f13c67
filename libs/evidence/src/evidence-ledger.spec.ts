import type { EntityManager } from 'typeorm';
import { EvidenceLedger, GENESIS_HASH, entryHash, InvalidLedgerEntryError, type LedgerData } from './evidence-ledger';

/**
 * A stand-in for a transaction's EntityManager that records the statements; the real SQL runs in
 * test/evidence.e2e-spec.ts against both databases.
 */
function fakeTransaction(head: { seq: string; hash: string } | null, active = true) {
  const calls: { sql: string; params: unknown[] }[] = [];
  const em = {
    queryRunner: { isTransactionActive: active },
    query: async (sql: string, params: unknown[] = []) => {
      calls.push({ sql, params });
      return sql.includes('ORDER BY seq DESC') ? (head ? [head] : []) : [];
    },
  } as unknown as EntityManager;
  return { em, calls };
}

const at = new Date('2026-11-25T10:00:00.000Z');

describe('EvidenceLedger.append', () => {
  const ledger = new EvidenceLedger();

  it('does nothing for an empty list: no lock, no write', async () => {
    const { em, calls } = fakeTransaction(null);
    expect(await ledger.append(em, [])).toEqual([]);
    expect(calls).toEqual([]);
  });

  it('locks, reads the head, then inserts every entry in one statement, chained from genesis', async () => {
    const { em, calls } = fakeTransaction(null);
    const appended = await ledger.append(em, [
      { kind: 'drift.opened', data: { driftId: 'a' }, occurredAt: at },
      { kind: 'drift.resolved', data: { driftId: 'a' }, occurredAt: at },
    ]);
    expect(calls.map((c) => c.sql.trim().split(/\s+/).slice(0, 2).join(' '))).toEqual(['SELECT pg_advisory_xact_lock(hashtext($1))', 'SELECT seq,', 'INSERT INTO']);
    const first = entryHash(GENESIS_HASH, { seq: 1, occurredAt: '2026-11-25T10:00:00.000Z', kind: 'drift.opened', data: { driftId: 'a' } });
    const second = entryHash(first, { seq: 2, occurredAt: '2026-11-25T10:00:00.000Z', kind: 'drift.resolved', data: { driftId: 'a' } });
    expect(appended).toEqual([{ seq: 1, hash: first }, { seq: 2, hash: second }]);
    expect(calls[2].params).toHaveLength(1);
    expect(JSON.parse(calls[2].params[0] as string)).toEqual([
      { seq: 1, occurred_at: at.toISOString(), kind: 'drift.opened', data: { driftId: 'a' }, prev_hash: GENESIS_HASH, hash: first },
      { seq: 2, occurred_at: at.toISOString(), kind: 'drift.resolved', data: { driftId: 'a' }, prev_hash: first, hash: second },
    ]);
  });

  it('continues from the head', async () => {
    const { em } = fakeTransaction({ seq: '41', hash: 'c'.repeat(64) });
    const [entry] = await ledger.append(em, [{ kind: 'exception.approved', data: {}, occurredAt: at }]);
    expect(entry).toEqual({ seq: 42, hash: entryHash('c'.repeat(64), { seq: 42, occurredAt: at.toISOString(), kind: 'exception.approved', data: {} }) });
  });

  it('refuses to run outside a transaction', async () => {
    const { em, calls } = fakeTransaction(null, false);
    await expect(ledger.append(em, [{ kind: 'drift.opened', data: {}, occurredAt: at }])).rejects.toThrow('inside a transaction');
    expect(calls).toEqual([]);
  });

  it.each([
    ['a kind that is not a dotted name', { kind: 'Drift Opened' }, 'kind must be a dotted lower-case name'],
    ['an invalid date', { occurredAt: new Date(NaN) }, 'occurredAt must be a valid Date'],
    ['data that is an array', { data: [] as unknown as LedgerData }, 'data must be a JSON object'],
    ['NaN', { data: { n: NaN } }, 'entries[0].data.n is NaN'],
    ['an undefined array item', { data: { u: [undefined] } as unknown as LedgerData }, 'data.u[0] is undefined'],
    ['a Date', { data: { when: new Date() } as unknown as LedgerData }, 'data.when is a Date'],
    ['U+0000', { data: { s: 'a\u0000b' } }, 'U+0000'],
    ['a lone surrogate', { data: { s: 'a\ud800' } }, 'lone surrogate'],
  ])('rejects %s before touching the database', async (_, change, message) => {
    const { em, calls } = fakeTransaction(null);
    const entry = { kind: 'drift.opened', data: { ok: true } as LedgerData, occurredAt: at, ...change };
    await expect(ledger.append(em, [entry])).rejects.toThrow(InvalidLedgerEntryError);
    await expect(ledger.append(em, [entry])).rejects.toThrow(message);
    expect(calls).toEqual([]);
  });

  it('leaves out undefined properties, as JSON does, so the stored row hashes the same', async () => {
    const { em, calls } = fakeTransaction(null);
    const [entry] = await ledger.append(em, [{ kind: 'exception.requested', data: { reason: undefined, actor: 'a' } as unknown as LedgerData, occurredAt: at }]);
    expect(calls[2].params[0]).toContain('"data":{"actor":"a"}');
    expect(entry.hash).toBe(entryHash(GENESIS_HASH, { seq: 1, occurredAt: at.toISOString(), kind: 'exception.requested', data: { actor: 'a' } }));
  });

  it('accepts emoji and other well-formed surrogate pairs', async () => {
    const { em } = fakeTransaction(null);
    await expect(ledger.append(em, [{ kind: 'drift.changed', data: { s: '😀 ü' }, occurredAt: at }])).resolves.toHaveLength(1);
  });
});
