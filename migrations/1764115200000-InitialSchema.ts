import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Why this shape:
 * - connections carry their own schedule and lease (next_poll_at, lease_token, lease_expires_at), so
 *   claiming due work is one UPDATE ... FOR UPDATE SKIP LOCKED and replicas need no coordinator;
 *   lease_token fences the final write of a poll whose lease was taken over.
 * - drifts hold at most one active (open or excepted) episode per connection + control + resource:
 *   a partial unique index, not an isolation level, makes duplicates impossible across replicas.
 * - an unchanged poll writes O(1) rows: connection bookkeeping, the snapshot's last_seen_at and one
 *   poll_runs row; open drifts derive their last-seen time from connections.findings_confirmed_at.
 * - connections are soft-deleted so the drift history of a removed tenant stays auditable.
 */
export class InitialSchema1764115200000 implements MigrationInterface {
  name = 'InitialSchema1764115200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE connections (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        provider text NOT NULL CHECK (provider IN ('slack', 'microsoft365', 'google-workspace')),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        baseline_id text NOT NULL,
        parameters jsonb NOT NULL DEFAULT '{}',
        options jsonb NOT NULL DEFAULT '{}',
        endpoints jsonb NOT NULL DEFAULT '{}',
        declared_residency text,
        poll_interval_seconds integer NOT NULL CHECK (poll_interval_seconds > 0),
        credentials_ciphertext text NOT NULL,
        credentials_key_id text NOT NULL,
        source text NOT NULL DEFAULT 'api' CHECK (source IN ('api', 'file')),
        enabled boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz,
        next_poll_at timestamptz NOT NULL DEFAULT now(),
        lease_owner text,
        lease_token uuid,
        lease_expires_at timestamptz,
        consecutive_failures integer NOT NULL DEFAULT 0,
        last_poll_started_at timestamptz,
        last_poll_finished_at timestamptz,
        last_success_at timestamptz,
        last_failure_reason text,
        last_failure_message text,
        current_snapshot_id uuid,
        findings jsonb,
        findings_hash text,
        findings_changed_at timestamptz,
        findings_confirmed_at timestamptz
      )`);
    await q.query(`CREATE UNIQUE INDEX connections_name_key ON connections (lower(name)) WHERE deleted_at IS NULL`);
    await q.query(`CREATE INDEX connections_due_idx ON connections (next_poll_at) WHERE enabled AND deleted_at IS NULL`);

    await q.query(`
      CREATE TABLE snapshots (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        connection_id uuid NOT NULL REFERENCES connections (id),
        content_hash text NOT NULL,
        document jsonb NOT NULL,
        first_seen_at timestamptz NOT NULL,
        last_seen_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX snapshots_connection_idx ON snapshots (connection_id, first_seen_at DESC)`);

    await q.query(`
      CREATE TABLE drifts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        connection_id uuid NOT NULL REFERENCES connections (id),
        provider text NOT NULL,
        baseline_id text NOT NULL,
        control_id text NOT NULL,
        title text NOT NULL,
        "references" jsonb NOT NULL DEFAULT '[]',
        area text NOT NULL CHECK (area IN ('sharing', 'oauth', 'residency')),
        severity text NOT NULL CHECK (severity IN ('critical', 'high', 'medium', 'low', 'info')),
        resource_key text NOT NULL,
        status text NOT NULL CHECK (status IN ('open', 'resolved', 'excepted')),
        expected jsonb,
        observed jsonb,
        opened_at timestamptz NOT NULL,
        last_seen_at timestamptz NOT NULL,
        still_failing boolean NOT NULL DEFAULT true,
        resolved_at timestamptz,
        exception_id uuid,
        CHECK ((status = 'resolved') = (resolved_at IS NOT NULL))
      )`);
    await q.query(
      `CREATE UNIQUE INDEX drifts_one_active_episode ON drifts (connection_id, control_id, resource_key) WHERE status <> 'resolved'`,
    );
    await q.query(`CREATE INDEX drifts_opened_idx ON drifts (opened_at DESC, id DESC)`);
    await q.query(`CREATE INDEX drifts_connection_status_idx ON drifts (connection_id, status)`);

    await q.query(`
      CREATE TABLE drift_events (
        id bigserial PRIMARY KEY,
        drift_id uuid NOT NULL REFERENCES drifts (id),
        kind text NOT NULL CHECK (kind IN ('opened', 'changed', 'resolved')),
        occurred_at timestamptz NOT NULL,
        poll_id uuid,
        expected jsonb,
        observed jsonb,
        note text
      )`);
    await q.query(`CREATE INDEX drift_events_drift_idx ON drift_events (drift_id, id)`);

    await q.query(`
      CREATE TABLE poll_runs (
        id uuid PRIMARY KEY,
        connection_id uuid NOT NULL REFERENCES connections (id),
        worker text NOT NULL,
        started_at timestamptz NOT NULL,
        finished_at timestamptz NOT NULL,
        outcome text NOT NULL CHECK (outcome IN ('success', 'failure')),
        failure_reason text CHECK (failure_reason IN ('auth', 'throttled', 'network', 'provider_error', 'schema', 'internal')),
        failure_message text,
        snapshot_id uuid,
        findings_changed boolean NOT NULL DEFAULT false,
        drifts_opened integer NOT NULL DEFAULT 0,
        drifts_changed integer NOT NULL DEFAULT 0,
        drifts_resolved integer NOT NULL DEFAULT 0
      )`);
    await q.query(`CREATE INDEX poll_runs_connection_idx ON poll_runs (connection_id, started_at DESC)`);

    await q.query(`
      CREATE TABLE api_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        prefix text NOT NULL UNIQUE,
        secret_hash text NOT NULL,
        role text NOT NULL CHECK (role IN ('viewer', 'auditor', 'operator', 'approver', 'admin')),
        connection_ids uuid[],
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by text,
        last_used_at timestamptz,
        revoked_at timestamptz
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE api_keys`);
    await q.query(`DROP TABLE poll_runs`);
    await q.query(`DROP TABLE drift_events`);
    await q.query(`DROP TABLE drifts`);
    await q.query(`DROP TABLE snapshots`);
    await q.query(`DROP TABLE connections`);
  }
}
