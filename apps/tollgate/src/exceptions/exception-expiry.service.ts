import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { TollgateConfig } from '@tollgate/config';
import { ExceptionsService } from './exceptions.service';

const JOB = 'exception-expiry';
const EVERY_MS = 5000;

/**
 * Expires approved exceptions on the worker: at start (catching up on any that ran out while
 * Tollgate was down) and every few seconds after. Replicas may race; the conditional UPDATE lets
 * exactly one of them expire each ticket.
 */
@Injectable()
export class ExceptionExpiry implements OnApplicationBootstrap {
  private readonly logger = new Logger('ExceptionExpiry');

  constructor(
    private readonly config: TollgateConfig,
    private readonly exceptions: ExceptionsService,
    private readonly registry: SchedulerRegistry,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.TOLLGATE_ROLE === 'api') return;
    await this.run();
    this.registry.addInterval(JOB, setInterval(() => void this.run(), EVERY_MS));
  }

  async run(): Promise<number> {
    try {
      const expired = await this.exceptions.expireDue();
      if (expired > 0) this.logger.log({ message: 'exceptions expired; their drifts are open again', expired });
      return expired;
    } catch (err) {
      this.logger.warn({ message: 'could not expire exceptions', error: (err as Error).message });
      return 0;
    }
  }
}
