import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { PROVIDERS, SEVERITIES, type Severity } from '@tollgate/baseline';
import { POLL_FAILURE_REASONS } from '@tollgate/connector-sdk';

/**
 * The one registry and every metric Tollgate exports, defined here and nowhere else.
 * Labels are bounded: provider (three values), reason (six), severity (five), status (three),
 * risk (two), state (five), and connection = the connection's name, which operators choose and which is unique
 * among live connections (so its cardinality is the number of connections, never per-request data).
 */

export const EXCEPTION_STATES = ['requested', 'approved', 'rejected', 'revoked', 'expired'] as const;
export type ExceptionStateLabel = (typeof EXCEPTION_STATES)[number];
/** An approved exception expiring within this many days counts in tollgate_exceptions_expiring_soon. */
export const EXCEPTION_EXPIRING_SOON_DAYS = 7;
// With PROVIDERS and SEVERITIES, the label values the per-process counters start at zero with (see the constructor).

/** What the database says about one live connection, read at scrape time. */
export interface ConnectionReading {
  provider: string;
  /** The connection's name: the `connection` label. */
  connection: string;
  /** Open (not excepted, not resolved) drift episodes by severity; every severity is present. */
  driftsOpen: Record<Severity, number>;
  /** Poll health; absent for a disabled connection, which is not expected to poll. */
  polling?: {
    intervalSeconds: number;
    /** The last finished poll succeeded. */
    up: boolean;
    /** Unix seconds of the last successful poll; null if none ever succeeded. */
    lastSuccessSeconds: number | null;
  };
  /** Current findings by status; absent until a poll succeeded. */
  findings?: { pass: number; fail: number; unknown: number };
  /** Of the passing findings, the controls that pass on an unexpired attestation; absent until a poll succeeded. */
  attestedControls?: number;
  /** Grants in the current snapshot: `risky` when their app fails an oauth control; absent until a poll succeeded. */
  oauthGrants?: { risky: number; other: number };
}

/** Exception tickets, read from the database at scrape time. */
export interface ExceptionsReading {
  /** Tickets by state; every state is present. */
  byState: Record<ExceptionStateLabel, number>;
  /**
   * Approved tickets whose expiry is at most EXCEPTION_EXPIRING_SOON_DAYS away, including any past
   * due that the expiry job has not ended yet (it ends them within a minute).
   */
  expiringSoon: number;
}

/** What one successful read yields: everything the scrape-time gauges show but tollgate_database_up. */
export interface LoadedReadings {
  connections: ConnectionReading[];
  exceptions: ExceptionsReading;
  /**
   * Whether the evidence chain held at the last verification this process ran; null while none
   * has. Kept in memory by the process, not read from the database.
   */
  evidenceChainOk: boolean | null;
}

/** Where the database-derived gauges come from (the app reads the database; tests can pass anything). */
export interface PostureReadingsSource {
  /**
   * Asked on every scrape: whether the last read of the database answered in time. It must not wait
   * for the database, except briefly for a first reading.
   */
  scrape(): Promise<{ databaseUp: boolean }>;
  /** Registers the one listener that is handed every new reading as it arrives (and the last one, if any, at once). */
  subscribe(listener: (readings: LoadedReadings) => void): void;
}

/** The series a per-connection gauge has for one connection: label values and value. */
type ConnectionSeries<L extends string> = (c: ConnectionReading) => Iterable<[Record<L, string>, number]>;

export class TollgateMetrics {
  readonly registry = new Registry();
  private source?: PostureReadingsSource;

  // --- counted as polls happen -------------------------------------------------------------------

  readonly pollsTotal = new Counter({
    name: 'tollgate_polls_total',
    help: 'Polls finished, successful or not.',
    labelNames: ['provider'] as const,
    registers: [this.registry],
  });

  readonly pollFailuresTotal = new Counter({
    name: 'tollgate_poll_failures_total',
    help: 'Polls that failed, by classified reason (auth, throttled, network, provider_error, schema, internal).',
    labelNames: ['provider', 'reason'] as const,
    registers: [this.registry],
  });

