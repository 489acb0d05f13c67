import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The one registry and every metric Tollgate exports, defined here and nowhere else.
 * Labels are bounded: provider (three values), reason (six), severity, connection names chosen by operators.
 */
export class TollgateMetrics {
  readonly registry = new Registry();

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
    help: 'Wall time of one poll: collect, evaluate and record.',
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
    help: 'Drift episodes opened.',
    labelNames: ['provider', 'severity'] as const,
    registers: [this.registry],
  });

  readonly buildInfo = new Gauge({
    name: 'tollgate_build_info',
    help: 'Always 1; the version label says which Tollgate is running.',
    labelNames: ['version'] as const,
    registers: [this.registry],
  });

  constructor(version: string) {
    collectDefaultMetrics({ register: this.registry });
    this.buildInfo.set({ version }, 1);
  }
}
