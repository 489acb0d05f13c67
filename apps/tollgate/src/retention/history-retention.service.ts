import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { DataSource } from 'typeorm';
import { TollgateConfig } from '@tollgate/config';

const JOB = 'history-retention';
const EVERY_MS = 60 * 60 * 1000;
/** The first run waits a minute: a large backlog (the first start after an upgrade) must not delay readiness. */
const FIRST_AFTER_MS = 60 * 1000;
/** Rows per DELETE: short transactions, so polls and the API never wait long behind one. */
const BATCH = 5000;
/** Batches per table and run; the rest goes in the next run (an hour later). */
const MAX_BATCHES = 200;
const LOCK = 'tollgate:history-retention';

/** What is pruned: operational history only. Drifts, their events, the ledger, exceptions and audit events never are. */
const TABLES = [
  { table: 'poll_runs', at: 'finished_at', also: '' },
  // Pending deliveries are still owed to a receiver, however old.
  { table: 'webhook_deliveries', at: 'created_at', also: "AND state <> 'pending'" },
] as const;

export type Pruned = Record<(typeof TABLES)[number]['table'], number>;

/**
 * Deletes poll runs and finished webhook deliveries older than TOLLGATE_HISTORY_RETENTION_DAYS, on
 * the worker: a minute after start and every hour, oldest first, in batches. Replicas take turns: a
 * batch runs only under a transaction-scoped advisory lock, and a replica that does not get it
 * stops. Shutdown waits for the batch under way, not for the run.
 */
@Injectable()
export class HistoryRetention implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('HistoryRetention');
  private stopping = false;
  private current: Promise<Pruned> | undefined;

  constructor(
    private readonly config: TollgateConfig,
    private readonly ds: DataSource,
    private readonly registry: SchedulerRegistry,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.TOLLGATE_ROLE === 'api') return;
    this.registry.addTimeout(`${JOB}:first`, setTimeout(() => void this.run(), FIRST_AFTER_MS));
    this.registry.addInterval(JOB, setInterval(() => void this.run(), EVERY_MS));
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.current;
  }

  /** One run; a run asked for while one is under way gets that one's result. */
  run(now = new Date()): Promise<Pruned> {
    this.current ??= this.prune(now).finally(() => (this.current = undefined));
    return this.current;
  }

  private async prune(now: Date): Promise<Pruned> {
    const before = new Date(now.getTime() - this.config.TOLLGATE_HISTORY_RETENTION_DAYS * 86_400_000);
    const pruned: Pruned = { poll_runs: 0, webhook_deliveries: 0 };
    try {
      for (const { table, at, also } of TABLES) {
        for (let i = 0; i < MAX_BATCHES && !this.stopping; i++) {
          const deleted = await this.ds.transaction(async (em) => {
            const [{ locked }]: { locked: boolean }[] = await em.query('SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked', [LOCK]);
            if (!locked) return -1;
            const [, count]: [unknown[], number] = await em.query(
              `DELETE FROM ${table} WHERE id IN (SELECT id FROM ${table} WHERE ${at} < $1 ${also} ORDER BY ${at} LIMIT ${BATCH})`,
              [before],
            );
            return count;
          });
          if (deleted < 0) return pruned;
          pruned[table] += deleted;
          if (deleted < BATCH) break;
        }
      }
      if (pruned.poll_runs + pruned.webhook_deliveries > 0) {
        this.logger.log({ message: 'history past its retention deleted', ...pruned, before: before.toISOString() });
      }
    } catch (err) {
      this.logger.warn({ message: 'could not delete old history', error: (err as Error).message });
    }
    return pruned;
  }
}
