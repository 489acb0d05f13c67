import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Why: an operator could widen what a connection is held to (approve the offending apps, switch
 * baseline) and the next poll closed the drifts as if someone had fixed them (issue 11, item 7).
 * - connection_changes records every change to what a connection is held to (baseline, parameters,
 *   declared residency): tightening ones are `applied` at once, loosening ones wait `pending` for an
 *   approver who is another principal. One pending change per connection at a time.
 * - drifts.resolution and drift_events.resolution say why an episode closed: `remediated` (the
 *   tenant passes again) or `baseline_changed` (what it is held to changed). Rows resolved before
 *   this take it from the note the poll wrote, which said the same in words.
 */
export class ConnectionChanges1764720000000 implements MigrationInterface {
  name = 'ConnectionChanges1764720000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE connection_changes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        connection_id uuid NOT NULL REFERENCES connections (id),
        status text NOT NULL CHECK (status IN ('applied', 'pending', 'approved', 'rejected', 'expired')),
        source text NOT NULL CHECK (source IN ('api', 'file')),
        loosening boolean NOT NULL,
        reasons jsonb NOT NULL,
        before jsonb NOT NULL,
        after jsonb NOT NULL,
        requested_by text NOT NULL,
        requested_by_key text,
        requested_at timestamptz NOT NULL,
        expires_at timestamptz,
        decided_by text,
        decided_by_key text,
        decided_at timestamptz,
        decision_reason text
      )`);
    await q.query(`CREATE INDEX connection_changes_connection_idx ON connection_changes (connection_id, requested_at DESC, id DESC)`);
    await q.query(`CREATE UNIQUE INDEX connection_changes_one_pending_idx ON connection_changes (connection_id) WHERE status = 'pending'`);

    await q.query(`ALTER TABLE drifts ADD COLUMN resolution text CHECK (resolution IN ('remediated', 'baseline_changed'))`);
    await q.query(`ALTER TABLE drift_events ADD COLUMN resolution text CHECK (resolution IN ('remediated', 'baseline_changed'))`);
    await q.query(`
      UPDATE drift_events SET resolution = CASE WHEN note = 'control no longer in the baseline' THEN 'baseline_changed' ELSE 'remediated' END
      WHERE kind = 'resolved'`);
    await q.query(`
      UPDATE drifts d SET resolution = e.resolution
      FROM (SELECT DISTINCT ON (drift_id) drift_id, resolution FROM drift_events WHERE kind = 'resolved' ORDER BY drift_id, id DESC) e
      WHERE e.drift_id = d.id AND d.status = 'resolved'`);
    await q.query(`UPDATE drifts SET resolution = 'remediated' WHERE status = 'resolved' AND resolution IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE drift_events DROP COLUMN resolution`);
    await q.query(`ALTER TABLE drifts DROP COLUMN resolution`);
    await q.query(`DROP TABLE connection_changes`);
  }
}
