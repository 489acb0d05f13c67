import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Why: four-eyes and the records auditors read named API keys, so one person with two keys could
 * approve their own exception and the record could not show it. Every exception transition and
 * audit event now carries the principal (the person or service behind the key) beside the key id.
 * - Rows written before this take the principal of the key that wrote them (keys made before
 *   ApiKeyPrincipals took their name, so the name is the principal for them), `bootstrap` for the
 *   bootstrap key and `tollgate` for expiries.
 * - The requester/approver check on principals is NOT VALID: it holds for every decision from now on,
 *   while decisions already taken stay as they were recorded (history is evidence, never rewritten).
 * - audit_events.connection_id is the connection the event's target belongs to, so a key scoped to
 *   connections reads only the events about its own connections.
 * - The ledger index serves a scoped auditor's read of its connections' entries in seq order.
 */
export class PrincipalsInRecords1764590000000 implements MigrationInterface {
  name = 'PrincipalsInRecords1764590000000';

  async up(q: QueryRunner): Promise<void> {
    // The principal of a key id, as stored: the key's principal, `bootstrap`, or the given fallback.
    const principalOf = (keyColumn: string, fallback: string) =>
      `COALESCE((SELECT k.principal FROM api_keys k WHERE k.id::text = ${keyColumn}),
                CASE WHEN ${keyColumn} = 'bootstrap' THEN 'bootstrap' END, ${fallback})`;

    await q.query(`
      ALTER TABLE exception_tickets
        ADD COLUMN requested_by_principal text,
        ADD COLUMN decided_by_principal text,
        ADD COLUMN ended_by_key text,
        ADD COLUMN ended_by_principal text`);
    await q.query(`
      UPDATE exception_tickets SET
        requested_by_principal = ${principalOf('requested_by_key', 'requested_by')},
        decided_by_principal = CASE WHEN decided_by_key IS NULL THEN NULL ELSE ${principalOf('decided_by_key', 'decided_by')} END,
        ended_by_principal = ended_by`);
    await q.query(`ALTER TABLE exception_tickets ALTER COLUMN requested_by_principal SET NOT NULL`);
    await q.query(`
      ALTER TABLE exception_tickets ADD CONSTRAINT exception_tickets_four_eyes_principal
        CHECK (decided_by_principal IS NULL OR decided_by_principal <> requested_by_principal) NOT VALID`);

    await q.query(`ALTER TABLE exception_events ADD COLUMN actor_key text, ADD COLUMN actor_principal text`);
    await q.query(`
      UPDATE exception_events e SET
        actor_key = CASE e.kind WHEN 'requested' THEN t.requested_by_key WHEN 'approved' THEN t.decided_by_key
                                WHEN 'rejected' THEN t.decided_by_key ELSE t.ended_by_key END,
        actor_principal = CASE e.kind WHEN 'requested' THEN t.requested_by_principal WHEN 'approved' THEN t.decided_by_principal
                                      WHEN 'rejected' THEN t.decided_by_principal ELSE t.ended_by_principal END
      FROM exception_tickets t WHERE t.id = e.exception_id`);
    await q.query(`UPDATE exception_events SET actor_principal = actor WHERE actor_principal IS NULL`);
    await q.query(`ALTER TABLE exception_events ALTER COLUMN actor_principal SET NOT NULL`);

    await q.query(`ALTER TABLE audit_events ADD COLUMN actor_principal text, ADD COLUMN connection_id uuid`);
    await q.query(`UPDATE audit_events a SET actor_principal = ${principalOf('a.actor_key', 'a.actor')}`);
    // Only uuid-shaped targets can name a connection, an exception or a drift; the cast uses their keys.
    await q.query(`
      UPDATE audit_events a SET connection_id = COALESCE(
          (SELECT c.id FROM connections c WHERE c.id = a.target::uuid),
          (SELECT t.connection_id FROM exception_tickets t WHERE t.id = a.target::uuid),
          (SELECT d.connection_id FROM drifts d WHERE d.id = a.target::uuid))
      WHERE a.target ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'`);
    await q.query(`ALTER TABLE audit_events ALTER COLUMN actor_principal SET NOT NULL`);
    await q.query(`CREATE INDEX audit_events_connection_idx ON audit_events (connection_id, id DESC) WHERE connection_id IS NOT NULL`);

    await q.query(`CREATE INDEX evidence_ledger_connection_idx ON evidence_ledger ((data->>'connectionId'), seq)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX evidence_ledger_connection_idx`);
    await q.query(`DROP INDEX audit_events_connection_idx`);
    await q.query(`ALTER TABLE audit_events DROP COLUMN connection_id, DROP COLUMN actor_principal`);
    await q.query(`ALTER TABLE exception_events DROP COLUMN actor_principal, DROP COLUMN actor_key`);
    await q.query(`ALTER TABLE exception_tickets DROP CONSTRAINT exception_tickets_four_eyes_principal`);
    await q.query(`
      ALTER TABLE exception_tickets
        DROP COLUMN ended_by_principal, DROP COLUMN ended_by_key, DROP COLUMN decided_by_principal, DROP COLUMN requested_by_principal`);
  }
}
