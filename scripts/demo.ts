// `npm run demo`: Tollgate on the embedded database, watching simulated Slack, Microsoft 365 and
// Google Workspace tenants whose settings drift every minute or so. Everything stays on this
// machine (loopback only). `npm run demo -- --reset` starts over with an empty data dir.
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { INestApplication, LoggerService } from '@nestjs/common';
import { loadConfig } from '@tollgate/config';
import {
  compliantGoogleTenant,
  compliantM365Tenant,
  compliantSlackTenant,
  COMPLIANT_M365_IDS,
  COMPLIANT_SLACK_IDS,
  googleServiceAccountKey,
  startProviderSim,
  type ProviderSim,
} from '@tollgate/provider-sim';
import { startTollgateApp } from '../apps/tollgate/src/bootstrap';
import { startDemoSignIn } from './demo-oidc';

const DEMO_POLL_SECONDS = 15;
/** Kept beside the embedded database so that the key a reader copied keeps working across restarts. */
const ADMIN_KEY_FILE = 'demo-admin-key';
/** What an embedded Tollgate data dir holds; --reset deletes only a directory that has one of them. */
const DATA_DIR_MARKERS = ['pgdata', 'encryption.key', ADMIN_KEY_FILE, 'tollgate.pid'];

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
/** A simulated workspace that the demo leaves unconnected, for the walkthrough to connect. */
const SPARE_SLACK_TOKEN = 'xoxp-demo-umbrella';

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

export interface DemoOptions {
  /** Tollgate's port (0: any free one). */
  port: number;
  /** The simulator's port (0: any free one). */
  simPort: number;
  /** Environment the configuration is read from (TOLLGATE_DATA_DIR, TOLLGATE_LOG_LEVEL, ...). */
  env: NodeJS.ProcessEnv;
  /** Delete the data dir first. */
  reset?: boolean;
  logger?: LoggerService;
  /** Also start the demo identity provider (sign-in for people) on this port; its redirect needs Tollgate's fixed port. */
  idpPort?: number;
}

export interface RunningDemo {
  api: string;
  adminKey: string;
  dataDir: string;
  sim: ProviderSim;
  app: INestApplication;
  /** The demo connections, as reconciled at this start. */
  connections: { id: string; name: string }[];
  /** The demo identity provider's part of the banner, when it runs. */
  peopleBanner?: string;
  close(): Promise<void>;
}

/**
 * Starts the services the demo needs, one after the other (the simulator, then Tollgate; a further
 * local service goes in the same sequence), then reconciles the demo connections: created when
 * missing, otherwise given this run's endpoints and credentials. The simulator's port and its
 * Google signing key may differ from the last run, and stored credentials are sealed with their
 * endpoints, so both travel together in one PATCH.
 */
export async function startDemo(options: DemoOptions): Promise<RunningDemo> {
  const dataDir = resolve(options.env.TOLLGATE_DATA_DIR ?? './.tollgate');
  if (options.reset) resetDataDir(dataDir);
  const adminKey = options.env.TOLLGATE_BOOTSTRAP_ADMIN_KEY ?? stableAdminKey(dataDir);

  const sim = await startProviderSim({ port: options.simPort });
  const simPort = new URL(sim.url).port;
  try {
    for (const t of TENANTS) await t.put(sim.url);
    await call(sim.url, 'PUT', `/_sim/slack/tenants/${SPARE_SLACK_TOKEN}`, compliantSlackTenant(SPARE_SLACK_TOKEN));
    const people = options.idpPort === undefined ? undefined : await startDemoSignIn(`http://127.0.0.1:${options.port}`, options.idpPort);
    const config = loadConfig({
      ...options.env,
      ...people?.env,
      TOLLGATE_DATA_DIR: dataDir,
      PORT: String(options.port),
      HOST: '127.0.0.1',
      TOLLGATE_BOOTSTRAP_ADMIN_KEY: adminKey,
      // The simulator speaks http on loopback: list it, and nothing else, besides the official hosts.
      TOLLGATE_ALLOWED_ENDPOINT_HOSTS: `127.0.0.1:${simPort}`,
      TOLLGATE_MIN_POLL_INTERVAL_SECONDS: '5',
      TOLLGATE_LOG_LEVEL: options.env.TOLLGATE_LOG_LEVEL ?? 'info',
    });
    const app = await startTollgateApp(config, options.logger, options.port);
    const api = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    try {
      const connections = await reconcileConnections(api, adminKey, sim.url);
      const close = async () => {
        await app.close();
        await people?.idp.close();
        await sim.close();
      };
      return { api, adminKey, dataDir, sim, app, connections, peopleBanner: people?.banner, close };
    } catch (err) {
      await app.close();
      throw err;
    }
  } catch (err) {
    await sim.close();
    throw err;
  }
}

