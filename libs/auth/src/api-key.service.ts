import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { Principal, Role } from './roles';

const sha256 = (value: string) => createHash('sha256').update(value).digest();

/** Stands in for a stored hash when no key matches: a digest no secret is known to produce. */
const NO_KEY_DIGEST = sha256('tollgate: no api key has this prefix');

export interface ApiKeyView {
  id: string;
  name: string;
  /** The person or service the key belongs to. */
  principal: string;
  /** The non-secret part of the key, to recognise it: `tg_<prefix>_…`. */
  prefix: string;
  role: Role;
  connectionIds: string[] | null;
  createdAt: string;
  createdBy: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

interface ApiKeyRow {
  id: string;
  name: string;
  principal: string;
  prefix: string;
  role: Role;
  connection_ids: string[] | null;
  created_at: Date;
  created_by: string | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const VIEW_COLUMNS = 'id, name, principal, prefix, role, connection_ids, created_at, created_by, last_used_at, revoked_at';

const toView = (r: ApiKeyRow): ApiKeyView => ({
  id: r.id,
  name: r.name,
  principal: r.principal,
  prefix: r.prefix,
  role: r.role,
  connectionIds: r.connection_ids,
  createdAt: r.created_at.toISOString(),
  createdBy: r.created_by,
  lastUsedAt: r.last_used_at?.toISOString() ?? null,
  revokedAt: r.revoked_at?.toISOString() ?? null,
});

/**
 * API keys look like `tg_<prefix>_<secret>`. Only a SHA-256 of the secret is stored (the secret is
 * 256 random bits, so a slow hash adds nothing); the prefix finds the row, the hash is compared in
 * constant time. The bootstrap admin key from the environment is compared the same way.
 */
export class ApiKeyService {
  private readonly bootstrapDigest?: Buffer;

  constructor(
    private readonly ds: DataSource,
    bootstrapAdminKey?: string,
  ) {
    this.bootstrapDigest = bootstrapAdminKey ? sha256(bootstrapAdminKey) : undefined;
  }

  async authenticate(presented: string): Promise<Principal | null> {
    const digest = sha256(presented);
    if (this.bootstrapDigest && timingSafeEqual(digest, this.bootstrapDigest)) {
      return { keyId: 'bootstrap', principalId: 'bootstrap', name: 'bootstrap admin key', role: 'admin' };
    }
    const match = /^tg_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/.exec(presented);
    if (!match) return null;
    const rows: { id: string; name: string; principal: string; role: Role; connection_ids: string[] | null; secret_hash: string }[] =
      await this.ds.query(
      `SELECT id, name, principal, role, connection_ids, secret_hash FROM api_keys WHERE prefix = $1 AND revoked_at IS NULL`,
      [match[1]],
    );
    const row = rows[0];
    // Compared even when no live key has this prefix, so an unknown or revoked key costs the same
    // work as a wrong secret and the answer's timing does not reveal which prefixes exist.
    const matches = timingSafeEqual(sha256(match[2]), row ? Buffer.from(row.secret_hash, 'hex') : NO_KEY_DIGEST);
    if (!row || !matches) return null;
    void this.ds.query(`UPDATE api_keys SET last_used_at = now() WHERE id = $1`, [row.id]).catch(() => undefined);
    return { keyId: row.id, principalId: row.principal, name: row.name, role: row.role, connectionIds: row.connection_ids ?? undefined };
  }

  async list(): Promise<ApiKeyView[]> {
    const rows: ApiKeyRow[] = await this.ds.query(`SELECT ${VIEW_COLUMNS} FROM api_keys ORDER BY created_at, id`);
    return rows.map(toView);
  }

  async get(id: string): Promise<ApiKeyView | null> {
    const [row]: ApiKeyRow[] = await this.ds.query(`SELECT ${VIEW_COLUMNS} FROM api_keys WHERE id = $1`, [id]);
    return row ? toView(row) : null;
  }

  /** Revokes at once: the next request with the key gets 401. Returns false if there is no such key. */
  async revoke(id: string): Promise<boolean> {
    const [, count]: [unknown[], number] = await this.ds.query(
      `UPDATE api_keys SET revoked_at = COALESCE(revoked_at, now()) WHERE id = $1`,
      [id],
    );
    return count === 1;
  }

  /** Creates a key and returns its plaintext once; it is never retrievable again. */
  async create(input: { name: string; principal: string; role: Role; connectionIds?: string[]; createdBy: string }): Promise<{ id: string; key: string }> {
    const prefix = randomBytes(9).toString('base64url').toLowerCase().replace(/[^a-z0-9]/g, '0').slice(0, 12);
    const secret = randomBytes(32).toString('base64url');
    const [row]: { id: string }[] = await this.ds.query(
      `INSERT INTO api_keys (name, principal, prefix, secret_hash, role, connection_ids, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [input.name, input.principal, prefix, sha256(secret).toString('hex'), input.role, input.connectionIds ?? null, input.createdBy],
    );
    return { id: row.id, key: `tg_${prefix}_${secret}` };
  }
}
