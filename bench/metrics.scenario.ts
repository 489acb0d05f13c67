import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Figure } from './bench-report';
import { nowMs, sleep, summarize, type ScenarioContext } from './bench-support';

async function scrape(url: string): Promise<{ ms: number; body: Buffer; type: string }> {
  const t0 = nowMs();
  const res = await fetch(url);
  const body = Buffer.from(await res.arrayBuffer());
  if (res.status !== 200) throw new Error(`GET ${url}: HTTP ${res.status}`);
  return { ms: nowMs() - t0, body, type: res.headers.get('content-type') ?? 'text/plain' };
}

/**
 * /metrics of an app that has just polled `connections` connections, scraped 40 times 150 ms
 * apart: the first scrape starts the readings cache's background refresh (a database read every
 * second, in the same process, so about one scrape in seven overlaps one) and waits for its first
 * reading; the 40 timed ones only render. Reference: a bare node:http server answering the same
 * bytes, scraped the same way, which is what the transport alone costs.
 */
export async function metricsFigures(ctx: ScenarioContext, appUrl: string, connections: number): Promise<Figure[]> {
  const first = await scrape(`${appUrl}/metrics`);
  const series = first.body.toString('utf8').split('\n').filter((l) => l && !l.startsWith('#')).length;
  const runs = 40;
  const app: number[] = [];
  for (let i = 0; i < runs; i++) {
    await sleep(150);
    app.push((await scrape(`${appUrl}/metrics`)).ms);
  }
  const bare = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': first.type, 'content-length': first.body.length });
    res.end(first.body);
  });
  await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r));
  const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}/metrics`;
  const reference: number[] = [];
  try {
    await scrape(bareUrl);
    for (let i = 0; i < runs; i++) {
      await sleep(150);
      reference.push((await scrape(bareUrl)).ms);
    }
  } finally {
    await new Promise((r) => bare.close(r));
  }
  const a = summarize(app);
  const r = summarize(reference);
  ctx.log(`/metrics at ${connections} connections: ${(first.body.length / 1024).toFixed(0)} KiB, ${series} series, p50 ${a.median.toFixed(1)} ms, max ${Math.max(...app).toFixed(1)} ms; bare ${r.median.toFixed(1)} ms`);
  const label = `${connections.toLocaleString('en-US')} connections (${(first.body.length / 1024).toFixed(0)} KiB, ${series.toLocaleString('en-US')} series)`;
  return [
    {
      scenario: 'metrics',
      figure: `GET /metrics p50, ${label}`,
      value: a.median,
      unit: 'ms',
      reference: { what: 'bare node:http, same bytes, p50', value: r.median, unit: 'ms' },
    },
    {
      scenario: 'metrics',
      figure: `GET /metrics worst of ${runs}, ${label}`,
      value: Math.max(...app),
      unit: 'ms',
      reference: { what: 'bare node:http, worst', value: Math.max(...reference), unit: 'ms' },
      targets: ctx.quick ? undefined : [{ on: 'value', op: '<', limit: 100 }],
    },
  ];
}
