import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SchedulerRegistry } from '@nestjs/schedule';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { compliantM365Tenant, compliantSlackTenant, COMPLIANT_M365_IDS } from '@tollgate/provider-sim';
import { COMPLIANT_M365_PARAMETERS, m365Connection, slackConnection, startSimulator } from './support/simulator';
import { createTestDatabase, type TestDatabase } from './support/database';
import { keyFor } from './support/keys';
import { pollNow, startTollgate, type RunningTollgate } from './support/tollgate';
import { AttestationExpiry } from '../apps/tollgate/src/attestations/attestation-expiry.service';
import { ConnectionChangeExpiry } from '../apps/tollgate/src/connections/connection-change-expiry.service';
import { WebhookDispatcher, webhookSignature } from '../apps/tollgate/src/webhooks/webhook-dispatcher.service';
import { driftsOpenedData, WebhookOutbox } from '../apps/tollgate/src/webhooks/webhook-outbox';

const WEBHOOK_SECRET = 'e2e-webhook-secret-0123456789';
const APPS = 2000;

// Issue 11, item 9: 2,000 critical drifts in one poll queued 2,000 webhooks, and exception notices
// waited behind them.
describe('webhooks that stay useful', () => {
  const token = 'xoxp-webhooks-2000';
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  let db: TestDatabase;
  let t: RunningTollgate;
  let hook: Server;
  let hookUrl: string;
  const received: { event: string; body: Record<string, unknown> }[] = [];

  beforeAll(async () => {
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push({ event: String(req.headers['x-tollgate-event']), body: JSON.parse(body) });
        res.statusCode = 204;
        res.end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
    sim = await startSimulator();
    // The compliant tenant plus 2,000 approved apps that read message history: one critical drift each.
    const tenant = compliantSlackTenant(token);
    (tenant.approvedApps ??= []).push(
      ...Array.from({ length: APPS }, (_, i) => ({
        app: { id: `A0BULK${String(i).padStart(5, '0')}`, name: `Bulk reader ${i}`, is_app_directory_approved: true, is_internal: false },
        scopes: ['channels:history', 'chat:write'],
        date_updated: 1_700_000_000,
      })),
    );
    await request(sim.url).put(`/_sim/slack/tenants/${token}`).send(tenant).expect(200);
    db = await createTestDatabase();
    t = await startTollgate({ ...db.env, TOLLGATE_WEBHOOK_URL: hookUrl, TOLLGATE_WEBHOOK_SECRET: WEBHOOK_SECRET });
    // Deliveries are sent when the test says, so that what was queued can be looked at first.
    t.app.get(SchedulerRegistry).deleteInterval('webhook-dispatch');
  }, 60_000);

  afterAll(async () => {
    await t?.close();
    await db?.drop();
    await sim?.close();
    await new Promise((r) => hook?.close(r));
  });

  it(`${APPS} critical drifts from one poll are one delivery, and an exception transition queued after it goes out first`, async () => {
    const connectionId = (await t.api().post('/connections').send(slackConnection(sim, token, 'bulk apps')).expect(201)).body.id as string;
    await pollNow(t, connectionId);
    const ds = t.app.get(DataSource);
    const [{ critical }] = await ds.query(`SELECT count(*)::int AS critical FROM drifts WHERE connection_id = $1 AND severity = 'critical' AND status = 'open'`, [connectionId]);
    expect(critical).toBe(APPS);
    const queued = await ds.query(`SELECT event FROM webhook_deliveries ORDER BY created_at`);
    expect(queued).toEqual([{ event: 'drifts.opened' }]);

    const requester = await keyFor(t, 'operator', 'webhook requester');
    const ticket = (
      await requester
        .post('/exceptions')
        .send({ connectionId, controlId: 'SLACK.OAUTH.1', resourceKey: 'app:A0BULK00000', justification: 'the archive export runs until March', expiresAt: new Date(Date.now() + 86_400_000).toISOString() })
        .expect(201)
    ).body;

    expect(await t.app.get(WebhookDispatcher).dispatchDue()).toBe(2);
    expect(received.map((r) => r.event)).toEqual(['exception.requested', 'drifts.opened']);
    expect(received[0].body).toMatchObject({ event: 'exception.requested', data: { exceptionId: ticket.id } });
    const opened = received[1].body as { event: string; data: { total: number; bySeverity: Record<string, number>; drifts: { severity: string; driftId: string }[]; truncated: boolean } };
    expect(opened).toMatchObject({
      event: 'drifts.opened',
      // Each app also fails a high-severity control: every opening of the poll is counted, in one delivery.
      data: { connectionId, connectionName: 'bulk apps', provider: 'slack', total: 2 * APPS, bySeverity: { critical: APPS, high: APPS, medium: 0, low: 0, info: 0 }, truncated: true },
    });
    // The list is bounded, most severe first.
    expect(opened.data.drifts).toHaveLength(50);
    expect(opened.data.drifts.every((d) => d.severity === 'critical' && typeof d.driftId === 'string')).toBe(true);
  }, 120_000);
});

