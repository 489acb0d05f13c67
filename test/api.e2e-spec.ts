import request from 'supertest';
import { DataSource } from 'typeorm';
import { COMPLIANT_SLACK_IDS, putCompliantSlackTenant, slackConnection, startSimulator } from './support/simulator';
import { createTestDatabase, type TestDatabase } from './support/database';
import { eventually, pollNow, startTollgate, type RunningTollgate } from './support/tollgate';

// The REST contract: authentication, roles, scoping, validation (always a clear 4xx, nothing
// written), and drift paging.
describe('REST API', () => {
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  let db: TestDatabase;
  let t: RunningTollgate;
  let first: string;
  let second: string;

  beforeAll(async () => {
    sim = await startSimulator();
    db = await createTestDatabase();
    t = await startTollgate(db.env);
    for (const token of ['xoxp-api-one', 'xoxp-api-two']) await putCompliantSlackTenant(sim, token);
    first = (await t.api().post('/connections').send(slackConnection(sim, 'xoxp-api-one', 'API one')).expect(201)).body.id;
    second = (await t.api().post('/connections').send(slackConnection(sim, 'xoxp-api-two', 'API two')).expect(201)).body.id;
  });

  afterAll(async () => {
    await t?.close();
    await db?.drop();
    await sim?.close();
  });

  const connectionCount = async () => (await t.api().get('/connections').expect(200)).body.items.length as number;

  describe('authentication', () => {
    it.each([
      ['no header', undefined],
      ['a malformed header', 'Token abc'],
      ['an unknown key', 'Bearer tg_aaaaaaaaaaaa_' + 'a'.repeat(43)],
      ['garbage', 'Bearer not-a-key'],
    ])('answers 401 with the same body for %s', async (_, header) => {
      const req = request(t.url).get('/api/v1/connections');
      const res = await (header ? req.set('Authorization', header) : req).expect(401);
      expect(res.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: 'a valid API key is required: Authorization: Bearer <key>' });
    });

    it('leaves health probes and the OpenAPI document open', async () => {
      await request(t.url).get('/healthz').expect(200);
      await request(t.url).get('/readyz').expect(200);
      const doc = await request(t.url).get('/docs-json').expect(200);
      expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/api/v1/connections', '/api/v1/drifts', '/api/v1/drifts/{id}']));
    });
  });

  describe('API keys and roles', () => {
    it('shows a new key once, lets a viewer read but not write, and revokes it', async () => {
      const created = (await t.api().post('/api-keys').send({ name: 'dashboards', principal: 'dashboards@example.test', role: 'viewer' }).expect(201)).body;
      expect(created.key).toMatch(/^tg_[a-z0-9]{12}_[A-Za-z0-9_-]{43}$/);
      const listed = (await t.api().get('/api-keys').expect(200)).body.items;
      expect(listed).toContainEqual(expect.objectContaining({ id: created.id, principal: 'dashboards@example.test' }));
      // The secret is base64url and may itself hold '_': everything after the prefix.
      const secret = (created.key as string).slice('tg_'.length + 12 + 1);
      expect(secret).toHaveLength(43);
      expect(JSON.stringify(listed)).not.toContain(secret);
      const viewer = (path: string) => request(t.url).get(`/api/v1${path}`).set('Authorization', `Bearer ${created.key}`);
      await viewer('/connections').expect(200);
      await request(t.url)
        .post('/api/v1/connections')
        .set('Authorization', `Bearer ${created.key}`)
        .send(slackConnection(sim, 'xoxp-x', 'by a viewer'))
        .expect(403);
      await viewer('/api-keys').expect(403);
      await t.api().delete(`/api-keys/${created.id}`).expect(204);
      await viewer('/connections').expect(401);
    });

    it('a key scoped to one connection sees nothing else: 404, not 403', async () => {
      const scoped = (await t.api().post('/api-keys').send({ name: 'team one', principal: 'team-one@example.test', role: 'viewer', connectionIds: [first] }).expect(201)).body;
      const as = (path: string) => request(t.url).get(`/api/v1${path}`).set('Authorization', `Bearer ${scoped.key}`);
      expect((await as('/connections').expect(200)).body.items.map((c: { id: string }) => c.id)).toEqual([first]);
      await as(`/connections/${first}`).expect(200);
      await as(`/connections/${second}`).expect(404);
      await as(`/connections/${second}/findings`).expect(404);
      const drifts = (await as(`/drifts?connectionId=${second}`).expect(200)).body;
      expect(drifts.items).toEqual([]);
    });
  });

  describe('bad input is refused with a clear 4xx and nothing is written', () => {
    const valid = () => slackConnection(sim, 'xoxp-api-bad', `bad input ${Math.random()}`);

    it.each<[string, (b: Record<string, unknown>) => Record<string, unknown>, RegExp]>([
      ['an unknown field', (b) => ({ ...b, colour: 'red' }), /property colour should not exist/],
      ['a missing provider', ({ provider: _p, ...b }) => b, /provider must be one of/],
      ['an unsupported provider', (b) => ({ ...b, provider: 'myspace' }), /provider must be one of/],
      ['a wrong type', (b) => ({ ...b, pollIntervalSeconds: 'often' }), /pollIntervalSeconds must be an integer/],
      ['an interval below the minimum', (b) => ({ ...b, pollIntervalSeconds: 0 }), /pollIntervalSeconds must not be less than 1/],
      ['an empty name', (b) => ({ ...b, name: '' }), /name must be longer than or equal to 1/],
      ['a SQL meta-character baseline id', (b) => ({ ...b, baselineId: "x'; DROP TABLE drifts;--" }), /baselineId must be a baseline id/],
      ['an unknown baseline', (b) => ({ ...b, baselineId: 'no-such-baseline' }), /baseline no-such-baseline does not exist/],
      ['an unknown baseline parameter', (b) => ({ ...b, parameters: { allowedColours: ['red'] } }), /allowedColours/],
      ['credentials without a token', (b) => ({ ...b, credentials: {} }), /credentials: /],
      ['an unknown endpoint name', (b) => ({ ...b, endpoints: { api: 'http://127.0.0.1:1/api', other: 'http://x' } }), /endpoint/],
      ['a non-string endpoint', (b) => ({ ...b, endpoints: { api: 42 } }), /endpoints: api must be URL strings/],
    ])('POST /connections with %s', async (_, mutate, message) => {
      const before = await connectionCount();
      const res = await t.api().post('/connections').send(mutate(valid())).expect(400);
      expect(res.body.statusCode).toBe(400);
      expect(res.body.error).toBe('Bad Request');
      expect(JSON.stringify(res.body.message)).toMatch(message);
      expect(await connectionCount()).toBe(before);
    });

    it('never echoes a credential back in an error', async () => {
      const res = await t.api().post('/connections').send({ ...valid(), credentials: { token: 'has whitespace secret-xyz' } }).expect(400);
      expect(JSON.stringify(res.body)).not.toContain('secret-xyz');
    });

    it('refuses a duplicate name with 409, saying only that the name is taken', async () => {
      const res = await t.api().post('/connections').send(slackConnection(sim, 'xoxp-api-one', 'api ONE')).expect(409);
      expect(res.body).toEqual({ statusCode: 409, error: 'Conflict', message: 'name "api ONE" is already taken' });
    });

    it('refuses a rename onto a taken name without naming the connection that holds it', async () => {
      const other = (await t.api().post('/connections').send(slackConnection(sim, 'xoxp-api-one', 'api rename source')).expect(201)).body.id as string;
      const res = await t.api().patch(`/connections/${other}`).send({ name: 'API one' }).expect(409);
      expect(res.body).toEqual({ statusCode: 409, error: 'Conflict', message: 'name "API one" is already taken' });
      expect(JSON.stringify(res.body)).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
      await t.api().delete(`/connections/${other}`).expect(204);
    });

    it('refuses malformed JSON and oversized bodies', async () => {
      await t.api().post('/connections').set('Content-Type', 'application/json').send('{"provider": "slack",').expect(400);
      await t.api().post('/connections').send({ ...valid(), name: 'x'.repeat(300_000) }).expect(413);
    });

    it.each([
      ['/connections/not-a-uuid', /id must be a UUID/],
      ['/drifts/1%20OR%201=1', /id must be a UUID/],
      ['/drifts?limit=100000', /limit must not be greater than 500/],
      ['/drifts?limit=0', /limit must not be less than 1/],
      ['/drifts?cursor=bm90LWEtY3Vyc29y', /cursor is not one this API returned/],
      ['/drifts?since=yesterday', /since must be an ISO-8601 date-time/],
      ['/drifts?since=2026-01-02T00:00:00Z&until=2026-01-01T00:00:00Z', /since must be before until/],
      ['/drifts?status=closed', /status must be one of/],
      ['/drifts?severity=urgent', /severity must be one of/],
      ['/drifts?connectionId=../../etc', /connectionId must be a UUID/],
      ['/drifts?colour=red', /property colour should not exist/],
    ])('GET %s answers 400', async (path, message) => {
      const res = await t.api().get(path).expect(400);
      expect(JSON.stringify(res.body.message)).toMatch(message);
    });

    it('answers 404 for ids that do not exist', async () => {
      await t.api().get('/connections/00000000-0000-4000-8000-000000000000').expect(404);
      await t.api().get('/drifts/00000000-0000-4000-8000-000000000000').expect(404);
      await t.api().get('/baselines/no-such-baseline').expect(404);
    });

    it('validates a baseline without storing it, naming line and reason', async () => {
      const res = await t
        .api()
        .post('/baselines/validate')
        .send({
          content: [
            'id: x', 'version: 1', 'provider: slack', 'title: t', 'parameters: {}', 'controls:',
            '  - id: A', '    title: a', '    area: sharing', '    severty: high', '    references: [r]',
            '    rationale: r', '    remediation: r',
            '    check: { type: setting, key: slack.workspace.discoverability, op: equals, value: closed }',
          ].join('\n'),
        })
        .expect(422);
      expect(res.body).toMatchObject({ file: 'baseline.yaml', line: 10, reason: expect.stringMatching(/severty/) });
    });

    it('audits a refused id Postgres could not store (NUL) escaped, and a huge one cut, without an error', async () => {
      for (const id of ['%00', 'x'.repeat(300)]) {
        await t.api().delete(`/api-keys/${id}`).expect(400);
      }
      // An audit event is written as the answer goes out: wait until both are there.
      const refused = await eventually('both refusals audited', async () => {
        const events = (await t.api().get('/audit-events?limit=50').expect(200)).body.items as { action: string; target: string; status: number }[];
        const targets = events.filter((e) => e.action === 'DELETE /api/v1/api-keys/:id' && e.status === 400).map((e) => e.target);
        return targets.length >= 2 && targets;
      });
      expect(refused.sort()).toEqual(['\\u0000', `${'x'.repeat(199)}…`]);
      expect(t.logs.filter((l) => l.includes('could not write audit event'))).toEqual([]);
    });
  });

  describe('SSRF: endpoints outside the official hosts without TOLLGATE_ALLOWED_ENDPOINT_HOSTS', () => {
    let strict: RunningTollgate;
    let strictDb: TestDatabase;

    beforeAll(async () => {
      strictDb = await createTestDatabase();
      strict = await startTollgate({ ...strictDb.env, TOLLGATE_ALLOWED_ENDPOINT_HOSTS: '' });
    });

    afterAll(async () => {
      await strict?.close();
      await strictDb?.drop();
    });

    it.each([
      'http://slack.com/api',
      'https://127.0.0.1/api',
      'https://[::1]/api',
      'https://169.254.169.254/latest',
      'https://10.0.0.1/api',
      'https://192.168.1.1/api',
      'https://2130706433/api',
      'https://slack.com.evil.example/api',
      'https://user:pass@slack.com/api',
      'https://slack.com:8443/api',
      'file:///etc/passwd',
    ])('refuses %s', async (api) => {
      const res = await strict.api().post('/connections').send({ ...slackConnection(sim, 'xoxp-ssrf', 'ssrf'), endpoints: { api } }).expect(400);
      expect(JSON.stringify(res.body.message)).toMatch(/endpoints: /);
      expect((await strict.api().get('/connections').expect(200)).body.items).toEqual([]);
    });

    it('accepts the official host', async () => {
      await strict.api().post('/connections').send({ ...slackConnection(sim, 'xoxp-ssrf', 'official'), endpoints: { api: 'https://slack.com/api' } }).expect(201);
    });
  });

  describe('rate limits', () => {
    let limited: RunningTollgate;
    let limitedDb: TestDatabase;

    beforeAll(async () => {
      limitedDb = await createTestDatabase();
      limited = await startTollgate({ ...limitedDb.env, TOLLGATE_RATE_LIMIT_PER_MINUTE: '5', TOLLGATE_RATE_LIMIT_PER_IP_PER_MINUTE: '12' });
    });

    afterAll(async () => {
      await limited?.close();
      await limitedDb?.drop();
    });

    it('answers 429 with Retry-After past the per-key limit, without touching other keys or probes', async () => {
      for (let i = 0; i < 5; i++) await limited.api().get('/baselines').expect(200);
      const res = await limited.api().get('/baselines').expect(429);
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      expect(res.body).toMatchObject({ statusCode: 429, message: expect.stringMatching(/Retry-After/) });
      await request(limited.url).get('/healthz').expect(200);
      await request(limited.url).get('/api/v1/baselines').set('Authorization', 'Bearer another-key-entirely').expect(401);
    });

    it('caps guessing with ever-new keys per client address', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) {
        statuses.push((await request(limited.url).get('/api/v1/baselines').set('Authorization', `Bearer guess-${i}`)).status);
      }
      expect(statuses).toContain(429);
      expect(statuses.filter((s) => s !== 401 && s !== 429)).toEqual([]);
    });
  });

  describe('GET /drifts paging', () => {
    it('walks every drift exactly once with a small page size', async () => {
      const token = 'xoxp-api-paging';
      await putCompliantSlackTenant(sim, token);
      for (const team of COMPLIANT_SLACK_IDS.teamIds) {
        await sim.control().patch(`/_sim/slack/tenants/${token}/teams/${team}`).send({ discoverability: 'open' }).expect(200);
      }
      await sim.control().post(`/_sim/slack/tenants/${token}/apps`).send({ id: 'A0PAGING01', name: 'Reader', scopes: ['channels:history'] }).expect(201);
      const id = (await t.api().post('/connections').send(slackConnection(sim, token, 'paging')).expect(201)).body.id;
      await pollNow(t, id);
      const all = (await t.api().get(`/drifts?connectionId=${id}&limit=500`).expect(200)).body.items.map((d: { id: string }) => d.id);
      expect(all.length).toBeGreaterThanOrEqual(3);
      const seen: string[] = [];
      let cursor: string | null = null;
      let arrivals = 0;
      do {
        const res: request.Response = await t.api().get(`/drifts?connectionId=${id}&limit=1${cursor ? `&cursor=${cursor}` : ''}`).expect(200);
        seen.push(...res.body.items.map((d: { id: string }) => d.id));
        cursor = res.body.nextCursor;
        // New episodes arrive while the client pages: they sort before the cursor, so the pages
        // already promised neither repeat nor skip a row.
        await t.app.get(DataSource).query(
          `INSERT INTO drifts (connection_id, provider, baseline_id, control_id, title, area, severity, resource_key, status, opened_at, last_seen_at)
           VALUES ($1, 'slack', 'slack-locked-down', 'SLACK.GUESTS.1', 'arrived while paging', 'sharing', 'low', $2, 'open', now(), now())`,
          [id, `arrival:${arrivals++}`],
        );
      } while (cursor);
      expect(seen).toEqual(all);
      const now = (await t.api().get(`/drifts?connectionId=${id}&limit=500`).expect(200)).body.items.map((d: { id: string }) => d.id);
      expect(now).toHaveLength(all.length + arrivals);
      expect(now.slice(arrivals)).toEqual(all);
    });
  });
});
