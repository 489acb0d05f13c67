import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyCheckpoint, type LedgerRow } from '@tollgate/evidence';
import { EvidenceCheckpointer } from '../apps/tollgate/src/evidence/evidence-checkpoint.service';
import { run } from '../scripts/evidence-verify';
import { COMPLIANT_SLACK_IDS, putCompliantSlackTenant, slackConnection, startSimulator } from './support/simulator';
import { createTestDatabase, type TestDatabase } from './support/database';
import { keyFor } from './support/keys';
import { eventually, pollNow, startTollgate, type RunningTollgate } from './support/tollgate';

const TEAM = COMPLIANT_SLACK_IDS.teamIds[1];
const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toISOString();

type Client = Awaited<ReturnType<typeof keyFor>>;

// Scopes hold everywhere: a key scoped to connection A never reaches beyond A, neither through key
// management, baselines or new connections (issue 11, "Why" item 1 and the first sentence of item 9)
// nor through the ledger, the audit log or the webhook log (item 4).
describe('scoped keys stay inside their connections', () => {
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  let db: TestDatabase;
  let t: RunningTollgate;
  let hook: Server;
  let a: string;
  let b: string;
  const exceptionOf: Record<string, string> = {};
  let unscopedAdmin: Client;
  let scopedAdmin: Client;
  let scopedOperator: Client;
  let scopedAuditor: Client;
  let auditor: Client;

  beforeAll(async () => {
    hook = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.statusCode = 204;
        res.end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    sim = await startSimulator();
    db = await createTestDatabase();
    t = await startTollgate({ ...db.env, TOLLGATE_WEBHOOK_URL: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`, TOLLGATE_WEBHOOK_SECRET: 'e2e-webhook-secret-0123456789' });
    for (const [token, name] of [['xoxp-scopes-a', 'Scope A'], ['xoxp-scopes-b', 'Scope B']]) {
      await putCompliantSlackTenant(sim, token);
      // One drift per connection: an open workspace.
      await sim.control().patch(`/_sim/slack/tenants/${token}/teams/${TEAM}`).send({ discoverability: 'open' }).expect(200);
      const id = (await t.api().post('/connections').send(slackConnection(sim, token, name)).expect(201)).body.id as string;
      await pollNow(t, id);
    }
    [a, b] = (await t.api().get('/connections').expect(200)).body.items.map((c: { id: string }) => c.id);

    unscopedAdmin = await keyFor(t, 'admin', 'root admin');
    scopedAdmin = await keyFor(t, 'admin', 'team a admin', [a]);
    scopedOperator = await keyFor(t, 'operator', 'team a operator', [a]);
    scopedAuditor = await keyFor(t, 'auditor', 'team a auditor', [a]);
    auditor = await keyFor(t, 'auditor', 'auditor');
    const owner = await keyFor(t, 'operator', 'owner');
    for (const id of [a, b]) {
      exceptionOf[id] = (
        await owner
          .post('/exceptions')
          .send({ connectionId: id, controlId: 'SLACK.SHARING.1', justification: 'an open workspace for the launch', expiresAt: inSeconds(86_400) })
          .expect(201)
      ).body.id;
    }
    await t.api().patch(`/connections/${b}`).send({ pollIntervalSeconds: 3600 }).expect(200);
    await t.app.get(EvidenceCheckpointer).tick();
    // Audit rows are written after the answer: wait for the last one.
    await eventually('the audit row of the last change', async () =>
      (await auditor.get('/audit-events?limit=500').expect(200)).body.items.some((e: { target: string }) => e.target === b),
    );
  });

  afterAll(async () => {
    await t?.close();
    await db?.drop();
    await sim?.close();
    await new Promise((r) => hook?.close(r));
  });

  describe('key management is for unscoped admins only (item 1)', () => {
    it('refuses the escalation the issue observed: a scoped admin creating an unscoped admin key', async () => {
      const res = await scopedAdmin.post('/api-keys').send({ name: 'escalated', role: 'admin' }).expect(403);
      expect(res.body.message).toBe('a key scoped to connections may not do this: it needs a key for all connections');
      await scopedAdmin.post('/api-keys').send({ name: 'escalated', principal: 'mallory@example.test', role: 'admin' }).expect(403);
      await scopedAdmin.post('/api-keys').send({ name: 'escalated', principal: 'mallory@example.test', role: 'viewer', connectionIds: [a] }).expect(403);
      const keys = (await unscopedAdmin.get('/api-keys').expect(200)).body.items;
      expect(keys.map((k: { name: string }) => k.name)).not.toContain('escalated');
    });

    it('refuses to list keys or revoke the key of an unscoped admin', async () => {
      await scopedAdmin.get('/api-keys').expect(403);
      await scopedAdmin.delete(`/api-keys/${unscopedAdmin.id}`).expect(403);
      await unscopedAdmin.get('/api-keys').expect(200);
    });

    it('refuses to reload baselines', async () => {
      await scopedAdmin.post('/baselines/reload').expect(403);
      await unscopedAdmin.post('/baselines/reload').expect(200);
    });

    it('records the refusals with principal and key id', async () => {
      const events = (await auditor.get('/audit-events?limit=500').expect(200)).body.items;
      expect(events).toContainEqual(
        expect.objectContaining({
          action: 'POST /api/v1/api-keys',
          outcome: 'denied',
          status: 403,
          principal: 'team a admin@example.test',
          actorKeyId: scopedAdmin.id,
        }),
      );
    });
  });

  describe('connections (item 9, first sentence)', () => {
    it('a scoped operator or admin cannot create a connection', async () => {
      const before = (await t.api().get('/connections').expect(200)).body.items.length;
      for (const key of [scopedOperator, scopedAdmin]) {
        await key.post('/connections').send(slackConnection(sim, 'xoxp-scopes-a', 'Outside the scope')).expect(403);
      }
      expect((await t.api().get('/connections').expect(200)).body.items).toHaveLength(before);
    });

    it('a scoped key cannot rename its connection, but may change the rest of it', async () => {
      const res = await scopedOperator.patch(`/connections/${a}`).send({ name: 'Scope B' }).expect(403);
      expect(res.body.message).toMatch(/may not rename/);
      await scopedOperator.patch(`/connections/${a}`).send({ name: 'Renamed A' }).expect(403);
      await scopedOperator.patch(`/connections/${a}`).send({ name: 'Scope A', pollIntervalSeconds: 1800 }).expect(200);
      expect((await t.api().get(`/connections/${a}`).expect(200)).body).toMatchObject({ name: 'Scope A', pollIntervalSeconds: 1800 });
    });
  });

  describe('what a scoped key reads (item 4)', () => {
    it('webhook deliveries: only those about its connections', async () => {
      const all = (await unscopedAdmin.get('/webhooks/deliveries').expect(200)).body.items as { id: string; payload: { data: { connectionId: string } } }[];
      expect(new Set(all.map((d) => d.payload.data.connectionId))).toEqual(new Set([a, b]));
      const own = (await scopedAdmin.get('/webhooks/deliveries').expect(200)).body.items as typeof all;
      expect(own.length).toBeGreaterThan(0);
      expect(own.every((d) => d.payload.data.connectionId === a)).toBe(true);
      // The dispatcher may move a delivery's state between the reads: compare ids.
      expect(own.map((d) => d.id)).toEqual(all.filter((d) => d.payload.data.connectionId === a).map((d) => d.id));
    });

    it("ledger: only its connections' entries, each placeable in the full chain, with the signed head", async () => {
      const full = (await auditor.get('/evidence/ledger?limit=1000').expect(200)).body;
      expect(full.connectionIds).toBeNull();
      const fullItems = full.items as LedgerRow[];
      expect(fullItems.some((e) => e.data.connectionId === b && e.kind === 'drift.opened')).toBe(true);

      // Walk the scoped view one entry per page: paging works across the gaps.
      const scoped: LedgerRow[] = [];
      let afterSeq = 0;
      let page;
      do {
        page = (await scopedAuditor.get(`/evidence/ledger?afterSeq=${afterSeq}&limit=1`).expect(200)).body;
        scoped.push(...page.items);
        afterSeq = page.nextAfterSeq;
      } while (afterSeq !== null);
      expect(page.connectionIds).toEqual([a]);
      expect(scoped.map((e) => e.kind)).toEqual(expect.arrayContaining(['drift.opened', 'exception.requested']));
      const lastSeq = fullItems[fullItems.length - 1].seq;
      expect(scoped.filter((e) => e.seq <= lastSeq)).toEqual(fullItems.filter((e) => e.data.connectionId === a));

      // The signed head is the latest checkpoint: with the public key and a full export, the holder checks the chain.
      const checkpoints = (await scopedAuditor.get('/evidence/checkpoints').expect(200)).body.items;
      expect(page.signedHead).toEqual(checkpoints[checkpoints.length - 1]);
      const { publicKeyPem } = (await scopedAuditor.get('/evidence/public-key').expect(200)).body;
      expect(verifyCheckpoint(page.signedHead, publicKeyPem)).toBe(true);
      expect(fullItems.find((e) => e.seq === page.signedHead.seq)?.hash).toBe(page.signedHead.hash);
    });

    it('the offline verifier refuses a scoped key instead of reading its gaps as tampering', async () => {
      const lines: string[] = [];
      const out = { log: (l: string) => lines.push(l), error: (l: string) => lines.push(l) };
      expect(await run(['--url', t.url], out, { TOLLGATE_API_KEY: scopedAuditor.key })).toBe(2);
      expect(lines.join('\n')).toContain('scoped to connections');
      expect(await run(['--url', t.url], { log: () => undefined, error: () => undefined }, { TOLLGATE_API_KEY: auditor.key })).toBe(0);
    });

    it('verify: the whole chain, the same report as an unscoped auditor, naming no entry contents', async () => {
      const scoped = (await scopedAuditor.get('/evidence/verify').expect(200)).body;
      expect(scoped).toMatchObject({ ok: true, firstBadSeq: null });
      expect(scoped).toEqual((await auditor.get('/evidence/verify').expect(200)).body);
    });

    it("audit events: only those whose target is one of its connections' objects", async () => {
      const all = (await auditor.get('/audit-events?limit=500').expect(200)).body.items as { id: string; target: string | null; connectionId: string | null; action: string }[];
      expect(all).toContainEqual(expect.objectContaining({ action: 'POST /api/v1/exceptions', target: exceptionOf[b], connectionId: b }));
      expect(all).toContainEqual(expect.objectContaining({ action: 'PATCH /api/v1/connections/:id', target: b, connectionId: b }));
      const own = (await scopedAuditor.get('/audit-events?limit=500').expect(200)).body.items as typeof all;
      expect(own).toContainEqual(expect.objectContaining({ action: 'POST /api/v1/exceptions', target: exceptionOf[a], connectionId: a }));
      expect(own).toContainEqual(expect.objectContaining({ action: 'PATCH /api/v1/connections/:id', target: a, connectionId: a }));
      expect(own.every((e) => e.connectionId === a)).toBe(true);
      // Read after `all`: a late audit row of an earlier test may have joined since.
      expect(own.map((e) => e.id)).toEqual(expect.arrayContaining(all.filter((e) => e.connectionId === a).map((e) => e.id)));
    });

    it("drifts and exceptions of other connections stay out of view", async () => {
      expect((await scopedAuditor.get('/exceptions').expect(200)).body.items.map((e: { id: string }) => e.id)).toEqual([exceptionOf[a]]);
      await scopedAuditor.get(`/exceptions/${exceptionOf[b]}`).expect(404);
      const drifts = (await scopedAuditor.get('/drifts').expect(200)).body.items as { connectionId: string }[];
      expect(drifts.length).toBeGreaterThan(0);
      expect(drifts.every((d) => d.connectionId === a)).toBe(true);
    });
  });
});
