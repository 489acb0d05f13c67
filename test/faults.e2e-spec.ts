import request from 'supertest';
import type { FaultSpec } from '@tollgate/provider-sim';
import { COMPLIANT_SLACK_IDS, putCompliantSlackTenant, slackConnection, startSimulator } from './support/simulator';
import { createTestDatabase, type TestDatabase } from './support/database';
import { pollNow, startTollgate, type RunningTollgate } from './support/tollgate';
import { parseExposition, sampleValue } from './support/metrics-queries';

/** A fault of any kind, before it is aimed at a tenant (Omit distributed over the union of kinds). */
type UnaimedFault = FaultSpec extends infer F ? (F extends unknown ? Omit<F, 'provider' | 'token'> : never) : never;

interface FaultCase {
  name: string;
  /** Armed for this case's tenant only, with no `times` limit: every retry meets it too. */
  fault: UnaimedFault;
  reason: 'throttled' | 'network' | 'provider_error' | 'schema';
  /**
   * Requests the fault answered: the http client's 4 attempts for a retryable fault, else 1; `pages`
   * for a paging loop cut off by the guard; an exact count or `backoff` (2 or more, timing-dependent:
   * the connection's pacer halves its rate from the poll's own pace on each refusal) for throttling,
   * which is retried until TOLLGATE_THROTTLE_WAIT_SECONDS (2 s here) is spent.
   */
  hits: 1 | 3 | 4 | 'pages' | 'backoff';
  /** What the failure message must say, where it tells one cause from another. */
  message?: RegExp;
}

const CASES: FaultCase[] = [
  // The pacer's slots, twice as far apart after each refusal, as long as the waits add up to 2 s at most.
  { name: '429 without Retry-After', fault: { method: 'team.info', kind: 'status', status: 429 }, reason: 'throttled', hits: 'backoff' },
  // Waits of 1 s and 1 s fit in 2 s, a third would not.
  { name: '429 with Retry-After', fault: { method: 'team.info', kind: 'status', status: 429, retryAfter: 1 }, reason: 'throttled', hits: 3, message: /Retry-After 1 s.*after 3 attempts/ },
  { name: 'HTTP 500', fault: { method: 'team.info', kind: 'status', status: 500 }, reason: 'provider_error', hits: 4 },
  { name: 'HTTP 502 with an HTML body', fault: { method: 'team.info', kind: 'status', status: 502, body: '<html>Bad Gateway</html>' }, reason: 'provider_error', hits: 4 },
  { name: 'HTTP 503', fault: { method: 'team.info', kind: 'status', status: 503 }, reason: 'provider_error', hits: 4 },
  { name: 'connection reset', fault: { method: 'team.info', kind: 'reset' }, reason: 'network', hits: 4 },
  // Longer than TOLLGATE_PROVIDER_TIMEOUT_SECONDS (1 s here), on every attempt.
  { name: 'a response slower than the timeout', fault: { method: 'team.info', kind: 'slow', delayMs: 2500 }, reason: 'network', hits: 4, message: /no complete response within 1000 ms/ },
  { name: 'malformed JSON', fault: { method: 'team.info', kind: 'malformed' }, reason: 'schema', hits: 1 },
  { name: 'a wrong shape', fault: { method: 'team.info', kind: 'wrong-shape' }, reason: 'schema', hits: 1 },
  { name: 'a paging cursor that never ends', fault: { method: 'admin.teams.list', kind: 'endless-paging' }, reason: 'provider_error', hits: 'pages', message: /pages, giving up/ },
  { name: 'a 50 MB body', fault: { method: 'team.info', kind: 'huge', sizeMb: 50 }, reason: 'provider_error', hits: 1, message: /response body exceeded/ },
];

