import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SchedulerRegistry } from '@nestjs/schedule';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { compliantSlackTenant } from '@tollgate/provider-sim';
import { slackConnection, startSimulator } from './support/simulator';
import { createTestDatabase, type TestDatabase } from './support/database';
import { keyFor } from './support/keys';
import { pollNow, startTollgate, type RunningTollgate } from './support/tollgate';
import { WebhookDispatcher } from '../apps/tollgate/src/webhooks/webhook-dispatcher.service';

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
