import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Why: some controls ask about settings no provider API shows (Teams anonymous join, Exchange
 * forwarding, ...). An approver attests them instead, with a statement, an evidence reference and
 * an expiry; the control passes only while such an attestation stands. Rows are never deleted:
 * revocation and expiry end them, so the history stays for auditors (the ledger has it too).
 */
export class Attestations1764763200000 implements MigrationInterface {
  name = 'Attestations1764763200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE attestations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        connection_id uuid NOT NULL REFERENCES connections (id),
        control_id text NOT NULL,
        statement text NOT NULL,
        evidence_ref text NOT NULL,
        state text NOT NULL CHECK (state IN ('active', 'revoked', 'expired')),
        attested_by text NOT NULL,
        attested_by_key text NOT NULL,
        attested_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        ended_by text,
        ended_by_key text,
        ended_at timestamptz,
        end_reason text,
        CHECK (expires_at > attested_at),
        CHECK (state = 'active' OR ended_at IS NOT NULL)
      )`);
    // What a poll reads: each control's standing attestations of one connection.
    await q.query(`CREATE INDEX attestations_connection_idx ON attestations (connection_id, control_id, expires_at DESC) WHERE state <> 'revoked'`);
    await q.query(`CREATE INDEX attestations_expiry_idx ON attestations (expires_at) WHERE state = 'active'`);
    await q.query(`CREATE INDEX attestations_list_idx ON attestations (attested_at DESC, id DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE attestations`);
  }
}
