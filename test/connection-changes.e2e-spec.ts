import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { COMPLIANT_SLACK_PARAMETERS, putCompliantSlackTenant, slackConnection, startSimulator } from './support/simulator';
import { createTestDatabase, type TestDatabase } from './support/database';
import { keyFor } from './support/keys';
import { pollNow, startTollgate, type RunningTollgate } from './support/tollgate';

type Key = Awaited<ReturnType<typeof keyFor>>;
type Drift = { id: string; controlId: string; resourceKey: string; status: string; resolution: string | null };
type LedgerRow = { seq: number; kind: string; data: Record<string, unknown> };

/** Apps holding a bulk-read scope: each one fails SLACK.OAUTH.1 (critical) until approved. */
const OFFENDING = ['A0OFFEND01', 'A0OFFEND02', 'A0OFFEND03'];

/** A second Slack baseline, so a connection can be switched to one that checks less. */
const LENIENT_BASELINE = `id: acme-slack-lenient
version: 1
provider: slack
title: Lenient
controls:
  - id: ACME.SHARING.1
    title: Workspaces are not open
    area: sharing
    severity: low
    references: [internal policy]
    rationale: Because.
    remediation: Close it.
    check: { type: setting, key: slack.workspace.discoverability, op: notEquals, value: open }
`;

/**
 * Issue 11, item 7: an operator widened approvedApps and the next poll closed three critical drifts
 * as if remediated. A loosening change now waits for another principal; once approved, the drifts
 * it makes pass close as baseline_changed (events, GET /drifts/:id, reports, CSV, ledger).
 */