async function reconcileConnections(api: string, adminKey: string, sim: string): Promise<{ id: string; name: string }[]> {
  const headers = { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' };
  const listed = await fetch(`${api}/api/v1/connections?limit=100`, { headers });
  if (!listed.ok) throw new Error(`listing connections: HTTP ${listed.status} ${await listed.text()}`);
  const existing = ((await listed.json()) as { items: { id: string; name: string }[] }).items;
  const out: { id: string; name: string }[] = [];
  for (const t of TENANTS) {
    const { provider: _provider, parameters: _parameters, declaredResidency: _residency, ...current } = t.connection(sim);
    const found = existing.find((c) => c.name === t.name);
    const res = found
      ? // Only where and how to connect: parameters are the reader's to change (and loosening them needs an approver).
        await fetch(`${api}/api/v1/connections/${found.id}`, { method: 'PATCH', headers, body: JSON.stringify(current) })
      : await fetch(`${api}/api/v1/connections`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ name: t.name, pollIntervalSeconds: DEMO_POLL_SECONDS, ...t.connection(sim) }),
        });
    if (!res.ok) throw new Error(`${found ? 'updating' : 'creating'} ${t.name}: HTTP ${res.status} ${await res.text()}`);
    const id = found?.id ?? ((await res.json()) as { id: string }).id;
    // Polled now rather than at the next interval, so the first look shows this run's state.
    const polled = await fetch(`${api}/api/v1/connections/${id}/poll`, { method: 'POST', headers });
    if (!polled.ok) throw new Error(`polling ${t.name}: HTTP ${polled.status} ${await polled.text()}`);
    out.push({ id, name: t.name });
  }
  return out;
}

function stableAdminKey(dataDir: string): string {
  const file = join(dataDir, ADMIN_KEY_FILE);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const key = `demo-${randomBytes(18).toString('base64url')}`;
  writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return key;
}

/**
 * Deletes the data dir, but only one that is plainly a Tollgate data dir: never the filesystem
 * root, the home directory, the working directory or one of its parents, nor a non-empty directory
 * without any of the files Tollgate keeps there, nor one a running Tollgate holds.
 */
