// `npm run demo`: Tollgate on the embedded database, watching three simulated Slack tenants whose
// settings drift every minute or so. Everything stays on this machine (loopback only).
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '@tollgate/config';
import { compliantSlackTenant, COMPLIANT_SLACK_IDS, startProviderSim } from '@tollgate/provider-sim';
import { startTollgateApp } from '../apps/tollgate/src/bootstrap';

const PORT = Number(process.env.PORT ?? 8080);
const SIM_PORT = Number(process.env.TOLLGATE_DEMO_SIM_PORT ?? 9090);
const DRIFT_EVERY_MS = Number(process.env.TOLLGATE_DEMO_DRIFT_SECONDS ?? 60) * 1000;

const TENANTS = [
  { token: 'xoxp-demo-acme', name: 'Acme (demo)' },
  { token: 'xoxp-demo-globex', name: 'Globex (demo)' },
  { token: 'xoxp-demo-initech', name: 'Initech (demo)' },
];

/** Each step flips one thing in one tenant: a workspace opened or closed, a risky app added or removed. */
const DRIFTS: { describe: string; apply: (sim: string, token: string, on: boolean) => Promise<void> }[] = [
  {
    describe: 'workspace discoverability',
    apply: (sim, token, on) =>
      call(sim, 'PATCH', `/_sim/slack/tenants/${token}/teams/${COMPLIANT_SLACK_IDS.teamIds[1]}`, {
        discoverability: on ? 'open' : 'invite_only',
      }),
  },
  {
    describe: 'an app reading message history',
    apply: (sim, token, on) =>
      on
        ? call(sim, 'POST', `/_sim/slack/tenants/${token}/apps`, { id: 'A0DEMOEXP1', name: 'History Exporter', scopes: ['channels:history', 'files:read'] })
        : call(sim, 'DELETE', `/_sim/slack/tenants/${token}/apps/A0DEMOEXP1`),
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
  for (const t of TENANTS) await call(sim.url, 'PUT', `/_sim/slack/tenants/${t.token}`, compliantSlackTenant(t.token));

  const adminKey = process.env.TOLLGATE_BOOTSTRAP_ADMIN_KEY ?? `demo-${randomBytes(18).toString('base64url')}`;
  const config = loadConfig({
    ...process.env,
    PORT: String(PORT),
    HOST: '127.0.0.1',
    TOLLGATE_BOOTSTRAP_ADMIN_KEY: adminKey,
    TOLLGATE_ALLOW_CUSTOM_ENDPOINTS: 'true',
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
      body: JSON.stringify({
        provider: 'slack',
        name: t.name,
        pollIntervalSeconds: 15,
        credentials: { token: t.token },
        endpoints: { api: `${sim.url}/slack/api` },
        declaredResidency: 'EU',
        parameters: { allowedExternalOrgs: [COMPLIANT_SLACK_IDS.partnerOrgId], allowedRegions: ['EU'] },
      }),
    });
    if (!res.ok) throw new Error(`creating ${t.name}: HTTP ${res.status} ${await res.text()}`);
  }

  console.log(`
Tollgate demo is running (embedded database under ${config.TOLLGATE_DATA_DIR}).

  API        ${api}/api/v1      (Authorization: Bearer ${adminKey})
  try        curl -s -H 'Authorization: Bearer ${adminKey}' '${api}/api/v1/drifts?status=open'
             curl -s -H 'Authorization: Bearer ${adminKey}' ${api}/api/v1/connections
  docs       ${api}/docs      (OpenAPI; JSON at ${api}/docs-json)
  metrics    ${api}/metrics
  health     ${api}/healthz   ${api}/readyz
  simulator  ${sim.url}  (three Slack tenants, polled every 15 s)
  prometheus see README, "Watching the demo with Prometheus"

A tenant drifts about every ${DRIFT_EVERY_MS / 1000} s (and is put right again later). Ctrl-C stops.
`);

  const flipped = new Map<string, boolean>();
  let step = 0;
  const timer = setInterval(() => {
    const tenant = TENANTS[step % TENANTS.length];
    const drift = DRIFTS[Math.floor(step / TENANTS.length) % DRIFTS.length];
    const key = `${tenant.token}:${drift.describe}`;
    const on = !flipped.get(key);
    step++;
    drift
      .apply(sim.url, tenant.token, on)
      .then(() => {
        flipped.set(key, on);
        console.log(`${new Date().toISOString()}  ${tenant.name}: ${on ? 'drifted' : 'put right'} (${drift.describe})`);
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
