import { spawnSync } from 'node:child_process';
import { TollgateMetrics, type ConnectionReading, type ExceptionsReading, type LoadedReadings } from './metrics';

const acme: ConnectionReading = {
  provider: 'slack',
  connection: 'Acme "EU" Slack',
  driftsOpen: { critical: 1, high: 2, medium: 0, low: 0, info: 0 },
  polling: { intervalSeconds: 900, up: true, lastSuccessSeconds: 1_700_000_000.5 },
  findings: { pass: 6, fail: 2, unknown: 1 },
  oauthGrants: { risky: 1, other: 4 },
};

const noExceptions: ExceptionsReading = { byState: { requested: 0, approved: 0, rejected: 0, revoked: 0, expired: 0 }, expiringSoon: 0 };

/** A reading: the database answered with these connections and no exception tickets, the chain verified. */
function readings(connections: ConnectionReading[], more: Partial<LoadedReadings> = {}): LoadedReadings {
  return { connections, exceptions: noExceptions, evidenceChainOk: true, ...more };
}

/** A readings source the test drives: it hands over readings with push() and says whether the database is up. */
function fakeSource() {
  let listener: ((r: LoadedReadings) => void) | undefined;
  const source = {
    databaseUp: true,
    scrapes: 0,
    async scrape() {
      source.scrapes++;
      return { databaseUp: source.databaseUp };
    },
    subscribe(l: (r: LoadedReadings) => void) {
      listener = l;
    },
    push(r: LoadedReadings) {
      listener?.(r);
    },
  };
  return source;
}

function withReadings(r: LoadedReadings): TollgateMetrics {
  const m = new TollgateMetrics('1.2.3');
  const source = fakeSource();
  m.useReadings(source);
  source.push(r);
  return m;
}

async function value(m: TollgateMetrics, name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const metric = await m.registry.getSingleMetric(name)?.get();
  return metric?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value;
}