export function resetDataDir(dataDir: string): void {
  const dir = resolve(dataDir);
  const cwd = process.cwd();
  if (dir === dirname(dir) || dir === homedir() || cwd === dir || cwd.startsWith(`${dir}/`)) {
    throw new Error(`--reset refuses to delete ${dir}: set TOLLGATE_DATA_DIR to the demo's own directory`);
  }
  if (!existsSync(dir)) return;
  const entries = readdirSync(dir);
  if (entries.length > 0 && !entries.some((e) => DATA_DIR_MARKERS.includes(e))) {
    throw new Error(`--reset refuses to delete ${dir}: it does not look like a Tollgate data dir (none of ${DATA_DIR_MARKERS.join(', ')})`);
  }
  const lock = join(dir, 'tollgate.pid');
  if (existsSync(lock)) {
    const holder = Number(readFileSync(lock, 'utf8'));
    if (holder && holder !== process.pid && isAlive(holder)) throw new Error(`--reset refuses to delete ${dir}: Tollgate process ${holder} is using it`);
  }
  rmSync(dir, { recursive: true, force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function banner(demo: RunningDemo, driftSeconds: number): string {
  const { api, adminKey, dataDir, sim } = demo;
  const auth = `-H "Authorization: Bearer $TOLLGATE_ADMIN_KEY"`;
  const json = `-H 'content-type: application/json'`;
  return `
Tollgate demo is running.

  admin key  ${adminKey}
             an ADMIN key (every role, every connection): keep it to yourself. It is kept in
             ${join(dataDir, ADMIN_KEY_FILE)} and stays the same across restarts.
  state      ${dataDir} (embedded database, encryption key, admin key)
             start over with: npm run demo -- --reset
  API        ${api}/api/v1        docs ${api}/docs (OpenAPI JSON at ${api}/docs-json)
  metrics    ${api}/metrics       health ${api}/healthz  ${api}/readyz
  simulator  ${sim.url}   control API under ${sim.url}/_sim (README, "The provider simulator")
  tenants    ${TENANTS.map((t) => t.name).join(', ')}; polled every ${DEMO_POLL_SECONDS} s
${demo.peopleBanner ?? ''}

A tenant drifts about every ${driftSeconds} s (and is put right again later). Ctrl-C stops.

Try it: a walk through the roles (copy and paste into another terminal; replace <...> with ids from the answers)

  export TOLLGATE_ADMIN_KEY='${adminKey}' TG=${api}/api/v1 SIM=${sim.url}

  # 1. A key per person: Alice approves, Bob operates (each key is shown once, as "key")
  curl -s ${auth} ${json} -X POST $TG/api-keys -d '{"name":"alice","principal":"alice@example.com","role":"approver"}'
  curl -s ${auth} ${json} -X POST $TG/api-keys -d '{"name":"bob","principal":"bob@example.com","role":"operator"}'
  export ALICE='<alice key>' BOB='<bob key>'

  # 2. Bob connects one more tenant: the simulator's Slack workspace "${SPARE_SLACK_TOKEN}"
  curl -s -H "Authorization: Bearer $BOB" ${json} -X POST $TG/connections -d '{"provider":"slack","name":"Umbrella (demo)","pollIntervalSeconds":15,"credentials":{"token":"${SPARE_SLACK_TOKEN}"},"endpoints":{"api":"'$SIM'/slack/api"}}'
  export CONN='<its id>'

  # 3. Make a drift through the simulator's control API, poll now, and see it open
  curl -s ${json} -X PATCH $SIM/_sim/slack/tenants/${SPARE_SLACK_TOKEN}/teams/${COMPLIANT_SLACK_IDS.teamIds[1]} -d '{"discoverability":"open"}'
  curl -s -H "Authorization: Bearer $BOB" -X POST $TG/connections/$CONN/poll
  curl -s -H "Authorization: Bearer $BOB" "$TG/drifts?status=open&connectionId=$CONN"

  # 4. Bob requests an exception for that control; Alice (another person) approves it
  curl -s -H "Authorization: Bearer $BOB" ${json} -X POST $TG/exceptions -d '{"connectionId":"'$CONN'","controlId":"SLACK.SHARING.1","justification":"open to the whole grid for the offsite","expiresAt":"'$(node -p 'new Date(Date.now()+30*864e5).toISOString()')'"}'
  curl -s -H "Authorization: Bearer $ALICE" ${json} -X POST $TG/exceptions/<exception id>/approve -d '{"reason":"agreed until the offsite ends"}'

  # 5. What an auditor pulls: the drift report, the posture, and the evidence ledger verified
  curl -s ${auth} "$TG/reports/drift?format=csv"
  curl -s ${auth} $TG/reports/posture
  curl -s ${auth} $TG/evidence/verify
`;
}

function startDrifting(sim: string, everyMs: number): NodeJS.Timeout {
  const flipped = new Map<string, boolean>();
  let step = 0;
  const timer = setInterval(() => {
    const drift = DRIFTS[step % DRIFTS.length];
    const on = !flipped.get(drift.describe);
    step++;
    drift
      .apply(sim, on)
      .then(() => {
        flipped.set(drift.describe, on);
        console.log(`${new Date().toISOString()}  ${on ? 'drifted' : 'put right'}: ${drift.describe}`);
      })
      .catch((err: Error) => console.error(`simulated change failed: ${err.message}`));
  }, everyMs);
  // Nest's shutdown hooks close Tollgate on Ctrl-C / SIGTERM; the simulator ends with the process.
  timer.unref();
  return timer;
}

async function main(): Promise<void> {
  const driftSeconds = Number(process.env.TOLLGATE_DEMO_DRIFT_SECONDS ?? 60);
  const demo = await startDemo({
    port: Number(process.env.PORT ?? 8080),
    simPort: Number(process.env.TOLLGATE_DEMO_SIM_PORT ?? 9090),
    env: process.env,
    reset: process.argv.includes('--reset'),
    idpPort: Number(process.env.TOLLGATE_DEMO_IDP_PORT ?? 9092),
  });
  console.log(banner(demo, driftSeconds));
  startDrifting(demo.sim.url, driftSeconds * 1000);
}

if (require.main === module) {
  main().catch((err: Error) => {
    console.error(`demo failed: ${err.message}`);
    process.exit(1);
  });
}