describe('changes to what a connection is held to', () => {
  const token = 'xoxp-loosening-0001';
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  let db: TestDatabase;
  let t: RunningTollgate;
  let connectionId: string;
  let otherId: string;
  let operator: Key;
  let approverA: Key;
  let approverB: Key;
  /** An approver key of the same person as the operator. */
  let operatorAsApprover: Key;

  const drifts = async (q = ''): Promise<Drift[]> => (await t.api().get(`/drifts?connectionId=${connectionId}&limit=500${q}`).expect(200)).body.items;
  const offending = async () => (await drifts()).filter((d) => d.controlId === 'SLACK.OAUTH.1' && OFFENDING.includes(d.resourceKey.replace(/^app:/, '')));
  const ledger = async (): Promise<LedgerRow[]> => {
    const all: LedgerRow[] = [];
    for (let after: number | null = 0; after !== null; ) {
      const page: { items: LedgerRow[]; nextAfterSeq: number | null } = (await t.api().get(`/evidence/ledger?afterSeq=${after}&limit=500`).expect(200)).body;
      all.push(...page.items);
      after = page.nextAfterSeq;
    }
    return all;
  };
  const connection = async () => (await t.api().get(`/connections/${connectionId}`).expect(200)).body;

  beforeAll(async () => {
    sim = await startSimulator();
    await putCompliantSlackTenant(sim, token);
    for (const id of OFFENDING) {
      await sim.control().post(`/_sim/slack/tenants/${token}/apps`).send({ id, name: `Exporter ${id}`, scopes: ['channels:history'] }).expect(201);
    }
    db = await createTestDatabase();
    const baselines = mkdtempSync(join(tmpdir(), 'tollgate-lenient-'));
    writeFileSync(join(baselines, 'acme-slack-lenient.yaml'), LENIENT_BASELINE);
    t = await startTollgate({ ...db.env, TOLLGATE_BASELINES_DIR: baselines });
    connectionId = (await t.api().post('/connections').send(slackConnection(sim, token, 'loosening')).expect(201)).body.id;
    otherId = (await t.api().post('/connections').send(slackConnection(sim, 'xoxp-loosening-other', 'elsewhere')).expect(201)).body.id;
    await pollNow(t, connectionId);
    operator = await keyFor(t, 'operator', 'ops', undefined, 'ops@example.test');
    operatorAsApprover = await keyFor(t, 'approver', 'ops second key', undefined, 'ops@example.test');
    approverA = await keyFor(t, 'approver', 'approver a');
    approverB = await keyFor(t, 'approver', 'approver b');
    // One of the three is under an approved exception, as in the report.
    const excepted = (await operator
      .post('/exceptions')
      .send({ connectionId, controlId: 'SLACK.OAUTH.1', resourceKey: `app:${OFFENDING[2]}`, justification: 'export vendor under review until Q3', expiresAt: new Date(Date.now() + 7 * 86_400_000).toISOString() })
      .expect(201)).body.id;
    await approverA.post(`/exceptions/${excepted}/approve`).send({ reason: 'reviewed' }).expect(200);
  });

  afterAll(async () => {
    await t?.close();
    await db?.drop();
    await sim?.close();
  });

  let changeId: string;

  it('starts with three critical drifts for the offending apps, one of them excepted', async () => {
    const found = await offending();
    expect(found.map((d) => d.status).sort()).toEqual(['excepted', 'open', 'open']);
  });

  it('an operator approving the offending apps gets 202 and a pending change; nothing changes yet', async () => {
    const res = await operator
      .patch(`/connections/${connectionId}`)
      .send({ parameters: { ...COMPLIANT_SLACK_PARAMETERS, approvedApps: OFFENDING } })
      .expect(202);
    expect(res.body).toMatchObject({
      connectionId,
      status: 'pending',
      loosening: true,
      source: 'api',
      before: { baselineId: 'slack-locked-down', parameters: COMPLIANT_SLACK_PARAMETERS, declaredResidency: 'EU' },
      after: { baselineId: 'slack-locked-down', parameters: { ...COMPLIANT_SLACK_PARAMETERS, approvedApps: OFFENDING } },
      requestedBy: 'ops@example.test',
      requestedByKeyId: operator.id,
      decidedBy: null,
    });
    expect(res.body.reasons).toEqual(expect.arrayContaining([expect.stringMatching(/^parameters\.approvedApps \(SLACK\.OAUTH\.1\): allows A0OFFEND01, A0OFFEND02, A0OFFEND03$/)]));
    expect(Date.parse(res.body.expiresAt)).toBeGreaterThan(Date.now() + 6 * 86_400_000);
    changeId = res.body.id;
    expect((await connection()).parameters).toEqual(COMPLIANT_SLACK_PARAMETERS);
  });

  it('the next poll still shows the drifts open', async () => {
    await pollNow(t, connectionId);
    expect((await offending()).map((d) => d.status).sort()).toEqual(['excepted', 'open', 'open']);
  });

  it('lists the pending change for readers, and only to keys scoped to the connection', async () => {
    const viewer = await keyFor(t, 'viewer', 'viewer');
    const list = (await viewer.get(`/connections/${connectionId}/changes?status=pending`).expect(200)).body;
    expect(list.items.map((c: { id: string }) => c.id)).toEqual([changeId]);
    expect((await viewer.get(`/connections/${connectionId}/changes/${changeId}`).expect(200)).body.status).toBe('pending');
    const scopedElsewhere = await keyFor(t, 'approver', 'scoped approver', [otherId]);
    await scopedElsewhere.get(`/connections/${connectionId}/changes`).expect(404);
    await scopedElsewhere.post(`/connections/${connectionId}/changes/${changeId}/approve`).send({ reason: 'looks fine' }).expect(404);
    await approverA.get(`/connections/${otherId}/changes/${changeId}`).expect(404);
  });

  it('a second loosening request waits its turn, and one mixed with other fields is refused', async () => {
    const again = await operator.patch(`/connections/${connectionId}`).send({ parameters: { ...COMPLIANT_SLACK_PARAMETERS, maxMultiChannelGuests: 5 } }).expect(409);
    expect(again.body.message).toContain(changeId);
    const mixed = await operator.patch(`/connections/${otherId}`).send({ name: 'renamed', parameters: { ...COMPLIANT_SLACK_PARAMETERS, maxMultiChannelGuests: 5 } }).expect(400);
    expect(mixed.body.message).toMatch(/maxMultiChannelGuests .*raised from 0 to 5.*send name in a separate request/);
  });

  it('the requester cannot approve or reject it, not even with an approver key of the same principal', async () => {
    await operator.post(`/connections/${connectionId}/changes/${changeId}/approve`).send({ reason: 'mine' }).expect(403);
    const self = await operatorAsApprover.post(`/connections/${connectionId}/changes/${changeId}/approve`).send({ reason: 'mine' }).expect(403);
    expect(self.body.message).toMatch(/must not be the requester/);
    await operatorAsApprover.post(`/connections/${connectionId}/changes/${changeId}/reject`).send({ reason: 'mine' }).expect(403);
    expect((await operator.get(`/connections/${connectionId}/changes/${changeId}`).expect(200)).body.status).toBe('pending');
  });

  it('another approver approves: the change applies and the drifts close as baseline_changed, not remediated', async () => {
    const res = await approverA.post(`/connections/${connectionId}/changes/${changeId}/approve`).send({ reason: 'vendor reviewed' }).expect(200);
    expect(res.body).toMatchObject({ status: 'approved', decidedBy: 'approver a@example.test', decidedByKeyId: approverA.id, decisionReason: 'vendor reviewed' });
    expect((await connection()).parameters).toEqual({ ...COMPLIANT_SLACK_PARAMETERS, approvedApps: OFFENDING });
    await approverB.post(`/connections/${connectionId}/changes/${changeId}/approve`).send({ reason: 'again' }).expect(409);

    // Closed in the approving transaction, before any poll.
    const closed = await offending();
    expect(closed).toHaveLength(3);
    for (const d of closed) expect(d).toMatchObject({ status: 'resolved', resolution: 'baseline_changed' });
    for (const d of closed) {
      const detail = (await t.api().get(`/drifts/${d.id}`).expect(200)).body;
      expect(detail.resolution).toBe('baseline_changed');
      const resolved = detail.events.filter((e: { kind: string }) => e.kind === 'resolved');
      expect(resolved).toEqual([expect.objectContaining({ resolution: 'baseline_changed', pollId: null, note: expect.stringContaining(changeId) })]);
    }

    // The next poll has nothing left to resolve, and remediates nothing.
    await pollNow(t, connectionId);
    for (const d of await offending()) expect(d).toMatchObject({ status: 'resolved', resolution: 'baseline_changed' });
  });

  it('the ledger shows the request and the approval with before/after and principals, then each closure with its reason', async () => {
    const entries = await ledger();
    const ofChange = entries.filter((e) => e.data.changeId === changeId);
    // SLACK.OAUTH.1 for each app, and SLACK.OAUTH.2 too, which reads the same parameter.
    expect(ofChange.map((e) => e.kind)).toEqual(['connection.change.requested', 'connection.change.approved', ...Array(6).fill('drift.resolved')]);
    expect(ofChange[0].data).toMatchObject({ principal: 'ops@example.test', keyId: operator.id, loosening: true });
    expect(ofChange[1].data).toMatchObject({
      connectionId,
      requestedBy: 'ops@example.test',
      requestedByKeyId: operator.id,
      principal: 'approver a@example.test',
      keyId: approverA.id,
      decisionReason: 'vendor reviewed',
      before: { parameters: COMPLIANT_SLACK_PARAMETERS },
      after: { parameters: { ...COMPLIANT_SLACK_PARAMETERS, approvedApps: OFFENDING } },
    });
    for (const e of ofChange.slice(2)) expect(e.data).toMatchObject({ resolution: 'baseline_changed', controlId: expect.stringMatching(/^SLACK\.OAUTH\.[12]$/) });
    const closedIds = new Set((await offending()).map((d) => d.id));
    const remediated = entries.filter((e) => e.kind === 'drift.resolved' && closedIds.has(e.data.driftId as string) && e.data.resolution !== 'baseline_changed');
    expect(remediated).toEqual([]);
    expect((await t.api().get('/evidence/verify').expect(200)).body).toMatchObject({ ok: true });
  });

  it('the drift report, JSON and CSV, gives the reason', async () => {
    const since = new Date(Date.now() - 3_600_000).toISOString();
    const ids = new Set((await offending()).map((d) => d.id));
    const json: Drift[] = (await t.api().get(`/reports/drift?since=${since}&format=json`).expect(200)).body.items;
    expect(json.filter((d) => ids.has(d.id)).map((d) => d.resolution)).toEqual(['baseline_changed', 'baseline_changed', 'baseline_changed']);
    const csv = (await t.api().get(`/reports/drift?since=${since}&format=csv`).expect(200)).text;
    const rows: Record<string, string>[] = parse(csv, { columns: true, record_delimiter: '\r\n' });
    const ours = rows.filter((r) => ids.has(r.id));
    expect(ours).toHaveLength(3);
    for (const r of ours) expect(r).toMatchObject({ status: 'resolved', resolution: 'baseline_changed' });
  });

  it('tightening applies at once, is in the ledger, and a fix in the tenant afterwards is remediated', async () => {
    const tighter = { ...COMPLIANT_SLACK_PARAMETERS, approvedApps: OFFENDING.slice(0, 2) };
    const res = await operator.patch(`/connections/${connectionId}`).send({ parameters: tighter }).expect(200);
    expect(res.body.parameters).toEqual(tighter);
    const [applied] = (await operator.get(`/connections/${connectionId}/changes?status=applied`).expect(200)).body.items;
    expect(applied).toMatchObject({ status: 'applied', loosening: false, reasons: [], requestedBy: 'ops@example.test', after: { parameters: tighter } });
    const entry = (await ledger()).find((e) => e.kind === 'connection.change.applied' && e.data.changeId === applied.id);
    expect(entry?.data).toMatchObject({ principal: 'ops@example.test', keyId: operator.id, loosening: false, before: { parameters: { approvedApps: OFFENDING } }, after: { parameters: tighter } });

    // The third app fails again (excepted: its exception still holds); removing it from the tenant is a remediation.
    await pollNow(t, connectionId);
    const reopened = (await drifts('&status=excepted')).find((d) => d.resourceKey === `app:${OFFENDING[2]}` && d.controlId === 'SLACK.OAUTH.1');
    expect(reopened).toBeDefined();
    await sim.control().delete(`/_sim/slack/tenants/${token}/apps/${OFFENDING[2]}`).expect(200);
    // Twice: a poll made due by the earlier request may have read the tenant before the removal.
    await pollNow(t, connectionId);
    await pollNow(t, connectionId);
    const fixed = (await t.api().get(`/drifts/${reopened!.id}`).expect(200)).body;
    expect(fixed).toMatchObject({ status: 'resolved', resolution: 'remediated' });
    expect(fixed.events.at(-1)).toMatchObject({ kind: 'resolved', resolution: 'remediated' });
  });

  it('raising a bound or declaring another residency needs approval too', async () => {
    const raised = await operator.patch(`/connections/${connectionId}`).send({ declaredResidency: 'US' }).expect(202);
    expect(raised.body.reasons).toEqual(['declaredResidency: changes from EU to US']);
    await approverB.post(`/connections/${connectionId}/changes/${raised.body.id}/reject`).send({ reason: 'not what we agreed' }).expect(200);
    expect((await connection()).declaredResidency).toBe('EU');
  });

  it('switching baseline needs approval; a rejection leaves the connection as it was and is in the ledger', async () => {
    const res = await operator.patch(`/connections/${connectionId}`).send({ baselineId: 'acme-slack-lenient', parameters: {} }).expect(202);
    expect(res.body.reasons).toEqual(['baselineId: switches from slack-locked-down to acme-slack-lenient']);
    const rejected = await approverB.post(`/connections/${connectionId}/changes/${res.body.id}/reject`).send({ reason: 'keep the locked-down preset' }).expect(200);
    expect(rejected.body).toMatchObject({ status: 'rejected', decidedBy: 'approver b@example.test' });
    expect((await connection()).baselineId).toBe('slack-locked-down');
    const entry = (await ledger()).find((e) => e.kind === 'connection.change.rejected' && e.data.changeId === res.body.id);
    expect(entry?.data).toMatchObject({ principal: 'approver b@example.test', keyId: approverB.id, requestedBy: 'ops@example.test', after: { baselineId: 'acme-slack-lenient' } });
    await approverA.post(`/connections/${connectionId}/changes/${res.body.id}/approve`).send({ reason: 'too late' }).expect(409);
  });

  it('an approved baseline switch closes the drifts of controls the new baseline does not have as baseline_changed', async () => {
    await sim.control().post(`/_sim/slack/tenants/${token}/apps`).send({ id: 'A0OFFEND04', name: 'Late exporter', scopes: ['files:read'] }).expect(201);
    await pollNow(t, connectionId);
    const before = await drifts('&status=open');
    expect(before.map((d) => d.resourceKey)).toContain('app:A0OFFEND04');
    const res = await operator.patch(`/connections/${connectionId}`).send({ baselineId: 'acme-slack-lenient', parameters: {} }).expect(202);
    await approverA.post(`/connections/${connectionId}/changes/${res.body.id}/approve`).send({ reason: 'pilot of the lenient preset' }).expect(200);
    expect((await connection()).baselineId).toBe('acme-slack-lenient');
    for (const d of before) {
      expect((await t.api().get(`/drifts/${d.id}`).expect(200)).body).toMatchObject({ status: 'resolved', resolution: 'baseline_changed' });
    }
  });
});
