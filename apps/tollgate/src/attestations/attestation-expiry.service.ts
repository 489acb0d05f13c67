import { Injectable } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { TollgateConfig } from '@tollgate/config';
import { ExpirySweep } from '../common/expiry-sweep';
import { AttestationsService } from './attestations.service';

/** Marks expired attestations on the worker: their controls turn `unknown` (the mark makes the connection due for a poll). */
@Injectable()
export class AttestationExpiry extends ExpirySweep {
  constructor(config: TollgateConfig, registry: SchedulerRegistry, private readonly attestations: AttestationsService) {
    super(
      'attestation-expiry',
      { expired: 'attestations expired; their controls are unknown again', failed: 'could not expire attestations' },
      config,
      registry,
    );
  }

  protected expireDue(): Promise<number> {
    return this.attestations.expireDue();
  }
}
