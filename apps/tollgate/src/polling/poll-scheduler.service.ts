import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { TollgateConfig } from '@tollgate/config';
import { LeaseRepository } from './lease.repository';
import { PollRunner } from './poll-runner.service';

const TICK = 'poll-tick';

/**
 * The worker loop: every tick, claim as many due connections as there are free slots and poll each
 * one in isolation (one failing tenant never stops the others). On shutdown it stops claiming, lets
 * in-flight polls finish for the grace period, then aborts them, which releases their leases.
 */
@Injectable()
export class PollScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('PollScheduler');
  readonly workerId = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly shutdown = new AbortController();
  private claiming = false;
  /** A slot freed while a claim was under way: claim again as soon as it ends. */
  private claimAgain = false;
  private stopping = false;

  constructor(
    private readonly config: TollgateConfig,
    private readonly leases: LeaseRepository,
    private readonly runner: PollRunner,
    private readonly registry: SchedulerRegistry,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.TOLLGATE_ROLE === 'api') return;
    this.registry.addInterval(TICK, setInterval(() => void this.tick(), this.config.TOLLGATE_SCHEDULER_TICK_MS));
    this.logger.log({ message: 'worker started', workerId: this.workerId, concurrency: this.config.TOLLGATE_WORKER_CONCURRENCY });
  }

  /** One scheduling round; exposed so tests and the demo can drive it without waiting for a tick. */
  async tick(): Promise<number> {
    if (this.stopping) return 0;
    if (this.claiming) {
      this.claimAgain = true;
      return 0;
    }
    const free = this.config.TOLLGATE_WORKER_CONCURRENCY - this.inFlight.size;
    if (free <= 0) return 0;
    this.claiming = true;
    // Every free slot filled: more may be due.
    let filled = false;
    try {
      const claimed = await this.leases.claimDue(this.workerId, free);
      filled = claimed.length === free;
      for (const c of claimed) {
        const poll = this.runner
          .run(c, this.workerId, this.shutdown.signal)
          .catch((err: Error) => this.logger.error({ message: 'poll crashed', connectionId: c.id, error: err.message }))
          .finally(() => {
            this.inFlight.delete(poll);
            this.refill();
          });
        this.inFlight.add(poll);
      }
      return claimed.length;
    } catch (err) {
      // Database unreachable: nothing was claimed; the next tick tries again.
      this.logger.warn({ message: 'could not claim due connections', error: (err as Error).message });
      return 0;
    } finally {
      this.claiming = false;
      if (this.claimAgain) {
        this.claimAgain = false;
        if (filled) this.refill();
      }
    }
  }

  /**
   * A finished poll frees a slot: claim the next due connection now rather than at the next tick.
   * Without this one worker could never run more than CONCURRENCY polls per tick, whatever the
   * provider's latency (8 polls/s with the defaults; see docs/performance.md).
   */
  private refill(): void {
    if (this.stopping || this.config.TOLLGATE_ROLE === 'api') return;
    void this.tick();
  }

  get activePolls(): number {
    return this.inFlight.size;
  }

  async beforeApplicationShutdown(signal?: string): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (this.registry.doesExist('interval', TICK)) this.registry.deleteInterval(TICK);
    // Said at once, so that an operator who sent SIGTERM knows what the process is waiting for.
    this.logger.log({
      message: 'shutting down',
      ...(signal ? { signal } : {}),
      pollsInFlight: this.inFlight.size,
      graceSeconds: this.config.TOLLGATE_SHUTDOWN_GRACE_SECONDS,
    });
    if (this.inFlight.size === 0) return;
    const grace = new Promise((r) => setTimeout(r, this.config.TOLLGATE_SHUTDOWN_GRACE_SECONDS * 1000).unref());
    await Promise.race([Promise.allSettled([...this.inFlight]), grace]);
    if (this.inFlight.size > 0) {
      this.logger.warn({ message: 'grace period over; aborting in-flight polls', pollsInFlight: this.inFlight.size });
      this.shutdown.abort(new Error('shutting down'));
      await Promise.allSettled([...this.inFlight]);
    }
    this.logger.log({ message: 'in-flight polls ended' });
  }
}
