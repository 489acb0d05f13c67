import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { loadConfig } from '@tollgate/config';
import { startTollgateApp } from '../../apps/tollgate/src/bootstrap';
import type { CoreOptions } from '../../apps/tollgate/src/core.module';
import { createTollgateLogger } from '../../apps/tollgate/src/logging/tollgate-logger';
import { PollScheduler } from '../../apps/tollgate/src/polling/poll-scheduler.service';

export const ADMIN_KEY = 'e2e-bootstrap-admin-key-0123456789abcdef';

export interface RunningTollgate {
  app: INestApplication;
  url: string;
  scheduler: PollScheduler;
  /** supertest agent bound to the API with the admin key. */
  api: () => ReturnType<typeof authed>;
  logs: string[];
  close(): Promise<void>;
}

function authed(url: string, key: string) {
  const agent = request(url);
  const wrap =
    (method: 'get' | 'post' | 'patch' | 'delete' | 'put') =>
    (path: string) =>
      agent[method](`/api/v1${path}`).set('Authorization', `Bearer ${key}`);
  return { get: wrap('get'), post: wrap('post'), patch: wrap('patch'), delete: wrap('delete'), put: wrap('put') };
}

/**
 * Captures log lines so specs can assert on them (and on what they must never contain); it is the
 * production logger at debug with a capturing destination, so what is captured is exactly what
 * would be printed, one JSON line each, redaction included. TOLLGATE_E2E_LOGS echoes them.
 */
function capturingLogger(sink: string[]) {
  return createTollgateLogger('debug', {
    write(line: string) {
      sink.push(line.trimEnd());
      if (process.env.TOLLGATE_E2E_LOGS) process.stdout.write(line);
    },
  });
}

/**
 * Starts a real Tollgate on 127.0.0.1 with a random port. `options.resolve` answers the provider
 * requests' name lookups, so that a spec can make a name resolve anywhere without DNS.
 */
export async function startTollgate(env: Record<string, string>, options: CoreOptions = {}, port = 0): Promise<RunningTollgate> {
  const config = loadConfig({
    TOLLGATE_BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
    // The simulator (and the specs' own servers) listen on loopback over http.
    TOLLGATE_ALLOWED_ENDPOINT_HOSTS: '127.0.0.1',
    TOLLGATE_MIN_POLL_INTERVAL_SECONDS: '1',
    TOLLGATE_SCHEDULER_TICK_MS: '100',
    TOLLGATE_POLL_JITTER_RATIO: '0',
    TOLLGATE_LEASE_SECONDS: '30',
    TOLLGATE_POLL_TIMEOUT_SECONDS: '20',
    TOLLGATE_SHUTDOWN_GRACE_SECONDS: '5',
    TOLLGATE_RATE_LIMIT_PER_MINUTE: '100000',
    TOLLGATE_RATE_LIMIT_PER_IP_PER_MINUTE: '100000',
    ...env,
  });
  const logs: string[] = [];
  const app = await startTollgateApp(config, capturingLogger(logs), port, '127.0.0.1', options);
  const address = app.getHttpServer().address() as { port: number };
  const url = `http://127.0.0.1:${address.port}`;
  return {
    app,
    url,
    scheduler: app.get(PollScheduler),
    api: () => authed(url, ADMIN_KEY),
    logs,
    close: () => app.close(),
  };
}

/** Polls until `check` returns a value or the time is up; the failure names what was awaited. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 15000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Asks for a poll over the API and waits until it has finished (successfully or not). */
export async function pollNow(t: RunningTollgate, connectionId: string): Promise<Record<string, unknown>> {
  const before = (await t.api().get(`/connections/${connectionId}`).expect(200)).body.status.lastPollAt as string | null;
  await t.api().post(`/connections/${connectionId}/poll`).expect(202);
  return eventually(`a poll of ${connectionId}`, async () => {
    const res = await t.api().get(`/connections/${connectionId}`).expect(200);
    const status = res.body.status as { lastPollAt: string | null; polling: boolean };
    return status.lastPollAt !== before && !status.polling ? res.body : undefined;
  });
}
