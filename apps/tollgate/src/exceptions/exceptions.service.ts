import { BadRequestException, ConflictException, ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { TollgateConfig } from '@tollgate/config';
import type { Principal } from '@tollgate/auth';
import { insertDriftEvents } from '@tollgate/drift';
import { EvidenceLedger } from '@tollgate/evidence';
import { TollgateMetrics } from '@tollgate/metrics';
import { BaselinesService } from '../baselines/baselines.service';
import { KeysetPage } from '../common/keyset-page';
import { WebhookOutbox, type WebhookData } from '../webhooks/webhook-outbox';
import type { CreateExceptionDto, ExceptionState, ListExceptionsQuery } from './dto/exception.dto';

interface TicketRow {
  id: string;
  connection_id: string;
  control_id: string;
  resource_key: string | null;
  justification: string;
  external_ref: string | null;
  state: ExceptionState;
  requested_by_key: string;
  requested_by_principal: string;
  requested_by: string;
  requested_at: Date;
  expires_at: Date;
  decided_by_key: string | null;
  decided_by_principal: string | null;
  decided_by: string | null;
  decided_at: Date | null;
  decision_reason: string | null;
  ended_by_key: string | null;
  ended_by_principal: string | null;
  ended_by: string | null;
  ended_at: Date | null;
  end_reason: string | null;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function view(r: TicketRow) {
  return {
    id: r.id,
    connectionId: r.connection_id,
    controlId: r.control_id,
    resourceKey: r.resource_key,
    justification: r.justification,
    externalRef: r.external_ref,
    state: r.state,
    requestedBy: r.requested_by_principal,
    requestedByKeyId: r.requested_by_key,
    requestedAt: iso(r.requested_at),
    expiresAt: iso(r.expires_at),
    decidedBy: r.decided_by_principal,
    decidedByKeyId: r.decided_by_key,
    decidedAt: iso(r.decided_at),
    decisionReason: r.decision_reason,
    endedBy: r.ended_by_principal,
    endedByKeyId: r.ended_by_key,
    endedAt: iso(r.ended_at),
    endReason: r.end_reason,
  };
}

type Transition = 'approved' | 'rejected' | 'revoked' | 'expired';

/** Who made a transition: the principal and the key it used, or Tollgate itself (an expiry). */
interface Actor {
  principal: string;
  keyId: string | null;
  /** The key's name, kept beside the principal in the ticket's own columns. */
  name: string;
}

const TOLLGATE: Actor = { principal: 'tollgate', keyId: null, name: 'tollgate' };
const actorOf = (p: Principal): Actor => ({ principal: p.principalId, keyId: p.keyId, name: p.name });

/**
 * Exception tickets: requested -> approved | rejected; approved -> revoked | expired. Each transition,
 * the drifts it moves (open <-> excepted), their events, the evidence entries and the webhook commit
 * in one transaction. The approver holds the approver role and is never the requester: a different
 * principal, not merely a different key, since one person may hold several keys.
 */
@Injectable()
export class ExceptionsService {
  constructor(
    private readonly ds: DataSource,
    private readonly config: TollgateConfig,
    private readonly baselines: BaselinesService,
    private readonly ledger: EvidenceLedger,
    private readonly webhooks: WebhookOutbox,
    private readonly metrics: TollgateMetrics,
  ) {}

  async request(dto: CreateExceptionDto, principal: Principal) {
    const [connection]: { id: string; baseline_id: string }[] = await this.ds.query(
      `SELECT id, baseline_id FROM connections WHERE id = $1 AND deleted_at IS NULL`,
      [dto.connectionId],
    );
    if (!connection || !this.inScope(principal, connection.id)) throw new NotFoundException(`connection ${dto.connectionId} does not exist`);
    const baseline = this.baselines.find(connection.baseline_id);
    if (!baseline?.controls.some((c) => c.id === dto.controlId)) {
      throw new BadRequestException(`controlId: ${dto.controlId} is not a control of baseline ${connection.baseline_id}`);
    }
    const expiresAt = new Date(dto.expiresAt);
    const now = new Date();
    const max = new Date(now.getTime() + this.config.TOLLGATE_EXCEPTION_MAX_DAYS * 86_400_000);
    if (expiresAt <= now) throw new BadRequestException('expiresAt must be in the future');
    if (expiresAt > max) throw new BadRequestException(`expiresAt must be within ${this.config.TOLLGATE_EXCEPTION_MAX_DAYS} days`);

    const requested = await this.ds.transaction(async (em) => {
      const [row]: TicketRow[] = await em.query(
        `INSERT INTO exception_tickets (connection_id, control_id, resource_key, justification, external_ref, state,
                                        requested_by_key, requested_by_principal, requested_by, requested_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, 'requested', $6, $7, $8, $9, $10) RETURNING *`,
        [
          dto.connectionId,
          dto.controlId,
          dto.resourceKey ?? null,
          dto.justification,
          dto.externalRef ?? null,
          principal.keyId,
          principal.principalId,
          principal.name,
          now,
          expiresAt,
        ],
      );
      await this.recordTransition(em, row, 'requested', actorOf(principal), dto.justification, now);
      return row;
    });
    return this.withEvents(requested);
  }

  async decide(id: string, decision: 'approved' | 'rejected', reason: string, principal: Principal) {
    return this.transition(id, principal, reason, decision, (row) => {
      if (row.state !== 'requested') throw new ConflictException(`exception ${id} is ${row.state}; only a requested exception can be ${decision}`);
      // Principals, not keys: two keys of one person are one person.
      if (row.requested_by_principal === principal.principalId) {
        throw new ForbiddenException(
          `the approver must not be the requester: principal ${principal.principalId} requested this exception; another person has to decide`,
        );
      }
      if (decision === 'approved' && row.expires_at <= new Date()) throw new ConflictException(`exception ${id} expired before it was approved`);
    });
  }

  async revoke(id: string, reason: string, principal: Principal) {
    return this.transition(id, principal, reason, 'revoked', (row) => {
      if (row.state !== 'approved') throw new ConflictException(`exception ${id} is ${row.state}; only an approved exception can be revoked`);
    });
  }

  /** Expires every approved exception whose time has come, also those that ran out while Tollgate was down. */
  async expireDue(): Promise<number> {
    const now = new Date();
    return this.ds.transaction(async (em) => {
      const [rows]: [TicketRow[], number] = await em.query(
        `UPDATE exception_tickets SET state = 'expired', ended_by = 'tollgate', ended_by_principal = 'tollgate', ended_at = $1,
                                      end_reason = 'reached its expiry'
         WHERE state = 'approved' AND expires_at <= $1 RETURNING *`,
        [now],
      );
      for (const row of rows) {
        await this.recordTransition(em, row, 'expired', TOLLGATE, 'reached its expiry', now);
        await this.reopenDrifts(em, row, TOLLGATE, now, 'exception expired');
      }
      return rows.length;
    });
  }

  async list(q: ListExceptionsQuery, principal: Principal) {
    const page = new KeysetPage('exception_tickets', 'requested_at', q);
    if (q.state) page.add('state = ?', q.state);
    if (q.connectionId) page.add('connection_id = ?', q.connectionId);
    if (principal.connectionIds) page.add('connection_id = ANY(?::uuid[])', principal.connectionIds);
    const { text, values } = page.sql();
    const rows: TicketRow[] = await this.ds.query(text, values);
    return page.result(rows, view);
  }

  async get(id: string, principal: Principal) {
    return this.withEvents(await this.row(this.ds.manager, id, principal));
  }

  /** The ticket as the API shows it, with its history. */
  private async withEvents(row: TicketRow) {
    const events: { kind: string; actor_principal: string; actor_key: string | null; occurred_at: Date; reason: string | null }[] =
      await this.ds.query(
        `SELECT kind, actor_principal, actor_key, occurred_at, reason FROM exception_events WHERE exception_id = $1 ORDER BY id`,
        [row.id],
      );
    return {
      ...view(row),
      events: events.map((e) => ({
        kind: e.kind,
        actor: e.actor_principal,
        actorKeyId: e.actor_key,
        occurredAt: e.occurred_at.toISOString(),
        reason: e.reason,
      })),
    };
  }

  private async transition(id: string, principal: Principal, reason: string, to: Transition, check: (row: TicketRow) => void) {
    const now = new Date();
    const actor = actorOf(principal);
    const ticket = await this.ds.transaction(async (em) => {
      const row = await this.row(em, id, principal, true);
      check(row);
      const [[updated]]: [TicketRow[], number] =
        to === 'approved' || to === 'rejected'
          ? await em.query(
              `UPDATE exception_tickets SET state = $2, decided_by_key = $3, decided_by_principal = $4, decided_by = $5, decided_at = $6,
                                            decision_reason = $7
               WHERE id = $1 RETURNING *`,
              [id, to, actor.keyId, actor.principal, actor.name, now, reason],
            )
          : await em.query(
              `UPDATE exception_tickets SET state = $2, ended_by_key = $3, ended_by_principal = $4, ended_by = $5, ended_at = $6, end_reason = $7
               WHERE id = $1 RETURNING *`,
              [id, to, actor.keyId, actor.principal, actor.name, now, reason],
            );
      await this.recordTransition(em, updated, to, actor, reason, now);
      if (to === 'approved') await this.exceptDrifts(em, updated, actor, now);
      if (to === 'revoked') await this.reopenDrifts(em, updated, actor, now, 'exception revoked');
      return updated;
    });
    return this.withEvents(ticket);
  }

  private async recordTransition(em: EntityManager, row: TicketRow, kind: ExceptionState, actor: Actor, reason: string | null, at: Date) {
    await em.query(
      `INSERT INTO exception_events (exception_id, kind, actor, actor_principal, actor_key, occurred_at, reason) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [row.id, kind, actor.name, actor.principal, actor.keyId, at, reason],
    );
    const data: WebhookData = {
      exceptionId: row.id,
      connectionId: row.connection_id,
      controlId: row.control_id,
      resourceKey: row.resource_key,
      state: kind,
      actor: actor.principal,
      actorKeyId: actor.keyId,
      reason,
      expiresAt: row.expires_at.toISOString(),
      externalRef: row.external_ref,
    };
    await this.ledger.append(em, [{ kind: `exception.${kind}`, occurredAt: at, data }]);
    await this.webhooks.enqueue(em, `exception.${kind}`, at, data);
  }

  /** Drifts the approved exception matches stop counting as open; their history keeps them. */
  private async exceptDrifts(em: EntityManager, row: TicketRow, actor: Actor, at: Date) {
    const [moved]: [DriftMove[], number] = await em.query(
      `UPDATE drifts SET status = 'excepted', exception_id = $1
       WHERE connection_id = $2 AND control_id = $3 AND ($4::text IS NULL OR resource_key = $4) AND status = 'open'
       RETURNING id, control_id, resource_key, severity, provider`,
      [row.id, row.connection_id, row.control_id, row.resource_key],
    );
    await this.recordDriftMoves(em, moved, 'excepted', row, actor, at);
  }

  /** On revocation or expiry the drifts are open again, and alert again. */
  private async reopenDrifts(em: EntityManager, row: TicketRow, actor: Actor, at: Date, note: string) {
    const [moved]: [DriftMove[], number] = await em.query(
      `UPDATE drifts SET status = 'open', exception_id = NULL WHERE exception_id = $1 AND status = 'excepted'
       RETURNING id, control_id, resource_key, severity, provider`,
      [row.id],
    );
    await this.recordDriftMoves(em, moved, 'reopened', row, actor, at, note);
    for (const d of moved) this.metrics.driftsOpenedTotal.inc({ provider: d.provider, severity: d.severity });
  }

  private async recordDriftMoves(
    em: EntityManager,
    moved: DriftMove[],
    kind: 'excepted' | 'reopened',
    row: TicketRow,
    actor: Actor,
    at: Date,
    note?: string,
  ) {
    await insertDriftEvents(
      em,
      at,
      null,
      moved.map((d) => ({ drift_id: d.id, kind, expected: null, observed: null, note: note ?? `exception ${row.id}` })),
    );
    await this.ledger.append(
      em,
      moved.map((d) => ({
        kind: `drift.${kind}`,
        occurredAt: at,
        data: {
          driftId: d.id,
          connectionId: row.connection_id,
          provider: d.provider,
          controlId: d.control_id,
          resourceKey: d.resource_key,
          severity: d.severity,
          status: kind === 'excepted' ? 'excepted' : 'open',
          exceptionId: row.id,
          actor: actor.principal,
          actorKeyId: actor.keyId,
        },
      })),
    );
  }

  private async row(em: EntityManager, id: string, principal: Principal, forUpdate = false): Promise<TicketRow> {
    const [row]: TicketRow[] = await em.query(`SELECT * FROM exception_tickets WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`, [id]);
    if (!row || !this.inScope(principal, row.connection_id)) throw new NotFoundException(`exception ${id} does not exist`);
    return row;
  }

  private inScope(principal: Principal, connectionId: string): boolean {
    return !principal.connectionIds || principal.connectionIds.includes(connectionId);
  }
}

interface DriftMove {
  id: string;
  control_id: string;
  resource_key: string;
  severity: string;
  provider: string;
}
