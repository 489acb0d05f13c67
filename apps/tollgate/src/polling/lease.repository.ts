import type { DataSource, EntityManager } from 'typeorm';
import type { JsonValue, ProviderId } from '@tollgate/connector-sdk';

/** A connection this worker holds the lease of, with what a poll needs to run. */
export interface ClaimedConnection {
  id: string;
  provider: ProviderId;
  name: string;
  baselineId: string;
  parameters: Record<string, JsonValue>;
  options: Record<string, unknown>;
  endpoints: Record<string, string>;
  declaredResidency: string | null;
  pollIntervalSeconds: number;
  credentialsCiphertext: string;
  consecutiveFailures: number;
  currentSnapshotId: string | null;
  findingsHash: string | null;
  /** What the connector saved at the last successful poll (ConnectorContext.saveState); null when nothing. */
  connectorState: JsonValue | null;
  lastSuccessAt: Date | null;
  /** Last edit of the connection (credentials, endpoints, ...): a later one voids `previous`. */
  updatedAt: Date;
  leaseToken: string;
  /** Database time when the lease was taken: the one clock every replica shares. */
  claimedAt: Date;
}

interface ClaimRow {
  id: string;
  provider: ProviderId;
  name: string;
  baseline_id: string;
  parameters: Record<string, JsonValue>;
  options: Record<string, unknown>;
  endpoints: Record<string, string>;
  declared_residency: string | null;
  poll_interval_seconds: number;
  credentials_ciphertext: string;
  consecutive_failures: number;
  current_snapshot_id: string | null;
  findings_hash: string | null;
  connector_state: JsonValue | null;
  last_success_at: Date | null;
  updated_at: Date;
  lease_token: string;
  claimed_at: Date;
}

/**
 * Leases on the connections table. Claiming uses FOR UPDATE SKIP LOCKED so replicas never block on
 * or double-claim a row; every write that ends a poll is fenced by the lease token, so a worker
 * whose lease expired (and was taken over) cannot record anything.
 */
export class LeaseRepository {
  constructor(
    private readonly ds: DataSource,
    private readonly leaseSeconds: number,
  ) {}

  async claimDue(owner: string, limit: number): Promise<ClaimedConnection[]> {
    // TypeORM answers an UPDATE with [rows, rowCount].
    const [rows]: [ClaimRow[], number] = await this.ds.query(
      `WITH due AS (
         SELECT id FROM connections
         WHERE enabled AND deleted_at IS NULL AND next_poll_at <= now()
           AND (lease_expires_at IS NULL OR lease_expires_at < now())
         ORDER BY next_poll_at
         LIMIT $1
         FOR UPDATE SKIP LOCKED)
       UPDATE connections c
          SET lease_owner = $2, lease_token = gen_random_uuid(),
              lease_expires_at = now() + make_interval(secs => $3), last_poll_started_at = now()
         FROM due WHERE c.id = due.id
       RETURNING c.id, c.provider, c.name, c.baseline_id, c.parameters, c.options, c.endpoints, c.declared_residency,
                 c.poll_interval_seconds, c.credentials_ciphertext, c.consecutive_failures, c.current_snapshot_id,
                 c.findings_hash, c.connector_state, c.last_success_at, c.updated_at, c.lease_token, now() AS claimed_at`,
      [limit, owner, this.leaseSeconds],
    );
    return rows.map((r) => ({
      id: r.id,
      provider: r.provider,
      name: r.name,
      baselineId: r.baseline_id,
      parameters: r.parameters,
      options: r.options,
      endpoints: r.endpoints,
      declaredResidency: r.declared_residency,
      pollIntervalSeconds: r.poll_interval_seconds,
      credentialsCiphertext: r.credentials_ciphertext,
      consecutiveFailures: r.consecutive_failures,
      currentSnapshotId: r.current_snapshot_id,
      findingsHash: r.findings_hash,
      connectorState: r.connector_state,
      lastSuccessAt: r.last_success_at,
      updatedAt: r.updated_at,
      leaseToken: r.lease_token,
      claimedAt: r.claimed_at,
    }));
  }

  /**
   * Locks the connection row for the rest of the caller's transaction if this lease is still ours.
   * Returns false when the lease was lost; the caller must then roll back.
   */
  async fence(em: EntityManager, c: ClaimedConnection): Promise<boolean> {
    const rows: unknown[] = await em.query(`SELECT 1 FROM connections WHERE id = $1 AND lease_token = $2 FOR UPDATE`, [
      c.id,
      c.leaseToken,
    ]);
    return rows.length === 1;
  }

  async finishSuccess(
    em: EntityManager,
    c: ClaimedConnection,
    r: {
      delaySeconds: number;
      snapshotId: string;
      findings: unknown;
      findingsHash: string;
      findingsChanged: boolean;
      at: Date;
      /** The state the connector saved in this poll; undefined keeps the one saved before. */
      connectorState?: JsonValue;
    },
  ): Promise<void> {
    await em.query(
      `UPDATE connections SET
         lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL,
         next_poll_at = GREATEST(now(), $2::timestamptz + make_interval(secs => $3)),
         consecutive_failures = 0, last_poll_finished_at = $4, last_success_at = $4,
         last_failure_reason = NULL, last_failure_message = NULL,
         current_snapshot_id = $5,
         findings = CASE WHEN $6 THEN $7::jsonb ELSE findings END,
         findings_hash = $8,
         findings_changed_at = CASE WHEN $6 THEN $4 ELSE findings_changed_at END,
         findings_confirmed_at = $4,
         connector_state = CASE WHEN $9 THEN $10::jsonb ELSE connector_state END
       WHERE id = $1`,
      [
        c.id,
        c.claimedAt,
        r.delaySeconds,
        r.at,
        r.snapshotId,
        r.findingsChanged,
        r.findingsChanged ? JSON.stringify(r.findings) : null,
        r.findingsHash,
        r.connectorState !== undefined,
        r.connectorState !== undefined ? JSON.stringify(r.connectorState) : null,
      ],
    );
  }

  async finishFailure(em: EntityManager, c: ClaimedConnection, r: { delaySeconds: number; reason: string; message: string; at: Date }): Promise<void> {
    await em.query(
      `UPDATE connections SET
         lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL,
         next_poll_at = GREATEST(now(), $2::timestamptz + make_interval(secs => $3)),
         consecutive_failures = consecutive_failures + 1, last_poll_finished_at = $4,
         last_failure_reason = $5, last_failure_message = $6
       WHERE id = $1`,
      [c.id, c.claimedAt, r.delaySeconds, r.at, r.reason, r.message],
    );
  }

  /** Gives a lease back without recording a poll (shutdown): the connection is due again at once. */
  async release(c: ClaimedConnection): Promise<void> {
    await this.ds.query(
      `UPDATE connections SET lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL, next_poll_at = now()
       WHERE id = $1 AND lease_token = $2`,
      [c.id, c.leaseToken],
    );
  }
}

/**
 * When the next poll is due, in seconds after this one started: the interval plus up to `jitter` of
 * it (never less, so a connection is polled at most once per interval); after failures the wait
 * doubles from the interval up to `maxBackoffSeconds`.
 */
export function nextDelaySeconds(intervalSeconds: number, consecutiveFailures: number, jitter: number, maxBackoffSeconds: number, random = Math.random): number {
  const base =
    consecutiveFailures === 0
      ? intervalSeconds
      : Math.min(intervalSeconds * 2 ** (consecutiveFailures - 1), Math.max(intervalSeconds, maxBackoffSeconds));
  return base * (1 + jitter * random());
}
