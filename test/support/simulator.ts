import request from 'supertest';
import { compliantSlackTenant, COMPLIANT_SLACK_IDS, startProviderSim, type ProviderSim } from '@tollgate/provider-sim';
import { googleServiceAccountKey } from '@tollgate/provider-sim';
import { COMPLIANT_M365_IDS } from '@tollgate/provider-sim';

export { COMPLIANT_SLACK_IDS };

/** Baseline parameters under which the simulator's compliant Slack tenant passes every control. */
export const COMPLIANT_SLACK_PARAMETERS = {
  allowedExternalOrgs: [COMPLIANT_SLACK_IDS.partnerOrgId],
  allowedRegions: ['EU'],
};

export async function startSimulator(): Promise<ProviderSim & { control: () => ReturnType<typeof request> }> {
  const sim = await startProviderSim({ port: 0 });
  return Object.assign(sim, { control: () => request(sim.url) });
}

export async function putCompliantSlackTenant(sim: { url: string }, token: string): Promise<void> {
  await request(sim.url).put(`/_sim/slack/tenants/${token}`).send(compliantSlackTenant(token)).expect(200);
}

/** The body that connects Tollgate to a simulated Slack tenant. */
export function slackConnection(sim: { url: string }, token: string, name: string, extra: Record<string, unknown> = {}) {
  return {
    provider: 'slack',
    name,
    pollIntervalSeconds: 3600,
    credentials: { token },
    endpoints: { api: `${sim.url}/slack/api` },
    declaredResidency: 'EU',
    parameters: COMPLIANT_SLACK_PARAMETERS,
    ...extra,
  };
}

/** Baseline parameters under which the simulator's compliant Microsoft 365 tenant passes every control. */
export const COMPLIANT_M365_PARAMETERS = {
  allowedDomains: [COMPLIANT_M365_IDS.allowedDomain],
  allowedRegions: ['EU'],
};

/** The body that connects Tollgate to a simulated Microsoft 365 tenant (put it with compliantM365Tenant). */
export function m365Connection(sim: { url: string }, tenantId: string, name: string, extra: Record<string, unknown> = {}) {
  return {
    provider: 'microsoft365',
    name,
    pollIntervalSeconds: 3600,
    credentials: { tenantId, clientId: COMPLIANT_M365_IDS.clientId, clientSecret: COMPLIANT_M365_IDS.clientSecret },
    endpoints: { graph: `${sim.url}/microsoft365/graph`, login: `${sim.url}/microsoft365/login` },
    parameters: COMPLIANT_M365_PARAMETERS,
    ...extra,
  };
}

/**
 * The body that connects Tollgate to a simulated Google Workspace tenant. The token URL goes through
 * `endpoints.token`: the connector never trusts the key file's token_uri.
 */
export function googleConnection(sim: { url: string }, customerId: string, name: string, extra: Record<string, unknown> = {}) {
  return {
    provider: 'google-workspace',
    name,
    pollIntervalSeconds: 3600,
    credentials: { serviceAccountKey: googleServiceAccountKey(sim, customerId), adminEmail: 'admin@acme.example', customerId },
    endpoints: { admin: `${sim.url}/google`, cloudidentity: `${sim.url}/google/cloudidentity`, token: `${sim.url}/google/token` },
    parameters: { allowedRegions: ['EUROPE'] },
    ...extra,
  };
}
