import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Why: four-eyes rules compared API keys, so one person holding two keys could approve their own
 * request. Every key now belongs to a principal, a stable id of a person or service, and the rules
 * compare principals. Keys made before this had none: they take their name, which is the best
 * available guess and errs on the strict side (two keys of one name count as one person).
 */
export class ApiKeyPrincipals1764547200000 implements MigrationInterface {
  name = 'ApiKeyPrincipals1764547200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE api_keys ADD COLUMN principal text`);
    await q.query(`UPDATE api_keys SET principal = name`);
    await q.query(`ALTER TABLE api_keys ALTER COLUMN principal SET NOT NULL`);
    await q.query(`CREATE INDEX api_keys_principal_idx ON api_keys (principal)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE api_keys DROP COLUMN principal`);
  }
}
