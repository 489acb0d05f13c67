import { Injectable } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { TollgateConfig } from '@tollgate/config';
import { ExpirySweep } from '../common/expiry-sweep';
import { ExceptionsService } from './exceptions.service';

/** Expires approved exceptions on the worker: their drifts are open again. */
@Injectable()
export class ExceptionExpiry extends ExpirySweep {
  constructor(config: TollgateConfig, registry: SchedulerRegistry, private readonly exceptions: ExceptionsService) {
    super('exception-expiry', { expired: 'exceptions expired; their drifts are open again', failed: 'could not expire exceptions' }, config, registry);
  }

  protected expireDue(): Promise<number> {
    return this.exceptions.expireDue();
  }
}
