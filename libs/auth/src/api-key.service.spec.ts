import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { ApiKeyService } from './api-key.service';

// The real comparison, wrapped so the spec can see which code path each authentication took.
jest.mock('node:crypto', () => {
  const actual = jest.requireActual<typeof import('node:crypto')>('node:crypto');
  return { ...actual, timingSafeEqual: jest.fn(actual.timingSafeEqual) };
});
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { timingSafeEqual } = require('node:crypto') as { timingSafeEqual: jest.Mock };

interface Row {
  id: string;
  name: string;
  prefix: string;
  secret_hash: string;
  role: string;
  connection_ids: string[] | null;
  revoked_at: Date | null;
  principal: string;
}

/** Just the queries ApiKeyService makes, over an array: enough to drive authenticate() without a database. */
class FakeKeyStore {
  readonly rows: Row[] = [];
  readonly queries: string[] = [];

  async query(sql: string, params: unknown[] = []): Promise<unknown> {
    const statement = sql.trim().split(/\s+/).slice(0, 2).join(' ');
    this.queries.push(statement);
    if (sql.includes('INSERT INTO api_keys')) {
      const [name, principal, prefix, secretHash, role, connectionIds] = params as [string, string, string, string, string, string[] | null];
      const row = { id: `key-${this.rows.length + 1}`, name, principal, prefix, secret_hash: secretHash, role, connection_ids: connectionIds, revoked_at: null };
      this.rows.push(row);
      return [{ id: row.id }];
    }
    if (sql.includes('FROM api_keys WHERE prefix = $1 AND revoked_at IS NULL')) {
      return this.rows.filter((r) => r.prefix === params[0] && r.revoked_at === null);
    }
    if (sql.includes('SET revoked_at')) {
      const row = this.rows.find((r) => r.id === params[0]);
      if (row) row.revoked_at = new Date();
      return [[], row ? 1 : 0];
    }
    if (sql.includes('SET last_used_at')) return [];
    throw new Error(`unexpected query: ${sql}`);
  }
}

const BOOTSTRAP = 'bootstrap-admin-key-for-the-unit-spec';

describe('ApiKeyService.authenticate', () => {
  let store: FakeKeyStore;
  let service: ApiKeyService;
  let live: string;
  let revoked: string;

  beforeEach(async () => {
    store = new FakeKeyStore();
    service = new ApiKeyService(store as unknown as DataSource, BOOTSTRAP);
    live = (await service.create({ name: 'live', principal: 'live@example.test', role: 'viewer', createdBy: 'spec' })).key;
    const gone = await service.create({ name: 'gone', principal: 'gone@example.test', role: 'viewer', createdBy: 'spec' });
    await service.revoke(gone.id);
    revoked = gone.key;
    timingSafeEqual.mockClear();
    store.queries.length = 0;
  });

  // The secret is base64url and may itself contain `_`: keep the prefix, replace everything after it.
  const wrongSecretFor = (key: string) => `${key.slice(0, 'tg_'.length + 12)}_${'A'.repeat(43)}`;
  const unknownPrefix = () => `tg_zzzzzzzzzzzz_${'A'.repeat(43)}`;

  it('accepts a live key and the bootstrap key, comparing in constant time', async () => {
    await expect(service.authenticate(live)).resolves.toMatchObject({ name: 'live', principalId: 'live@example.test', role: 'viewer' });
    await expect(service.authenticate(BOOTSTRAP)).resolves.toMatchObject({ keyId: 'bootstrap', principalId: 'bootstrap', role: 'admin' });
    expect(timingSafeEqual).toHaveBeenCalled();
  });

  it.each([
    ['an unknown prefix', () => unknownPrefix()],
    ['a revoked key', () => revoked],
    ['a wrong secret for an existing prefix', () => wrongSecretFor(live)],
  ])('refuses %s after the same lookup and the same constant-time comparisons', async (_, presented) => {
    await expect(service.authenticate(presented())).resolves.toBeNull();
    // One comparison against the bootstrap key, one against a stored (or stand-in) hash: the path
    // does not branch on whether the prefix exists, so neither does the work done.
    expect(timingSafeEqual).toHaveBeenCalledTimes(2);
    for (const [a, b] of timingSafeEqual.mock.calls as [Buffer, Buffer][]) {
      expect(a).toHaveLength(32);
      expect(b).toHaveLength(32);
    }
    expect(store.queries).toEqual(['SELECT id,']);
  });

  it('the stand-in hash for a missing key is not the hash of any secret a caller could send', async () => {
    await service.authenticate(unknownPrefix());
    const [, standIn] = timingSafeEqual.mock.calls[1] as [Buffer, Buffer];
    expect(standIn.equals(createHash('sha256').update('A'.repeat(43)).digest())).toBe(false);
  });

  it('does not touch the database for a value that is not shaped like a key', async () => {
    await expect(service.authenticate('not-a-key')).resolves.toBeNull();
    expect(store.queries).toEqual([]);
  });
});
