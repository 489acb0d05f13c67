import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Why this shape:
 * - evidence_ledger is a hash chain: each row stores its prev_hash and hash, so editing, deleting or
 *   reordering any row is detectable by recomputation, without trusting the database (docs/evidence.md).
 * - seq is the primary key and the chain order; appenders serialise on an advisory lock, and the key
 *   makes a duplicate seq from a misbehaving writer fail instead of forking the chain.
 * - triggers refuse UPDATE, DELETE and TRUNCATE on both tables, so not even Tollgate's own role can
 *   change history by accident or by a bug. A superuser can still disable triggers, which is why the
 *   chain and the Ed25519-signed checkpoints exist: the triggers prevent, the hashes detect.
 * - evidence_checkpoints has no foreign key to the ledger on purpose: a checkpoint must outlive a
 *   truncated ledger so that the truncation shows.
 */
export class EvidenceLedger1764288000000 implements MigrationInterface {
  name = 'EvidenceLedger1764288000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE evidence_ledger (
        seq bigint PRIMARY KEY CHECK (seq > 0),
        occurred_at timestamptz NOT NULL,
        kind text NOT NULL,
        data jsonb NOT NULL,
        prev_hash text NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
        hash text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$')
      )`);
    await q.query(`
      CREATE TABLE evidence_checkpoints (
        seq bigint PRIMARY KEY CHECK (seq > 0),
        hash text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
        signed_at timestamptz NOT NULL,
        key_id text NOT NULL,
        signature text NOT NULL
      )`);
    await q.query(`
      CREATE FUNCTION evidence_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
      END
      $$`);
    for (const table of ['evidence_ledger', 'evidence_checkpoints']) {
      await q.query(`CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION evidence_append_only()`);
      await q.query(`CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION evidence_append_only()`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE evidence_checkpoints`);
    await q.query(`DROP TABLE evidence_ledger`);
    await q.query(`DROP FUNCTION evidence_append_only()`);
  }
}
