import { Injectable } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { TollgateConfig } from '@tollgate/config';
import { ExpirySweep } from '../common/expiry-sweep';
import { ConnectionChangesService } from './connection-changes.service';

/** Writes down, on the worker, the loosening changes no approver decided in time, so that their lapse is announced. */
@Injectable()
export class ConnectionChangeExpiry extends ExpirySweep {
  constructor(config: TollgateConfig, registry: SchedulerRegistry, private readonly changes: ConnectionChangesService) {
    super('connection-change-expiry', { expired: 'pending connection changes expired', failed: 'could not expire pending connection changes' }, config, registry);
  }

  protected expireDue(): Promise<number> {
    return this.changes.expireDue();
  }
}
