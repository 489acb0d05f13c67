import { COMPLIANT_SLACK_IDS, putCompliantSlackTenant, slackConnection, startSimulator } from './support/simulator';
import { Browser, signIn } from './support/browser';
import { keyFor } from './support/keys';
import { startSignInStack, type SignInStack } from './support/sign-in-stack';
import { pollNow, type RunningTollgate } from './support/tollgate';
import { DataSource } from 'typeorm';
import { DEMO_ROLE_MAPPING, DEMO_USERS } from '../apps/demo-idp/src/demo-idp';

const user = (login: string) => DEMO_USERS.find((u) => u.login === login)!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const TEAM = COMPLIANT_SLACK_IDS.teamIds[1];

/**
 * People sign in through a real OpenID Connect provider (the demo's oidc-provider) over HTTP, and
 * their sessions follow the same rules as API keys: roles, four-eyes by principal, audit and ledger.
 */
describe('sign-in for people (OIDC)', () => {
  let stack: SignInStack;
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  let t: RunningTollgate;
  let short: RunningTollgate;
  let connectionId: string;
  /** Where the browser keeps the main app's cookies (host:port). */
  let host: string;

  /** A signed-in browser with its CSRF token. */
  async function person(login: string, tollgate: RunningTollgate = t) {
    const browser = new Browser();
    const res = await signIn(browser, tollgate.url, user(login));
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/');
    const session = await browser.fetch(`${tollgate.url}/auth/session`);
    expect(session.status).toBe(200);
    const body = (await session.json()) as { csrfToken: string; principal: string; keyId: string; role: string; connectionIds: string[] | null };
    const send = (method: string, path: string, payload?: unknown, headers: Record<string, string> = { 'x-csrf-token': body.csrfToken }) =>
      browser.fetch(`${tollgate.url}${path}`, {
        method,
        headers: { 'content-type': 'application/json', origin: tollgate.url, ...headers },
        body: payload === undefined ? undefined : JSON.stringify(payload),
      });
    return { browser, ...body, get: (path: string) => browser.fetch(`${tollgate.url}${path}`), send };
  }

  beforeAll(async () => {
    sim = await startSimulator();
    await putCompliantSlackTenant(sim, 'xoxp-sign-in-0001');
    await sim.control().patch(`/_sim/slack/tenants/xoxp-sign-in-0001/teams/${TEAM}`).send({ discoverability: 'open' }).expect(200);
    stack = await startSignInStack([
      {},
      // The same database behind a second replica whose sessions time out within seconds.
      { TOLLGATE_SESSION_IDLE_MINUTES: '0.05', TOLLGATE_SESSION_ABSOLUTE_HOURS: '0.003', TOLLGATE_ROLE: 'api' },
    ]);
    [t, short] = stack.apps;
    host = new URL(t.url).host;
    connectionId = (await t.api().post('/connections').send(slackConnection(sim, 'xoxp-sign-in-0001', 'sign-in')).expect(201)).body.id;
    await pollNow(t, connectionId);
  });

  afterAll(async () => {
    await stack?.close();
    await sim?.close();
  });

  it('signs a person in through the provider: an HttpOnly session cookie, a principal from the email claim, a role from the groups', async () => {
    const browser = new Browser();
    const res = await signIn(browser, t.url, user('ciso'));
    expect(res.status).toBe(302);
    const setCookie = res.headers.getSetCookie().find((c) => c.startsWith('tollgate-session='))!;
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    expect(setCookie).toMatch(/Path=\//);
    const who = (await (await browser.fetch(`${t.url}/auth/session`)).json()) as { csrfToken: string };
    expect(who).toEqual({
      via: 'session',
      principal: 'ciso@demo.tollgate.test',
      name: 'Casey CISO',
      role: 'viewer',
      keyId: expect.stringMatching(/^session:[0-9a-f]{8}$/),
      connectionIds: null,
      csrfToken: expect.stringMatching(/^[\w-]{43}$/),
      expiresAt: expect.any(String),
      idleExpiresAt: expect.any(String),
    });
    // Only a hash of the cookie's secret is stored.
    const token = browser.cookie(host, 'tollgate-session')!;
    const stored = JSON.stringify(await t.app.get(DataSource).query('SELECT * FROM person_sessions'));
    expect(stored).not.toContain(token);

    const list = await browser.fetch(`${t.url}/api/v1/connections`);
    expect(list.status).toBe(200);
    expect(((await list.json()) as { items: { id: string }[] }).items.map((c) => c.id)).toContain(connectionId);
    // The viewer role applies to the person as to a key.
    const poll = await browser.fetch(`${t.url}/api/v1/connections/${connectionId}/poll`, {
      method: 'POST',
      headers: { 'x-csrf-token': who.csrfToken, origin: t.url },
    });
    expect(poll.status).toBe(403);
  });

  it('refuses a state-changing request made with a session without its CSRF token, with a wrong one, or from another origin', async () => {
    const op = await person('operator');
    const noToken = await op.send('POST', `/api/v1/connections/${connectionId}/poll`, undefined, {});
    expect(noToken.status).toBe(403);
    expect(((await noToken.json()) as { message: string }).message).toMatch(/X-CSRF-Token/);
    expect((await op.send('POST', `/api/v1/connections/${connectionId}/poll`, undefined, { 'x-csrf-token': 'x'.repeat(43) })).status).toBe(403);
    const elsewhere = await op.browser.fetch(`${t.url}/api/v1/connections/${connectionId}/poll`, {
      method: 'POST',
      headers: { 'x-csrf-token': op.csrfToken, origin: 'https://evil.example' },
    });
    expect(elsewhere.status).toBe(403);
    expect((await op.send('POST', `/api/v1/connections/${connectionId}/poll`)).status).toBe(202);
    // API keys need no CSRF token and ignore any cookie.
    await t.api().post(`/connections/${connectionId}/poll`).set('cookie', `tollgate-session=${op.browser.cookie(host, 'tollgate-session')}`).expect(202);
  });

  it('applies four-eyes to people: the requester cannot approve (not with a session, not with a key of the same principal); another approver can', async () => {
    const admin = await person('admin');
    const approver = await person('approver2');
    const requested = await admin.send('POST', '/api/v1/exceptions', {
      connectionId,
      controlId: 'SLACK.SHARING.1',
      resourceKey: `team:${TEAM}`,
      justification: 'the community team needs an open workspace for a week',
      expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    });
    expect(requested.status).toBe(201);
    const exception = (await requested.json()) as { id: string; requestedBy: string };
    expect(exception.requestedBy).toBe('admin@demo.tollgate.test');

    const own = await admin.send('POST', `/api/v1/exceptions/${exception.id}/approve`, { reason: 'looks fine to me' });
    expect(own.status).toBe(403);
    const sameKey = await keyFor(t, 'approver', 'admin key', undefined, 'admin@demo.tollgate.test');
    await sameKey.post(`/exceptions/${exception.id}/approve`).send({ reason: 'looks fine to me' }).expect(403);

    const approved = await approver.send('POST', `/api/v1/exceptions/${exception.id}/approve`, { reason: 'agreed with the CISO until next week' });
    expect(approved.status).toBe(200);
    expect(((await approved.json()) as { decidedBy: string }).decidedBy).toBe('approver2@demo.tollgate.test');

    const ledger = JSON.stringify((await t.api().get('/evidence/ledger?limit=500').expect(200)).body);
    expect(ledger).toContain('admin@demo.tollgate.test');
    expect(ledger).toContain('approver2@demo.tollgate.test');
    expect(ledger).toContain(admin.keyId);
    expect(ledger).toContain(approver.keyId);
    const audit = (await t.api().get('/audit-events?limit=200').expect(200)).body.items as { principal: string; actorKeyId: string; action: string; outcome: string }[];
    expect(audit).toContainEqual(expect.objectContaining({ principal: 'approver2@demo.tollgate.test', actorKeyId: approver.keyId, action: 'POST /api/v1/exceptions/:id/approve', outcome: 'success' }));
    expect(audit).toContainEqual(expect.objectContaining({ principal: 'admin@demo.tollgate.test', actorKeyId: admin.keyId, action: 'POST /api/v1/exceptions/:id/approve', outcome: 'denied' }));
    expect(audit).toContainEqual(expect.objectContaining({ principal: 'admin@demo.tollgate.test', action: 'GET /auth/callback', outcome: 'success' }));
  });

  it('gives no session to a person in no mapped group', async () => {
    const browser = new Browser();
    const res = await signIn(browser, t.url, user('guest'));
    expect(res.status).toBe(403);
    expect(((await res.json()) as { message: string }).message).toMatch(/guest@demo.tollgate.test is in no group that grants a Tollgate role/);
    expect(browser.cookie(host, 'tollgate-session')).toBeUndefined();
    expect((await browser.fetch(`${t.url}/auth/session`)).status).toBe(401);
  });

  it('refuses a tampered state, a tampered nonce, a replayed callback and a callback from another browser', async () => {
    const state = await signIn(new Browser(), t.url, user('auditor'), { callback: (u) => u.searchParams.set('state', 'forged-state') });
    expect(state.status).toBe(403);
    const nonce = await signIn(new Browser(), t.url, user('auditor'), { authorize: (u) => u.searchParams.set('nonce', 'forged-nonce') });
    expect(nonce.status).toBe(403);
    expect(((await nonce.json()) as { message: string }).message).toMatch(/sign-in refused: .*"nonce"/);

    let callback = '';
    const browser = new Browser();
    const ok = await signIn(browser, t.url, user('auditor'), { callback: (u) => void (callback = u.href) });
    expect(ok.status).toBe(302);
    // The login cookie was used up: the same callback again finds no sign-in under way.
    expect((await browser.fetch(callback)).status).toBe(400);
    expect((await new Browser().fetch(callback)).status).toBe(400);
  });

  it('rotates the session at sign-in and ends it server-side at logout, with the provider logout URL', async () => {
    const op = await person('operator');
    const first = op.browser.cookie(host, 'tollgate-session')!;
    await signIn(op.browser, t.url, user('operator'));
    const second = op.browser.cookie(host, 'tollgate-session')!;
    expect(second).not.toBe(first);
    const old = new Browser();
    old.setCookie(host, 'tollgate-session', first);
    expect((await old.fetch(`${t.url}/auth/session`)).status).toBe(401);

    const csrf = ((await (await op.browser.fetch(`${t.url}/auth/session`)).json()) as { csrfToken: string }).csrfToken;
    expect((await op.browser.fetch(`${t.url}/auth/logout`, { method: 'POST', headers: { origin: t.url } })).status).toBe(403);
    const out = await op.browser.fetch(`${t.url}/auth/logout`, { method: 'POST', headers: { origin: t.url, 'x-csrf-token': csrf } });
    expect(out.status).toBe(200);
    const body = (await out.json()) as { loggedOut: boolean; endSessionUrl: string };
    expect(body.loggedOut).toBe(true);
    expect(body.endSessionUrl.startsWith(`${stack.idp.issuer}/session/end?`)).toBe(true);
    expect(new URL(body.endSessionUrl).searchParams.get('id_token_hint')).toBeTruthy();
    // The cookie is gone from the browser, and the secret no longer works anywhere.
    expect(op.browser.cookie(host, 'tollgate-session')).toBeUndefined();
    const replay = new Browser();
    replay.setCookie(host, 'tollgate-session', second);
    expect((await replay.fetch(`${t.url}/api/v1/connections`)).status).toBe(401);
  });

  it('ends a session left idle, and any session at its absolute end however busy', async () => {
    const idle = await person('ciso', short);
    const busy = await person('auditor', short);
    const signedInAt = Date.now();
    // Each use within the idle timeout (3 s) keeps the session alive past it.
    for (let i = 0; i < 2; i++) {
      await sleep(2000);
      expect((await idle.get('/api/v1/connections')).status).toBe(200);
      expect((await busy.get('/api/v1/connections')).status).toBe(200);
    }
    for (let i = 0; i < 2; i++) {
      await sleep(1800);
      expect((await busy.get('/api/v1/connections')).status).toBe(200);
    }
    expect((await idle.get('/api/v1/connections')).status).toBe(401);
    // The busy one was used every 2 s, yet the absolute end (10.8 s after sign-in) ends it.
    while (Date.now() - signedInAt < 11200) {
      expect((await busy.get('/api/v1/connections')).status).toBe(200);
      await sleep(1000);
    }
    const ended = await busy.get('/api/v1/connections');
    expect(ended.status).toBe(401);
    expect(((await ended.json()) as { message: string }).message).toMatch(/session has ended/);
  });

  // Last: it restarts the main app with another role mapping.
  it('limits a person whose group is scoped to connections exactly as a scoped key; a changed mapping ends the sessions granted under the old one', async () => {
    await putCompliantSlackTenant(sim, 'xoxp-sign-in-0002');
    const own = (await t.api().post('/connections').send(slackConnection(sim, 'xoxp-sign-in-0002', 'sign-in scoped')).expect(201)).body.id as string;
    const drift = (await t.api().get(`/drifts?connectionId=${connectionId}`).expect(200)).body.items[0].id as string;
    const exception = (
      await t
        .api()
        .post('/exceptions')
        .send({ connectionId, controlId: 'SLACK.SHARING.1', justification: 'outside the regional team', expiresAt: new Date(Date.now() + 86_400_000).toISOString() })
        .expect(201)
    ).body.id as string;
    const before = await person('admin');
    expect(before.connectionIds).toBeNull();

    // The admins' group is now limited to one connection. The admin is also in the viewers' group,
    // which is unscoped, but grants a weaker role: it widens nothing.
    t = await stack.restart(0, { TOLLGATE_OIDC_ROLE_MAPPING: DEMO_ROLE_MAPPING.replace('tollgate-admins=admin', `tollgate-admins=admin:${own}`) });
    // The session granted under the old mapping would still see every connection: it has ended.
    const old = await before.get('/api/v1/connections');
    expect(old.status).toBe(401);
    expect(((await old.json()) as { message: string }).message).toMatch(/session has ended/);

    const admin = await person('admin');
    expect(admin.role).toBe('admin');
    expect(admin.connectionIds).toEqual([own]);
    const list = await admin.get('/api/v1/connections');
    expect(list.status).toBe(200);
    expect(((await list.json()) as { items: { id: string }[] }).items.map((c) => c.id)).toEqual([own]);
    const drifts = await admin.get('/api/v1/drifts');
    expect(drifts.status).toBe(200);
    expect(((await drifts.json()) as { items: { connectionId: string }[] }).items.map((d) => d.connectionId)).not.toContain(connectionId);
    // Another connection's objects do not exist for the person, as for a key scoped to connections.
    for (const path of [`/api/v1/connections/${connectionId}`, `/api/v1/drifts/${drift}`, `/api/v1/exceptions/${exception}`]) {
      expect({ path, status: (await admin.get(path)).status }).toEqual({ path, status: 404 });
    }
    // What reaches beyond its connections needs a caller for all connections.
    const key = await admin.send('POST', '/api/v1/api-keys', { name: 'escalated', role: 'admin' });
    expect(key.status).toBe(403);
    expect(((await key.json()) as { message: string }).message).toBe('a key scoped to connections may not do this: it needs a key for all connections');
    expect((await admin.get('/api/v1/api-keys')).status).toBe(403);
    expect((await admin.send('POST', '/api/v1/connections', slackConnection(sim, 'xoxp-sign-in-0002', 'outside the scope'))).status).toBe(403);
    // Its own connection it may change.
    expect((await admin.send('PATCH', `/api/v1/connections/${own}`, { pollIntervalSeconds: 1800 })).status).toBe(200);
    // A person in no scoped group stays unscoped.
    expect((await person('ciso')).connectionIds).toBeNull();
  });
});
