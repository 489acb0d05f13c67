// `npm run demo`: Tollgate on the embedded database, watching three simulated Slack tenants whose
// settings drift every minute or so. Everything stays on this machine (loopback only).
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '@tollgate/config';
import {
  compliantGoogleTenant,
  compliantM365Tenant,
  compliantSlackTenant,
  COMPLIANT_M365_IDS,
  COMPLIANT_SLACK_IDS,
  googleServiceAccountKey,
  startProviderSim,
} from '@tollgate/provider-sim';
import { startTollgateApp } from '../apps/tollgate/src/bootstrap';
import { startDemoSignIn } from './demo-oidc';

const PORT = Number(process.env.PORT ?? 8080);
const SIM_PORT = Number(process.env.TOLLGATE_DEMO_SIM_PORT ?? 9090);
const DRIFT_EVERY_MS = Number(process.env.TOLLGATE_DEMO_DRIFT_SECONDS ?? 60) * 1000;

const M365_TENANT = 'contoso-demo.onmicrosoft.com';
const GOOGLE_CUSTOMER = 'C0demo01';

/** One simulated tenant per entry: how to create it in the simulator and connect Tollgate to it. */
interface DemoTenant {
  name: string;
  put: (sim: string) => Promise<void>;
  connection: (sim: string) => Record<string, unknown>;
}

const slackTenant = (token: string, name: string): DemoTenant => ({
  name,
  put: (sim) => call(sim, 'PUT', `/_sim/slack/tenants/${token}`, compliantSlackTenant(token)),
  connection: (sim) => ({
    provider: 'slack',
    credentials: { token },
    endpoints: { api: `${sim}/slack/api` },
    declaredResidency: 'EU',
    parameters: { allowedExternalOrgs: [COMPLIANT_SLACK_IDS.partnerOrgId], allowedRegions: ['EU'] },
  }),
});

const TENANTS: DemoTenant[] = [
  slackTenant('xoxp-demo-acme', 'Acme (demo)'),
  slackTenant('xoxp-demo-globex', 'Globex (demo)'),
  slackTenant('xoxp-demo-initech', 'Initech (demo)'),
  {
    name: 'Contoso M365 (demo)',
    put: (sim) => call(sim, 'PUT', `/_sim/microsoft365/tenants/${M365_TENANT}`, compliantM365Tenant(M365_TENANT)),
    connection: (sim) => ({
      provider: 'microsoft365',
      credentials: { tenantId: M365_TENANT, clientId: COMPLIANT_M365_IDS.clientId, clientSecret: COMPLIANT_M365_IDS.clientSecret },
      endpoints: { graph: `${sim}/microsoft365/graph`, login: `${sim}/microsoft365/login` },
      parameters: { allowedDomains: [COMPLIANT_M365_IDS.allowedDomain], allowedRegions: ['EU'] },
    }),
  },
  {
    name: 'Fabrikam Workspace (demo)',
    put: (sim) => call(sim, 'PUT', `/_sim/google/tenants/${GOOGLE_CUSTOMER}`, compliantGoogleTenant(GOOGLE_CUSTOMER)),
    connection: (sim) => ({
      provider: 'google-workspace',
      credentials: { serviceAccountKey: googleServiceAccountKey({ url: sim }, GOOGLE_CUSTOMER), adminEmail: 'admin@acme.example', customerId: GOOGLE_CUSTOMER },
      endpoints: { admin: `${sim}/google`, cloudidentity: `${sim}/google/cloudidentity`, token: `${sim}/google/token` },
      parameters: { allowedRegions: ['EUROPE'] },
    }),
  },
];

const SLACK_TOKENS = ['xoxp-demo-acme', 'xoxp-demo-globex', 'xoxp-demo-initech'];