describe('TollgateMetrics', () => {
  it('fills the scrape-time gauges from the readings', async () => {
    const m = withReadings(readings([acme]));
    const labels = { provider: 'slack', connection: acme.connection };
    expect(await value(m, 'tollgate_database_up')).toBe(1);
    expect(await value(m, 'tollgate_drifts_open', { ...labels, severity: 'high' })).toBe(2);
    expect(await value(m, 'tollgate_drifts_open', { ...labels, severity: 'info' })).toBe(0);
    expect(await value(m, 'tollgate_findings', { ...labels, status: 'unknown' })).toBe(1);
    expect(await value(m, 'tollgate_posture_score_ratio', labels)).toBe(0.75);
    expect(await value(m, 'tollgate_connection_up', labels)).toBe(1);
    expect(await value(m, 'tollgate_last_successful_poll_timestamp_seconds', labels)).toBe(1_700_000_000.5);
    expect(await value(m, 'tollgate_connection_poll_interval_seconds', labels)).toBe(900);
    expect(await value(m, 'tollgate_oauth_grants', { ...labels, risk: 'risky' })).toBe(1);
    expect(await value(m, 'tollgate_oauth_grants', { ...labels, risk: 'other' })).toBe(4);
  });

  it('exports the attested controls of a connection, and nothing before a poll succeeded', async () => {
    const attested: ConnectionReading = { ...acme, connection: 'Attested', attestedControls: 2 };
    const m = withReadings(readings([attested, acme]));
    expect(await value(m, 'tollgate_attested_controls', { provider: 'slack', connection: 'Attested' })).toBe(2);
    expect(await value(m, 'tollgate_attested_controls', { provider: 'slack', connection: acme.connection })).toBeUndefined();
    expect(await m.registry.metrics()).toMatch(/^# TYPE tollgate_attested_controls gauge$/m);
  });

  it('leaves out what is not known: no posture score without decided findings, no poll health for a disabled connection', async () => {
    const undecided: ConnectionReading = { ...acme, connection: 'Undecided', findings: { pass: 0, fail: 0, unknown: 3 }, polling: undefined };
    const m = withReadings(readings([undecided]));
    expect(await value(m, 'tollgate_posture_score_ratio')).toBeUndefined();
    expect(await value(m, 'tollgate_connection_up')).toBeUndefined();
    expect(await value(m, 'tollgate_connection_poll_interval_seconds')).toBeUndefined();
    expect(await value(m, 'tollgate_findings', { status: 'unknown' })).toBe(3);
  });

  it('drops the series of a connection that is gone', async () => {
    const m = new TollgateMetrics('1.2.3');
    const source = fakeSource();
    m.useReadings(source);
    source.push(readings([acme]));
    expect(await value(m, 'tollgate_connection_up')).toBe(1);
    source.push(readings([]));
    expect(await value(m, 'tollgate_connection_up')).toBeUndefined();
    expect(await m.registry.metrics()).not.toContain('connection="Acme');
  });

  it('sets the gauges when a reading arrives, not when scraped, and only for the connections that changed', async () => {
    const m = new TollgateMetrics('1.2.3');
    const source = fakeSource();
    m.useReadings(source);
    const beta: ConnectionReading = { ...acme, connection: 'Beta' };
    source.push(readings([acme, beta]));
    const sets = jest.spyOn(m.driftsOpen, 'set');
    const removes = jest.spyOn(m.driftsOpen, 'remove');

    // Scrapes render: they ask whether the database is up and set nothing else.
    await m.registry.metrics();
    await m.registry.metrics();
    expect(source.scrapes).toBe(2);
    expect(sets).not.toHaveBeenCalled();

    // The same values again (a new object, as every read makes): nothing is touched.
    source.push(readings([{ ...acme }, { ...beta }]));
    expect(sets).not.toHaveBeenCalled();

    // One connection changed: only its five drifts_open series are set again.
    source.push(readings([acme, { ...beta, driftsOpen: { ...beta.driftsOpen, critical: 7 } }]));
    expect(sets).toHaveBeenCalledTimes(5);
    expect(removes).toHaveBeenCalledTimes(5);
    expect(sets.mock.calls.map((call) => (call as unknown[])[0])).toEqual(
      ['critical', 'high', 'medium', 'low', 'info'].map((severity) => ({ provider: 'slack', connection: 'Beta', severity })),
    );
    expect(await value(m, 'tollgate_drifts_open', { connection: 'Beta', severity: 'critical' })).toBe(7);
    expect(await value(m, 'tollgate_drifts_open', { connection: acme.connection, severity: 'critical' })).toBe(1);
  });

  it('removes the series a changed connection no longer has', async () => {
    const m = new TollgateMetrics('1.2.3');
    const source = fakeSource();
    m.useReadings(source);
    source.push(readings([acme]));
    expect(await value(m, 'tollgate_connection_up')).toBe(1);
    // Disabled: no poll health any more; findings and drifts stay.
    source.push(readings([{ ...acme, polling: undefined }]));
    expect(await value(m, 'tollgate_connection_up')).toBeUndefined();
    expect(await value(m, 'tollgate_connection_poll_interval_seconds')).toBeUndefined();
    expect(await value(m, 'tollgate_last_successful_poll_timestamp_seconds')).toBeUndefined();
    expect(await value(m, 'tollgate_findings', { status: 'pass' })).toBe(6);
  });

  it('says the database is down at every scrape the source says so, keeping the last values', async () => {
    const m = new TollgateMetrics('1.2.3');
    const source = fakeSource();
    m.useReadings(source);
    source.push(readings([acme]));
    expect(await m.registry.metrics()).toMatch(/^tollgate_database_up 1$/m);
    source.databaseUp = false;
    const text = await m.registry.metrics();
    expect(text).toMatch(/^tollgate_database_up 0$/m);
    expect(text).toContain('tollgate_connection_up{provider="slack",connection="Acme \\"EU\\" Slack"} 1');
  });

  it('asks the source once per scrape, however many gauges it has', async () => {
    const m = new TollgateMetrics('1.2.3');
    const source = fakeSource();
    m.useReadings(source);
    await m.registry.metrics();
    expect(source.scrapes).toBe(1);
  });

  it('without a readings source, says the database is not known to be up and exports no posture series', async () => {
    const m = new TollgateMetrics('1.2.3');
    const text = await m.registry.metrics();
    expect(text).toContain('tollgate_build_info{version="1.2.3"} 1');
    expect(text).toMatch(/^tollgate_database_up 0$/m);
    expect(text).not.toMatch(/^tollgate_drifts_open\{/m);
    expect(text).not.toMatch(/^tollgate_exceptions(_expiring_soon)?[ {]/m);
    expect(text).not.toMatch(/^tollgate_evidence_chain_ok /m);
  });

  it('exports exception tickets with every state, and those expiring soon', async () => {
    const exceptions: ExceptionsReading = { byState: { requested: 2, approved: 3, rejected: 0, revoked: 1, expired: 0 }, expiringSoon: 1 };
    const m = withReadings(readings([], { exceptions }));
    expect(await value(m, 'tollgate_exceptions', { state: 'approved' })).toBe(3);
    expect(await value(m, 'tollgate_exceptions', { state: 'expired' })).toBe(0);
    expect((await m.registry.getSingleMetric('tollgate_exceptions')?.get())?.values).toHaveLength(5);
    expect(await value(m, 'tollgate_exceptions_expiring_soon')).toBe(1);
  });

  it('exports the evidence chain as 1 or 0, and nothing while no verification has run', async () => {
    const m = new TollgateMetrics('1.2.3');
    const source = fakeSource();
    m.useReadings(source);
    source.push(readings([], { evidenceChainOk: null }));
    expect(await m.registry.metrics()).not.toMatch(/^tollgate_evidence_chain_ok /m);
    source.push(readings([], { evidenceChainOk: true }));
    expect(await m.registry.metrics()).toMatch(/^tollgate_evidence_chain_ok 1$/m);
    source.push(readings([], { evidenceChainOk: false }));
    expect(await m.registry.metrics()).toMatch(/^tollgate_evidence_chain_ok 0$/m);
  });

  it('leaves the exception gauges out until the database has been read once', async () => {
    const m = new TollgateMetrics('1.2.3');
    const source = fakeSource();
    source.databaseUp = false;
    m.useReadings(source);
    const text = await m.registry.metrics();
    expect(text).not.toMatch(/^tollgate_exceptions(_expiring_soon)?[ {]/m);
    expect(text).toMatch(/^# TYPE tollgate_exceptions_expiring_soon gauge$/m);
  });

  it('starts every counter series at zero, so that the first increment is visible to increase()', async () => {
    const m = new TollgateMetrics('1.2.3');
    expect(await value(m, 'tollgate_drifts_opened_total', { provider: 'google-workspace', severity: 'critical' })).toBe(0);
    expect(await value(m, 'tollgate_poll_failures_total', { provider: 'microsoft365', reason: 'schema' })).toBe(0);
    expect(await value(m, 'tollgate_provider_throttled_total', { provider: 'slack' })).toBe(0);
    const text = await m.registry.metrics();
    expect(text).toContain('tollgate_poll_duration_seconds_count{provider="slack"} 0');
    expect(text).not.toContain('nodejs_active_handles_total');
  });

  it('renders an exposition promtool accepts', async () => {
    const m = withReadings(readings([acme]));
    m.pollDurationSeconds.observe({ provider: 'slack' }, 1.5);
    m.pollFailuresTotal.inc({ provider: 'slack', reason: 'auth' });
    const check = spawnSync('promtool', ['check', 'metrics'], { input: await m.registry.metrics(), encoding: 'utf8' });
    expect(check.error).toBeUndefined();
    expect({ status: check.status, output: `${check.stdout}${check.stderr}` }).toEqual({ status: 0, output: '' });
  });
});
