import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The one registry and every metric Tollgate exports, defined here and nowhere else.
 * Labels are bounded: provider (three values), reason (six), severity (five), status (three),
 * risk (two), state (five), and connection = the connection's name, which operators choose and which is unique
 * among live connections (so its cardinality is the number of connections, never per-request data).
 */

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type SeverityLabel = (typeof SEVERITIES)[number];
export const EXCEPTION_STATES = ['requested', 'approved', 'rejected', 'revoked', 'expired'] as const;
export type ExceptionStateLabel = (typeof EXCEPTION_STATES)[number];
/** An approved exception expiring within this many days counts in tollgate_exceptions_expiring_soon. */
export const EXCEPTION_EXPIRING_SOON_DAYS = 7;
// The values the per-process counters start at zero with (see the constructor).
const PROVIDERS = ['slack', 'microsoft365', 'google-workspace'] as const;
const FAILURE_REASONS = ['auth', 'throttled', 'network', 'provider_error', 'schema', 'internal'] as const;

/** What the database says about one live connection, read at scrape time. */
export interface ConnectionReading {
  provider: string;
  /** The connection's name: the `connection` label. */
  connection: string;
  /** Open (not excepted, not resolved) drift episodes by severity; every severity is present. */
  driftsOpen: Record<SeverityLabel, number>;
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

export interface PostureReadings {
  /** The last attempt to read the database succeeded in time; when false the rest is the last known reading. */
  databaseUp: boolean;
  /** Null until the database has been read once. */
  connections: ConnectionReading[] | null;
  /** Null until the database has been read once. */
  exceptions: ExceptionsReading | null;
  evidenceChainOk: boolean | null;
}

/** Where the scrape-time gauges come from (the app reads the database; tests can pass anything). */
export interface PostureReadingsSource {
  read(): Promise<PostureReadings>;
}

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

  // --- read from the database at scrape time -------------------------------------------------------
  // Every replica reports the same values for these; aggregate them with max, not sum.

  readonly databaseUp = this.scrapeGauge({
    name: 'tollgate_database_up',
    help: '1 when the database answered the last scrape-time read in time; 0 when it did not, and the database-derived gauges then repeat the last values read.',
    labelNames: [] as const,
    fill: (g, r) => g.set(r.databaseUp ? 1 : 0),
  });

  readonly driftsOpen = this.scrapeGauge({
    name: 'tollgate_drifts_open',
    help: 'Drift episodes currently open (excepted and resolved ones are not counted).',
    labelNames: ['provider', 'connection', 'severity'] as const,
    fill: (g, r) =>
      eachConnection(r, (c) => {
        for (const severity of SEVERITIES) g.set({ provider: c.provider, connection: c.connection, severity }, c.driftsOpen[severity]);
      }),
  });

  readonly findings = this.scrapeGauge({
    name: 'tollgate_findings',
    help: 'Findings of the last successful poll by status (pass, fail, unknown).',
    labelNames: ['provider', 'connection', 'status'] as const,
    fill: (g, r) =>
      eachConnection(r, (c) => {
        if (!c.findings) return;
        for (const status of ['pass', 'fail', 'unknown'] as const) g.set({ provider: c.provider, connection: c.connection, status }, c.findings[status]);
      }),
  });

  readonly postureScoreRatio = this.scrapeGauge({
    name: 'tollgate_posture_score_ratio',
    help: 'Share of decided findings that pass: pass / (pass + fail); unknown findings are excluded, and the series is absent while no finding is decided.',
    labelNames: ['provider', 'connection'] as const,
    fill: (g, r) =>
      eachConnection(r, (c) => {
        const decided = c.findings ? c.findings.pass + c.findings.fail : 0;
        if (c.findings && decided > 0) g.set({ provider: c.provider, connection: c.connection }, c.findings.pass / decided);
      }),
  });

  readonly connectionUp = this.scrapeGauge({
    name: 'tollgate_connection_up',
    help: '1 when the last finished poll of an enabled connection succeeded, else 0 (also before its first poll).',
    labelNames: ['provider', 'connection'] as const,
    fill: (g, r) =>
      eachConnection(r, (c) => {
        if (c.polling) g.set({ provider: c.provider, connection: c.connection }, c.polling.up ? 1 : 0);
      }),
  });

  readonly lastSuccessfulPollTimestampSeconds = this.scrapeGauge({
    name: 'tollgate_last_successful_poll_timestamp_seconds',
    help: 'Unix time in seconds of the last successful poll of an enabled connection; absent until one succeeded.',
    labelNames: ['provider', 'connection'] as const,
    fill: (g, r) =>
      eachConnection(r, (c) => {
        if (c.polling?.lastSuccessSeconds != null) g.set({ provider: c.provider, connection: c.connection }, c.polling.lastSuccessSeconds);
      }),
  });

