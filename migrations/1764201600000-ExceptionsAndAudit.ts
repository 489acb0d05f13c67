import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Why this shape:
 * - an exception ticket scopes one connection + control, optionally one resource; its state machine
 *   (requested -> approved | rejected; approved -> revoked | expired) is enforced by the service and
 *   by CHECKs on who decided and when; every transition is also a row in exception_events.
 * - drift_events gains `excepted` and `reopened`, the transitions exceptions cause.
 * - audit_events records every mutating API call (who, what, target, outcome) for admins and auditors.
 * - webhook_deliveries is an outbox: rows are written in the same transaction as the event they
 *   announce and delivered (with retries) afterwards, so no event is lost or announced twice.
 */
export class ExceptionsAndAudit1764201600000 implements MigrationInterface {
  name = 'ExceptionsAndAudit1764201600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE exception_tickets (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        connection_id uuid NOT NULL REFERENCES connections (id),
        control_id text NOT NULL,
        resource_key text,
        justification text NOT NULL,
        external_ref text,
        state text NOT NULL CHECK (state IN ('requested', 'approved', 'rejected', 'revoked', 'expired')),
        requested_by_key text NOT NULL,
        requested_by text NOT NULL,
        requested_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        decided_by_key text,
        decided_by text,
        decided_at timestamptz,
        decision_reason text,
        ended_by text,
        ended_at timestamptz,
        end_reason text,
        CHECK (state = 'requested' OR decided_at IS NOT NULL),
        CHECK (state NOT IN ('revoked', 'expired') OR ended_at IS NOT NULL),
        CHECK (decided_by_key IS NULL OR decided_by_key <> requested_by_key)
      )`);
    await q.query(`CREATE INDEX exception_tickets_active_idx ON exception_tickets (connection_id, control_id) WHERE state = 'approved'`);
    await q.query(`CREATE INDEX exception_tickets_expiry_idx ON exception_tickets (expires_at) WHERE state = 'approved'`);
    await q.query(`CREATE INDEX exception_tickets_list_idx ON exception_tickets (requested_at DESC, id DESC)`);

    await q.query(`
      CREATE TABLE exception_events (
        id bigserial PRIMARY KEY,
        exception_id uuid NOT NULL REFERENCES exception_tickets (id),
        kind text NOT NULL CHECK (kind IN ('requested', 'approved', 'rejected', 'revoked', 'expired')),
        actor text NOT NULL,
        occurred_at timestamptz NOT NULL,
        reason text
      )`);
    await q.query(`CREATE INDEX exception_events_exception_idx ON exception_events (exception_id, id)`);

    await q.query(`ALTER TABLE drift_events DROP CONSTRAINT drift_events_kind_check`);
    await q.query(
      `ALTER TABLE drift_events ADD CONSTRAINT drift_events_kind_check CHECK (kind IN ('opened', 'changed', 'resolved', 'excepted', 'reopened'))`,
    );
    await q.query(`CREATE INDEX drifts_exception_idx ON drifts (exception_id) WHERE exception_id IS NOT NULL`);

    await q.query(`
      CREATE TABLE audit_events (
        id bigserial PRIMARY KEY,
        occurred_at timestamptz NOT NULL DEFAULT now(),
        actor_key text NOT NULL,
        actor text NOT NULL,
        role text NOT NULL,
        action text NOT NULL,
        target text,
        outcome text NOT NULL CHECK (outcome IN ('success', 'denied', 'failed')),
        status integer NOT NULL,
        request_id text
      )`);
    await q.query(`CREATE INDEX audit_events_time_idx ON audit_events (occurred_at DESC, id DESC)`);

    await q.query(`
      CREATE TABLE webhook_deliveries (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        event text NOT NULL,
        payload jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        last_status integer,
        last_error text,
        delivered_at timestamptz,
        lease_until timestamptz
      )`);
    await q.query(`CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE state = 'pending'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE webhook_deliveries`);
    await q.query(`DROP TABLE audit_events`);
    await q.query(`DROP INDEX drifts_exception_idx`);
    await q.query(`DELETE FROM drift_events WHERE kind IN ('excepted', 'reopened')`);
    await q.query(`ALTER TABLE drift_events DROP CONSTRAINT drift_events_kind_check`);
    await q.query(`ALTER TABLE drift_events ADD CONSTRAINT drift_events_kind_check CHECK (kind IN ('opened', 'changed', 'resolved'))`);
    await q.query(`DROP TABLE exception_events`);
    await q.query(`DROP TABLE exception_tickets`);
  }
}
