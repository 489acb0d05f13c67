import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Why this shape:
 * - a replica started with another TOLLGATE_ENCRYPTION_KEY used to answer /readyz, claim every
 *   connection and fail each poll. At start it now proves it holds every key the stored credentials
 *   need: one row per key id, holding a value sealed with that key, written when the key is first
 *   used. A key id in `connections` without a key to open its check value stops the start.
 * - the key id (a fingerprint, already stored beside every ciphertext) is the primary key: rotation
 *   adds a row, and a row is never rewritten, so replicas starting together insert with ON CONFLICT
 *   DO NOTHING and agree on one value.
 * - no foreign key from connections: a check row outlives the credentials it was written for, so a
 *   key can be told apart from another even after every credential was re-wrapped away from it.
 */
export class EncryptionKeyChecks1764633600000 implements MigrationInterface {
  name = 'EncryptionKeyChecks1764633600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE encryption_key_checks (
        key_id text PRIMARY KEY,
        check_ciphertext text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE encryption_key_checks`);
  }
}
