import type { Attestation } from '@tollgate/baseline';

interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

export interface StandingAttestations {
  /** Per control: the unrevoked attestation that lasts longest (an expired one too, so the finding can say so). */
  byControl: Record<string, Attestation>;
  /** Changes whenever any of them is recorded, revoked or marked expired. */
  fingerprint: string;
}

/** What the evaluator needs to decide a connection's attestation controls. */
export async function standingAttestations(db: Queryable, connectionId: string): Promise<StandingAttestations> {
  const rows = (await db.query(
    `SELECT DISTINCT ON (control_id) id, control_id, statement, evidence_ref, attested_by, expires_at, state
     FROM attestations WHERE connection_id = $1 AND state <> 'revoked'
     ORDER BY control_id, expires_at DESC, id`,
    [connectionId],
  )) as { id: string; control_id: string; statement: string; evidence_ref: string; attested_by: string; expires_at: Date; state: string }[];
  const byControl: Record<string, Attestation> = {};
  for (const r of rows) {
    byControl[r.control_id] = {
      id: r.id,
      statement: r.statement,
      evidenceRef: r.evidence_ref,
      attestedBy: r.attested_by,
      expiresAt: r.expires_at.toISOString(),
    };
  }
  return { byControl, fingerprint: rows.map((r) => `${r.id}:${r.state}`).join(',') };
}
