import { ConflictException, ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import canonicalize from 'canonicalize';
import { DataSource, type EntityManager } from 'typeorm';
import { TollgateConfig } from '@tollgate/config';
import { evaluate, looseningReasons, resolveParameters } from '@tollgate/baseline';
import type { JsonValue, PostureDocument } from '@tollgate/connector-sdk';
import type { Principal } from '@tollgate/auth';
import { DriftRecorder } from '@tollgate/drift';
import { EvidenceLedger } from '@tollgate/evidence';
import { BaselinesService } from '../baselines/baselines.service';
import { KeysetPage } from '../common/keyset-page';
import { WebhookOutbox, type WebhookData } from '../webhooks/webhook-outbox';
import type { ChangeStatus, ListChangesQuery } from './dto/connection-change.dto';

/** What a connection is held to: the rules its posture is judged by. Everything else about it is operational. */
export interface HeldTo {
  baselineId: string;
  parameters: Record<string, JsonValue>;
  /** The region the operator declares for providers without a residency API; the residency control trusts it. */
  declaredResidency: string | null;
}

/** Who makes or decides a change: an API principal, or the connections file (`file:<path>`, no key). */
export interface ChangeActor {
  principalId: string;
  keyId: string | null;
}

/** How long a loosening change waits for an approver before it lapses. */
export const PENDING_CHANGE_DAYS = 7;

interface ChangeRow {
  id: string;
  connection_id: string;
  status: ChangeStatus;
  source: 'api' | 'file';
  loosening: boolean;
  reasons: string[];
  before: HeldTo;
  after: HeldTo;
  requested_by: string;
  requested_by_key: string | null;
  requested_at: Date;
  expires_at: Date | null;
  decided_by: string | null;
  decided_by_key: string | null;
  decided_at: Date | null;
  decision_reason: string | null;
}

interface ConnectionLock {
  id: string;
  provider: string;
  name: string;
  baseline_id: string;
  parameters: Record<string, JsonValue>;
  declared_residency: string | null;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const same = (a: HeldTo, b: HeldTo) => canonicalize(a) === canonicalize(b);

export const heldTo = (r: { baseline_id: string; parameters: Record<string, JsonValue>; declared_residency: string | null }): HeldTo => ({
  baselineId: r.baseline_id,
  parameters: r.parameters,
  declaredResidency: r.declared_residency,
});

/** A pending change past its expiry reads as expired even before anything has written that down. */
function statusOf(r: ChangeRow, now: Date): ChangeStatus {
  return r.status === 'pending' && r.expires_at !== null && r.expires_at <= now ? 'expired' : r.status;
}

function view(r: ChangeRow, now = new Date()) {
  return {
    id: r.id,
    connectionId: r.connection_id,
    status: statusOf(r, now),
    source: r.source,
    loosening: r.loosening,
    reasons: r.reasons,
    before: r.before,
    after: r.after,
    requestedBy: r.requested_by,
    requestedByKeyId: r.requested_by_key,
    requestedAt: iso(r.requested_at),
    expiresAt: iso(r.expires_at),
    decidedBy: r.decided_by,
    decidedByKeyId: r.decided_by_key,
    decidedAt: iso(r.decided_at),
    decisionReason: r.decision_reason,
  };
}

export type ConnectionChangeView = ReturnType<typeof view>;

/**
 * Changes to what a connection is held to (DESIGN "Loosening is an exception"). One that tightens or
 * changes nothing a check reads is applied at once; one that loosens waits, pending, until an
 * approver who is not the requester approves it. Either way it is a row here and an entry in the
 * evidence ledger, written in the transaction that applies or decides it, and the drifts the
 * applied change makes pass close as `baseline_changed`, never as remediated.
 */
@Injectable()
export class ConnectionChangesService {
  private readonly recorder: DriftRecorder;

  constructor(
    private readonly ds: DataSource,
    private readonly config: TollgateConfig,
    private readonly baselines: BaselinesService,
    private readonly ledger: EvidenceLedger,
    private readonly webhooks: WebhookOutbox,
  ) {
    this.recorder = new DriftRecorder(ledger);
  }

  /** Why going from `before` to `after` loosens what the connection is held to; empty when it does not. */
  looseningReasons(before: HeldTo, after: HeldTo): string[] {
    if (same(before, after)) return [];
    const reasons = looseningReasons(
      { baseline: this.baselines.get(before.baselineId), parameters: before.parameters },
      { baseline: this.baselines.get(after.baselineId), parameters: after.parameters },
    );
    // The residency control compares this declaration with the allowed regions: a new one can make
    // a failing residency pass without the tenant changing, and no declaration is provably stricter.
    if ((before.declaredResidency ?? null) !== (after.declaredResidency ?? null)) {
      reasons.push(`declaredResidency: changes from ${before.declaredResidency ?? 'none'} to ${after.declaredResidency ?? 'none'}`);
    }
    return reasons;
  }

  /** The actor of a change made through TOLLGATE_CONNECTIONS_FILE. */
  fileActor(): ChangeActor {
    return { principalId: `file:${this.config.TOLLGATE_CONNECTIONS_FILE ?? ''}`, keyId: null };
  }

  /** A loosening change, stored pending; 409 while another one waits for the same connection. */
  async request(connection: ConnectionLock, after: HeldTo, reasons: string[], principal: Principal): Promise<ConnectionChangeView> {
    const now = new Date();
    return this.ds.transaction(async (em) => {
      await this.expireOverdue(em, now, connection.id);
      const [waiting]: { id: string }[] = await em.query(`SELECT id FROM connection_changes WHERE connection_id = $1 AND status = 'pending'`, [connection.id]);
      if (waiting) {
        throw new ConflictException(`connection ${connection.id} already has change ${waiting.id} waiting for approval; it must be decided first`);
      }
      let row: ChangeRow;
      try {
        [row] = await em.query(
          `INSERT INTO connection_changes (connection_id, status, source, loosening, reasons, before, after, requested_by, requested_by_key,
                                           requested_at, expires_at)
           VALUES ($1, 'pending', 'api', true, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
          [
            connection.id,
            JSON.stringify(reasons),
            JSON.stringify(heldTo(connection)),
            JSON.stringify(after),
            principal.principalId,
            principal.keyId,
            now,
            new Date(now.getTime() + PENDING_CHANGE_DAYS * 86_400_000),
          ],
        );
      } catch (err) {
        // Two requests at once: the partial unique index lets only one wait.
        if ((err as { code?: string }).code === '23505') throw new ConflictException(`connection ${connection.id} already has a change waiting for approval`);
        throw err;
      }
      await this.appendChange(em, 'requested', row, connection, { principalId: principal.principalId, keyId: principal.keyId }, now);
      return view(row, now);
    });
  }

  /**
   * Records a change the caller has just written to the connection (tightening or neutral, or from
   * the connections file) and closes the drifts it makes pass. Runs in the caller's transaction.
   */
  async recordApplied(em: EntityManager, connection: ConnectionLock, before: HeldTo, reasons: string[], actor: ChangeActor, source: 'api' | 'file'): Promise<void> {
    const now = new Date();
    const after = heldTo(connection);
    if (same(before, after)) return;
    const [row]: ChangeRow[] = await em.query(
      `INSERT INTO connection_changes (connection_id, status, source, loosening, reasons, before, after, requested_by, requested_by_key, requested_at)
       VALUES ($1, 'applied', $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *`,
      [connection.id, source, reasons.length > 0, JSON.stringify(reasons), JSON.stringify(before), JSON.stringify(after), actor.principalId, actor.keyId, now],
    );
    await this.appendChange(em, 'applied', row, connection, actor, now);
    await this.closePassingDrifts(em, connection, after, row.id, now);
  }

  async list(connectionId: string, q: ListChangesQuery, principal: Principal) {
    // A bad cursor is a 400 before the connection is looked up.
    const page = new KeysetPage('connection_changes', 'requested_at', q);
    await this.connection(this.ds.manager, connectionId, principal);
    page.add('connection_id = ?', connectionId);
    if (q.status === 'pending' || q.status === 'expired') {
      // An overdue pending change is expired whether or not that has been written down yet.
      page.add(q.status === 'pending' ? `status = 'pending' AND expires_at > now()` : `(status = 'expired' OR (status = 'pending' AND expires_at <= now()))`);
    } else if (q.status) {
      page.add('status = ?', q.status);
    }
    const { text, values } = page.sql();
    const rows: ChangeRow[] = await this.ds.query(text, values);
    const now = new Date();
    return page.result(rows, (r) => view(r, now));
  }

  async get(connectionId: string, changeId: string, principal: Principal) {
    await this.connection(this.ds.manager, connectionId, principal);
    return view(await this.change(this.ds.manager, connectionId, changeId));
  }

  /**
   * Applies a pending change. The approver is another principal than the requester; the
   * connection must still be held to what it was when the change was asked for, so an approver
   * never approves a difference other than the one shown.
   */
  async approve(connectionId: string, changeId: string, reason: string, principal: Principal) {
    return this.decide(connectionId, changeId, reason, principal, 'approved', async (em, connection, row, now) => {
      if (!same(heldTo(connection), row.before)) {
        throw new ConflictException(`connection ${connectionId} changed since change ${changeId} was requested; reject it and request the change again`);
      }
      const baseline = this.baselines.find(row.after.baselineId);
      try {
        if (!baseline || baseline.provider !== connection.provider) throw new Error(`baseline ${row.after.baselineId} is no longer available`);
        resolveParameters(baseline, row.after.parameters);
      } catch (err) {
        throw new ConflictException(`change ${changeId} no longer fits the loaded baselines (${(err as Error).message}); reject it`);
      }
      const [[updated]]: [ConnectionLock[], number] = await em.query(
        `UPDATE connections SET baseline_id = $2, parameters = $3, declared_residency = $4, next_poll_at = now(), updated_at = now()
         WHERE id = $1 RETURNING id, provider, name, baseline_id, parameters, declared_residency`,
        [connectionId, row.after.baselineId, JSON.stringify(row.after.parameters), row.after.declaredResidency],
      );
      return async () => {
        await this.closePassingDrifts(em, updated, row.after, row.id, now);
      };
    });
  }

  async reject(connectionId: string, changeId: string, reason: string, principal: Principal) {
    return this.decide(connectionId, changeId, reason, principal, 'rejected', async () => undefined);
  }

  private async decide(
    connectionId: string,
    changeId: string,
    reason: string,
    principal: Principal,
    to: 'approved' | 'rejected',
    apply: (em: EntityManager, connection: ConnectionLock, row: ChangeRow, now: Date) => Promise<(() => Promise<void>) | undefined>,
  ) {
    const now = new Date();
    const decided = await this.ds.transaction(async (em) => {
      const connection = await this.connection(em, connectionId, principal, true);
      const row = await this.change(em, connectionId, changeId, true);
      const status = statusOf(row, now);
      if (status !== 'pending') throw new ConflictException(`change ${changeId} is ${status}; only a pending change can be ${to}`);
      if (row.requested_by === principal.principalId) {
        throw new ForbiddenException('the approver must not be the requester: another principal has to decide this change');
      }
      const after = await apply(em, connection, row, now);
      const [[updated]]: [ChangeRow[], number] = await em.query(
        `UPDATE connection_changes SET status = $2, decided_by = $3, decided_by_key = $4, decided_at = $5, decision_reason = $6
         WHERE id = $1 RETURNING *`,
        [changeId, to, principal.principalId, principal.keyId, now, reason],
      );
      // The change's own entry first, then the drifts it closed, so the ledger reads as cause and effect.
      await this.appendChange(em, to, updated, connection, { principalId: principal.principalId, keyId: principal.keyId }, now);
      await after?.();
      return updated;
    });
    return view(decided, now);
  }

  /**
   * Writes down the pending changes that ran out, also those that ran out while Tollgate was down,
   * with a ledger entry and a webhook each (ConnectionChangeExpiry, on the worker). Reads already
   * show them expired; this makes the lapse known to whoever waits on it.
   */
  async expireDue(): Promise<number> {
    return this.ds.transaction((em) => this.expireOverdue(em, new Date()));
  }

  /** Writes down the pending changes that ran out: of one connection, or of all when none is named. */
  private async expireOverdue(em: EntityManager, now: Date, connectionId?: string): Promise<number> {
    const [rows]: [(ChangeRow & { provider: string; name: string })[], number] = await em.query(
      `UPDATE connection_changes ch SET status = 'expired' FROM connections c
       WHERE c.id = ch.connection_id AND ch.status = 'pending' AND ch.expires_at <= $1 AND ($2::uuid IS NULL OR ch.connection_id = $2)
       RETURNING ch.*, c.provider, c.name`,
      [now, connectionId ?? null],
    );
    for (const row of rows) await this.appendChange(em, 'expired', row, row, { principalId: 'tollgate', keyId: null }, now);
    return rows.length;
  }

  /**
   * Re-evaluates the last stored snapshot by the rules now in force and closes, as
   * baseline_changed, the drifts that pass (DriftRecorder.closeForBaselineChange says why here).
   * A declaration of residency is part of the rules, so the stored document is judged with the new one.
   */
  private async closePassingDrifts(em: EntityManager, connection: ConnectionLock, after: HeldTo, changeId: string, now: Date): Promise<number> {
    const [snapshot]: { document: PostureDocument }[] = await em.query(
      `SELECT s.document FROM connections c JOIN snapshots s ON s.id = c.current_snapshot_id WHERE c.id = $1`,
      [connection.id],
    );
    if (!snapshot) return 0;
    const document = withDeclaredResidency(snapshot.document, after.declaredResidency);
    const findings = evaluate(document, this.baselines.get(after.baselineId), after.parameters);
    return this.recorder.closeForBaselineChange(em, {
      connectionId: connection.id,
      provider: connection.provider,
      baselineId: after.baselineId,
      changeId,
      now,
      findings,
    });
  }

  /**
   * The ledger entry of a change and, in the same transaction, its webhook: the entry's facts, the
   * connection's name and when a pending change lapses. `before` and `after` are what the connection
   * is held to (baseline, parameters, declared residency); credentials and endpoints are no part of them.
   */
  private async appendChange(
    em: EntityManager,
    kind: 'applied' | 'requested' | 'approved' | 'rejected' | 'expired',
    row: ChangeRow,
    connection: { provider: string; name: string },
    actor: ChangeActor,
    at: Date,
  ) {
    const data: WebhookData = {
      changeId: row.id,
      connectionId: row.connection_id,
      provider: connection.provider,
      source: row.source,
      loosening: row.loosening,
      reasons: row.reasons,
      before: row.before as unknown as JsonValue,
      after: row.after as unknown as JsonValue,
      requestedBy: row.requested_by,
      requestedByKeyId: row.requested_by_key,
      principal: actor.principalId,
      keyId: actor.keyId,
      ...(kind === 'approved' || kind === 'rejected' ? { decisionReason: row.decision_reason } : {}),
    };
    await this.ledger.append(em, [{ kind: `connection.change.${kind}`, occurredAt: at, data }]);
    await this.webhooks.enqueue(em, `connection_change.${kind}`, at, { ...data, connectionName: connection.name, expiresAt: iso(row.expires_at) });
  }

  private async connection(em: EntityManager, id: string, principal: Principal, forUpdate = false): Promise<ConnectionLock> {
    const [row]: ConnectionLock[] = await em.query(
      `SELECT id, provider, name, baseline_id, parameters, declared_residency FROM connections WHERE id = $1 AND deleted_at IS NULL${forUpdate ? ' FOR UPDATE' : ''}`,
      [id],
    );
    // A key scoped to other connections gets the same 404 as a missing one.
    if (!row || (principal.connectionIds && !principal.connectionIds.includes(id))) throw new NotFoundException(`connection ${id} does not exist`);
    return row;
  }

  private async change(em: EntityManager, connectionId: string, changeId: string, forUpdate = false): Promise<ChangeRow> {
    const [row]: ChangeRow[] = await em.query(
      `SELECT * FROM connection_changes WHERE id = $1 AND connection_id = $2${forUpdate ? ' FOR UPDATE' : ''}`,
      [changeId, connectionId],
    );
    if (!row) throw new NotFoundException(`change ${changeId} of connection ${connectionId} does not exist`);
    return row;
  }
}

/** The document with its declared residency (not observed, so not the tenant's state) replaced by `region`. */
function withDeclaredResidency(doc: PostureDocument, region: string | null): PostureDocument {
  if (!doc.residency.some((r) => r.source === 'declared')) return doc;
  const observed = doc.residency.filter((r) => r.source !== 'declared');
  const declared = region ? [{ resourceKey: 'tenant', region: region.toUpperCase(), source: 'declared' as const }] : [];
  return { ...doc, residency: [...observed, ...declared] };
}
