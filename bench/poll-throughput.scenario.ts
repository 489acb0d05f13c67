import type { DataSource } from 'typeorm';
import type { Figure } from './bench-report';
import { createBenchDatabase, nowMs, seedSlackConnections, sleep, startChildSimulator, summarize, type ScenarioContext } from './bench-support';
import { metricsFigures } from './metrics.scenario';
import { COMPLIANT_PARAMETERS, putSlackTenant, startApp } from './tollgate-under-bench';

const TOKEN = 'xoxp-bench-throughput';

/** Worker settings for the throughput runs; named in the figures. */
const THROUGHPUT_ENV = { TOLLGATE_WORKER_CONCURRENCY: '32', TOLLGATE_SCHEDULER_TICK_MS: '100' };

async function count(ds: DataSource, sql: string): Promise<number> {
  const [row]: { n: string }[] = await ds.query(sql);
  return Number(row.n);
}

/** Samples this process's RSS until stopped; returns the peak in bytes. */
function rssSampler(): { stop(): number } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage().rss);
    },
  };
}

/**
 * One worker (the real app, in this process) polls N connections that are all due at once against
 * the simulator (a child process, zero added latency, every connection reading the same compliant
 * tenant). Polls/s = N ÷ (last poll finished − first poll started), from poll_runs. At 1,000
 * connections it also reports the process's peak RSS and /metrics render time.
 */
async function throughput(ctx: ScenarioContext, simUrl: string, n: number, withMetrics: boolean): Promise<Figure[]> {
  const bench = await createBenchDatabase();
  try {
    await seedSlackConnections(bench.ds, { count: n, simUrl, token: () => TOKEN, intervalSeconds: 3600, parameters: COMPLIANT_PARAMETERS });
    global.gc?.();
    const rss = rssSampler();
    const app = await startApp(bench.url, THROUGHPUT_ENV);
    const figures: Figure[] = [];
    try {
      const t0 = nowMs();
      const deadline = t0 + Math.max(120_000, n * 100);
      while ((await count(bench.ds, 'SELECT count(*) AS n FROM poll_runs')) < n) {
        if (nowMs() > deadline) throw new Error(`only some of ${n} connections were polled within ${(deadline - t0) / 1000} s`);
        await sleep(250);
      }
      const peak = rss.stop();
      const [span]: { seconds: number; failed: string }[] = await bench.ds.query(
        `SELECT extract(epoch FROM max(finished_at) - min(started_at))::float8 AS seconds,
                count(*) FILTER (WHERE outcome = 'failure') AS failed FROM poll_runs`,
      );
      const rate = n / span.seconds;
      ctx.log(`${n} connections: ${rate.toFixed(1)} polls/s over ${span.seconds.toFixed(1)} s, ${span.failed} failed, peak RSS ${(peak / 2 ** 20).toFixed(0)} MB`);
      const label = n.toLocaleString('en-US');
      figures.push({
        scenario: 'polling',
        figure: `one worker, ${label} connections (concurrency ${THROUGHPUT_ENV.TOLLGATE_WORKER_CONCURRENCY}, tick ${THROUGHPUT_ENV.TOLLGATE_SCHEDULER_TICK_MS} ms)`,
        value: rate,
        unit: 'polls/s',
        targets: ctx.quick ? undefined : [{ on: 'value', op: '>=', limit: 50 }],
      });
      figures.push({
        scenario: 'polling',
        figure: `failed polls, ${label} connections`,
        value: Number(span.failed),
        unit: 'polls',
        targets: [{ on: 'value', op: '==', limit: 0 }],
      });
      if (withMetrics) {
        figures.push({
          scenario: 'polling',
          figure: `peak RSS while polling ${label} connections (app in this process)`,
          value: peak / 2 ** 20,
          unit: 'MB',
          targets: ctx.quick ? undefined : [{ on: 'value', op: '<', limit: 300 }],
        });
        figures.push(...(await metricsFigures(ctx, app.url, n)));
      }
    } finally {
      rss.stop();
      await app.close();
    }
    return figures;
  } finally {
    await bench.drop();
  }
}

