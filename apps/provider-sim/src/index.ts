export { startProviderSim, type ProviderSim, type ProviderSimOptions } from './provider-sim.server';
export { SimState } from './sim.state';
export { FaultInjector, faultSpecSchema, type Fault, type FaultSpec } from './faults/fault.injector';
export { SlackTenantStore, SlackTenant } from './slack/slack-tenant.store';
export { compliantSlackTenant, COMPLIANT_SLACK_IDS } from './slack/slack-tenant.fixtures';
export { grantableSlackScopes, slackScopeInfo } from './slack/slack-scopes.catalog';
export type {
  AddSlackAppInput,
  SlackTenantSpec,
  SlackTenantData,
  SlackRateLimitSettings,
  SlackDiscoverability,
} from './slack/slack-tenant.schema';
export * from './google-workspace/google-workspace.exports';
export * from './microsoft365/microsoft365.exports';
