import { FaultInjector } from './faults/fault.injector';
import { SlackTenantStore } from './slack/slack-tenant.store';
import { GoogleTenantStore } from './google-workspace/google-tenant.store';
import { M365TenantStore } from './microsoft365/m365-tenant.store';

/** Everything the simulator knows; the control API and in-process tests share this one object. */
export class SimState {
  readonly slack = new SlackTenantStore();
  readonly google = new GoogleTenantStore();
  readonly microsoft365 = new M365TenantStore();
  readonly faults = new FaultInjector();

  reset(): void {
    this.slack.clear();
    this.google.clear();
    this.microsoft365.clear();
    this.faults.clear();
  }
}
