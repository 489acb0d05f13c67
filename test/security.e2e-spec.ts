import { execFileSync } from 'node:child_process';
import { createCipheriv, randomBytes } from 'node:crypto';
import type { LookupAddress } from 'node:dns';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { compliantGoogleTenant, compliantM365Tenant, googleServiceAccountKey } from '@tollgate/provider-sim';
import { CredentialCipher } from '../apps/tollgate/src/connections/credential-cipher';
import { rewrapCredentials } from '../scripts/credentials-rewrap';
import { loadConfig } from '@tollgate/config';
import { openDatabase } from '@tollgate/database';
import { createTestDatabase, type TestDatabase } from './support/database';
import { parseExposition, sampleValue } from './support/metrics-queries';
import { googleConnection, m365Connection, putCompliantSlackTenant, slackConnection, startSimulator } from './support/simulator';
import { eventually, pollNow, startTollgate, type RunningTollgate } from './support/tollgate';

type Sim = Awaited<ReturnType<typeof startSimulator>>;

/** Distinctive secrets, so a scan for them cannot match anything by accident. */
const SLACK_TOKEN = 'xoxp-canary-slack-7c1e5a9f3b2d';
const M365_TENANT = '7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const M365_SECRET = 'canary~m365.client-secret_4f8e2a6c0b';
const GOOGLE_CUSTOMER = 'C0canary1';

async function connectAllThree(t: RunningTollgate, sim: Sim, suffix = ''): Promise<{ slack: string; m365: string; google: string }> {
  await putCompliantSlackTenant(sim, SLACK_TOKEN);
  await sim.control().put(`/_sim/microsoft365/tenants/${M365_TENANT}`).send({ ...compliantM365Tenant(M365_TENANT), clientSecret: M365_SECRET }).expect(200);
  await sim.control().put(`/_sim/google/tenants/${GOOGLE_CUSTOMER}`).send(compliantGoogleTenant(GOOGLE_CUSTOMER)).expect(200);
  const m365 = m365Connection(sim, M365_TENANT, `m365${suffix}`);
  const create = async (body: object) => (await t.api().post('/connections').send(body).expect(201)).body.id as string;
  return {
    slack: await create(slackConnection(sim, SLACK_TOKEN, `slack${suffix}`)),
    m365: await create({ ...m365, credentials: { ...m365.credentials, clientSecret: M365_SECRET } }),
    google: await create(googleConnection(sim, GOOGLE_CUSTOMER, `google${suffix}`)),
  };
}

/** The configuration an e2e Tollgate runs with, for scripts that run beside it (the re-wrap). */
const e2eEnv = (db: TestDatabase, key: string, previous?: string) => ({
  ...db.env,
  TOLLGATE_ENCRYPTION_KEY: key,
  TOLLGATE_ALLOWED_ENDPOINT_HOSTS: '127.0.0.1',
  ...(previous ? { TOLLGATE_PREVIOUS_ENCRYPTION_KEYS: previous } : {}),
});

/** Every spelling the issue saw accepted, and more, of loopback, metadata, private and special addresses. */
const SPECIAL_SPELLINGS = [
  'http://169.254.169.254/latest/meta-data',
  'https://169.254.169.254/latest/meta-data',
  'https://2852039166/latest/meta-data',
  'https://[::ffff:169.254.169.254]/x',
  'https://[fd00:ec2::254]/x',
  'https://metadata.google.internal/computeMetadata/v1',
  'https://127.0.0.1/x',
  'https://127.0.0.1./x',
  'https://127.1/x',
  'https://2130706433/x',
  'https://017700000001/x',
  'https://0x7f000001/x',
  'https://0x7f.0.0.1/x',
  'https://0177.0.0.1/x',
  'https://[::1]/x',
  'https://[::ffff:127.0.0.1]/x',
  'https://[::ffff:7f00:1]/x',
  'https://[::127.0.0.1]/x',
  'https://[fe80::1]/x',
  'https://10.0.0.1/x',
  'https://172.16.0.1/x',
  'https://192.168.0.1/x',
  'https://100.64.0.1/x',
  'https://0.0.0.0/x',
  'https://[::]/x',
  'https://224.0.0.1/x',
  'https://localhost/x',
  'https://LOCALHOST./x',
  'https://slack.com.localhost/x',
];