/** Each step flips one thing in one tenant and later puts it right. */
const DRIFTS: { describe: string; apply: (sim: string, on: boolean) => Promise<void> }[] = [
  ...SLACK_TOKENS.map((token) => ({
    describe: `${token}: workspace discoverability`,
    apply: (sim: string, on: boolean) =>
      call(sim, 'PATCH', `/_sim/slack/tenants/${token}/teams/${COMPLIANT_SLACK_IDS.teamIds[1]}`, { discoverability: on ? 'open' : 'invite_only' }),
  })),
  {
    describe: 'Contoso: SharePoint external sharing',
    apply: (sim, on) =>
      call(sim, 'PATCH', `/_sim/microsoft365/tenants/${M365_TENANT}/sharepoint-settings`, {
        sharingCapability: on ? 'externalUserAndGuestSharing' : 'existingExternalUserSharingOnly',
      }),
  },
  ...SLACK_TOKENS.map((token) => ({
    describe: `${token}: an app reading message history`,
    apply: (sim: string, on: boolean) =>
      on
        ? call(sim, 'POST', `/_sim/slack/tenants/${token}/apps`, { id: 'A0DEMOEXP1', name: 'History Exporter', scopes: ['channels:history', 'files:read'] })
        : call(sim, 'DELETE', `/_sim/slack/tenants/${token}/apps/A0DEMOEXP1`),
  })),
  {
    describe: 'Fabrikam: data at rest region',
    apply: (sim, on) => call(sim, 'PATCH', `/_sim/google/tenants/${GOOGLE_CUSTOMER}/data-region`, { region: on ? 'ANY_REGION' : 'EUROPE' }),
  },
];

async function call(base: string, method: string, path: string, body?: unknown): Promise<void> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${await res.text()}`);
}

async function main(): Promise<void> {
  const sim = await startProviderSim({ port: SIM_PORT });
  for (const t of TENANTS) await t.put(sim.url);

  const adminKey = process.env.TOLLGATE_BOOTSTRAP_ADMIN_KEY ?? `demo-${randomBytes(18).toString('base64url')}`;
  const people = await startDemoSignIn(`http://127.0.0.1:${PORT}`);
  const config = loadConfig({
    ...process.env,
    ...people.env,
    PORT: String(PORT),
    HOST: '127.0.0.1',
    TOLLGATE_BOOTSTRAP_ADMIN_KEY: adminKey,
    // The simulator speaks http on loopback: list it, and nothing else, besides the official hosts.
    TOLLGATE_ALLOWED_ENDPOINT_HOSTS: `127.0.0.1:${SIM_PORT}`,
    TOLLGATE_MIN_POLL_INTERVAL_SECONDS: '5',
    TOLLGATE_LOG_LEVEL: process.env.TOLLGATE_LOG_LEVEL ?? 'warn',
  });
  await startTollgateApp(config);
  const api = `http://127.0.0.1:${PORT}`;

  const existing = (await (await fetch(`${api}/api/v1/connections`, { headers: { authorization: `Bearer ${adminKey}` } })).json()) as {
    items: { name: string }[];
  };
  for (const t of TENANTS) {
    if (existing.items.some((c) => c.name === t.name)) continue;
    const res = await fetch(`${api}/api/v1/connections`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: t.name, pollIntervalSeconds: 15, ...t.connection(sim.url) }),
    });
    if (!res.ok) throw new Error(`creating ${t.name}: HTTP ${res.status} ${await res.text()}`);
  }

  console.log(`
Tollgate demo is running (embedded database under ${config.TOLLGATE_DATA_DIR}).

${people.banner}
  API        ${api}/api/v1      (Authorization: Bearer ${adminKey})
  try        curl -s -H 'Authorization: Bearer ${adminKey}' '${api}/api/v1/drifts?status=open'
             curl -s -H 'Authorization: Bearer ${adminKey}' ${api}/api/v1/connections
  docs       ${api}/docs      (OpenAPI; JSON at ${api}/docs-json)
  metrics    ${api}/metrics
  health     ${api}/healthz   ${api}/readyz
  simulator  ${sim.url}  (three Slack tenants, one Microsoft 365, one Google Workspace; polled every 15 s)
  prometheus see README, "Watching the demo with Prometheus"

A tenant drifts about every ${DRIFT_EVERY_MS / 1000} s (and is put right again later). Ctrl-C stops.
`);

  const flipped = new Map<string, boolean>();
  let step = 0;
  const timer = setInterval(() => {
    const drift = DRIFTS[step % DRIFTS.length];
    const on = !flipped.get(drift.describe);
    step++;
    drift
      .apply(sim.url, on)
      .then(() => {
        flipped.set(drift.describe, on);
        console.log(`${new Date().toISOString()}  ${on ? 'drifted' : 'put right'}: ${drift.describe}`);
      })
      .catch((err: Error) => console.error(`simulated change failed: ${err.message}`));
  }, DRIFT_EVERY_MS);

  // Nest's shutdown hooks close Tollgate on Ctrl-C / SIGTERM; the simulator ends with the process.
  timer.unref();
}

main().catch((err: Error) => {
  console.error(`demo failed: ${err.message}`);
  process.exit(1);
});