type Delivery = { id: string; event: string; occurredAt: string; data: Record<string, unknown> };

/** The fields of a connection change's `data`: nothing else, so nothing of the connection's credentials or endpoints. */
const CHANGE_FIELDS = [
  'after', 'before', 'changeId', 'connectionId', 'connectionName', 'expiresAt', 'keyId', 'loosening', 'principal', 'provider', 'reasons', 'requestedBy', 'requestedByKeyId', 'source',
];
const ATTESTATION_FIELDS = [
  'attestationId', 'attestedBy', 'connectionId', 'connectionName', 'controlId', 'evidenceRef', 'expiresAt', 'keyId', 'principalId', 'reason', 'state', 'statement',
];

// Pending loosening changes and attestations are four-eyes objects too: the approver who is not told
// that a change waits for them does not review it. Each transition is announced like an exception's.
describe('webhooks for connection changes and attestations', () => {
  const contoso = COMPLIANT_M365_IDS.tenantId;
  const fabrikam = '33333333-3333-4333-8333-333333333333';
  /** A domain the tenant's partner list does not have yet. */
  const VENDOR = 'vendor.example';
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  let db: TestDatabase;
  let t: RunningTollgate;
  let hook: Server;
  let a: string;
  let b: string;
  let operator: Awaited<ReturnType<typeof keyFor>>;
  /** An approver key of the operator's own principal. */
  let operatorAsApprover: Awaited<ReturnType<typeof keyFor>>;
  let approverA: Awaited<ReturnType<typeof keyFor>>;
  let approverB: Awaited<ReturnType<typeof keyFor>>;
  const received: { headers: Record<string, string | string[] | undefined>; body: string }[] = [];

  /** Sends everything queued; the deliveries received, each with its signature checked. */
  const deliver = async (): Promise<Delivery[]> => {
    received.length = 0;
    while ((await t.app.get(WebhookDispatcher).dispatchDue()) > 0);
    return received.map((r) => {
      expect(r.headers['x-tollgate-signature']).toBe(webhookSignature(WEBHOOK_SECRET, String(r.headers['x-tollgate-timestamp']), r.body));
      // Never a secret or an endpoint of the connections, in any field.
      expect(r.body).not.toContain(COMPLIANT_M365_IDS.clientSecret);
      expect(r.body).not.toContain(sim.url);
      const body = JSON.parse(r.body) as Delivery;
      expect(r.headers['x-tollgate-event']).toBe(body.event);
      return body;
    });
  };
  const ofKind = (deliveries: Delivery[], prefix: string) => deliveries.filter((d) => d.event.startsWith(prefix));
  const loosen = (connectionId: string, domains: string[]) =>
    operator.patch(`/connections/${connectionId}`).send({ parameters: { ...COMPLIANT_M365_PARAMETERS, allowedDomains: [...COMPLIANT_M365_PARAMETERS.allowedDomains, ...domains] } });
  const attest = (key: typeof approverA, connectionId: string, controlId: string) =>
    key
      .post('/attestations')
      .send({ connectionId, controlId, statement: 'Checked in the Teams admin center: anonymous users cannot start meetings.', evidenceRef: 'SEC-2041', expiresAt: new Date(Date.now() + 90 * 86_400_000).toISOString() });

  beforeAll(async () => {
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.statusCode = 204;
        res.end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    sim = await startSimulator();
    for (const tenant of [contoso, fabrikam]) await sim.control().put(`/_sim/microsoft365/tenants/${tenant}`).send(compliantM365Tenant(tenant)).expect(200);
    db = await createTestDatabase();
    t = await startTollgate({ ...db.env, TOLLGATE_WEBHOOK_URL: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`, TOLLGATE_WEBHOOK_SECRET: WEBHOOK_SECRET });
    // Sending and expiring happen when the test says.
    for (const job of ['webhook-dispatch', 'connection-change-expiry', 'attestation-expiry']) t.app.get(SchedulerRegistry).deleteInterval(job);
    a = (await t.api().post('/connections').send(m365Connection(sim, contoso, 'Contoso M365')).expect(201)).body.id;
    b = (await t.api().post('/connections').send(m365Connection(sim, fabrikam, 'Fabrikam M365')).expect(201)).body.id;
    operator = await keyFor(t, 'operator', 'ops', undefined, 'ops@example.test');
    operatorAsApprover = await keyFor(t, 'approver', 'ops second key', undefined, 'ops@example.test');
    approverA = await keyFor(t, 'approver', 'approver a');
    approverB = await keyFor(t, 'approver', 'approver b');
  }, 60_000);

  afterAll(async () => {
    await t?.close();
    await db?.drop();
    await sim?.close();
    await new Promise((r) => hook?.close(r));
  });

  let changeId: string;

  it('a loosening change announces that it waits for an approver: what would loosen, before and after, no credentials', async () => {
    const change = (await loosen(a, [VENDOR]).expect(202)).body;
    changeId = change.id;
    const [requested, ...more] = ofKind(await deliver(), 'connection_change.');
    expect(more).toEqual([]);
    expect(requested).toEqual({
      id: expect.any(String),
      event: 'connection_change.requested',
      occurredAt: change.requestedAt,
      data: {
        changeId,
        connectionId: a,
        connectionName: 'Contoso M365',
        provider: 'microsoft365',
        source: 'api',
        loosening: true,
        reasons: change.reasons,
        before: { baselineId: change.before.baselineId, parameters: COMPLIANT_M365_PARAMETERS, declaredResidency: null },
        after: { baselineId: change.before.baselineId, parameters: { ...COMPLIANT_M365_PARAMETERS, allowedDomains: [...COMPLIANT_M365_PARAMETERS.allowedDomains, VENDOR] }, declaredResidency: null },
        requestedBy: 'ops@example.test',
        requestedByKeyId: operator.id,
        principal: 'ops@example.test',
        keyId: operator.id,
        expiresAt: change.expiresAt,
      },
    });
    expect(requested.data.reasons).toEqual([expect.stringMatching(/^parameters\.allowedDomains \(.+\): allows vendor\.example$/)]);
    expect(Object.keys(requested.data).sort()).toEqual(CHANGE_FIELDS);
  });

  it('the requester approving with another key is refused (403) and nothing is announced', async () => {
    await operatorAsApprover.post(`/connections/${a}/changes/${changeId}/approve`).send({ reason: 'mine' }).expect(403);
    await operatorAsApprover.post(`/connections/${a}/changes/${changeId}/reject`).send({ reason: 'mine' }).expect(403);
    expect(ofKind(await deliver(), 'connection_change.')).toEqual([]);
    const [{ queued }] = await t.app.get(DataSource).query(
      `SELECT count(*)::int AS queued FROM webhook_deliveries WHERE event LIKE 'connection_change.%' AND payload->'data'->>'changeId' = $1`,
      [changeId],
    );
    expect(queued).toBe(1);
  });

  it('another approver approves: announced with the decision; a second approval (409) announces nothing', async () => {
    const decided = (await approverA.post(`/connections/${a}/changes/${changeId}/approve`).send({ reason: 'partner reviewed' }).expect(200)).body;
    await approverB.post(`/connections/${a}/changes/${changeId}/approve`).send({ reason: 'again' }).expect(409);
    const changes = ofKind(await deliver(), 'connection_change.');
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({
      event: 'connection_change.approved',
      occurredAt: decided.decidedAt,
      data: { changeId, connectionId: a, connectionName: 'Contoso M365', principal: 'approver a@example.test', keyId: approverA.id, decisionReason: 'partner reviewed', requestedBy: 'ops@example.test' },
    });
    expect(Object.keys(changes[0].data).sort()).toEqual([...CHANGE_FIELDS, 'decisionReason'].sort());
  });

  it('a rejected change is announced too', async () => {
    const change = (await operator.patch(`/connections/${b}`).send({ declaredResidency: 'EU' }).expect(202)).body;
    await approverB.post(`/connections/${b}/changes/${change.id}/reject`).send({ reason: 'Fabrikam has no EU tenant' }).expect(200);
    const changes = ofKind(await deliver(), 'connection_change.');
    expect(changes.map((d) => d.event)).toEqual(['connection_change.requested', 'connection_change.rejected']);
    expect(changes[1].data).toMatchObject({
      changeId: change.id,
      connectionId: b,
      connectionName: 'Fabrikam M365',
      reasons: ['declaredResidency: changes from none to EU'],
      after: { declaredResidency: 'EU' },
      principal: 'approver b@example.test',
      keyId: approverB.id,
      decisionReason: 'Fabrikam has no EU tenant',
    });
  });

  it('news of a change waiting for an approver goes out before drift news queued earlier', async () => {
    const ds = t.app.get(DataSource);
    const poll = { pollId: '00000000-0000-4000-8000-000000000001', connectionId: b, connectionName: 'Fabrikam M365', provider: 'microsoft365' };
    await t.app.get(WebhookOutbox).enqueue(ds.manager, 'drifts.opened', new Date(), driftsOpenedData(poll, []));
    await operator.patch(`/connections/${b}`).send({ declaredResidency: 'US' }).expect(202);
    const events = (await deliver()).map((d) => d.event);
    expect(events).toContain('drifts.opened');
    expect(events.indexOf('connection_change.requested')).toBeLessThan(events.indexOf('drifts.opened'));
  });

  it('a change no approver decided in time is announced as expired, by the worker', async () => {
    const change = (await loosen(a, [VENDOR, 'late.example']).expect(202)).body;
    await deliver();
    await t.app.get(DataSource).query(`UPDATE connection_changes SET expires_at = now() - interval '1 second' WHERE id = $1`, [change.id]);
    expect(await t.app.get(ConnectionChangeExpiry).run()).toBe(1);
    const changes = ofKind(await deliver(), 'connection_change.');
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ event: 'connection_change.expired', data: { changeId: change.id, connectionId: a, principal: 'tollgate', keyId: null, loosening: true } });
    expect((await t.api().get(`/connections/${a}/changes/${change.id}`).expect(200)).body.status).toBe('expired');
    expect(await t.app.get(ConnectionChangeExpiry).run()).toBe(0);
  });

  it('a tightening change applies at once and is announced as applied', async () => {
    await operator.patch(`/connections/${a}`).send({ parameters: COMPLIANT_M365_PARAMETERS }).expect(200);
    const changes = ofKind(await deliver(), 'connection_change.');
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({
      event: 'connection_change.applied',
      data: { connectionId: a, loosening: false, reasons: [], expiresAt: null, principal: 'ops@example.test', after: { parameters: COMPLIANT_M365_PARAMETERS } },
    });
    expect((changes[0].data.before as { parameters: { allowedDomains: string[] } }).parameters.allowedDomains).toContain(VENDOR);
  });

  it('attestations announce being recorded, revoked and expired; a refused revocation announces nothing', async () => {
    const revoked = (await attest(approverA, a, 'M365.ATTEST.TEAMS.1').expect(201)).body;
    await approverB.post(`/attestations/${revoked.id}/revoke`).send({ reason: 'anonymous start was turned back on' }).expect(200);
    await approverB.post(`/attestations/${revoked.id}/revoke`).send({ reason: 'again' }).expect(409);
    const lapsed = (await attest(approverA, a, 'M365.ATTEST.TEAMS.2').expect(201)).body;
    await t.app.get(DataSource).query(`UPDATE attestations SET attested_at = now() - interval '30 days', expires_at = now() - interval '1 second' WHERE id = $1`, [lapsed.id]);
    expect(await t.app.get(AttestationExpiry).run()).toBe(1);
    const news = ofKind(await deliver(), 'attestation.');
    expect(news.map((d) => [d.event, d.data.attestationId])).toEqual([
      ['attestation.recorded', revoked.id],
      ['attestation.revoked', revoked.id],
      ['attestation.recorded', lapsed.id],
      ['attestation.expired', lapsed.id],
    ]);
    expect(news[0]).toEqual({
      id: expect.any(String),
      event: 'attestation.recorded',
      occurredAt: revoked.attestedAt,
      data: {
        attestationId: revoked.id,
        connectionId: a,
        connectionName: 'Contoso M365',
        controlId: 'M365.ATTEST.TEAMS.1',
        state: 'active',
        principalId: 'approver a@example.test',
        keyId: approverA.id,
        statement: revoked.statement,
        evidenceRef: 'SEC-2041',
        attestedBy: 'approver a@example.test',
        expiresAt: revoked.expiresAt,
        reason: null,
      },
    });
    expect(news[1].data).toMatchObject({ state: 'revoked', principalId: 'approver b@example.test', keyId: approverB.id, reason: 'anonymous start was turned back on' });
    expect(news[3].data).toMatchObject({ state: 'expired', principalId: 'tollgate', keyId: null, reason: 'reached its expiry' });
    for (const d of news) expect(Object.keys(d.data).sort()).toEqual(ATTESTATION_FIELDS);
  });

  it("a scoped admin's delivery log shows its connection's change and attestation news, and not another connection's", async () => {
    await attest(approverA, b, 'M365.ATTEST.TEAMS.1').expect(201);
    await deliver();
    const scopedAdmin = await keyFor(t, 'admin', 'contoso admin', [a]);
    type Listed = { id: string; event: string; payload: { data: { connectionId: string } } };
    const all: Listed[] = (await t.api().get('/webhooks/deliveries?limit=500').expect(200)).body.items;
    const own: Listed[] = (await scopedAdmin.get('/webhooks/deliveries?limit=500').expect(200)).body.items;
    const news = (items: Listed[], connectionId: string) =>
      new Set(items.filter((d) => d.payload.data.connectionId === connectionId && !d.event.startsWith('drifts.')).map((d) => d.event));
    expect(news(all, b)).toEqual(new Set(['connection_change.requested', 'connection_change.rejected', 'attestation.recorded']));
    expect(news(own, a)).toEqual(
      new Set([
        'connection_change.requested',
        'connection_change.approved',
        'connection_change.expired',
        'connection_change.applied',
        'attestation.recorded',
        'attestation.revoked',
        'attestation.expired',
      ]),
    );
    expect(own.every((d) => d.payload.data.connectionId === a)).toBe(true);
    expect(own.map((d) => d.id)).toEqual(all.filter((d) => d.payload.data.connectionId === a).map((d) => d.id));
  });
});
