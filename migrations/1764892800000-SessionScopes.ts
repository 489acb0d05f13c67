import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Why: TOLLGATE_OIDC_ROLE_MAPPING may limit a group's role to some connections, so a person's
 * session carries a connection scope as a scoped API key does.
 * - connection_ids: the connections the session may see; NULL means all (as in api_keys).
 * - role_mapping_digest: the SHA-256 of the role mapping that granted the role and scope. A session
 *   is accepted only under the same mapping, so changing the mapping ends every session granted
 *   under the old one instead of leaving it a role or scope the new mapping would not give.
 *   Sessions from before this migration have none and end at their next request (sign in again).
 */
export class SessionScopes1764892800000 implements MigrationInterface {
  name = 'SessionScopes1764892800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE person_sessions ADD COLUMN connection_ids uuid[], ADD COLUMN role_mapping_digest text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE person_sessions DROP COLUMN role_mapping_digest, DROP COLUMN connection_ids`);
  }
}
