import { BadRequestException, ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Principal } from '@tollgate/auth';
import { EvidenceLedger } from '@tollgate/evidence';
import { BaselinesService } from '../baselines/baselines.service';
import { KeysetPage } from '../common/keyset-page';
import { WebhookOutbox, type WebhookData } from '../webhooks/webhook-outbox';
import type { AttestationState, CreateAttestationDto, ListAttestationsQuery } from './dto/attestation.dto';

/** CISA and auditors expect a yearly review at the least; a longer attestation is refused. */
export const MAX_ATTESTATION_DAYS = 365;

interface AttestationRow {
  id: string;
  connection_id: string;
  control_id: string;
  statement: string;
  evidence_ref: string;
  state: AttestationState;
  attested_by: string;
  attested_by_key: string;
  attested_at: Date;
  expires_at: Date;
  ended_by: string | null;
  ended_at: Date | null;
  end_reason: string | null;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function view(r: AttestationRow, now: Date) {
  return {
    id: r.id,
    connectionId: r.connection_id,
    controlId: r.control_id,
    statement: r.statement,
    evidenceRef: r.evidence_ref,
    // The expiry worker marks rows a few seconds late; the answer must not.
    state: r.state === 'active' && r.expires_at <= now ? 'expired' : r.state,
    attestedBy: r.attested_by,
    attestedAt: iso(r.attested_at),
    expiresAt: iso(r.expires_at),
    endedBy: r.ended_by,
    endedAt: iso(r.ended_at),
    endReason: r.end_reason,
  };
}

/**
 * Attestations of controls no provider API shows. Recording, revoking and expiring each write the
 * row, an evidence ledger entry and a webhook, and make the connection due for a poll, in one
 * transaction. The poll is what re-evaluates: it is the one writer of findings and drifts
 * (lease-fenced), so an attestation never races a poll in flight into a second, conflicting set of
 * findings.
 */
@Injectable()
export class AttestationsService {
  constructor(
    private readonly ds: DataSource,
    private readonly baselines: BaselinesService,
    private readonly ledger: EvidenceLedger,
    private readonly webhooks: WebhookOutbox,
  ) {}

  async record(dto: CreateAttestationDto, principal: Principal) {
    const now = new Date();
    const expiresAt = new Date(dto.expiresAt);
    if (expiresAt <= now) throw new BadRequestException('expiresAt must be in the future');
    if (expiresAt.getTime() > now.getTime() + MAX_ATTESTATION_DAYS * 86_400_000) {
      throw new BadRequestException(`expiresAt must be within ${MAX_ATTESTATION_DAYS} days (one year)`);
    }
    const [connection]: { id: string; baseline_id: string }[] = await this.ds.query(
      `SELECT id, baseline_id FROM connections WHERE id = $1 AND deleted_at IS NULL`,
      [dto.connectionId],
    );
    if (!connection || !this.inScope(principal, connection.id)) throw new NotFoundException(`connection ${dto.connectionId} does not exist`);
    const control = this.baselines.find(connection.baseline_id)?.controls.find((c) => c.id === dto.controlId);
    if (!control) throw new BadRequestException(`controlId: ${dto.controlId} is not a control of baseline ${connection.baseline_id}`);
    if (control.check.type !== 'attestation') {
      throw new BadRequestException(`controlId: ${dto.controlId} is checked through the provider API (a ${control.check.type} check), not by attestation`);
    }
    const row = await this.ds.transaction(async (em) => {
      const [inserted]: AttestationRow[] = await em.query(
        `INSERT INTO attestations (connection_id, control_id, statement, evidence_ref, state, attested_by, attested_by_key, attested_at, expires_at)
         VALUES ($1, $2, $3, $4, 'active', $5, $6, $7, $8) RETURNING *`,
        [connection.id, dto.controlId, dto.statement, dto.evidenceRef, principal.principalId, principal.keyId, now, expiresAt],
      );
      await this.recordChanges(em, [inserted], 'recorded', principal.principalId, principal.keyId, null, now);
      return inserted;
    });
    return view(row, now);
  }

  async revoke(id: string, reason: string, principal: Principal) {
    const now = new Date();
    const row = await this.ds.transaction(async (em) => {
      const current = await this.row(em, id, principal, true);
      if (current.state !== 'active' || current.expires_at <= now) {
        throw new ConflictException(`attestation ${id} is ${view(current, now).state}; only an active attestation can be revoked`);
      }
      const [[updated]]: [AttestationRow[], number] = await em.query(
        `UPDATE attestations SET state = 'revoked', ended_by = $2, ended_by_key = $3, ended_at = $4, end_reason = $5 WHERE id = $1 RETURNING *`,
        [id, principal.principalId, principal.keyId, now, reason],
      );
      await this.recordChanges(em, [updated], 'revoked', principal.principalId, principal.keyId, reason, now);
      return updated;
    });
    return view(row, now);
  }