  readonly connectionPollIntervalSeconds = this.scrapeGauge({
    name: 'tollgate_connection_poll_interval_seconds',
    help: 'Configured poll interval of an enabled connection in seconds.',
    labelNames: ['provider', 'connection'] as const,
    fill: (g, r) =>
      eachConnection(r, (c) => {
        if (c.polling) g.set({ provider: c.provider, connection: c.connection }, c.polling.intervalSeconds);
      }),
  });

  readonly oauthGrants = this.scrapeGauge({
    name: 'tollgate_oauth_grants',
    help: 'OAuth grants in the current snapshot; risk="risky" when the granted app fails an oauth control of the baseline, "other" otherwise.',
    labelNames: ['provider', 'connection', 'risk'] as const,
    fill: (g, r) =>
      eachConnection(r, (c) => {
        if (!c.oauthGrants) return;
        g.set({ provider: c.provider, connection: c.connection, risk: 'risky' }, c.oauthGrants.risky);
        g.set({ provider: c.provider, connection: c.connection, risk: 'other' }, c.oauthGrants.other);
      }),
  });

  readonly exceptions = this.scrapeGauge({
    name: 'tollgate_exceptions',
    help: 'Exception tickets by state (requested, approved, rejected, revoked, expired); every state is exported, 0 when it has none.',
    labelNames: ['state'] as const,
    fill: (g, r) => {
      if (!r.exceptions) return;
      for (const state of EXCEPTION_STATES) g.set({ state }, r.exceptions.byState[state]);
    },
  });

  readonly exceptionsExpiringSoon = this.scrapeGauge({
    name: 'tollgate_exceptions_expiring_soon',
    help: `Approved exception tickets that expire within ${EXCEPTION_EXPIRING_SOON_DAYS} days (past-due ones the expiry job has not ended yet included); at expiry their drifts open again.`,
    labelNames: [] as const,
    fill: (g, r) => {
      // A gauge without labels always has a sample; before the first read it must not claim 0.
      if (r.exceptions) g.set(r.exceptions.expiringSoon);
      else g.remove();
    },
  });

  readonly evidenceChainOk = this.scrapeGauge({
    name: 'tollgate_evidence_chain_ok',
    help:
      '1 when the evidence ledger verified at the last verification this process ran, 0 when it was broken (an entry edited, deleted, ' +
      'reordered or truncated, or a checkpoint that does not match). Verifications are GET /api/v1/evidence/verify (the whole ledger) and ' +
      'the check before each checkpoint (the entries since the last one); a scrape never verifies. While none has run since the process ' +
      'started, a scrape starts a full verification in the background, at most once per TOLLGATE_CHECKPOINT_INTERVAL_SECONDS, and the ' +
      'series is absent until it ends.',
    labelNames: [] as const,
    fill: (g, r) => {
      if (r.evidenceChainOk === null) g.remove();
      else g.set(r.evidenceChainOk ? 1 : 0);
    },
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
      for (const reason of FAILURE_REASONS) this.pollFailuresTotal.inc({ provider, reason }, 0);
      for (const severity of SEVERITIES) this.driftsOpenedTotal.inc({ provider, severity }, 0);
      this.pollDurationSeconds.zero({ provider });
    }
  }

  /** Attaches what the scrape-time gauges are read from; without it they are not exported (tollgate_database_up is 0). */
  useReadings(source: PostureReadingsSource): void {
    this.source = source;
  }

  /**
   * A gauge refilled from the readings on every scrape. The registry collects metrics concurrently,
   * so every gauge asks the source; the source answers all of them from one read.
   */
  private scrapeGauge<L extends string>(spec: {
    name: string;
    help: string;
    labelNames: readonly L[];
    fill: (gauge: Gauge<L>, readings: PostureReadings) => void;
  }): Gauge<L> {
    const metrics = () => this;
    return new Gauge<L>({
      name: spec.name,
      help: spec.help,
      labelNames: spec.labelNames,
      registers: [this.registry],
      async collect() {
        this.reset();
        const source = metrics().source;
        spec.fill(this, source ? await source.read() : NOTHING_READ);
      },
    });
  }
}

/** What the gauges show without a readings source: nothing known, so absent (or 0 for tollgate_database_up). */
const NOTHING_READ: PostureReadings = { databaseUp: false, connections: null, exceptions: null, evidenceChainOk: null };

function eachConnection(r: PostureReadings, fn: (c: ConnectionReading) => void): void {
  for (const c of r.connections ?? []) fn(c);
}