const expectCleanPoll = async (t: RunningTollgate, id: string) =>
  expect(await pollNow(t, id)).toMatchObject({ status: { consecutiveFailures: 0, lastFailure: null } });

describe('security', () => {
  let sim: Sim;

  beforeAll(async () => {
    sim = await startSimulator();
  });

  afterAll(async () => {
    await sim?.close();
  });

  describe('SSRF: every endpoint of every provider, without TOLLGATE_ALLOWED_ENDPOINT_HOSTS', () => {
    let db: TestDatabase;
    let strict: RunningTollgate;

    beforeAll(async () => {
      db = await createTestDatabase();
      // API only: the connections made here point at the real providers and must never be polled.
      strict = await startTollgate({ ...db.env, TOLLGATE_ALLOWED_ENDPOINT_HOSTS: '', TOLLGATE_ROLE: 'api' });
    });

    afterAll(async () => {
      await strict?.close();
      await db?.drop();
    });

    /** Hostile spellings of where an endpoint could point, given the official host it imitates. */
    const hostile = (official: string) => [
      `http://${official}/x`,
      ...SPECIAL_SPELLINGS,
      `https://${official}.evil.example/x`,
      `https://${official.toUpperCase()}.EVIL.EXAMPLE./x`,
      `https://evil-${official}/x`,
      `https://${official}@evil.example/x`,
      `https://user:pass@${official}/x`,
      `https://evil.example#@${official}/x`,
      `https://evil.example?@${official}/x`,
      `https://${official}:8443/x`,
      // Cyrillic о, а and і in place of the Latin letters: a different host once punycoded.
      ...[['o', '\u043e'], ['a', '\u0430'], ['i', '\u0456']].filter(([latin]) => official.includes(latin)).map(([latin, cyrillic]) => `https://${official.replace(latin, cyrillic)}/x`),
      'file:///etc/passwd',
      'gopher://127.0.0.1:6379/_FLUSHALL',
    ];

    const endpoints: [string, string, string, (name: string) => Record<string, unknown>][] = [
      ['slack', 'api', 'slack.com', (n) => slackConnection(sim, 'xoxp-ssrf', n)],
      ['microsoft365', 'graph', 'graph.microsoft.com', (n) => m365Connection(sim, M365_TENANT, n)],
      ['microsoft365', 'login', 'login.microsoftonline.com', (n) => m365Connection(sim, M365_TENANT, n)],
      ['google-workspace', 'admin', 'admin.googleapis.com', (n) => googleConnection(sim, GOOGLE_CUSTOMER, n)],
      ['google-workspace', 'cloudidentity', 'cloudidentity.googleapis.com', (n) => googleConnection(sim, GOOGLE_CUSTOMER, n)],
      ['google-workspace', 'token', 'oauth2.googleapis.com', (n) => googleConnection(sim, GOOGLE_CUSTOMER, n)],
    ];

    it.each(endpoints)('%s endpoint %s (official host %s) refuses every hostile URL, on create and on update', async (_, key, official, body) => {
      // The other endpoints are left at their official defaults, so the one under test is what is refused.
      const base = { ...body(`ssrf ${key}`), endpoints: {} };
      const accepted = (await strict.api().post('/connections').send(base).expect(201)).body.id as string;
      const refusedLike = (res: request.Response) => {
        expect(res.status).toBe(400);
        expect(([] as string[]).concat(res.body.message).join('\n')).toMatch(new RegExp(`endpoints: endpoint "${key}" rejected: `));
      };
      for (const url of hostile(official)) {
        refusedLike(await strict.api().post('/connections').send({ ...base, name: `ssrf ${key} ${url}`, endpoints: { [key]: url } }));
        refusedLike(await strict.api().patch(`/connections/${accepted}`).send({ endpoints: { [key]: url } }));
      }
      const stored = (await strict.api().get(`/connections/${accepted}`).expect(200)).body;
      expect(stored.endpoints[key]).toMatch(new RegExp(`^https://${official.replace(/\./g, '\\.')}(/|$)`));
      expect((await strict.api().get('/connections').expect(200)).body.items.filter((c: { name: string }) => c.name.startsWith(`ssrf ${key}`))).toHaveLength(1);
      await strict.api().delete(`/connections/${accepted}`).expect(204);
    });
  });

  describe('SSRF: TOLLGATE_ALLOWED_ENDPOINT_HOSTS, and every name checked as the request connects', () => {
    let db: TestDatabase;
    let t: RunningTollgate;
    let simPort: string;
    const lookups: string[] = [];
    /**
     * Name resolution as a hostile or rebinding DNS server would answer it, injected into the app's
     * provider requests: the official hosts resolve to loopback, metadata and private addresses.
     * Nothing here asks a real DNS server.
     */
    const answers: Record<string, string[]> = {
      'slack.com': ['127.0.0.1'],
      'login.microsoftonline.com': ['93.184.216.34', '169.254.169.254'],
      'oauth2.googleapis.com': ['fd00:ec2::254'],
      'sim.test': ['127.0.0.1'],
    };
    const resolve = async (hostname: string): Promise<LookupAddress[]> => {
      lookups.push(hostname);
      const found = answers[hostname];
      if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
      return found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    };

    beforeAll(async () => {
      simPort = new URL(sim.url).port;
      db = await createTestDatabase();
      t = await startTollgate({ ...db.env, TOLLGATE_ALLOWED_ENDPOINT_HOSTS: `127.0.0.1:${simPort},sim.test:${simPort}` }, { resolve });
    });

    afterAll(async () => {
      await t?.close();
      await db?.drop();
    });

    it('a listed host or name is reached over http; every spelling of a special address, and unlisted ports, are refused', async () => {
      await putCompliantSlackTenant(sim, SLACK_TOKEN);
      const listed = slackConnection(sim, SLACK_TOKEN, 'listed name', { endpoints: { api: `http://sim.test:${simPort}/slack/api` } });
      const id = (await t.api().post('/connections').send(listed).expect(201)).body.id as string;
      await expectCleanPoll(t, id);
      // The listed name was resolved through the guard: no DNS knows sim.test.
      expect(lookups).toContain('sim.test');

      const refused = [
        ...SPECIAL_SPELLINGS,
        `http://localhost:${simPort}/slack/api`,
        `http://sim.localhost:${simPort}/slack/api`,
        `http://[::1]:${simPort}/slack/api`,
        `http://[::ffff:127.0.0.1]:${simPort}/slack/api`,
        `http://127.0.0.2:${simPort}/slack/api`,
        `http://127.0.0.1:${Number(simPort) === 65535 ? 65534 : Number(simPort) + 1}/slack/api`,
        `http://sim.test:${Number(simPort) === 65535 ? 65534 : Number(simPort) + 1}/slack/api`,
      ];
      for (const api of refused) {
        const created = await t.api().post('/connections').send({ ...listed, name: `refused ${api}`, endpoints: { api } });
        expect({ api, status: created.status }).toEqual({ api, status: 400 });
        expect(JSON.stringify(created.body.message)).toMatch(/endpoints: endpoint \\"api\\" rejected: /);
        const patched = await t.api().patch(`/connections/${id}`).send({ endpoints: { api }, credentials: { token: SLACK_TOKEN } });
        expect({ api, status: patched.status }).toEqual({ api, status: 400 });
      }
      expect((await t.api().get(`/connections/${id}`).expect(200)).body.endpoints.api).toBe(`http://sim.test:${simPort}/slack/api`);
    });

    it.each([
      ['slack', 'slack.com', /refused to connect to slack\.com at 127\.0\.0\.1: it resolves to a loopback address/, () => slackConnection(sim, SLACK_TOKEN, 'resolves to loopback', { endpoints: {} })],
      [
        'microsoft365',
        'login.microsoftonline.com',
        /refused to connect to login\.microsoftonline\.com at 169\.254\.169\.254: it resolves to a link-local address/,
        () => m365Connection(sim, M365_TENANT, 'resolves to metadata', { endpoints: {} }),
      ],
      ['google-workspace', 'oauth2.googleapis.com', /refused to connect to oauth2\.googleapis\.com at fd00:ec2::254: it resolves to a unique-local/, () => googleConnection(sim, GOOGLE_CUSTOMER, 'resolves to metadata v6', { endpoints: {} })],
    ])('%s: an official host resolving to a refused address fails the poll as network at connect time, logged and counted', async (provider, host, why, body) => {
      const networkFailures = async () =>
        sampleValue(parseExposition((await request(t.url).get('/metrics').expect(200)).text).samples, 'tollgate_poll_failures_total', { provider, reason: 'network' }) ?? 0;
      const before = await networkFailures();
      const id = (await t.api().post('/connections').send(body()).expect(201)).body.id as string;
      // A new connection is due at once; its first poll fails and backs off, so exactly one poll runs.
      const polled = await eventually(`the first poll of ${provider}`, async () => {
        const res = await t.api().get(`/connections/${id}`).expect(200);
        return res.body.status.lastPollAt && !res.body.status.polling ? (res.body as { status: unknown }) : undefined;
      });
      expect(polled.status).toMatchObject({ lastSuccessAt: null, consecutiveFailures: 1, lastFailure: { reason: 'network', message: expect.stringMatching(why) } });
      expect(lookups).toContain(host);
      expect(await networkFailures()).toBe(before + 1);
      const logged = t.logs.filter((l) => l.includes('"level":"warn"') && l.includes('poll failed') && l.includes(id));
      expect(logged).toHaveLength(1);
      expect(logged[0]).toMatch(why);
      for (const secret of [SLACK_TOKEN, M365_SECRET]) expect(t.logs.join('\n')).not.toContain(secret);
    });
  });

  describe('credentials sealed with their endpoints', () => {
    let db: TestDatabase;
    let t: RunningTollgate;
    let ds: DataSource;
    let other: Sim;
    const TOKEN = 'xoxp-canary-sealed-4b9d0e';
    const requestsTo = async (s: Sim) => (await s.control().get(`/_sim/slack/tenants/${TOKEN}/requests`).expect(200)).body.total as number;

    beforeAll(async () => {
      other = await startSimulator();
      await putCompliantSlackTenant(sim, TOKEN);
      await putCompliantSlackTenant(other, TOKEN);
      db = await createTestDatabase();
      t = await startTollgate(db.env);
      ds = t.app.get(DataSource);
    });

    afterAll(async () => {
      await t?.close();
      await db?.drop();
      await other?.close();
    });

    it('changing an endpoint without the credentials is refused; with them the credentials are sealed again', async () => {
      const id = (await t.api().post('/connections').send(slackConnection(sim, TOKEN, 'sealed')).expect(201)).body.id as string;
      await expectCleanPoll(t, id);
      const sealedBefore = (await ds.query(`SELECT credentials_ciphertext FROM connections WHERE id = $1`, [id]))[0].credentials_ciphertext as string;

      for (const endpoints of [{ api: `${other.url}/slack/api` }, {}]) {
        const res = await t.api().patch(`/connections/${id}`).send({ endpoints }).expect(400);
        expect(res.body.message).toEqual([
          'credentials: changing endpoints requires the credentials again in the same request (stored credentials are sealed with the endpoints they were given for)',
        ]);
      }
      expect((await t.api().get(`/connections/${id}`).expect(200)).body.endpoints).toEqual({ api: `${sim.url}/slack/api` });
      // The same endpoints in another spelling, or other fields, need no credentials.
      await t.api().patch(`/connections/${id}`).send({ endpoints: { api: `${sim.url}/slack/api/` }, pollIntervalSeconds: 1800 }).expect(200);
      await expectCleanPoll(t, id);

      const otherBefore = await requestsTo(other);
      const moved = await t.api().patch(`/connections/${id}`).send({ endpoints: { api: `${other.url}/slack/api` }, credentials: { token: TOKEN } }).expect(200);
      expect(moved.body.endpoints).toEqual({ api: `${other.url}/slack/api` });
      const sealedAfter = (await ds.query(`SELECT credentials_ciphertext FROM connections WHERE id = $1`, [id]))[0].credentials_ciphertext as string;
      expect(sealedAfter).toMatch(/^v2\./);
      expect(sealedAfter).not.toBe(sealedBefore);
      await expectCleanPoll(t, id);
      expect(await requestsTo(other)).toBeGreaterThan(otherBefore);
    });

    it('endpoints changed in the database behind the API: the credentials no longer open and no request leaves', async () => {
      const id = (await t.api().post('/connections').send(slackConnection(sim, TOKEN, 'tampered endpoints')).expect(201)).body.id as string;
      await expectCleanPoll(t, id);
      await ds.query(`UPDATE connections SET endpoints = $2::jsonb WHERE id = $1`, [id, JSON.stringify({ api: `${other.url}/slack/api` })]);
      const [simBefore, otherBefore] = [await requestsTo(sim), await requestsTo(other)];
      const polled = await pollNow(t, id);
      expect(polled.status).toMatchObject({
        consecutiveFailures: 1,
        lastFailure: { reason: 'internal', message: expect.stringMatching(/^credentials failed authentication with key [0-9a-f]{16}: tampered, sealed for other endpoints, or wrong key$/) },
      });
      expect([await requestsTo(sim), await requestsTo(other)]).toEqual([simBefore, otherBefore]);
      expect(t.logs.join('\n')).not.toContain(TOKEN);
    });
  });

  describe('SSRF: redirects are never followed, even with custom endpoints allowed', () => {
    let db: TestDatabase;
    let t: RunningTollgate;
    let redirector: Server;
    let target: Server;
    const hits = { redirector: 0, target: 0 };
    const urlOf = (s: Server) => `http://127.0.0.1:${(s.address() as AddressInfo).port}`;

    beforeAll(async () => {
      target = createServer((_, res) => {
        hits.target += 1;
        res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"ok":true}');
      });
      await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
      // Every request is sent on to the loopback target (or the simulator's metadata-like path).
      redirector = createServer((req, res) => {
        hits.redirector += 1;
        res.writeHead(302, { Location: `${urlOf(target)}${req.url}` }).end();
      });
      await new Promise<void>((r) => redirector.listen(0, '127.0.0.1', r));
      db = await createTestDatabase();
      t = await startTollgate(db.env);
    });

    afterAll(async () => {
      await t?.close();
      await db?.drop();
      await new Promise((r) => redirector?.close(r));
      await new Promise((r) => target?.close(r));
    });

    it.each([
      ['slack', () => slackConnection(sim, SLACK_TOKEN, 'redirect slack', { endpoints: { api: `${urlOf(redirector)}/api` } })],
      ['microsoft365 login', () => m365Connection(sim, M365_TENANT, 'redirect m365', { endpoints: { graph: `${sim.url}/microsoft365/graph`, login: urlOf(redirector) } })],
      ['microsoft365 graph', () => ({ ...m365Connection(sim, M365_TENANT, 'redirect graph'), credentials: { tenantId: M365_TENANT, clientId: compliantM365Tenant(M365_TENANT).clientId, clientSecret: M365_SECRET }, endpoints: { graph: urlOf(redirector), login: `${sim.url}/microsoft365/login` } })],
      ['google token', () => googleConnection(sim, GOOGLE_CUSTOMER, 'redirect google', { endpoints: { admin: `${sim.url}/google`, cloudidentity: `${sim.url}/google/cloudidentity`, token: `${urlOf(redirector)}/token` } })],
      ['google admin', () => googleConnection(sim, GOOGLE_CUSTOMER, 'redirect admin', { endpoints: { admin: urlOf(redirector), cloudidentity: urlOf(redirector), token: `${sim.url}/google/token` } })],
    ])('%s: a 302 to loopback fails the poll as provider_error and the target is never hit', async (_, body) => {
      await sim.control().put(`/_sim/microsoft365/tenants/${M365_TENANT}`).send({ ...compliantM365Tenant(M365_TENANT), clientSecret: M365_SECRET }).expect(200);
      await sim.control().put(`/_sim/google/tenants/${GOOGLE_CUSTOMER}`).send(compliantGoogleTenant(GOOGLE_CUSTOMER)).expect(200);
      const before = { ...hits };
      const id = (await t.api().post('/connections').send(body()).expect(201)).body.id;
      const polled = await pollNow(t, id);
      expect(polled.status).toMatchObject({ lastSuccessAt: null, lastFailure: { reason: 'provider_error', message: expect.stringMatching(/redirect not followed/) } });
      expect(hits.redirector).toBeGreaterThan(before.redirector);
      expect(hits.target).toBe(0);
    });
  });

  describe('credentials at rest and in every output', () => {
    let db: TestDatabase;
    let t: RunningTollgate;
    let ds: DataSource;
    let ids: { slack: string; m365: string; google: string };
    let canaries: string[];

    beforeAll(async () => {
      db = await createTestDatabase();
      t = await startTollgate(db.env);
      ds = t.app.get(DataSource);
      ids = await connectAllThree(t, sim);
      const pem = googleServiceAccountKey(sim, GOOGLE_CUSTOMER).private_key;
      // A line from the middle of the private key: distinctive, and present in no other file.
      canaries = [SLACK_TOKEN, M365_SECRET, pem.split('\n')[5]];
      expect(canaries[2]).toMatch(/^[A-Za-z0-9+/]{64}$/);
      for (const id of Object.values(ids)) await expectCleanPoll(t, id);
    });

    afterAll(async () => {
      await t?.close();
      await db?.drop();
    });

    /** Every text and jsonb value of every table, as the database holds it. */
    const selectEverything = async (): Promise<string> => {
      const columns: { table_name: string; column_name: string }[] = await ds.query(
        `SELECT table_name, column_name FROM information_schema.columns
         WHERE table_schema = 'public' AND data_type IN ('text', 'character varying', 'jsonb', 'json', 'bytea', 'ARRAY')
         ORDER BY table_name, column_name`,
      );
      expect(columns.map((c) => `${c.table_name}.${c.column_name}`)).toEqual(expect.arrayContaining(['connections.credentials_ciphertext', 'snapshots.document']));
      const parts: string[] = [];
      for (const { table_name, column_name } of columns) {
        const [row] = await ds.query(`SELECT string_agg("${column_name}"::text, E'\\n') AS v FROM "${table_name}"`);
        parts.push(row.v ?? '');
      }
      return parts.join('\n');
    };

    const expectNoCanary = (where: string, text: string) => {
      for (const canary of canaries) expect({ where, leaks: text.includes(canary) }).toEqual({ where, leaks: false });
    };

    it('stores credentials only as AES-256-GCM envelopes under the current key', async () => {
      const rows: { credentials_ciphertext: string; credentials_key_id: string }[] = await ds.query(`SELECT credentials_ciphertext, credentials_key_id FROM connections`);
      expect(rows).toHaveLength(3);
      const nonces = new Set<string>();
      for (const r of rows) {
        const [version, keyId, nonce, body] = r.credentials_ciphertext.split('.');
        expect({ version, keyId }).toEqual({ version: 'v2', keyId: r.credentials_key_id });
        expect(Buffer.from(nonce, 'base64url')).toHaveLength(12);
        expect(Buffer.from(body, 'base64url').length).toBeGreaterThan(16);
        nonces.add(nonce);
      }
      expect(nonces.size).toBe(3);
    });

    it('no plaintext credential in the database, the logs, any GET answer or /metrics', async () => {
      expectNoCanary('SELECT of every text column', await selectEverything());
      if (db.url) expectNoCanary('pg_dump', execFileSync('pg_dump', ['--no-owner', db.url], { maxBuffer: 512 * 1024 * 1024 }).toString('utf8'));

      const doc = (await request(t.url).get('/docs-json').expect(200)).body as { paths: Record<string, Record<string, unknown>> };
      const gets = Object.entries(doc.paths).filter(([path, ops]) => path.startsWith('/api/v1/') && 'get' in ops).map(([path]) => path.replace(/^\/api\/v1/, ''));
      expect(gets.length).toBeGreaterThan(15);
      const drift = (await t.api().get('/drifts?limit=1').expect(200)).body.items[0]?.id ?? '00000000-0000-4000-8000-000000000000';
      const answers: string[] = [];
      for (const path of gets) {
        const concrete = path.startsWith('/connections/{id}')
          ? Object.values(ids).map((id) => path.replace('{id}', id))
          : [path.replace('{id}', path.startsWith('/baselines') ? 'slack-locked-down' : path.startsWith('/drifts') ? drift : '00000000-0000-4000-8000-000000000000')];
        for (const p of concrete) {
          const res = await t.api().get(p);
          expect({ p, status: res.status }).toEqual({ p, status: expect.any(Number) });
          expect(res.status).toBeLessThan(500);
          answers.push(res.text);
        }
      }
      answers.push((await t.api().get('/reports/drift?format=csv').expect(200)).text);
      // The answers are not empty shells: the snapshot of each connection is among them.
      expect(answers.join('\n')).toContain('slack.workspace.discoverability');
      expectNoCanary('API answers', answers.join('\n'));
      expectNoCanary('/metrics', (await request(t.url).get('/metrics').expect(200)).text);
      expectNoCanary('logs', t.logs.join('\n'));
    });

    it('a flipped ciphertext byte fails the poll loudly as internal, with nothing decrypted or leaked', async () => {
      const [{ credentials_ciphertext: sealed }] = await ds.query(`SELECT credentials_ciphertext FROM connections WHERE id = $1`, [ids.slack]);
      const parts = (sealed as string).split('.');
      const body = Buffer.from(parts[3], 'base64url');
      body[5] ^= 0x01;
      parts[3] = body.toString('base64url');
      await ds.query(`UPDATE connections SET credentials_ciphertext = $2 WHERE id = $1`, [ids.slack, parts.join('.')]);
      const slackRequests = async () => (await sim.control().get(`/_sim/slack/tenants/${SLACK_TOKEN}/requests`).expect(200)).body;
      const requestsBefore = await slackRequests();
      const polled = await pollNow(t, ids.slack);
      expect(polled.status).toMatchObject({
        consecutiveFailures: 1,
        lastFailure: { reason: 'internal', message: expect.stringMatching(/^credentials failed authentication with key [0-9a-f]{16}: tampered, sealed for other endpoints, or wrong key$/) },
      });
      // Nothing reached the provider: there were no credentials to send.
      expect(await slackRequests()).toEqual(requestsBefore);
      expect(t.logs.some((l) => l.includes('"level":"error"') && l.includes('tampered, sealed for other endpoints, or wrong key'))).toBe(true);
      expectNoCanary('logs after the tampered poll', t.logs.join('\n'));
      expectNoCanary('the connection after the tampered poll', JSON.stringify(polled));
    });
  });

  describe('key rotation: npm run credentials:rewrap', () => {
    const KEY_A = Buffer.alloc(32, 0xa1).toString('base64');
    const KEY_B = Buffer.alloc(32, 0xb2).toString('base64');
    // Pinned so that the evidence signing key does not follow the encryption key across restarts.
    const SIGNING = Buffer.alloc(32, 0x5e).toString('base64');
    let db: TestDatabase;
    let t: RunningTollgate | undefined;
    let ids: string[];

    const start = async (current: string, previous?: string) => {
      t = await startTollgate({
        ...db.env,
        TOLLGATE_ENCRYPTION_KEY: current,
        TOLLGATE_EVIDENCE_SIGNING_KEY: SIGNING,
        ...(previous ? { TOLLGATE_PREVIOUS_ENCRYPTION_KEYS: previous } : {}),
      });
      return t;
    };
    const keyIds = async () =>
      ((await t!.app.get(DataSource).query(`SELECT credentials_key_id FROM connections ORDER BY id`)) as { credentials_key_id: string }[]).map((r) => r.credentials_key_id);
    /** Runs the re-wrap as the npm script does: its own configuration and its own database connection. */
    const rewrap = async (current: string, previous?: string) => {
      const config = loadConfig(e2eEnv(db, current, previous));
      const database = await openDatabase(config, [], { log: () => undefined });
      try {
        return await rewrapCredentials(database.dataSource, CredentialCipher.fromConfig(config), config, 2);
      } finally {
        await database.close();
      }
    };

    beforeAll(async () => {
      db = await createTestDatabase();
    });

    afterAll(async () => {
      await t?.close();
      await db?.drop();
    });

    it('re-wraps every credential from key A to key B while polls keep working', async () => {
      const idOf = (key: string) => CredentialCipher.keyId(Buffer.from(key, 'base64'));
      await start(KEY_A);
      ids = Object.values(await connectAllThree(t!, sim, ' rotation'));
      for (const id of ids) await expectCleanPoll(t!, id);
      expect(await keyIds()).toEqual([idOf(KEY_A), idOf(KEY_A), idOf(KEY_A)]);
      await t!.close();

      // B current, A still accepted: nothing is re-encrypted yet, and every poll decrypts.
      await start(KEY_B, KEY_A);
      for (const id of ids) await expectCleanPoll(t!, id);
      expect(await keyIds()).toEqual([idOf(KEY_A), idOf(KEY_A), idOf(KEY_A)]);

      // The embedded database belongs to one process: there the re-wrap runs between two starts.
      // On a real server it runs beside the live replica, which is the no-downtime path.
      if (!db.url) await t!.close();
      expect(await rewrap(KEY_B, KEY_A)).toEqual({ total: 3, rewrapped: 3, alreadyCurrent: 0, failed: [] });
      expect(await rewrap(KEY_B, KEY_A)).toEqual({ total: 3, rewrapped: 0, alreadyCurrent: 3, failed: [] });
      if (db.url) {
        for (const id of ids) await expectCleanPoll(t!, id);
        expect(await keyIds()).toEqual([idOf(KEY_B), idOf(KEY_B), idOf(KEY_B)]);
        await t!.close();
      }

      // Only B: A is gone, and every credential still decrypts.
      await start(KEY_B);
      expect(await keyIds()).toEqual([idOf(KEY_B), idOf(KEY_B), idOf(KEY_B)]);
      for (const id of ids) await expectCleanPoll(t!, id);
    });

    it('names the connections it cannot decrypt and leaves them as they are', async () => {
      await t!.close();
      t = undefined;
      const KEY_C = Buffer.alloc(32, 0xc3).toString('base64');
      const report = await rewrap(KEY_C);
      expect(report).toMatchObject({ total: 3, rewrapped: 0, alreadyCurrent: 0 });
      expect(report.failed.map((f) => f.connectionId).sort()).toEqual([...ids].sort());
      expect(report.failed[0].error).toMatch(/encrypted with key [0-9a-f]{16}, which is not configured/);
      await start(KEY_B);
      for (const id of ids) await expectCleanPoll(t!, id);
    });

    it('a v1 envelope (bound to the connection id only) still opens; the re-wrap seals it with its endpoints', async () => {
      const ds = () => t!.app.get(DataSource);
      const [{ id, endpoints }]: { id: string; endpoints: Record<string, string> }[] = await ds().query(
        `SELECT id, endpoints FROM connections WHERE provider = 'slack' AND id = ANY($1::uuid[])`,
        [ids],
      );
      // As Tollgate wrote credentials before they were bound to their endpoints.
      const nonce = randomBytes(12);
      const legacy = createCipheriv('aes-256-gcm', Buffer.from(KEY_B, 'base64'), nonce);
      legacy.setAAD(Buffer.from(id));
      const body = Buffer.concat([legacy.update(JSON.stringify({ token: SLACK_TOKEN })), legacy.final(), legacy.getAuthTag()]);
      const keyId = CredentialCipher.keyId(Buffer.from(KEY_B, 'base64'));
      await ds().query(`UPDATE connections SET credentials_ciphertext = $2 WHERE id = $1`, [id, ['v1', keyId, nonce.toString('base64url'), body.toString('base64url')].join('.')]);
      await expectCleanPoll(t!, id);

      await t!.close();
      t = undefined;
      expect(await rewrap(KEY_B)).toEqual({ total: 3, rewrapped: 1, alreadyCurrent: 2, failed: [] });
      await start(KEY_B);
      const [{ credentials_ciphertext: sealed }] = await ds().query(`SELECT credentials_ciphertext FROM connections WHERE id = $1`, [id]);
      expect(sealed).toMatch(new RegExp(`^v2\\.${keyId}\\.`));
      await expectCleanPoll(t!, id);

      // Now bound: the same endpoint in the database, another path, and the credentials stay shut.
      await ds().query(`UPDATE connections SET endpoints = $2::jsonb WHERE id = $1`, [id, JSON.stringify({ api: `${endpoints.api}/elsewhere` })]);
      expect((await pollNow(t!, id)).status).toMatchObject({ lastFailure: { reason: 'internal', message: expect.stringMatching(/sealed for other endpoints/) } });
    });
  });
});
