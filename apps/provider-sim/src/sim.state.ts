import { FaultInjector } from './faults/fault.injector';
import { SlackTenantStore } from './slack/slack-tenant.store';

/** Everything the simulator knows; the control API and in-process tests share this one object. */
export class SimState {
  readonly slack = new SlackTenantStore();
  readonly faults = new FaultInjector();

  reset(): void {
    this.slack.clear();
    this.faults.clear();
  }
}