/**
 * Schedule lag: N connections with an interval of I seconds, first due times spread evenly over
 * one interval (a fleet that was not all created in the same second), run for two intervals and a
 * bit. With jitter 0 a connection is next due exactly I s after its previous claim, so the lag of
 * every poll is computed from poll_runs alone; due times still unserved when the run stops count
 * with the lag they had by then.
 */
async function scheduleLag(ctx: ScenarioContext, simUrl: string, n: number, intervalSeconds: number): Promise<Figure[]> {
  const bench = await createBenchDatabase();
  try {
    await seedSlackConnections(bench.ds, {
      count: n,
      simUrl,
      token: () => TOKEN,
      intervalSeconds,
      parameters: COMPLIANT_PARAMETERS,
      firstDueInSeconds: (i) => 2 + (intervalSeconds * i) / n,
    });
    const firstDue: { id: string; due: Date }[] = await bench.ds.query(`SELECT id, next_poll_at AS due FROM connections`);
    const app = await startApp(bench.url);
    const runSeconds = 2 + intervalSeconds * 2 + 1;
    try {
      await sleep(runSeconds * 1000);
    } finally {
      await app.close();
    }
    const [{ stop }]: { stop: Date }[] = await bench.ds.query(`SELECT now() AS stop`);
    const runs: { connection_id: string; started_at: Date }[] = await bench.ds.query(
      `SELECT connection_id, started_at FROM poll_runs ORDER BY connection_id, started_at`,
    );
    const byConnection = new Map<string, number[]>();
    for (const r of runs) byConnection.set(r.connection_id, [...(byConnection.get(r.connection_id) ?? []), r.started_at.getTime()]);
    const lags: number[] = [];
    let unserved = 0;
    const stopMs = stop.getTime();
    for (const { id, due } of firstDue) {
      const started = byConnection.get(id) ?? [];
      let dueMs = due.getTime();
      for (let k = 0; dueMs <= stopMs; k++) {
        if (k < started.length) {
          lags.push(Math.max(0, started[k] - dueMs) / 1000);
          dueMs = started[k] + intervalSeconds * 1000;
        } else {
          lags.push((stopMs - dueMs) / 1000);
          unserved++;
          break;
        }
      }
    }
    const s = summarize(lags);
    ctx.log(`lag ${n} connections @ ${intervalSeconds} s: p50 ${s.median.toFixed(2)} s, p99 ${s.p99.toFixed(2)} s over ${lags.length} due polls (${unserved} unserved at stop)`);
    const label = `${n.toLocaleString('en-US')} connections, interval ${intervalSeconds} s (5 min compressed ${(300 / intervalSeconds).toFixed(0)}x), production defaults (tick 1 s, concurrency 8)`;
    return [
      { scenario: 'polling', figure: `schedule lag p50, ${label}`, value: s.median, unit: 's' },
      {
        scenario: 'polling',
        figure: `schedule lag p99, ${label}`,
        value: s.p99,
        unit: 's',
        targets: ctx.quick ? undefined : [{ on: 'value', op: '<', limit: 10 }],
        note: `${lags.length} due polls, ${unserved} still unserved at stop (counted with their lag so far)`,
      },
    ];
  } finally {
    await bench.drop();
  }
}

export async function pollThroughputScenario(ctx: ScenarioContext): Promise<Figure[]> {
  const sim = await startChildSimulator();
  try {
    await putSlackTenant(sim.url, TOKEN);
    const figures: Figure[] = [];
    if (ctx.quick) {
      figures.push(...(await throughput(ctx, sim.url, 200, true)));
      figures.push(...(await scheduleLag(ctx, sim.url, 200, 5)));
    } else {
      figures.push(...(await throughput(ctx, sim.url, 1_000, true)));
      figures.push(...(await throughput(ctx, sim.url, 5_000, false)));
      const interval = Number(process.env.BENCH_LAG_INTERVAL_SECONDS ?? 60);
      figures.push(...(await scheduleLag(ctx, sim.url, 5_000, interval)));
    }
    return figures;
  } finally {
    await sim.stop();
  }
}
