import request from 'supertest';
import { DataSource } from 'typeorm';
import { compliantM365Tenant, COMPLIANT_M365_IDS } from '@tollgate/provider-sim';
import { m365Connection, startSimulator } from './support/simulator';
import { createTestDatabase, type TestDatabase } from './support/database';
import { keyFor } from './support/keys';
import { parseExposition, sampleValue } from './support/metrics-queries';
import { eventually, pollNow, startTollgate, type RunningTollgate } from './support/tollgate';

const inDays = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString();
const ANONYMOUS_START = 'M365.ATTEST.TEAMS.1';
const LOBBY = 'M365.ATTEST.TEAMS.2';
const FORWARDING = 'M365.ATTEST.EXO.1';

interface Finding {
  controlId: string;
  status: string;
  message: string;
  observed: unknown;
  attestation?: { id: string; attestedBy: string; expiresAt: string };
}

// An attestation control of a simulated Microsoft 365 tenant, end to end over HTTP: unknown until an
// approver attests it, pass while attested (findings, posture report, /metrics, ledger), unknown
// again once the attestation expires (with no request: the worker notices) or is revoked.
describe('attestations', () => {
  const tenantId = COMPLIANT_M365_IDS.tenantId;
  const otherTenant = '22222222-2222-4222-8222-222222222222';
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  let db: TestDatabase;
  let t: RunningTollgate;
  let ds: DataSource;
  let connectionId: string;
  let otherId: string;
  let approver: Awaited<ReturnType<typeof keyFor>>;

  const finding = async (controlId: string, id = connectionId): Promise<Finding> => {
    const body = (await t.api().get(`/connections/${id}/findings`).expect(200)).body as { findings: Finding[] };
    const found = body.findings.find((f) => f.controlId === controlId);
    if (!found) throw new Error(`no finding for ${controlId}`);
    return found;
  };
  const attest = (key: { post: (p: string) => request.Test }, body: Record<string, unknown> = {}) =>
    key.post('/attestations').send({
      connectionId,
      controlId: ANONYMOUS_START,
      statement: 'Checked in the Teams admin center: anonymous users cannot start meetings in any policy.',
      evidenceRef: 'SEC-2041',
      expiresAt: inDays(90),
      ...body,
    });
  const ledgerKinds = async (attestationId: string) => {
    const entries = (await t.api().get('/evidence/ledger?afterSeq=0&limit=1000').expect(200)).body.items as { kind: string; data: Record<string, unknown> }[];
    return entries.filter((e) => e.data.attestationId === attestationId);
  };

  beforeAll(async () => {
    sim = await startSimulator();
    await sim.control().put(`/_sim/microsoft365/tenants/${tenantId}`).send(compliantM365Tenant(tenantId)).expect(200);
    await sim.control().put(`/_sim/microsoft365/tenants/${otherTenant}`).send(compliantM365Tenant(otherTenant)).expect(200);
    db = await createTestDatabase();
    t = await startTollgate(db.env);
    // The app's own connection: it works with the embedded database as with a real one.
    ds = t.app.get(DataSource);
    connectionId = (await t.api().post('/connections').send(m365Connection(sim, tenantId, 'Contoso M365')).expect(201)).body.id;
    otherId = (await t.api().post('/connections').send(m365Connection(sim, otherTenant, 'Fabrikam M365')).expect(201)).body.id;
    await pollNow(t, connectionId);
    approver = await keyFor(() => t, 'approver', 'security approver');
  });

  afterAll(async () => {
    await t?.close();
    await db?.drop();
    await sim?.close();
  });

  it('leaves an attestation control unknown until someone attests it: never pass by default', async () => {
    const f = await finding(ANONYMOUS_START);
    expect(f).toMatchObject({ status: 'unknown', observed: null });
    expect(f.message).toMatch(/^not attested/);
    expect(f.attestation).toBeUndefined();
  });

  it('lets only approvers attest, only their connections, only up to a year ahead', async () => {
    const viewer = await keyFor(() => t, 'viewer', 'a viewer');
    const operator = await keyFor(() => t, 'operator', 'an operator');
    await attest(viewer).expect(403);
    await attest(operator).expect(403);
    const scoped = await keyFor(() => t, 'approver', 'fabrikam approver', [otherId]);
    expect((await attest(scoped).expect(404)).body.message).toMatch(/does not exist/);
    expect((await attest(approver, { expiresAt: inDays(367) }).expect(400)).body.message).toMatch(/within 365 days/);
    expect((await attest(approver, { expiresAt: inDays(-1) }).expect(400)).body.message).toMatch(/in the future/);
    expect((await attest(approver, { controlId: 'M365.SHAREPOINT.1' }).expect(400)).body.message).toMatch(/checked through the provider API/);
    expect((await t.api().get('/attestations').expect(200)).body.items).toEqual([]);
  });

  it('passes once an approver attests, showing who and until when in findings, posture report, metrics and ledger', async () => {
    const expiresAt = inDays(90);
    const created = (await attest(approver, { expiresAt }).expect(201)).body;
    expect(created).toMatchObject({ connectionId, controlId: ANONYMOUS_START, state: 'active', attestedBy: 'security approver@example.test', evidenceRef: 'SEC-2041' });

    // No poll requested: recording the attestation makes the connection due.
    const passed = await eventually('the attested finding', async () => {
      const f = await finding(ANONYMOUS_START);
      return f.status === 'pass' ? f : undefined;
    });
    expect(passed.attestation).toEqual({ id: created.id, attestedBy: 'security approver@example.test', expiresAt: created.expiresAt });
    expect(passed.message).toMatch(new RegExp(`^attested by security approver@example\\.test until ${created.expiresAt.replace(/[.]/g, '\\.')}`));

    const posture = (await t.api().get('/reports/posture').expect(200)).body.items.find((i: { connectionId: string }) => i.connectionId === connectionId);
    expect(posture.findings.attested).toBe(1);
    expect(posture.attestedControls).toEqual([{ controlId: ANONYMOUS_START, attestedBy: 'security approver@example.test', expiresAt: created.expiresAt }]);

    await eventually('tollgate_attested_controls 1', async () => {
      const { samples } = parseExposition((await request(t.url).get('/metrics').expect(200)).text);
      return sampleValue(samples, 'tollgate_attested_controls', { provider: 'microsoft365', connection: 'Contoso M365' }) === 1;
    });

    const [entry] = await ledgerKinds(created.id);
    expect(entry).toMatchObject({
      kind: 'attestation.recorded',
      data: { connectionId, controlId: ANONYMOUS_START, principalId: 'security approver@example.test', keyId: approver.id, expiresAt: created.expiresAt, state: 'active' },
    });
    const audit = (await t.api().get('/audit-events').expect(200)).body.items as { action: string; outcome: string }[];
    expect(audit.some((a) => /^POST .*\/attestations$/.test(a.action) && a.outcome === 'success')).toBe(true);

    expect((await approver.get(`/attestations/${created.id}`).expect(200)).body).toEqual(created);
    expect((await approver.get(`/attestations?connectionId=${connectionId}&controlId=${ANONYMOUS_START}&active=true`).expect(200)).body.items).toEqual([created]);
    expect((await approver.get('/attestations?active=false').expect(200)).body.items).toEqual([]);
    const outsider = await keyFor(() => t, 'viewer', 'fabrikam viewer', [otherId]);
    expect((await outsider.get('/attestations').expect(200)).body.items).toEqual([]);
    await outsider.get(`/attestations/${created.id}`).expect(404);
    await outsider.post(`/attestations/${created.id}/revoke`).send({ reason: 'not mine' }).expect(403);
  });

  it('turns unknown again when the attestation expires, with no request', async () => {
    const created = (await attest(approver, { controlId: LOBBY, expiresAt: inDays(30) }).expect(201)).body;
    await eventually('the lobby control attested', async () => (await finding(LOBBY)).status === 'pass');

    // Time moves on in the database only: the attestation was recorded long ago and ran out a moment ago.
    await ds.query(`UPDATE attestations SET attested_at = now() - interval '30 days', expires_at = now() - interval '1 second' WHERE id = $1`, [created.id]);
    const expired = await eventually('the lobby control unknown again', async () => {
      const f = await finding(LOBBY);
      return f.status === 'unknown' ? f : undefined;
    }, 30_000);
    expect(expired.message).toMatch(/^attestation expired on /);
    expect(expired.attestation).toBeUndefined();
    expect((await ledgerKinds(created.id)).map((e) => e.kind)).toEqual(['attestation.recorded', 'attestation.expired']);
    expect((await t.api().get(`/attestations/${created.id}`).expect(200)).body).toMatchObject({ state: 'expired', endedBy: 'tollgate' });
    expect((await approver.post(`/attestations/${created.id}/revoke`).send({ reason: 'too late' }).expect(409)).body.message).toMatch(/is expired/);
    // The other attestation still stands.
    expect((await finding(ANONYMOUS_START)).status).toBe('pass');
  });

  it('turns unknown again when an approver revokes the attestation', async () => {
    const created = (await attest(approver, { controlId: FORWARDING }).expect(201)).body;
    await eventually('forwarding attested', async () => (await finding(FORWARDING)).status === 'pass');
    const viewer = await keyFor(() => t, 'viewer', 'another viewer');
    await viewer.post(`/attestations/${created.id}/revoke`).send({ reason: 'I say so' }).expect(403);

    const revoker = await keyFor(() => t, 'approver', 'second approver');
    const revoked = (await revoker.post(`/attestations/${created.id}/revoke`).send({ reason: 'forwarding was turned back on' }).expect(200)).body;
    expect(revoked).toMatchObject({ state: 'revoked', endedBy: 'second approver@example.test', endReason: 'forwarding was turned back on' });
    const f = await eventually('forwarding unknown again', async () => {
      const found = await finding(FORWARDING);
      return found.status === 'unknown' ? found : undefined;
    });
    expect(f.message).toMatch(/^not attested/);
    const entries = await ledgerKinds(created.id);
    expect(entries.map((e) => e.kind)).toEqual(['attestation.recorded', 'attestation.revoked']);
    expect(entries[1].data).toMatchObject({ principalId: 'second approver@example.test', keyId: revoker.id, reason: 'forwarding was turned back on' });
    await revoker.post(`/attestations/${created.id}/revoke`).send({ reason: 'again' }).expect(409);
    expect((await t.api().get(`/attestations?active=false&connectionId=${connectionId}`).expect(200)).body.items.map((a: { id: string }) => a.id)).toContain(created.id);
  });
});
