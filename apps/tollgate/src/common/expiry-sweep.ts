import { Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { SchedulerRegistry } from '@nestjs/schedule';
import type { TollgateConfig } from '@tollgate/config';

const EVERY_MS = 5000;

/**
 * A worker job that ends what ran out (exceptions, attestations): at start, catching up on any that
 * expired while Tollgate was down, and every few seconds after, so the change happens without
 * anyone asking. Replicas may race; each `expireDue` is a conditional UPDATE that lets exactly one
 * of them end each row.
 */
export abstract class ExpirySweep implements OnApplicationBootstrap {
  private readonly logger: Logger;

  protected constructor(
    private readonly job: string,
    private readonly said: { expired: string; failed: string },
    private readonly config: TollgateConfig,
    private readonly registry: SchedulerRegistry,
  ) {
    this.logger = new Logger(job);
  }

  /** Ends what ran out; the number of rows ended. */
  protected abstract expireDue(): Promise<number>;

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.TOLLGATE_ROLE === 'api') return;
    // Registered before the first sweep is awaited: when another start-up hook fails meanwhile, the
    // app closes and clears the registered intervals, and none may be added after that.
    this.registry.addInterval(this.job, setInterval(() => void this.run(), EVERY_MS));
    await this.run();
  }

  async run(): Promise<number> {
    try {
      const expired = await this.expireDue();
      if (expired > 0) this.logger.log({ message: this.said.expired, expired });
      return expired;
    } catch (err) {
      this.logger.warn({ message: this.said.failed, error: (err as Error).message });
      return 0;
    }
  }
}