// Each provider fault ends in a classified poll failure: counted by reason, the last good findings
// and drifts kept as they were (though the tenant has changed meanwhile), and the next poll works.
describe('provider faults', () => {
  const [driftingTeam, otherTeam] = COMPLIANT_SLACK_IDS.teamIds;
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  let db: TestDatabase;
  let t: RunningTollgate;

  const failures = async (): Promise<Record<string, number>> => {
    const { samples } = parseExposition((await request(t.url).get('/metrics').expect(200)).text);
    const out: Record<string, number> = {};
    for (const reason of ['auth', 'throttled', 'network', 'provider_error', 'schema', 'internal']) {
      out[reason] = sampleValue(samples, 'tollgate_poll_failures_total', { provider: 'slack', reason }) ?? 0;
    }
    return out;
  };
  const drifts = async (connectionId: string) =>
    ((await t.api().get(`/drifts?connectionId=${connectionId}`).expect(200)).body.items as { id: string; resourceKey: string; status: string }[])
      .map((d) => ({ id: d.id, resourceKey: d.resourceKey, status: d.status }))
      .sort((a, b) => a.resourceKey.localeCompare(b.resourceKey) || a.id.localeCompare(b.id));
  const ledgerHead = async () => (await t.api().get('/evidence/verify').expect(200)).body as { ok: boolean; headSeq: number };
  const setDiscoverability = (token: string, team: string, discoverability: string) =>
    sim.control().patch(`/_sim/slack/tenants/${token}/teams/${team}`).send({ discoverability }).expect(200);

  beforeAll(async () => {
    sim = await startSimulator();
    db = await createTestDatabase();
    t = await startTollgate({ ...db.env, TOLLGATE_PROVIDER_TIMEOUT_SECONDS: '1', TOLLGATE_THROTTLE_WAIT_SECONDS: '2' });
  });

  afterAll(async () => {
    await t?.close();
    await db?.drop();
    await sim?.close();
  });

  it.each(CASES.map((c, i) => [c.name, c, i] as const))('%s: a classified failure that changes nothing, then a working poll', async (_name, c, i) => {
    const token = `xoxp-e2e-fault-${i}`;
    await putCompliantSlackTenant(sim, token);
    await setDiscoverability(token, driftingTeam, 'open');
    const id = (await t.api().post('/connections').send(slackConnection(sim, token, `fault ${i}`)).expect(201)).body.id as string;
    const good = await pollNow(t, id);
    expect(good).toMatchObject({ status: { consecutiveFailures: 0, lastFailure: null } });
    const goodFindings = (await t.api().get(`/connections/${id}/findings`).expect(200)).body;
    const goodDrifts = await drifts(id);
    expect(goodDrifts).toEqual([expect.objectContaining({ resourceKey: `team:${driftingTeam}`, status: 'open' })]);

    // Had the failed poll been taken for a good one, it would resolve one drift and open another.
    await setDiscoverability(token, driftingTeam, 'invite_only');
    await setDiscoverability(token, otherTeam, 'open');
    const ledgerBefore = await ledgerHead();
    const countedBefore = await failures();
    const armed = await sim.control().post('/_sim/faults').send({ ...c.fault, provider: 'slack', token }).expect(201);

    const failed = await pollNow(t, id);
    expect(failed).toMatchObject({
      status: { consecutiveFailures: 1, lastSuccessAt: (good.status as { lastSuccessAt: string }).lastSuccessAt, lastFailure: { reason: c.reason } },
    });
    if (c.message) expect((failed.status as { lastFailure: { message: string } }).lastFailure.message).toMatch(c.message);
    expect(await failures()).toEqual({ ...countedBefore, [c.reason]: countedBefore[c.reason] + 1 });
    expect((await t.api().get(`/connections/${id}/findings`).expect(200)).body).toEqual(goodFindings);
    expect(await drifts(id)).toEqual(goodDrifts);
    expect(await ledgerHead()).toEqual(ledgerBefore);
    expect(t.logs.some((l) => l.includes('"poll failed"') && l.includes(id) && l.includes(`"reason":"${c.reason}"`))).toBe(true);
    expect(t.logs.filter((l) => l.includes('poll crashed'))).toEqual([]);
    expect((await request(t.url).get('/healthz').expect(200)).body).toEqual({ status: 'ok' });

    const faultId = armed.body.fault.id as string;
    const { faults } = (await sim.control().get('/_sim/faults').expect(200)).body as { faults: { id: string; hits: number }[] };
    const hits = faults.find((f) => f.id === faultId)?.hits;
    if (c.hits === 'pages') expect(hits).toBeGreaterThan(10);
    else if (c.hits === 'backoff') expect({ atLeast2: hits! >= 2, atMost20: hits! <= 20 }).toEqual({ atLeast2: true, atMost20: true });
    else expect(hits).toBe(c.hits);
    await sim.control().delete(`/_sim/faults/${faultId}`).expect(200);
    const recovered = await pollNow(t, id);
    expect(recovered).toMatchObject({ status: { consecutiveFailures: 0, lastFailure: null } });
    const after = await drifts(id);
    expect(after).toHaveLength(2);
    expect(after).toEqual(
      expect.arrayContaining([
        { id: goodDrifts[0].id, resourceKey: `team:${driftingTeam}`, status: 'resolved' },
        expect.objectContaining({ resourceKey: `team:${otherTeam}`, status: 'open' }),
      ]),
    );
    expect((await ledgerHead()).ok).toBe(true);
  });
});