  readonly pollDurationSeconds = new Histogram({
    name: 'tollgate_poll_duration_seconds',
    help: 'Wall time of one poll in seconds: collect, evaluate and record.',
    labelNames: ['provider'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    registers: [this.registry],
  });

  readonly providerRequestsTotal = new Counter({
    name: 'tollgate_provider_requests_total',
    help: 'HTTP requests sent to provider admin APIs, retries included.',
    labelNames: ['provider'] as const,
    registers: [this.registry],
  });

  readonly providerThrottledTotal = new Counter({
    name: 'tollgate_provider_throttled_total',
    help: 'Provider answers that asked Tollgate to slow down (429, throttling errors).',
    labelNames: ['provider'] as const,
    registers: [this.registry],
  });

  readonly driftsOpenedTotal = new Counter({
    name: 'tollgate_drifts_opened_total',
    help: 'Drift episodes opened by this process.',
    labelNames: ['provider', 'severity'] as const,
    registers: [this.registry],
  });

  readonly buildInfo = new Gauge({
    name: 'tollgate_build_info',
    help: 'Always 1; the version label says which Tollgate is running.',
    labelNames: ['version'] as const,
    registers: [this.registry],
  });

  // --- read from the database while /metrics is scraped ------------------------------------------
  // Every replica reports the same values for these; aggregate them with max, not sum. They are set
  // when a new reading arrives (about once a second while someone scrapes), never on a scrape, so
  // that a scrape only renders.

  /** How each per-connection gauge sets and removes one connection's series; filled by connectionGauge(). */
  private readonly perConnection: { set(c: ConnectionReading): void; remove(c: ConnectionReading): void }[] = [];
  /** The connections whose series are set, by label key, with what they were set from. */
  private readonly shown = new Map<string, { signature: string; reading: ConnectionReading }>();
  /** The wait shared by the gauges of one scrape (the registry collects them concurrently). */
  private scrapeWait?: Promise<void>;

  readonly databaseUp = this.readingsGauge({
    name: 'tollgate_database_up',
    help: '1 when the database answered the last scrape-time read in time; 0 when it did not, and the database-derived gauges then repeat the last values read.',
    labelNames: [] as const,
  });

  readonly driftsOpen = this.connectionGauge({
    name: 'tollgate_drifts_open',
    help: 'Drift episodes currently open (excepted and resolved ones are not counted).',
    labelNames: ['provider', 'connection', 'severity'] as const,
    series: (c) => SEVERITIES.map((severity) => [{ provider: c.provider, connection: c.connection, severity }, c.driftsOpen[severity]]),
  });

  readonly findings = this.connectionGauge({
    name: 'tollgate_findings',
    help: 'Findings of the last successful poll by status (pass, fail, unknown).',
    labelNames: ['provider', 'connection', 'status'] as const,
    series: (c) => {
      const f = c.findings;
      return f ? (['pass', 'fail', 'unknown'] as const).map((status) => [{ provider: c.provider, connection: c.connection, status }, f[status]]) : [];
    },
  });

  readonly attestedControls = this.connectionGauge({
    name: 'tollgate_attested_controls',
    help: 'Controls of the last successful poll that pass on an approver\'s attestation (no API shows them); they also count as pass in tollgate_findings.',
    labelNames: ['provider', 'connection'] as const,
    series: (c) => (c.attestedControls === undefined ? [] : [[{ provider: c.provider, connection: c.connection }, c.attestedControls]]),
  });

  readonly postureScoreRatio = this.connectionGauge({
    name: 'tollgate_posture_score_ratio',
    help: 'Share of decided findings that pass: pass / (pass + fail); unknown findings are excluded, and the series is absent while no finding is decided.',
    labelNames: ['provider', 'connection'] as const,
    series: (c) => {
      const decided = c.findings ? c.findings.pass + c.findings.fail : 0;
      return c.findings && decided > 0 ? [[{ provider: c.provider, connection: c.connection }, c.findings.pass / decided]] : [];
    },
  });

  readonly connectionUp = this.connectionGauge({
    name: 'tollgate_connection_up',
    help: '1 when the last finished poll of an enabled connection succeeded, else 0 (also before its first poll).',
    labelNames: ['provider', 'connection'] as const,
    series: (c) => (c.polling ? [[{ provider: c.provider, connection: c.connection }, c.polling.up ? 1 : 0]] : []),
  });

  readonly lastSuccessfulPollTimestampSeconds = this.connectionGauge({
    name: 'tollgate_last_successful_poll_timestamp_seconds',
    help: 'Unix time in seconds of the last successful poll of an enabled connection; absent until one succeeded.',
    labelNames: ['provider', 'connection'] as const,
    series: (c) =>
      c.polling?.lastSuccessSeconds != null ? [[{ provider: c.provider, connection: c.connection }, c.polling.lastSuccessSeconds]] : [],
  });

  readonly connectionPollIntervalSeconds = this.connectionGauge({
    name: 'tollgate_connection_poll_interval_seconds',
    help: 'Configured poll interval of an enabled connection in seconds.',
    labelNames: ['provider', 'connection'] as const,
    series: (c) => (c.polling ? [[{ provider: c.provider, connection: c.connection }, c.polling.intervalSeconds]] : []),
  });

  readonly oauthGrants = this.connectionGauge({
    name: 'tollgate_oauth_grants',
    help: 'OAuth grants in the current snapshot; risk="risky" when the granted app fails an oauth control of the baseline, "other" otherwise.',
    labelNames: ['provider', 'connection', 'risk'] as const,
    series: (c) =>
      c.oauthGrants
        ? [
            [{ provider: c.provider, connection: c.connection, risk: 'risky' }, c.oauthGrants.risky],
            [{ provider: c.provider, connection: c.connection, risk: 'other' }, c.oauthGrants.other],
          ]
        : [],
  });

  readonly exceptions = this.readingsGauge({
    name: 'tollgate_exceptions',
    help: 'Exception tickets by state (requested, approved, rejected, revoked, expired); every state is exported, 0 when it has none.',
    labelNames: ['state'] as const,
  });

  readonly exceptionsExpiringSoon = this.readingsGauge({
    name: 'tollgate_exceptions_expiring_soon',
    help: `Approved exception tickets that expire within ${EXCEPTION_EXPIRING_SOON_DAYS} days (past-due ones the expiry job has not ended yet included); at expiry their drifts open again.`,
    labelNames: [] as const,
  });

  readonly evidenceChainOk = this.readingsGauge({
    name: 'tollgate_evidence_chain_ok',
    help:
      '1 when the evidence ledger verified at the last verification this process ran, 0 when it was broken (an entry edited, deleted, ' +
      'reordered or truncated, or a checkpoint that does not match). Verifications are GET /api/v1/evidence/verify (the whole ledger) and ' +
      'the check before each checkpoint (the entries since the last one); a scrape never verifies. While none has run since the process ' +
      'started, a scrape starts a full verification in the background, at most once per TOLLGATE_CHECKPOINT_INTERVAL_SECONDS, and the ' +
      'series is absent until it ends.',
    labelNames: [] as const,
  });

  constructor(version: string) {
    collectDefaultMetrics({ register: this.registry });
    // Gauges named *_total break the naming rules (promtool check metrics rejects them); the same
    // counts stay available as sum() of nodejs_active_handles, _requests and _resources by type.
    for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) {
      this.registry.removeSingleMetric(name);
    }
    this.buildInfo.set({ version }, 1);
    // Every counter series exists from the start at 0: increase() cannot see the first increment of
    // a series born at 1, so the first critical drift after a restart would not alert otherwise.
    for (const provider of PROVIDERS) {
      for (const c of [this.pollsTotal, this.providerRequestsTotal, this.providerThrottledTotal]) c.inc({ provider }, 0);
      for (const reason of POLL_FAILURE_REASONS) this.pollFailuresTotal.inc({ provider, reason }, 0);
      for (const severity of SEVERITIES) this.driftsOpenedTotal.inc({ provider, severity }, 0);
      this.pollDurationSeconds.zero({ provider });
    }
    // A gauge without labels starts with a sample of 0; before the first reading these must not claim one.
    this.exceptionsExpiringSoon.remove();
    this.evidenceChainOk.remove();
  }

