import request from 'supertest';
import { compliantSlackTenant, COMPLIANT_SLACK_IDS, startProviderSim, type ProviderSim } from '@tollgate/provider-sim';

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
