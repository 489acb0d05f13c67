import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { TollgateConfig } from '@tollgate/config';
import type { JsonValue } from '@tollgate/connector-sdk';

export type WebhookEvent =
  | 'drift.opened.critical'
  | 'exception.requested'
  | 'exception.approved'
  | 'exception.rejected'
  | 'exception.revoked'
  | 'exception.expired';

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

  async enqueue(em: EntityManager, event: WebhookEvent, occurredAt: Date, data: Record<string, JsonValue>): Promise<void> {
    if (!this.enabled) return;
    await em.query(`INSERT INTO webhook_deliveries (event, payload) VALUES ($1, $2)`, [
      event,
      JSON.stringify({ event, occurredAt: occurredAt.toISOString(), data }),
    ]);
  }
}