  /** Attaches what the database-derived gauges are read from; without it they are not exported (tollgate_database_up is 0). */
  useReadings(source: PostureReadingsSource): void {
    this.source = source;
    source.subscribe((readings) => this.show(readings));
  }

  /**
   * Sets the database-derived gauges from a new reading in one pass. A connection whose reading is
   * unchanged keeps its series untouched (setting 14 series of 1,000 connections a second is most
   * of the cost); a changed one has its old series removed and its new ones set; a gone one loses
   * its series.
   */
  private show(readings: LoadedReadings): void {
    const live = new Set<string>();
    for (const c of readings.connections) {
      const key = `${c.provider}\u0000${c.connection}`;
      live.add(key);
      const signature = JSON.stringify(c);
      const shown = this.shown.get(key);
      if (shown?.signature === signature) continue;
      if (shown) for (const g of this.perConnection) g.remove(shown.reading);
      for (const g of this.perConnection) g.set(c);
      this.shown.set(key, { signature, reading: c });
    }
    for (const [key, shown] of this.shown) {
      if (live.has(key)) continue;
      for (const g of this.perConnection) g.remove(shown.reading);
      this.shown.delete(key);
    }
    for (const state of EXCEPTION_STATES) this.exceptions.set({ state }, readings.exceptions.byState[state]);
    this.exceptionsExpiringSoon.set(readings.exceptions.expiringSoon);
    if (readings.evidenceChainOk === null) this.evidenceChainOk.remove();
    else this.evidenceChainOk.set(readings.evidenceChainOk ? 1 : 0);
  }

  /**
   * Every scrape asks the source whether the database is up, once: the gauges of one scrape share
   * the answer, and the first scrape's gauges all wait for the first reading together.
   */
  private scraped(): Promise<void> {
    return (this.scrapeWait ??= (async () => {
      try {
        const up = this.source ? (await this.source.scrape()).databaseUp : false;
        this.databaseUp.set(up ? 1 : 0);
      } finally {
        this.scrapeWait = undefined;
      }
    })());
  }

  /** A gauge set from the readings; a scrape waits only for what the source makes it wait for. */
  private readingsGauge<L extends string>(spec: { name: string; help: string; labelNames: readonly L[] }): Gauge<L> {
    const metrics = () => this;
    return new Gauge<L>({ ...spec, registers: [this.registry], collect: () => metrics().scraped() });
  }

  private connectionGauge<L extends string>(spec: { name: string; help: string; labelNames: readonly L[]; series: ConnectionSeries<L> }): Gauge<L> {
    const gauge = this.readingsGauge(spec);
    this.perConnection.push({
      set: (c) => {
        for (const [labels, value] of spec.series(c)) gauge.set(labels, value);
      },
      remove: (c) => {
        for (const [labels] of spec.series(c)) gauge.remove(labels);
      },
    });
    return gauge;
  }
}
