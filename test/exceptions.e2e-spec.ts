import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DataSource } from 'typeorm';
import { COMPLIANT_SLACK_IDS, putCompliantSlackTenant, slackConnection, startSimulator } from './support/simulator';
import { createTestDatabase, type TestDatabase } from './support/database';
import { keyFor } from './support/keys';
import { eventually, pollNow, startTollgate, type RunningTollgate } from './support/tollgate';
import { ExceptionExpiry } from '../apps/tollgate/src/exceptions/exception-expiry.service';
import { WebhookDispatcher, webhookSignature } from '../apps/tollgate/src/webhooks/webhook-dispatcher.service';

const WEBHOOK_SECRET = 'e2e-webhook-secret-0123456789';
const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toISOString();
const TEAM = COMPLIANT_SLACK_IDS.teamIds[1];

describe('exception tickets', () => {
  const token = 'xoxp-exceptions-0001';
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  let db: TestDatabase;
  let t: RunningTollgate;
  let connectionId: string;
  let driftId: string;
  let hook: Server;
  let hookUrl: string;
  const received: { headers: Record<string, string | string[] | undefined>; body: string }[] = [];
  let hookFailures = 0;
  let requester: Awaited<ReturnType<typeof keyFor>>;
  let approverA: Awaited<ReturnType<typeof keyFor>>;
  let approverB: Awaited<ReturnType<typeof keyFor>>;

  const env = () => ({ ...db.env, TOLLGATE_WEBHOOK_URL: hookUrl, TOLLGATE_WEBHOOK_SECRET: WEBHOOK_SECRET, TOLLGATE_EXCEPTION_MAX_DAYS: '30' });
  const drift = async () => (await t.api().get(`/drifts/${driftId}`).expect(200)).body;
  const request = (body: Record<string, unknown> = {}) =>
    requester
      .post('/exceptions')
      .send({ connectionId, controlId: 'SLACK.SHARING.1', resourceKey: `team:${TEAM}`, justification: 'marketing needs an open workspace until March', expiresAt: inSeconds(86_400), ...body });

  beforeAll(async () => {
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        if (hookFailures > 0) {
          hookFailures--;
          res.statusCode = 500;
          return res.end('down for maintenance');
        }
        received.push({ headers: req.headers, body });
        res.statusCode = 204;
        res.end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
    sim = await startSimulator();
    await putCompliantSlackTenant(sim, token);
    await sim.control().patch(`/_sim/slack/tenants/${token}/teams/${TEAM}`).send({ discoverability: 'open' }).expect(200);
    db = await createTestDatabase();
    t = await startTollgate(env());
    connectionId = (await t.api().post('/connections').send(slackConnection(sim, token, 'exceptions')).expect(201)).body.id;
    await pollNow(t, connectionId);
    [{ id: driftId }] = (await t.api().get(`/drifts?connectionId=${connectionId}&status=open`).expect(200)).body.items;
    requester = await keyFor(() => t, 'operator', 'business owner');
    approverA = await keyFor(() => t, 'approver', 'approver a');
    approverB = await keyFor(() => t, 'approver', 'approver b');
  });

  afterAll(async () => {
    await t?.close();
    await db?.drop();
    await sim?.close();
    await new Promise((r) => hook?.close(r));
  });

  it('validates the request: control of the baseline, expiry in the future and within the maximum', async () => {
    expect((await request({ controlId: 'NOPE.1' }).expect(400)).body.message).toMatch(/not a control of baseline slack-locked-down/);
    expect((await request({ expiresAt: inSeconds(-60) }).expect(400)).body.message).toMatch(/in the future/);
    expect((await request({ expiresAt: inSeconds(31 * 86_400) }).expect(400)).body.message).toMatch(/within 30 days/);
    expect((await request({ justification: 'because' }).expect(400)).body.message.join(' ')).toMatch(/at least 10 characters/);
    await request({ connectionId: '00000000-0000-4000-8000-000000000000' }).expect(404);
  });

  it('refuses an approval by the requester, and by a role that may not approve', async () => {
    const own = (await approverA.post('/exceptions').send({ connectionId, controlId: 'SLACK.SHARING.1', justification: 'approver asks for herself', expiresAt: inSeconds(3600) }).expect(201)).body;
    const res = await approverA.post(`/exceptions/${own.id}/approve`).send({ reason: 'looks fine to me' }).expect(403);
    expect(res.body.message).toMatch(/must not be the requester/);
    await requester.post(`/exceptions/${own.id}/approve`).send({ reason: 'operators cannot approve' }).expect(403);
    const rejected = (await approverB.post(`/exceptions/${own.id}/reject`).send({ reason: 'no business need' }).expect(200)).body;
    expect(rejected).toMatchObject({ state: 'rejected', decidedBy: 'approver b@example.test', decidedByKeyId: approverB.id, decisionReason: 'no business need' });
    await approverB.post(`/exceptions/${own.id}/approve`).send({ reason: 'changed my mind' }).expect(409);
  });

  // Issue 11, "Why" item 3: two approver keys both named "alice", one person. Four-eyes compares principals.
  it('refuses an approval by another key of the requesting principal; another principal may approve', async () => {
    const alice1 = await keyFor(() => t, 'approver', 'alice', undefined, 'alice@example.test');
    const alice2 = await keyFor(() => t, 'approver', 'alice', undefined, 'alice@example.test');
    const carol = await keyFor(() => t, 'approver', 'carol', undefined, 'carol@example.test');
    const asked = (await alice1.post('/exceptions').send({ connectionId, controlId: 'SLACK.SHARING.1', resourceKey: 'team:T0NOBODY', justification: 'alice asks for herself', expiresAt: inSeconds(3600) }).expect(201)).body;
    expect(asked).toMatchObject({ requestedBy: 'alice@example.test', requestedByKeyId: alice1.id });
    for (const decision of ['approve', 'reject']) {
      const res = await alice2.post(`/exceptions/${asked.id}/${decision}`).send({ reason: 'my other key agrees' }).expect(403);
      expect(res.body.message).toBe(
        'the approver must not be the requester: principal alice@example.test requested this exception; another person has to decide',
      );
    }
    expect((await t.api().get(`/exceptions/${asked.id}`).expect(200)).body).toMatchObject({ state: 'requested', decidedBy: null });
    const approved = (await carol.post(`/exceptions/${asked.id}/approve`).send({ reason: 'reviewed by a second person' }).expect(200)).body;
    expect(approved).toMatchObject({ state: 'approved', requestedBy: 'alice@example.test', decidedBy: 'carol@example.test', decidedByKeyId: carol.id });
    expect(approved.events).toEqual([
      expect.objectContaining({ kind: 'requested', actor: 'alice@example.test', actorKeyId: alice1.id }),
      expect.objectContaining({ kind: 'approved', actor: 'carol@example.test', actorKeyId: carol.id }),
    ]);
    // The ledger and the audit log say who, as principal and key.
    const ledger = (await t.api().get('/evidence/ledger?limit=1000').expect(200)).body.items as { kind: string; data: Record<string, unknown> }[];
    const entries = ledger.filter((e) => e.data.exceptionId === asked.id);
    expect(entries).toContainEqual(expect.objectContaining({ kind: 'exception.requested', data: expect.objectContaining({ actor: 'alice@example.test', actorKeyId: alice1.id }) }));
    expect(entries).toContainEqual(expect.objectContaining({ kind: 'exception.approved', data: expect.objectContaining({ actor: 'carol@example.test', actorKeyId: carol.id }) }));
    const audit = await eventually('the audit rows of the decisions', async () => {
      const items = (await t.api().get('/audit-events?limit=500').expect(200)).body.items as Record<string, unknown>[];
      return items.filter((e) => e.target === asked.id).length >= 3 ? items : undefined;
    });
    expect(audit).toContainEqual(
      expect.objectContaining({ target: asked.id, outcome: 'denied', status: 403, principal: 'alice@example.test', actorKeyId: alice2.id, connectionId }),
    );
    expect(audit).toContainEqual(
      expect.objectContaining({ target: asked.id, outcome: 'success', status: 200, principal: 'carol@example.test', actorKeyId: carol.id, connectionId }),
    );
    await carol.post(`/exceptions/${asked.id}/revoke`).send({ reason: 'clean up after the check' }).expect(200);
  });

  it('approval excepts the drift, revocation reopens it, each step recorded', async () => {
    const ticket = (await request().expect(201)).body;
    expect(ticket).toMatchObject({ state: 'requested', requestedBy: 'business owner@example.test', requestedByKeyId: requester.id });
    const approved = (await approverA.post(`/exceptions/${ticket.id}/approve`).send({ reason: 'time-boxed, reviewed' }).expect(200)).body;
    expect(approved).toMatchObject({ state: 'approved', decidedBy: 'approver a@example.test' });
    expect(await drift()).toMatchObject({ status: 'excepted', exceptionId: ticket.id });
    expect((await t.api().get(`/drifts?connectionId=${connectionId}&status=open`).expect(200)).body.items).toEqual([]);

    // Still failing on the next poll: stays excepted, not a new episode.
    await pollNow(t, connectionId);
    expect(await drift()).toMatchObject({ status: 'excepted', exceptionId: ticket.id });

    const revoked = (await approverB.post(`/exceptions/${ticket.id}/revoke`).send({ reason: 'campaign ended early' }).expect(200)).body;
    expect(revoked).toMatchObject({ state: 'revoked', endedBy: 'approver b@example.test', endedByKeyId: approverB.id, endReason: 'campaign ended early' });
    expect(revoked.events.map((e: { kind: string }) => e.kind)).toEqual(['requested', 'approved', 'revoked']);
    const reopened = await drift();
    expect(reopened).toMatchObject({ status: 'open', exceptionId: null });
    expect(reopened.events.map((e: { kind: string }) => e.kind)).toEqual(['opened', 'excepted', 'reopened']);
    await approverA.post(`/exceptions/${ticket.id}/revoke`).send({ reason: 'twice' }).expect(409);
  });

  it('a new drift matching an approved control-wide exception opens as excepted', async () => {
    const ticket = (await request({ resourceKey: undefined, controlId: 'SLACK.OAUTH.1' }).expect(201)).body;
    await approverA.post(`/exceptions/${ticket.id}/approve`).send({ reason: 'vendor under review' }).expect(200);
    await sim.control().post(`/_sim/slack/tenants/${token}/apps`).send({ id: 'A0EXCEPT01', name: 'Archiver', scopes: ['channels:history'] }).expect(201);
    await pollNow(t, connectionId);
    const { items } = (await t.api().get(`/drifts?connectionId=${connectionId}&controlId=SLACK.OAUTH.1`).expect(200)).body;
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ status: 'excepted', exceptionId: ticket.id, resourceKey: 'app:A0EXCEPT01' });
    await approverA.post(`/exceptions/${ticket.id}/revoke`).send({ reason: 'cleanup' }).expect(200);
  });

  it('expiry reopens the drift, also when it passed while Tollgate was down', async () => {
    const ticket = (await request({ expiresAt: inSeconds(2) }).expect(201)).body;
    await approverA.post(`/exceptions/${ticket.id}/approve`).send({ reason: 'two seconds only' }).expect(200);
    expect(await drift()).toMatchObject({ status: 'excepted' });
    await t.close();
    await new Promise((r) => setTimeout(r, 2500));
    t = await startTollgate(env());
    // Expired during start-up, before any tick.
    expect((await t.api().get(`/exceptions/${ticket.id}`).expect(200)).body).toMatchObject({ state: 'expired', endedBy: 'tollgate', endedByKeyId: null });
    expect(await drift()).toMatchObject({ status: 'open', exceptionId: null });

    const running = (await request({ expiresAt: inSeconds(1) }).expect(201)).body;
    await approverA.post(`/exceptions/${running.id}/approve`).send({ reason: 'one second only' }).expect(200);
    await new Promise((r) => setTimeout(r, 1100));
    expect(await t.app.get(ExceptionExpiry).run()).toBe(1);
    expect(await drift()).toMatchObject({ status: 'open' });
  });

  it('announces every transition on the webhook, HMAC-signed, retrying a failing receiver', async () => {
    await t.app.get(WebhookDispatcher).dispatchDue();
    received.length = 0;
    hookFailures = 1;
    const ticket = (await request().expect(201)).body;
    expect(await t.app.get(WebhookDispatcher).dispatchDue()).toBe(1);
    const ds = t.app.get(DataSource);
    const [pending] = await ds.query(`SELECT state, attempts, last_status, next_attempt_at > now() + interval '3 seconds' AS backed_off FROM webhook_deliveries WHERE state <> 'delivered'`);
    expect(pending).toEqual({ state: 'pending', attempts: 1, last_status: 500, backed_off: true });
    await ds.query(`UPDATE webhook_deliveries SET next_attempt_at = now() WHERE state = 'pending'`);
    await eventually('the retried delivery', async () => (await t.app.get(WebhookDispatcher).dispatchDue()) > 0 && received.length === 1);
    const [delivery] = received;
    const body = JSON.parse(delivery.body);
    expect(body).toMatchObject({ event: 'exception.requested', data: { exceptionId: ticket.id, controlId: 'SLACK.SHARING.1' } });
    expect(delivery.headers['x-tollgate-signature']).toBe(webhookSignature(WEBHOOK_SECRET, String(delivery.headers['x-tollgate-timestamp']), delivery.body));
    const log = (await t.api().get('/webhooks/deliveries').expect(200)).body.items;
    expect(log.find((d: { id: string }) => d.id === body.id)).toMatchObject({ state: 'delivered', attempts: 2, lastStatus: 204 });
  });

  it('a key scoped to another connection cannot see the exceptions: 404', async () => {
    const other = (await t.api().post('/connections').send(slackConnection(sim, 'xoxp-exceptions-other', 'other')).expect(201)).body.id;
    const scoped = await keyFor(t, 'viewer', 'other team', [other]);
    const { items } = (await t.api().get(`/exceptions?connectionId=${connectionId}`).expect(200)).body;
    expect(items.length).toBeGreaterThan(0);
    await scoped.get(`/exceptions/${items[0].id}`).expect(404);
    expect((await scoped.get('/exceptions').expect(200)).body.items).toEqual([]);
    await scoped.get(`/drifts/${driftId}`).expect(404);
  });
});
