import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { Principal, Role } from './roles';

const sha256hex = (value: string) => createHash('sha256').update(value).digest('hex');
const randomToken = () => randomBytes(32).toString('base64url');

/** A person as the identity provider vouched for them, mapped to a Tollgate role. */
export interface SignedInPerson {
  principal: string;
  name: string;
  role: Role;
  /** The connections the role is limited to, as for a scoped API key; undefined means all. */
  connectionIds?: string[];
  issuer: string;
  subject: string;
  idToken?: string;
}

export interface ActiveSession {
  id: string;
  principal: Principal;
  /** The synchronizer token state-changing requests must send in X-CSRF-Token. */
  csrfToken: string;
  /** When the session ends at the latest (absolute timeout). */
  expiresAt: Date;
  /** When it ends if unused (idle timeout), never later than expiresAt. */
  idleExpiresAt: Date;
}

/** A sign-in under way: what /auth/callback must find again. */
export interface PendingLogin {
  state: string;
  nonce: string;
  codeVerifier: string;
}

interface SessionRow {
  id: string;
  principal: string;
  name: string;
  role: Role;
  connection_ids: string[] | null;
  expires_at: Date;
  last_seen_at: Date;
}

/** How long a sign-in may take at the identity provider before its state is forgotten. */
const LOGIN_TTL_SECONDS = 600;

const SESSION_COLUMNS = 'id, principal, name, role, connection_ids, expires_at, last_seen_at';

/**
 * Server-side sessions for people. The cookie holds a 256-bit random secret; only its SHA-256 is
 * stored (as for API keys, a slow hash adds nothing to 256 random bits). The CSRF token is derived
 * from the secret, so it needs no storage and changes with every session. A session's key id in
 * audit events and the ledger is `session:<first 8 hex of its id>`.
 *
 * A session keeps the role and connection scope it was granted at sign-in, and the digest of the
 * role mapping that granted them: once the mapping changes, sessions granted under the old one have
 * ended (401, sign in again), so none keeps a role or scope the new mapping would not give.
 */
export interface SessionSettings {
  /** False when no identity provider is configured: session cookies are then ignored. */
  enabled: boolean;
  idleMinutes: number;
  absoluteHours: number;
  /** `Secure` on the cookie; dropped only for http on loopback (the demo). */
  secure: boolean;
  /** The origin people reach Tollgate at; a state-changing request with a session from elsewhere is refused. */
  origin?: string;
  /** Digest of the role mapping in force; a session granted under another one is not accepted. */
  roleMappingDigest: string;
}

export class SessionService {
  /** `__Host-` binds the cookie to this host, path `/`, Secure; browsers refuse that prefix without Secure. */
  readonly cookieName: string;

  constructor(
    private readonly ds: DataSource,
    readonly settings: SessionSettings,
  ) {
    this.cookieName = settings.secure ? '__Host-tollgate-session' : 'tollgate-session';
  }

  static csrfTokenFor(token: string): string {
    return createHash('sha256').update(`tollgate csrf\n${token}`).digest('base64url');
  }

  /** Compares a presented CSRF token with the session's in constant time. */
  static csrfMatches(token: string, presented: string | undefined): boolean {
    const expected = Buffer.from(SessionService.csrfTokenFor(token));
    const given = Buffer.from(presented ?? '');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  /** Starts a session and returns the cookie's secret (shown once). Expired sessions are swept on the way. */
  async create(person: SignedInPerson): Promise<{ token: string; session: ActiveSession }> {
    await this.sweep();
    const token = randomToken();
    const [row]: SessionRow[] = await this.ds.query(
      `INSERT INTO person_sessions (token_hash, principal, name, role, connection_ids, role_mapping_digest, issuer, subject, id_token, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now() + make_interval(secs => $10))
       RETURNING ${SESSION_COLUMNS}`,
      [
        sha256hex(token),
        person.principal,
        person.name,
        person.role,
        person.connectionIds ?? null,
        this.settings.roleMappingDigest,
        person.issuer,
        person.subject,
        person.idToken ?? null,
        this.settings.absoluteHours * 3600,
      ],
    );
    return { token, session: this.toSession(row, token) };
  }

  /** The live session behind a cookie, touched (idle clock restarted); null when unknown, timed out or granted under another role mapping. */
  async authenticate(token: string): Promise<ActiveSession | null> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
    // TypeORM answers an UPDATE with [rows, rowCount].
    const [[row]]: [SessionRow[], number] = await this.ds.query(
      `UPDATE person_sessions SET last_seen_at = now()
       WHERE token_hash = $1 AND expires_at > now() AND last_seen_at > now() - make_interval(secs => $2) AND role_mapping_digest = $3
       RETURNING ${SESSION_COLUMNS}`,
      [sha256hex(token), this.settings.idleMinutes * 60, this.settings.roleMappingDigest],
    );
    if (!row) {
      // A timed-out session is gone for good, not revived by a later change of the timeouts or the mapping.
      await this.ds.query(`DELETE FROM person_sessions WHERE token_hash = $1`, [sha256hex(token)]);
      return null;
    }
    return this.toSession(row, token);
  }

  /** Ends a session; returns its id token (the logout hint for the identity provider) if it existed. */
  async end(token: string): Promise<{ idToken: string | null } | null> {
    const [rows]: [{ id_token: string | null }[], number] = await this.ds.query(
      `DELETE FROM person_sessions WHERE token_hash = $1 RETURNING id_token`,
      [sha256hex(token)],
    );
    return rows[0] ? { idToken: rows[0].id_token } : null;
  }

  /** Records a sign-in under way; the returned key goes into the browser's login cookie. */
  async beginLogin(login: PendingLogin): Promise<string> {
    const key = randomToken();
    await this.ds.query(`DELETE FROM oidc_logins WHERE created_at < now() - make_interval(secs => $1)`, [LOGIN_TTL_SECONDS]);
    await this.ds.query(`INSERT INTO oidc_logins (key_hash, state, nonce, code_verifier) VALUES ($1, $2, $3, $4)`, [
      sha256hex(key),
      login.state,
      login.nonce,
      login.codeVerifier,
    ]);
    return key;
  }

  /** Takes a sign-in under way, once: a replayed callback finds nothing. */
  async consumeLogin(key: string): Promise<PendingLogin | null> {
    const [rows]: [{ state: string; nonce: string; code_verifier: string }[], number] = await this.ds.query(
      `DELETE FROM oidc_logins WHERE key_hash = $1 AND created_at > now() - make_interval(secs => $2) RETURNING state, nonce, code_verifier`,
      [sha256hex(key), LOGIN_TTL_SECONDS],
    );
    const row = rows[0];
    return row ? { state: row.state, nonce: row.nonce, codeVerifier: row.code_verifier } : null;
  }

  private async sweep(): Promise<void> {
    await this.ds.query(`DELETE FROM person_sessions WHERE expires_at <= now() OR last_seen_at <= now() - make_interval(secs => $1)`, [
      this.settings.idleMinutes * 60,
    ]);
  }

  private toSession(row: SessionRow, token: string): ActiveSession {
    const idleEnd = new Date(row.last_seen_at.getTime() + this.settings.idleMinutes * 60_000);
    return {
      id: row.id,
      principal: {
        keyId: `session:${row.id.slice(0, 8)}`,
        principalId: row.principal,
        name: row.name,
        role: row.role,
        connectionIds: row.connection_ids ?? undefined,
      },
      csrfToken: SessionService.csrfTokenFor(token),
      expiresAt: row.expires_at,
      idleExpiresAt: idleEnd < row.expires_at ? idleEnd : row.expires_at,
    };
  }
}
