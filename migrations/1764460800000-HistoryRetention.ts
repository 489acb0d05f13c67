import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Why this shape:
 * - poll_runs (one row per poll: 1.4M a day at 5,000 connections polled every 5 minutes) and the
 *   finished webhook deliveries are operational history, pruned after TOLLGATE_HISTORY_RETENTION_DAYS.
 *   The evidence (drifts, drift_events, the ledger, exceptions, audit events) is never pruned.
 * - the pruning deletes the oldest rows first, in small batches: these indexes make each batch an
 *   index range scan instead of a scan of the table. Pending deliveries are never pruned, so the
 *   deliveries' index leaves them out.
 */
export class HistoryRetention1764460800000 implements MigrationInterface {
  name = 'HistoryRetention1764460800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX poll_runs_finished_idx ON poll_runs (finished_at)`);
    await q.query(`CREATE INDEX webhook_deliveries_finished_idx ON webhook_deliveries (created_at) WHERE state <> 'pending'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX webhook_deliveries_finished_idx`);
    await q.query(`DROP INDEX poll_runs_finished_idx`);
  }
}
