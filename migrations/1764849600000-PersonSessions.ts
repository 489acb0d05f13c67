import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Why: people sign in through the organisation's identity provider (OIDC, issue 15) and hold a
 * server-side session, so a session can be ended at once (logout, timeouts) on every replica.
 * - person_sessions: one row per signed-in browser. Only a SHA-256 of the cookie's secret is
 *   stored, so a database read does not yield usable sessions. `expires_at` is the absolute end,
 *   `last_seen_at` drives the idle timeout. The id token is kept only as the hint for logging out
 *   at the identity provider.
 * - oidc_logins: a sign-in under way, between /auth/login and /auth/callback: state, nonce and
 *   PKCE verifier, keyed by a hash of the browser's login cookie and consumed once.
 */
export class PersonSessions1764849600000 implements MigrationInterface {
  name = 'PersonSessions1764849600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE person_sessions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        token_hash text NOT NULL UNIQUE,
        principal text NOT NULL,
        name text NOT NULL,
        role text NOT NULL CHECK (role IN ('viewer', 'auditor', 'operator', 'approver', 'admin')),
        issuer text NOT NULL,
        subject text NOT NULL,
        id_token text,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_seen_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX person_sessions_expires_at ON person_sessions (expires_at)`);
    await q.query(`
      CREATE TABLE oidc_logins (
        key_hash text PRIMARY KEY,
        state text NOT NULL,
        nonce text NOT NULL,
        code_verifier text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE oidc_logins`);
    await q.query(`DROP TABLE person_sessions`);
  }
}
