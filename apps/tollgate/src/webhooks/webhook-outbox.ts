import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { TollgateConfig } from '@tollgate/config';
import { SEVERITIES } from '@tollgate/baseline';
import type { JsonValue } from '@tollgate/connector-sdk';
import type { OpenedDrift } from '@tollgate/drift';

/** Every event Tollgate announces. Each is about one connection. */
export const WEBHOOK_EVENTS = [
  'drifts.opened',
  'exception.requested',
  'exception.approved',
  'exception.rejected',
  'exception.revoked',
  'exception.expired',
  'connection_change.requested',
  'connection_change.approved',
  'connection_change.rejected',
  'connection_change.expired',
  'connection_change.applied',
  'attestation.recorded',
  'attestation.revoked',
  'attestation.expired',
] as const;

export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/**
 * The `data` of a delivery. `connectionId` is required: a key scoped to connections sees a delivery
 * in GET /webhooks/deliveries only when it names one of them.
 */
export type WebhookData = { connectionId: string } & Record<string, JsonValue>;

/**
 * Queues a webhook in the caller's transaction: the event is announced if and only if the change
 * it announces commits. Delivery happens later (WebhookDispatcher). No webhook configured: nothing.
 */
@Injectable()
export class WebhookOutbox {
  constructor(private readonly config: TollgateConfig) {}

  get enabled(): boolean {
    return Boolean(this.config.TOLLGATE_WEBHOOK_URL);
  }

  async enqueue(em: EntityManager, event: WebhookEvent, occurredAt: Date, data: WebhookData): Promise<void> {
    if (!this.enabled) return;
    await em.query(`INSERT INTO webhook_deliveries (event, payload) VALUES ($1, $2)`, [
      event,
      JSON.stringify({ event, occurredAt: occurredAt.toISOString(), data }),
    ]);
  }
}

/** How many drifts one `drifts.opened` delivery lists; the counts cover them all. */
export const DRIFTS_LISTED = 50;

/**
 * The body of the one delivery that announces a poll's new drifts: counts by severity, the total,
 * and the first DRIFTS_LISTED, most severe first. One delivery per poll, not one per drift: 2,000
 * drifts from one poll were 2,000 deliveries, which flooded the receiver and queued exception
 * notices behind them (issue 11).
 */
export function driftsOpenedData(
  poll: { pollId: string; connectionId: string; connectionName: string; provider: string },
  opened: readonly Pick<OpenedDrift, 'id' | 'controlId' | 'title' | 'resourceKey' | 'severity'>[],
) {
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<string, number>;
  for (const d of opened) bySeverity[d.severity] = (bySeverity[d.severity] ?? 0) + 1;
  const rank = (severity: string) => {
    const i = (SEVERITIES as readonly string[]).indexOf(severity);
    return i < 0 ? SEVERITIES.length : i;
  };
  const listed = [...opened].sort((a, b) => rank(a.severity) - rank(b.severity)).slice(0, DRIFTS_LISTED);
  return {
    ...poll,
    total: opened.length,
    bySeverity,
    drifts: listed.map((d) => ({ driftId: d.id, controlId: d.controlId, title: d.title, resourceKey: d.resourceKey, severity: d.severity })),
    truncated: opened.length > listed.length,
  };
}
