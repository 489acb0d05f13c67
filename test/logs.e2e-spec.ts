import request from 'supertest';
import { putCompliantSlackTenant, slackConnection, startSimulator } from './support/simulator';
import { createTestDatabase, type TestDatabase } from './support/database';
import { ADMIN_KEY, eventually, pollNow, startTollgate, type RunningTollgate } from './support/tollgate';

interface LogLine {
  level: string;
  time: string;
  msg?: string;
  context?: string;
  [field: string]: unknown;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// What an operator's log pipeline receives during a run that handles secrets everywhere: a
// connection created with a token, polls that succeed and fail on auth, requests with API keys in
// their Authorization header (right and wrong) and secrets in query strings.
describe('structured logs', () => {
  const token = 'xoxp-e2e-logs-SECRET-TOKEN-4f2a9c';
  const wrongKey = 'tg_wrong-key-SECRET-9d8c7b6a5f4e3d2c';
  const querySecret = 'QUERY-SECRET-77aa';
  const rejectedSecret = 'REJECTED-SECRET-5b5b';
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  let db: TestDatabase;
  let t: RunningTollgate;
  let lines: LogLine[];
  let connectionId: string;
  let closed = false;

  beforeAll(async () => {
    sim = await startSimulator();
    await putCompliantSlackTenant(sim, token);
    db = await createTestDatabase();
    t = await startTollgate({ ...db.env, TOLLGATE_METRICS_TOKEN: 'metrics-token-SECRET-0123456789' });

    const id = (connectionId = (await t.api().post('/connections').send(slackConnection(sim, token, 'Logged Slack')).set('x-request-id', 'logs-e2e-create').expect(201)).body.id as string);
    await pollNow(t, id);
    await sim.control().post('/_sim/faults').send({ provider: 'slack', kind: 'status', status: 401, body: { ok: false, error: 'invalid_auth' } }).expect(201);
    try {
      const failed = await pollNow(t, id);
      expect(failed).toMatchObject({ status: { lastFailure: { reason: 'auth' } } });
    } finally {
      await sim.control().delete('/_sim/faults').expect(200);
    }
    await request(t.url).get('/api/v1/connections').set('Authorization', `Bearer ${wrongKey}`).expect(401);
    await t.api().get(`/drifts?status=open&token=${querySecret}`).expect((res) => expect(res.status).toBeLessThan(500));
    await t.api().post('/connections').send(slackConnection(sim, `not a token ${rejectedSecret}`, 'Rejected Slack')).expect(400);
    await request(t.url).get('/metrics').set('Authorization', 'Bearer metrics-token-SECRET-0123456789').expect(200);
    await t.api().get('/connections').set('x-request-id', 'logs-e2e-list').expect(200);
    lines = t.logs.map((l) => JSON.parse(l) as LogLine);
  });

  afterAll(async () => {
    if (!closed) await t?.close();
    await db?.drop();
    await sim?.close();
  });

  it('contain no credential, API key, token or secret query value', () => {
    const all = t.logs.join('\n');
    for (const secret of [token, ADMIN_KEY, wrongKey, querySecret, rejectedSecret, 'metrics-token-SECRET']) expect({ secret, logged: all.includes(secret) }).toEqual({ secret, logged: false });
    expect(all).not.toMatch(/"authorization"\s*:\s*"(?!\[REDACTED\])/i);
  });

  it('have one access line per request, with requestId and never headers, bodies or query strings', () => {
    const access = lines.filter((l) => l.context === 'HttpAccess');
    expect(access.length).toBeGreaterThanOrEqual(8);
    for (const a of access) {
      expect(Object.keys(a).sort()).toEqual(['context', 'durationMs', 'level', 'method', 'msg', 'path', 'requestId', 'status', 'time']);
      expect(a.msg).toBe('request');
      expect(a.requestId).toEqual(expect.any(String));
      expect(a.path).not.toContain('?');
    }
    expect(access).toContainEqual(expect.objectContaining({ method: 'POST', path: '/api/v1/connections', status: 201, requestId: 'logs-e2e-create' }));
    expect(access).toContainEqual(expect.objectContaining({ method: 'GET', path: '/api/v1/connections', status: 401 }));
    expect(access).toContainEqual(expect.objectContaining({ method: 'GET', path: '/api/v1/drifts' }));
    expect(access).toContainEqual(expect.objectContaining({ method: 'POST', path: '/api/v1/connections', status: 400 }));
  });

  it('echo the request id in the response, generating one when the caller sent none or a bad one', async () => {
    const kept = await t.api().get('/connections').set('x-request-id', 'caller-id-1').expect(200);
    expect(kept.headers['x-request-id']).toBe('caller-id-1');
    const generated = await t.api().get('/connections').set('x-request-id', 'bad id with spaces').expect(200);
    expect(generated.headers['x-request-id']).toMatch(UUID);
    expect((await request(t.url).get('/healthz').expect(200)).headers['x-request-id']).toMatch(UUID);
  });

  it('have a pollId, the connection id and the connection name on every poll line', () => {
    const polls = lines.filter((l) => /^poll (succeeded|failed)$/.test(String(l.msg)));
    expect(polls.map((p) => p.msg)).toEqual(expect.arrayContaining(['poll succeeded', 'poll failed']));
    for (const p of polls) expect(p).toMatchObject({ pollId: expect.stringMatching(UUID), connectionId: connectionId, connectionName: 'Logged Slack' });
    expect(polls.find((p) => p.msg === 'poll failed')).toMatchObject({ level: 'warn', reason: 'auth' });
  });

  it('are JSON objects with an ISO-8601 time, a level name and msg as a string', () => {
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) {
      expect(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).toContain(l.level);
      expect(l.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(typeof l.msg).toBe('string');
      expect(l).not.toHaveProperty('message');
    }
  });

  it("put Nest's route mapping at debug and say in one line at info what started", () => {
    const routes = lines.filter((l) => l.context === 'RouterExplorer' || l.context === 'RoutesResolver');
    expect(routes.length).toBeGreaterThan(10);
    for (const r of routes) expect(r.level).toBe('debug');
    expect(lines.filter((l) => l.msg === 'tollgate started')).toEqual([
      expect.objectContaining({ level: 'info', role: 'all', database: process.env.DATABASE_URL ? 'postgres' : 'embedded', connections: 0, baselines: expect.any(Number), port: expect.any(Number) }),
    ]);
  });

  // Last: it stops the app. Nest runs the same hooks on SIGTERM, with the signal passed along.
  it('say when shutdown starts, how many polls are in flight, when they ended, and when the process stopped', async () => {
    // A slow provider keeps one poll in flight while the app stops.
    await sim.control().post('/_sim/faults').send({ provider: 'slack', kind: 'slow', delayMs: 1500 }).expect(201);
    await t.api().post(`/connections/${connectionId}/poll`).expect(202);
    await eventually('a poll in flight', async () => t.scheduler.activePolls > 0);
    closed = true;
    await t.close();
    await sim.control().delete('/_sim/faults').expect(200);
    const after = t.logs.map((l) => JSON.parse(l) as LogLine);
    const start = after.findIndex((l) => l.msg === 'shutting down');
    const ended = after.findIndex((l) => l.msg === 'in-flight polls ended');
    const stop = after.findIndex((l) => l.msg === 'stopped');
    expect(after[start]).toMatchObject({ level: 'info', pollsInFlight: 1 });
    expect(ended).toBeGreaterThan(start);
    expect(stop).toBeGreaterThan(ended);
    expect(stop).toBe(after.length - 1);
  });
});

// Refusals are the client's mistakes, not the service's: one access line at warn each, and no
// error line (Nest's catch-all logged the body parser's 413 as an error with a stack trace).
describe('logs of refused requests', () => {
  let db: TestDatabase;
  let t: RunningTollgate;

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTollgate({ ...db.env, TOLLGATE_RATE_LIMIT_PER_MINUTE: '1' });
  });

  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('log 400, 413, 415 and 429 at warn, without an error line or a stack trace', async () => {
    const from = t.logs.length;
    const secretInBody = 'BODY-SECRET-31c7';
    const answers = [
      // No key at all: the body parser refuses before authentication.
      await request(t.url).post('/api/v1/connections').set('Content-Type', 'application/json').send(JSON.stringify({ name: 'x'.repeat(300_000) })),
      await request(t.url).post('/api/v1/connections').set('Content-Type', 'application/json').send(`{"token": "${secretInBody}",`),
      await request(t.url).post('/api/v1/api-keys').set('Authorization', `Bearer ${ADMIN_KEY}`).set('Content-Type', 'text/plain').send('name=x'),
      await t.api().get('/drifts?limit=0'),
      await t.api().get('/drifts'),
      await t.api().get('/drifts'),
    ];
    expect(answers.map((a) => a.status)).toEqual([413, 400, 415, 400, 429, 429]);
    expect(answers[0].body).toEqual({ statusCode: 413, error: 'Payload Too Large', message: 'request body is too large: at most 256 kB' });
    expect(answers[1].body).toEqual({ statusCode: 400, error: 'Bad Request', message: 'request body is not valid JSON' });
    await new Promise((r) => setTimeout(r, 100));
    const lines = t.logs.slice(from).map((l) => JSON.parse(l) as LogLine);
    const access = lines.filter((l) => l.context === 'HttpAccess');
    expect(access.map((l) => [l.level, l.status])).toEqual([
      ['warn', 413],
      ['warn', 400],
      ['warn', 415],
      ['warn', 400],
      ['warn', 429],
      ['warn', 429],
    ]);
    expect(lines.filter((l) => l.level === 'error' || l.level === 'fatal')).toEqual([]);
    const all = t.logs.slice(from).join('\n');
    expect(all).not.toMatch(/"stack"|\\n\s+at /);
    expect(all).not.toContain(secretInBody);
  });
});
