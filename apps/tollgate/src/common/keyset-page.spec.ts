import { BadRequestException } from '@nestjs/common';
import { encodeCursor } from '@tollgate/drift';
import { KeysetPage } from './keyset-page';

const cursor = encodeCursor({ openedAt: '2030-01-02T03:04:05.678Z', id: '0b7f4b8e-5f0a-4c47-9d1e-2a4c0f6a1b2c' });

const rows = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ id: `00000000-0000-4000-8000-00000000000${i}`, requested_at: new Date(Date.UTC(2030, 0, 10 - i)) }));

describe('KeysetPage', () => {
  it('numbers the parameters in the order the conditions were added, then the cursor, then the limit', () => {
    const page = new KeysetPage('exception_tickets', 'requested_at', { cursor, limit: 10 });
    page.add('state = ?', 'approved');
    page.add(`status = 'pending' AND expires_at > now()`);
    page.add('connection_id = ANY(?::uuid[])', ['c1', 'c2']);
    page.add('(expires_at > ? OR requested_at > ?)', 'a', 'b');
    expect(page.sql()).toEqual({
      text:
        'SELECT * FROM exception_tickets WHERE state = $1 AND status = \'pending\' AND expires_at > now() AND connection_id = ANY($2::uuid[]) ' +
        'AND (expires_at > $3 OR requested_at > $4) AND (requested_at, id) < ($5::timestamptz, $6::uuid) ' +
        'ORDER BY requested_at DESC, id DESC LIMIT $7',
      values: ['approved', ['c1', 'c2'], 'a', 'b', '2030-01-02T03:04:05.678Z', '0b7f4b8e-5f0a-4c47-9d1e-2a4c0f6a1b2c', 11],
    });
  });

  it('has no WHERE without conditions or cursor, and reads 50 and one rows by default', () => {
    expect(new KeysetPage('attestations', 'attested_at', {}).sql()).toEqual({
      text: 'SELECT * FROM attestations ORDER BY attested_at DESC, id DESC LIMIT $1',
      values: [51],
    });
  });

  it('refuses a condition whose ? and values do not match', () => {
    const page = new KeysetPage('attestations', 'attested_at', {});
    expect(() => page.add('state = ?')).toThrow('needs one value for each ?');
    expect(() => page.add('state = ?', 'a', 'b')).toThrow('needs one value for each ?');
  });

  it('answers a cursor this API did not write with a 400 saying so', () => {
    for (const bad of ['nope', Buffer.from('["2030-02-30T00:00:00.000Z","0b7f4b8e-5f0a-4c47-9d1e-2a4c0f6a1b2c"]').toString('base64url')]) {
      let err: unknown;
      try {
        new KeysetPage('attestations', 'attested_at', { cursor: bad });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(BadRequestException);
      expect((err as BadRequestException).message).toBe('cursor is not one this API returned');
    }
  });

  it('gives the cursor of the last row shown while there is one row more, and null on the last page', () => {
    const page = new KeysetPage('connection_changes', 'requested_at', { limit: 2 });
    const full = page.result(rows(3), (r) => r.id);
    expect(full.items).toEqual([rows(3)[0].id, rows(3)[1].id]);
    expect(full.nextCursor).toBe(encodeCursor({ openedAt: rows(3)[1].requested_at.toISOString(), id: rows(3)[1].id }));

    expect(page.result(rows(2), (r) => r.id)).toEqual({ items: [rows(2)[0].id, rows(2)[1].id], nextCursor: null });
    expect(page.result(rows(1), (r) => r.id)).toEqual({ items: [rows(1)[0].id], nextCursor: null });
    expect(page.result(rows(0), (r) => r.id)).toEqual({ items: [], nextCursor: null });
  });

  it('reads the page after the one whose cursor it was given', () => {
    const first = new KeysetPage('connection_changes', 'requested_at', { limit: 2 }).result(rows(3), (r) => r);
    const next = new KeysetPage('connection_changes', 'requested_at', { cursor: first.nextCursor!, limit: 2 });
    next.add('connection_id = ?', 'c1');
    expect(next.sql().values).toEqual(['c1', rows(3)[1].requested_at.toISOString(), rows(3)[1].id, 3]);
  });
});
