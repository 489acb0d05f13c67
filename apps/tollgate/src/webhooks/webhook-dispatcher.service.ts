import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { createHmac } from 'node:crypto';
import { DataSource } from 'typeorm';
import { TollgateConfig } from '@tollgate/config';
import axios from 'axios';

const JOB = 'webhook-dispatch';
const BATCH = 20;

/** Signature a receiver recomputes: hex HMAC-SHA256 over `<timestamp>.<raw body>` with the shared secret. */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Wait before attempt n+1: 5 s doubling, at most an hour. */
export const webhookRetryDelaySeconds = (attempts: number) => Math.min(5 * 2 ** (attempts - 1), 3600);

/**
 * Delivers queued webhooks (worker role). Rows are leased with SKIP LOCKED so replicas never send
 * one twice at the same time; a failed delivery is retried with growing waits and kept as `failed`
 * after TOLLGATE_WEBHOOK_MAX_ATTEMPTS. Every attempt's status is kept: the delivery log.
 * News of four-eyes objects (exceptions, connection changes, attestations) is sent before drift
 * news, whenever each was queued.
 */
@Injectable()
export class WebhookDispatcher implements OnApplicationBootstrap {
  private readonly logger = new Logger('Webhooks');
  private running = false;

  constructor(
    private readonly ds: DataSource,
    private readonly config: TollgateConfig,
    private readonly registry: SchedulerRegistry,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.TOLLGATE_ROLE === 'api' || !this.config.TOLLGATE_WEBHOOK_URL) return;
    this.registry.addInterval(JOB, setInterval(() => void this.dispatchDue(), Math.max(this.config.TOLLGATE_SCHEDULER_TICK_MS, 500)));
  }

  /** Sends what is due; returns how many were attempted. */
  async dispatchDue(): Promise<number> {
    const url = this.config.TOLLGATE_WEBHOOK_URL;
    const secret = this.config.TOLLGATE_WEBHOOK_SECRET;
    if (!url || !secret || this.running) return 0;
    this.running = true;
    try {
      const [due]: [{ id: string; event: string; payload: unknown; attempts: number }[], number] = await this.ds.query(
        `WITH due AS (
           SELECT id FROM webhook_deliveries
           WHERE state = 'pending' AND next_attempt_at <= now() AND (lease_until IS NULL OR lease_until < now())
           -- Four-eyes news first: someone waits on a decision; drift news can wait a round.
           ORDER BY (event = 'drifts.opened'), next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
         UPDATE webhook_deliveries w SET lease_until = now() + interval '60 seconds', attempts = w.attempts + 1
         FROM due WHERE w.id = due.id
         RETURNING w.id, w.event, w.payload, w.attempts`,
        [BATCH],
      );
      // RETURNING keeps no order: sort again so that drift news goes out last.
      due.sort((a, b) => Number(a.event === 'drifts.opened') - Number(b.event === 'drifts.opened'));
      for (const d of due) await this.deliver(url, secret, d);
      return due.length;
    } catch (err) {
      this.logger.warn({ message: 'webhook dispatch round failed', error: (err as Error).message });
      return 0;
    } finally {
      this.running = false;
    }
  }

  private async deliver(url: string, secret: string, d: { id: string; event: string; payload: unknown; attempts: number }): Promise<void> {
    const body = JSON.stringify({ id: d.id, ...(d.payload as object) });
    const timestamp = String(Math.floor(Date.now() / 1000));
    let status: number | null = null;
    let error: string | null = null;
    try {
      // Not the provider client: a receiver may answer 2xx with any body or none, and only the status matters.
      const res = await axios.post(url, body, {
        timeout: 10_000,
        maxRedirects: 0,
        maxContentLength: 64 * 1024,
        responseType: 'text',
        validateStatus: () => true,
        headers: {
          'content-type': 'application/json',
          'x-tollgate-event': d.event,
          'x-tollgate-delivery': d.id,
          'x-tollgate-timestamp': timestamp,
          'x-tollgate-signature': webhookSignature(secret, timestamp, body),
        },
      });
      status = res.status;
      if (status < 200 || status >= 300) error = `receiver answered HTTP ${status}`;
    } catch (err) {
      error = `could not deliver: ${(err as { code?: string }).code ?? 'network error'}`;
    }
    if (error === null) {
      await this.ds.query(
        `UPDATE webhook_deliveries SET state = 'delivered', delivered_at = now(), last_status = $2, last_error = NULL, lease_until = NULL WHERE id = $1`,
        [d.id, status],
      );
      return;
    }
    const final = d.attempts >= this.config.TOLLGATE_WEBHOOK_MAX_ATTEMPTS;
    await this.ds.query(
      `UPDATE webhook_deliveries SET state = $2, last_status = $3, last_error = $4, lease_until = NULL,
              next_attempt_at = now() + make_interval(secs => $5) WHERE id = $1`,
      [d.id, final ? 'failed' : 'pending', status, error.slice(0, 500), webhookRetryDelaySeconds(d.attempts)],
    );
    this.logger.warn({ message: final ? 'webhook delivery failed for good' : 'webhook delivery failed; will retry', deliveryId: d.id, attempts: d.attempts, status, error });
  }
}
