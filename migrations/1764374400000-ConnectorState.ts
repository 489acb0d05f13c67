import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Why this shape:
 * - connectors are stateless per poll, but some read incrementally between full reads (Google
 *   Workspace replays the Reports API token events on the last document). They need a few
 *   timestamps or cursors from the last successful poll; connector_state holds them.
 * - it lives on the connections row, not in the snapshot: the document is content-hashed to
 *   de-duplicate snapshots, and a timestamp in it would make every poll a new snapshot. The row is
 *   updated by every successful poll anyway, so an unchanged poll still writes O(1) rows.
 * - nullable with no default: null means "nothing saved", and the connector then does a full read.
 */
export class ConnectorState1764374400000 implements MigrationInterface {
  name = 'ConnectorState1764374400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE connections ADD COLUMN connector_state jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE connections DROP COLUMN connector_state`);
  }
}
