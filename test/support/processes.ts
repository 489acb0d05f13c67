import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, openSync, readdirSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { createServer } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { ADMIN_KEY } from './tollgate';

export const ROOT = join(__dirname, '..', '..');
const MAIN = join(ROOT, 'dist/apps/tollgate/src/main.js');
/** What `npm run build` compiles or copies into dist. */
const SOURCES = ['apps', 'libs', 'migrations', 'scripts'];
const BUILD_LOCK = join(tmpdir(), `tollgate-build-${createHash('sha256').update(ROOT).digest('hex').slice(0, 12)}.lock`);
/** A lock older than this belongs to a build that died; `npm run build` takes well under it. */
const STALE_LOCK_MS = 5 * 60_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function newestSourceMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceMtime(path));
    else if (!entry.name.endsWith('.spec.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function builtIsCurrent(): boolean {
  let built: number;
  try {
    built = statSync(MAIN).mtimeMs;
  } catch {
    return false;
  }
  return SOURCES.every((dir) => newestSourceMtime(join(ROOT, dir)) <= built);
}

function runBuild(timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`npm run build failed (${signal ?? `exit ${code}`}):\n${output.slice(-4000)}`));
    });
  });
}

/**
 * Makes sure dist holds a build of the current sources, building once if it is missing or older.
 * Concurrent test runs serialise on a lock file, and whoever gets it second finds the build done.
 */
export async function ensureBuilt(timeoutMs = 150_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!builtIsCurrent()) {
    let fd: number | undefined;
    try {
      fd = openSync(BUILD_LOCK, 'wx');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    if (fd === undefined) {
      try {
        if (Date.now() - statSync(BUILD_LOCK).mtimeMs > STALE_LOCK_MS) unlinkSync(BUILD_LOCK);
      } catch {
        // Released meanwhile.
      }
      if (Date.now() > until) throw new Error(`timed out waiting for another build (lock ${BUILD_LOCK})`);
      await sleep(500);
      continue;
    }
    try {
      writeSync(fd, String(process.pid));
      if (!builtIsCurrent()) await runBuild(Math.max(1000, until - Date.now()));
    } finally {
      closeSync(fd);
      unlinkSync(BUILD_LOCK);
    }
    // Sources edited during the build make it stale again; one build is what was asked for.
    return;
  }
}

/** A port nobody listens on right now (the kernel's choice, released at once). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface TollgateProcess {
  pid: number;
  url: string;
  /** The prefix of this process's worker id (PollScheduler: `${hostname}-${pid}-<random>`). */
  workerPrefix: string;
  /** stdout and stderr lines, for failure messages. */
  output: string[];
  exited: Promise<number | null>;
  alive(): boolean;
  kill(signal?: NodeJS.Signals): void;
}

const running = new Set<ChildProcess>();
// Whatever ends the test process (a crash, a timeout), no replica outlives it.
process.once('exit', () => {
  for (const c of running) c.kill('SIGKILL');
});

/** Settings that make a replica quick to observe: fast ticks, no jitter, loopback only. */
export const FAST_REPLICA_ENV: Record<string, string> = {
  HOST: '127.0.0.1',
  TOLLGATE_BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
  TOLLGATE_ALLOWED_ENDPOINT_HOSTS: '127.0.0.1',
  TOLLGATE_MIN_POLL_INTERVAL_SECONDS: '1',
  TOLLGATE_SCHEDULER_TICK_MS: '100',
  TOLLGATE_POLL_JITTER_RATIO: '0',
  TOLLGATE_SHUTDOWN_GRACE_SECONDS: '1',
  TOLLGATE_RATE_LIMIT_PER_MINUTE: '1000000',
  TOLLGATE_RATE_LIMIT_PER_IP_PER_MINUTE: '1000000',
  TOLLGATE_LOG_LEVEL: 'warn',
};

/**
 * Starts `node dist/apps/tollgate/src/main.js` (call ensureBuilt first) on a free loopback port and
 * waits until /readyz answers 200. Only the given variables and PATH reach it.
 */
export async function spawnTollgate(env: Record<string, string>, readyWithinMs = 60_000): Promise<TollgateProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [MAIN], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...FAST_REPLICA_ENV, ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const output: string[] = [];
  const collect = (d: Buffer) => {
    output.push(...d.toString().split('\n').filter(Boolean));
    if (output.length > 500) output.splice(0, output.length - 500);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      exitCode = code;
      running.delete(child);
      resolve(code);
    }),
  );
  const proc: TollgateProcess = {
    pid: child.pid as number,
    url: `http://127.0.0.1:${port}`,
    workerPrefix: `${hostname()}-${child.pid}-`,
    output,
    exited,
    alive: () => exitCode === undefined,
    kill: (signal = 'SIGKILL') => {
      if (exitCode === undefined) child.kill(signal);
    },
  };
  const until = Date.now() + readyWithinMs;
  for (;;) {
    if (!proc.alive()) throw new Error(`tollgate (pid ${proc.pid}) exited with ${exitCode} before it was ready:\n${output.slice(-30).join('\n')}`);
    const res = await request(proc.url).get('/readyz').timeout(2000).catch(() => undefined);
    if (res?.status === 200) return proc;
    if (Date.now() > until) {
      proc.kill();
      throw new Error(`tollgate (pid ${proc.pid}) not ready within ${readyWithinMs} ms:\n${output.slice(-30).join('\n')}`);
    }
    await sleep(200);
  }
}

/** SIGKILLs every process spawnTollgate started that is still running, and waits for them to go. */
export async function killAllTollgates(): Promise<void> {
  const children = [...running];
  const gone = children.map((c) => new Promise<void>((resolve) => (c.exitCode !== null || c.signalCode !== null ? resolve() : c.once('exit', () => resolve()))));
  for (const c of children) c.kill('SIGKILL');
  await Promise.all(gone);
}

/** Stops a process the way an orchestrator does: SIGTERM, then SIGKILL if it lingers. */
export async function stopTollgate(p: TollgateProcess, graceMs = 10_000): Promise<void> {
  if (!p.alive()) return;
  p.kill('SIGTERM');
  const timer = setTimeout(() => p.kill('SIGKILL'), graceMs);
  await p.exited;
  clearTimeout(timer);
}
