import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { TollgateConfig } from '@tollgate/config';
import { AttestationsService } from './attestations.service';

const JOB = 'attestation-expiry';
const EVERY_MS = 5000;

/**
 * Marks expired attestations on the worker, at start and every few seconds, so their controls turn
 * `unknown` without anyone asking (the mark makes the connection due for a poll). Replicas may
 * race; the conditional UPDATE lets exactly one of them mark each attestation.
 */
@Injectable()
export class AttestationExpiry implements OnApplicationBootstrap {
  private readonly logger = new Logger('AttestationExpiry');

  constructor(
    private readonly config: TollgateConfig,
    private readonly attestations: AttestationsService,
    private readonly registry: SchedulerRegistry,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.TOLLGATE_ROLE === 'api') return;
    await this.run();
    this.registry.addInterval(JOB, setInterval(() => void this.run(), EVERY_MS));
  }

  async run(): Promise<number> {
    try {
      const expired = await this.attestations.expireDue();
      if (expired > 0) this.logger.log({ message: 'attestations expired; their controls are unknown again', expired });
      return expired;
    } catch (err) {
      this.logger.warn({ message: 'could not expire attestations', error: (err as Error).message });
      return 0;
    }
  }
}
