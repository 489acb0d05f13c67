import { COMPLIANT_GOOGLE_IDS, COMPLIANT_GOOGLE_SETTINGS, compliantGoogleTenant, googleServiceAccountKey } from '@tollgate/provider-sim';
import { createTestDatabase, type TestDatabase } from './support/database';
import { googleConnection, startSimulator } from './support/simulator';
import { eventually, pollNow, startTollgate, type RunningTollgate } from './support/tollgate';

interface Drift {
  controlId: string;
  resourceKey: string;
  area: string;
  references: string[];
  observed: unknown;
}

const rateLimitBody = (status: number, reason: string, state: string) => ({
  error: { code: status, message: 'Quota exceeded', errors: [{ message: 'Quota exceeded', domain: 'usageLimits', reason }], status: state },
});

// The Google Workspace loop over HTTP: simulated tenant -> poll -> findings -> drifts -> resolution.
describe('Google Workspace (end to end)', () => {
  const customerId = 'C0e2egws1';
  const { rootOrgUnitId: root, salesOrgUnitId: sales } = COMPLIANT_GOOGLE_IDS;
  const mailer = '999000-mailmerge.apps.googleusercontent.com';
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  let db: TestDatabase;
  let t: RunningTollgate;
  let connectionId: string;
  const tenantPath = `/_sim/google/tenants/${customerId}`;

  const openDrifts = async (): Promise<Drift[]> => (await t.api().get(`/drifts?status=open&connectionId=${connectionId}`).expect(200)).body.items;
  const simRequests = async (): Promise<Record<string, number>> => (await sim.control().get(`${tenantPath}/requests`).expect(200)).body.requests;
  const tokenExchanges = async (): Promise<number> => (await simRequests())['oauth2.token'] ?? 0;
  /** A poll, and how many calls of each operation it made to the simulated tenant. */
  const countedPoll = async () => {
    const before = await simRequests();
    await expectCleanPoll();
    const after = await simRequests();
    return (op: string) => (after[op] ?? 0) - (before[op] ?? 0);
  };
  /** Refusing the Reports read once makes the next poll read every user's tokens. */
  const forceFullRead = async () => {
    await sim
      .control()
      .post('/_sim/faults')
      .send({ provider: 'google-workspace', token: customerId, method: 'reports.activities.list', kind: 'status', status: 403, times: 1 })
      .expect(201);
  };
  const expectCleanPoll = async () => {
    const polled = await pollNow(t, connectionId);
    expect(polled).toMatchObject({ status: { consecutiveFailures: 0, lastFailure: null } });
  };

  beforeAll(async () => {
    sim = await startSimulator();
    await sim.control().put(tenantPath).send(compliantGoogleTenant(customerId)).expect(200);
    db = await createTestDatabase();
    t = await startTollgate(db.env);
    const res = await t.api().post('/connections').send(googleConnection(sim, customerId, 'Acme Google')).expect(201);
    connectionId = res.body.id;
  });

  afterAll(async () => {
    await t?.close();
    await db?.drop();
    await sim?.close();
  });

  afterEach(async () => {
    await sim.control().delete('/_sim/faults').expect(200);
  });

  it('a compliant tenant passes every control of google-workspace-locked-down', async () => {
    await expectCleanPoll();
    const findings = (await t.api().get(`/connections/${connectionId}/findings`).expect(200)).body;
    expect(findings.baselineId).toBe('google-workspace-locked-down');
    expect(findings.summary).toEqual({ pass: findings.findings.length - attestationControls(findings), fail: 0, unknown: attestationControls(findings) });
    const controls = new Set(findings.findings.map((f: { controlId: string }) => f.controlId));
    expect(controls.size).toBe(52 + attestationControls(findings));
    expect(await openDrifts()).toEqual([]);
  });

  it('between full reads, a risky grant and its revoke come from token events, not a token listing per user', async () => {
    const backup = '424242-drivebackup.apps.googleusercontent.com';
    await sim
      .control()
      .post(`${tenantPath}/users/ada@acme.example/tokens`)
      .send({ clientId: backup, displayText: 'Drive Backup', scopes: ['https://www.googleapis.com/auth/drive'] })
      .expect(201);
    const granted = await countedPoll();
    expect(granted('directory.tokens.list')).toBe(0);
    expect(granted('directory.users.list')).toBe(0);
    expect(granted('reports.activities.list')).toBe(1);
    expect(await openDrifts()).toEqual([expect.objectContaining({ controlId: 'GWS.OAUTH.1', area: 'oauth', resourceKey: `app:${backup}` })]);

    await sim.control().delete(`${tenantPath}/users/ada@acme.example/tokens/${backup}`).expect(200);
    const revoked = await countedPoll();
    expect(revoked('directory.tokens.list')).toBe(0);
    expect(await openDrifts()).toEqual([]);
    const resolved = (await t.api().get(`/drifts?status=resolved&connectionId=${connectionId}`).expect(200)).body.items as Drift[];
    expect(resolved).toEqual([expect.objectContaining({ controlId: 'GWS.OAUTH.1', resourceKey: `app:${backup}` })]);
  });

  it('external sharing and publishing turned on in an org unit open drifts there, with SCuBA references', async () => {
    await sim
      .control()
      .put(`${tenantPath}/policies/drive_and_docs.external_sharing`)
      .send({
        orgUnitId: sales,
        value: { ...COMPLIANT_GOOGLE_SETTINGS['drive_and_docs.external_sharing'], externalSharingMode: 'ALLOWED', allowPublishingFiles: true },
      })
      .expect(200);
    await expectCleanPoll();
    const drifts = await openDrifts();
    const sharing = drifts.find((d) => d.controlId === 'GWS.DRIVE.1');
    expect(sharing).toMatchObject({ area: 'sharing', resourceKey: `orgUnit:${sales}`, observed: 'ALLOWED' });
    expect(sharing?.references).toContain('CISA GWS.DRIVEDOCS.1.1v1');
    const publishing = drifts.find((d) => d.controlId === 'GWS.DRIVE.5');
    expect(publishing).toMatchObject({ resourceKey: `orgUnit:${sales}`, observed: true });
    expect(publishing?.references).toContain('CISA GWS.DRIVEDOCS.1.5v1');
    // The root org unit stays compliant: no drift there.
    expect(drifts.every((d) => d.resourceKey === `orgUnit:${sales}`)).toBe(true);
  });

  it('a user granting full mail access to an app opens an OAuth drift', async () => {
    await sim
      .control()
      .post(`${tenantPath}/users/bob@acme.example/tokens`)
      .send({ clientId: mailer, displayText: 'Mail Merge Pro', scopes: ['https://mail.google.com/', 'openid'] })
      .expect(201);
    await expectCleanPoll();
    const oauth = (await openDrifts()).filter((d) => d.area === 'oauth');
    expect(oauth).toEqual([expect.objectContaining({ controlId: 'GWS.OAUTH.1', resourceKey: `app:${mailer}` })]);
    expect(JSON.stringify(oauth[0].observed)).toContain('https://mail.google.com/');
  });

  it('data at rest in ANY_REGION opens a residency drift', async () => {
    await sim.control().patch(`${tenantPath}/data-region`).send({ region: 'ANY_REGION' }).expect(200);
    await expectCleanPoll();
    const residency = (await openDrifts()).filter((d) => d.area === 'residency');
    expect(residency).toEqual([
      expect.objectContaining({ controlId: 'GWS.RESIDENCY.1', resourceKey: `orgUnit:${root}`, observed: { region: 'ANY', source: 'observed' } }),
    ]);
    expect(residency[0].references).toContain('CISA GWS.COMMONCONTROLS.15.1v1 (SCuBA requires US for federal agencies; here the allowed regions are a parameter)');
  });

  it('reverting every change resolves every drift', async () => {
    await sim
      .control()
      .put(`${tenantPath}/policies/drive_and_docs.external_sharing`)
      .send({ orgUnitId: sales, value: { ...COMPLIANT_GOOGLE_SETTINGS['drive_and_docs.external_sharing'], externalSharingMode: 'DISALLOWED' } })
      .expect(200);
    await sim.control().delete(`${tenantPath}/users/bob@acme.example/tokens/${mailer}`).expect(200);
    await sim.control().patch(`${tenantPath}/data-region`).send({ region: 'EUROPE' }).expect(200);
    await expectCleanPoll();
    expect(await openDrifts()).toEqual([]);
    const resolved = (await t.api().get(`/drifts?status=resolved&connectionId=${connectionId}`).expect(200)).body.items as Drift[];
    expect(new Set(resolved.map((d) => d.controlId))).toEqual(new Set(['GWS.DRIVE.1', 'GWS.DRIVE.2', 'GWS.DRIVE.5', 'GWS.OAUTH.1', 'GWS.RESIDENCY.1']));
    const findings = (await t.api().get(`/connections/${connectionId}/findings`).expect(200)).body;
    expect(findings.summary).toMatchObject({ fail: 0, unknown: attestationControls(findings) });
  });

  describe('residency and org units without any allowed region set', () => {
    const otherCustomer = 'C0e2egws2';
    const otherPath = `/_sim/google/tenants/${otherCustomer}`;
    const contractors = '03ph8a2z5contr';
    let otherId: string;

    beforeAll(async () => {
      const base = compliantGoogleTenant(otherCustomer);
      await sim
        .control()
        .put(otherPath)
        .send({
          ...base,
          orgUnits: [...(base.orgUnits ?? []), { id: contractors, path: '/Contractors' }],
          policies: [
            ...(base.policies ?? []),
            // Drive is off for contractors: their open sharing setting shares nothing and must not fail.
            { orgUnitId: contractors, settingType: 'drive_and_docs.external_sharing', value: { externalSharingMode: 'ALLOWED', allowPublishingFiles: true } },
            { orgUnitId: contractors, settingType: 'drive_and_docs.service_status', value: { serviceState: 'DISABLED' } },
          ],
        })
        .expect(200);
      const { parameters: _none, ...connection } = googleConnection(sim, otherCustomer, 'Acme Google, no regions set');
      otherId = (await t.api().post('/connections').send(connection).expect(201)).body.id;
    });

    const findingsOf = async () =>
      (await t.api().get(`/connections/${otherId}/findings`).expect(200)).body.findings as { controlId: string; resourceKey: string; status: string; message: string }[];

    it('data pinned to one region passes, and an org unit with Drive off fails no Drive control', async () => {
      const polled = await pollNow(t, otherId);
      expect(polled).toMatchObject({ status: { consecutiveFailures: 0, lastFailure: null } });
      const findings = await findingsOf();
      expect(findings.filter((f) => f.controlId === 'GWS.RESIDENCY.1').map((f) => [f.resourceKey, f.status])).toEqual([[`orgUnit:${root}`, 'pass']]);
      expect(findings.filter((f) => f.resourceKey === `orgUnit:${contractors}`)).toEqual([]);
      expect(findings.filter((f) => f.status === 'fail')).toEqual([]);
    });

    it('data at rest in no region fails as not pinned to any region', async () => {
      await sim.control().patch(`${otherPath}/data-region`).send({ region: 'ANY_REGION' }).expect(200);
      await pollNow(t, otherId);
      const residency = (await findingsOf()).filter((f) => f.controlId === 'GWS.RESIDENCY.1');
      expect(residency).toEqual([expect.objectContaining({ resourceKey: `orgUnit:${root}`, status: 'fail' })]);
      expect(residency[0].message).toContain('not pinned to any region');
    });
  });

  it('an access token expiring mid-poll is refreshed without failing the poll', async () => {
    const before = await tokenExchanges();
    // The first call of the poll (the token events, between full reads) is held back long enough
    // for the token to be expired under it.
    await sim
      .control()
      .post('/_sim/faults')
      .send({ provider: 'google-workspace', token: customerId, method: 'reports.activities.list', kind: 'slow', delayMs: 1500, times: 1 })
      .expect(201);
    await t.api().post(`/connections/${connectionId}/poll`).expect(202);
    await eventually('the held-back token listing', async () => {
      const faults = (await sim.control().get('/_sim/faults').expect(200)).body.faults as { hits: number }[];
      return faults[0]?.hits === 1;
    });
    await sim.control().post(`${tenantPath}/expire-tokens`).expect(200);
    const polled = await eventually('the poll to finish', async () => {
      const res = await t.api().get(`/connections/${connectionId}`).expect(200);
      return !res.body.status.polling && res.body.status.lastPollAt ? res.body : undefined;
    });
    expect(polled).toMatchObject({ status: { consecutiveFailures: 0, lastFailure: null } });
    expect((await tokenExchanges()) - before).toBe(2);
    expect(await openDrifts()).toEqual([]);
  });

  it.each([
    ['429 RESOURCE_EXHAUSTED with Retry-After', 'policies.list', 429, 'rateLimitExceeded', 'RESOURCE_EXHAUSTED', 1],
    ['429 RESOURCE_EXHAUSTED without Retry-After', 'directory.users.list', 429, 'rateLimitExceeded', 'RESOURCE_EXHAUSTED', undefined],
    ['403 userRateLimitExceeded with Retry-After', 'directory.tokens.list', 403, 'userRateLimitExceeded', 'PERMISSION_DENIED', 1],
    ['403 userRateLimitExceeded without Retry-After', 'directory.tokens.list', 403, 'userRateLimitExceeded', 'PERMISSION_DENIED', undefined],
    ['403 userRateLimitExceeded on the token events', 'reports.activities.list', 403, 'userRateLimitExceeded', 'PERMISSION_DENIED', undefined],
  ])('%s is waited out without a failed poll', async (_what, method, status, reason, state, retryAfter) => {
    // Between full reads no Directory call is made; a refused Reports read makes this poll one.
    if (method.startsWith('directory.')) await forceFullRead();
    await sim
      .control()
      .post('/_sim/faults')
      .send({
        provider: 'google-workspace',
        token: customerId,
        method,
        kind: 'status',
        status,
        times: 2,
        body: rateLimitBody(status, reason, state),
        ...(retryAfter === undefined ? {} : { retryAfter }),
      })
      .expect(201);
    await expectCleanPoll();
    const faults = (await sim.control().get('/_sim/faults').expect(200)).body.faults as { remaining: number }[];
    expect(faults.map((f) => f.remaining)).toEqual(faults.map(() => 0));
    expect(await openDrifts()).toEqual([]);
  });

  it('never returns or logs the service account key', async () => {
    const conn = (await t.api().get(`/connections/${connectionId}`).expect(200)).body;
    const key = googleServiceAccountKey(sim, customerId).private_key;
    const secretLines = key.split('\n').filter((l) => l.length > 20);
    const everything = `${JSON.stringify(conn)}\n${t.logs.join('\n')}`;
    for (const line of secretLines) expect(everything).not.toContain(line);
    expect(everything).not.toContain('ya29.');
    expect(conn.credentials).toEqual({ configured: true, keyId: expect.any(String) });
  });
});

/** Attestation controls stay unknown until an approver attests them (test/attestations.e2e-spec.ts). */
function attestationControls(body: { findings: { controlId: string }[] }): number {
  return body.findings.filter((f) => f.controlId.includes('.ATTEST.')).length;
}