  /**
   * Marks every attestation whose expiry passed, also those that ran out while Tollgate was down,
   * and makes their connections due so the finding turns `unknown` at once. (A poll that runs
   * before this also judges the expiry by the clock: the mark is for the ledger and promptness.)
   */
  async expireDue(): Promise<number> {
    const now = new Date();
    return this.ds.transaction(async (em) => {
      const [rows]: [AttestationRow[], number] = await em.query(
        `UPDATE attestations SET state = 'expired', ended_by = 'tollgate', ended_at = $1, end_reason = 'reached its expiry'
         WHERE state = 'active' AND expires_at <= $1 RETURNING *`,
        [now],
      );
      await this.recordChanges(em, rows, 'expired', 'tollgate', null, 'reached its expiry', now);
      return rows.length;
    });
  }

  async list(q: ListAttestationsQuery, principal: Principal) {
    const page = new KeysetPage('attestations', 'attested_at', q);
    const now = new Date();
    if (q.connectionId) page.add('connection_id = ?', q.connectionId);
    if (q.controlId) page.add('control_id = ?', q.controlId);
    if (q.active === 'true') page.add(`state = 'active' AND expires_at > ?`, now);
    if (q.active === 'false') page.add(`(state <> 'active' OR expires_at <= ?)`, now);
    if (principal.connectionIds) page.add('connection_id = ANY(?::uuid[])', principal.connectionIds);
    const { text, values } = page.sql();
    const rows: AttestationRow[] = await this.ds.query(text, values);
    return page.result(rows, (r) => view(r, now));
  }

  async get(id: string, principal: Principal) {
    return view(await this.row(this.ds.manager, id, principal), new Date());
  }

  private async recordChanges(
    em: EntityManager,
    rows: AttestationRow[],
    kind: 'recorded' | 'revoked' | 'expired',
    principalId: string,
    keyId: string | null,
    reason: string | null,
    at: Date,
  ) {
    if (rows.length === 0) return;
    // The next poll re-evaluates the controls (see the class comment). Connection rows are locked in
    // id order and before the ledger lock, the order a poll takes them in, so the two never deadlock;
    // a poll in flight re-reads the attestations after its lease lock, before it records.
    await em.query(
      `UPDATE connections SET next_poll_at = now()
       WHERE id IN (SELECT id FROM connections WHERE id = ANY($1::uuid[]) AND deleted_at IS NULL ORDER BY id FOR UPDATE)`,
      [[...new Set(rows.map((r) => r.connection_id))]],
    );
    const entries = rows.map((row) => ({
      kind: `attestation.${kind}`,
      occurredAt: at,
      data: {
        attestationId: row.id,
        connectionId: row.connection_id,
        controlId: row.control_id,
        state: kind === 'recorded' ? 'active' : kind,
        principalId,
        keyId,
        statement: row.statement,
        evidenceRef: row.evidence_ref,
        attestedBy: row.attested_by,
        expiresAt: row.expires_at.toISOString(),
        reason,
      } satisfies WebhookData,
    }));
    await this.ledger.append(em, entries);
    // The webhook says what the ledger entry says, with the connection's name (also of a deleted one).
    const names: { id: string; name: string }[] = await em.query(`SELECT id, name FROM connections WHERE id = ANY($1::uuid[])`, [
      [...new Set(rows.map((r) => r.connection_id))],
    ]);
    const nameOf = new Map(names.map((c) => [c.id, c.name]));
    for (const e of entries) {
      await this.webhooks.enqueue(em, `attestation.${kind}`, at, { ...e.data, connectionName: nameOf.get(e.data.connectionId) ?? null });
    }
  }

  private async row(em: EntityManager, id: string, principal: Principal, forUpdate = false): Promise<AttestationRow> {
    const [row]: AttestationRow[] = await em.query(`SELECT * FROM attestations WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`, [id]);
    if (!row || !this.inScope(principal, row.connection_id)) throw new NotFoundException(`attestation ${id} does not exist`);
    return row;
  }

  private inScope(principal: Principal, connectionId: string): boolean {
    return !principal.connectionIds || principal.connectionIds.includes(connectionId);
  }
}
