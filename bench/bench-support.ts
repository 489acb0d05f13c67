import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { loadConfig, type TollgateConfig } from '@tollgate/config';
import { openDatabase, type Database } from '@tollgate/database';
import { connectorRegistry } from '@tollgate/connectors';
import { effectiveEndpoints } from '../apps/tollgate/src/connections/connection-endpoints';
import { CredentialCipher } from '../apps/tollgate/src/connections/credential-cipher';

export const BENCH_ENCRYPTION_KEY = Buffer.alloc(32, 7).toString('base64');

export function serverUrl(): string {
  return process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

export interface BenchDatabase {
  url: string;
  name: string;
  db: Database;
  ds: DataSource;
  drop(): Promise<void>;
}

/** A fresh database on the real server, migrated; dropped (WITH FORCE) afterwards. */
export async function createBenchDatabase(poolSize = 10): Promise<BenchDatabase> {
  const base = serverUrl();
  const name = `tollgate_bench_${randomBytes(5).toString('hex')}`;
  const admin = new Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  const config = benchConfig({ DATABASE_URL: url.toString(), TOLLGATE_DATABASE_POOL_SIZE: String(poolSize) });
  const db = await openDatabase(config, [], { log: () => undefined });
  return {
    url: url.toString(),
    name,
    db,
    ds: db.dataSource,
    async drop() {
      await db.close();
      const c = new Client({ connectionString: base });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export function benchConfig(env: Record<string, string>): TollgateConfig {
  return loadConfig({
    TOLLGATE_ENCRYPTION_KEY: BENCH_ENCRYPTION_KEY,
    // The simulator listens on loopback over http.
    TOLLGATE_ALLOWED_ENDPOINT_HOSTS: '127.0.0.1',
    TOLLGATE_LOG_LEVEL: 'warn',
    TOLLGATE_RATE_LIMIT_PER_MINUTE: '1000000',
    TOLLGATE_RATE_LIMIT_PER_IP_PER_MINUTE: '1000000',
    ...env,
  });
}

export interface ConnectionSeed {
  provider: 'slack' | 'microsoft365' | 'google-workspace';
  baselineId: string;
  count: number;
  /** Credentials of connection i, encrypted as the service stores them. */
  credentials: (i: number) => Record<string, unknown>;
  endpoints: Record<string, string>;
  declaredResidency?: string;
  intervalSeconds: number;
  parameters?: Record<string, unknown>;
  /** Seconds from now at which connection i is first due (default 0: all due at once). */
  firstDueInSeconds?: (i: number) => number;
}

/**
 * Writes connections straight into the table (credentials encrypted as the service does), because
 * creating thousands through the REST API would measure the API rather than the scheduler.
 */
export async function seedConnections(ds: DataSource, seed: ConnectionSeed): Promise<string[]> {
  const cipher = new CredentialCipher(Buffer.from(BENCH_ENCRYPTION_KEY, 'base64'));
  // Sealed with the endpoints as the service seals them, so that the poll runner opens them.
  const endpoints = effectiveEndpoints(connectorRegistry.get(seed.provider)!, {}, seed.endpoints, benchConfig({}));
  const ids: string[] = [];
  const names: string[] = [];
  const ciphertexts: string[] = [];
  const dues: number[] = [];
  for (let i = 0; i < seed.count; i++) {
    const id = randomUUID();
    ids.push(id);
    names.push(`bench ${seed.provider} ${id.slice(0, 8)} ${i}`);
    ciphertexts.push(cipher.encrypt(seed.credentials(i), { connectionId: id, endpoints }).ciphertext);
    dues.push(seed.firstDueInSeconds?.(i) ?? 0);
  }
  const chunk = 2000;
  for (let at = 0; at < ids.length; at += chunk) {
    await ds.query(
      `INSERT INTO connections (id, provider, name, baseline_id, parameters, endpoints, declared_residency, poll_interval_seconds,
                                credentials_ciphertext, credentials_key_id, next_poll_at)
       SELECT x.id, $1, x.name, $2, $3::jsonb, $4::jsonb, $5, $6, x.ct, $7, now() + make_interval(secs => x.due)
       FROM unnest($8::uuid[], $9::text[], $10::text[], $11::float8[]) AS x(id, name, ct, due)`,
      [
        seed.provider,
        seed.baselineId,
        JSON.stringify(seed.parameters ?? {}),
        JSON.stringify(seed.endpoints),
        seed.declaredResidency ?? null,
        seed.intervalSeconds,
        cipher.currentKeyId,
        ids.slice(at, at + chunk),
        names.slice(at, at + chunk),
        ciphertexts.slice(at, at + chunk),
        dues.slice(at, at + chunk),
      ],
    );
  }
  return ids;
}

export interface SlackConnectionSeed extends Pick<ConnectionSeed, 'count' | 'intervalSeconds' | 'parameters' | 'firstDueInSeconds'> {
  simUrl: string;
  /** Token for connection i; all may share one simulated tenant. */
  token: (i: number) => string;
}

/** Slack connections to the simulator, residency declared EU, under the `slack-locked-down` preset. */
export function seedSlackConnections(ds: DataSource, seed: SlackConnectionSeed): Promise<string[]> {
  const { simUrl, token, ...rest } = seed;
  return seedConnections(ds, {
    ...rest,
    provider: 'slack',
    baselineId: 'slack-locked-down',
    credentials: (i) => ({ token: token(i) }),
    endpoints: { api: `${simUrl}/slack/api` },
    declaredResidency: 'EU',
  });
}

export interface ChildSimulator {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * The provider simulator in its own process (the compiled one), so that its CPU and memory are not
 * counted as Tollgate's and the two do not share an event loop.
 */
export async function startChildSimulator(): Promise<ChildSimulator> {
  const child = spawn(process.execPath, [join(__dirname, '..', 'apps', 'provider-sim', 'src', 'main.js')], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', SIM_SEED: 'false' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`provider-sim exited with ${code} before listening`)));
  });
  child.stdout!.resume();
  return {
    url,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export async function simRequest(simUrl: string, method: 'PUT' | 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${simUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`simulator ${method} ${path}: HTTP ${res.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : undefined;
}

/** Milliseconds since an arbitrary origin, high resolution. */
export const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;

export interface Samples {
  samples: number[];
  median: number;
  p95: number;
  p99: number;
  min: number;
}

export function summarize(samples: number[]): Samples {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
  return { samples, median: at(0.5), p95: at(0.95), p99: at(0.99), min: sorted[0] };
}

/**
 * Runs `fn` at least `minRuns` times and until `minMs` have passed (after `warmup` unmeasured
 * runs), and summarizes the wall time of each run in milliseconds.
 */
export async function time(fn: () => unknown, opts: { minRuns?: number; minMs?: number; maxRuns?: number; warmup?: number } = {}): Promise<Samples> {
  const { minRuns = 5, minMs = 0, maxRuns = 1000, warmup = 1 } = opts;
  for (let i = 0; i < warmup; i++) await fn();
  const samples: number[] = [];
  const started = nowMs();
  while (samples.length < maxRuns && (samples.length < minRuns || nowMs() - started < minMs)) {
    const t0 = nowMs();
    await fn();
    samples.push(nowMs() - t0);
  }
  return summarize(samples);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface ScenarioContext {
  quick: boolean;
  log(message: string): void;
}
