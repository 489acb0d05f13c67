import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AdaptivePacer } from './adaptive-pacer';
import { ProviderError } from './errors';
import { createProviderHttpClient, parseRetryAfterMs, type ProviderHttpClientOptions } from './http-client';

type Handler = (req: IncomingMessage, res: ServerResponse, hit: number) => void;

const routes = new Map<string, Handler>();
const hits = new Map<string, number>();
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://local').pathname;
    const hit = (hits.get(path) ?? 0) + 1;
    hits.set(path, hit);
    const handler = routes.get(path);
    if (handler) return handler(req, res, hit);
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** Registers a handler on a fresh path and returns its URL. */
function route(path: string, handler: Handler): string {
  routes.set(path, handler);
  hits.set(path, 0);
  return `${base}${path}`;
}

function send(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body));
}

function client(extra: Partial<ProviderHttpClientOptions> = {}) {
  return createProviderHttpClient({
    provider: 'test',
    backoffBaseMs: 1,
    backoffMaxMs: 5,
    throttleBackoffBaseMs: 1,
    throttleBackoffMaxMs: 5,
    timeoutMs: 2000,
    ...extra,
  });
}

async function failureOf(promise: Promise<unknown>): Promise<ProviderError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof ProviderError) return err;
    throw err;
  }
  throw new Error('expected the request to fail');
}

describe('createProviderHttpClient', () => {
  it('parses JSON, lower-cases response headers and sends form and JSON bodies', async () => {
    const url = route('/echo', (req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () =>
        send(res, 200, { method: req.method, type: req.headers['content-type'], body, query: req.url }, { 'X-Thing': 'A' }),
      );
    });
    const http = client();

    const get = await http.request<{ method: string; query: string }>({ operation: 'echo', url, params: { a: 1, b: undefined } });
    expect(get.status).toBe(200);
    expect(get.headers['x-thing']).toBe('A');
    expect(get.data).toMatchObject({ method: 'GET', query: '/echo?a=1' });

    const form = await http.request({ operation: 'echo', url, form: { token: 'x y', n: '1' } });
    expect(form.data).toMatchObject({ method: 'POST', type: 'application/x-www-form-urlencoded', body: 'token=x+y&n=1' });

    const json = await http.request({ operation: 'echo', url, method: 'POST', json: { a: [1] } });
    expect(json.data).toMatchObject({ method: 'POST', type: 'application/json', body: '{"a":[1]}' });
  });

  it('waits the Retry-After seconds of a 429, then succeeds', async () => {
    const url = route('/429-retry-after', (_req, res, hit) =>
      hit === 1 ? send(res, 429, { error: 'ratelimited' }, { 'Retry-After': '1' }) : send(res, 200, { ok: true }),
    );
    let requests = 0;
    let throttled = 0;
    const http = client({ onRequest: () => requests++, onThrottled: () => throttled++ });

    const started = Date.now();
    const res = await http.request({ operation: 'conversations.list', url });
    const waited = Date.now() - started;

    expect(res.data).toEqual({ ok: true });
    expect(waited).toBeGreaterThanOrEqual(950);
    expect(waited).toBeLessThan(2500);
    expect(hits.get('/429-retry-after')).toBe(2);
    expect({ requests, throttled }).toEqual({ requests: 2, throttled: 1 });
  });

  it('retries a 429 without Retry-After with backoff', async () => {
    const url = route('/429-backoff', (_req, res, hit) => (hit < 3 ? send(res, 429, {}) : send(res, 200, [1])));
    const res = await client().request({ operation: 'op', url });
    expect(res.data).toEqual([1]);
    expect(hits.get('/429-backoff')).toBe(3);
  });

  it('waits throttling out past maxAttempts while the waits fit in maxThrottledWaitMs', async () => {
    // A sliding quota stays full for a while: more throttled answers than maxAttempts would allow.
    const url = route('/429-many', (_req, res, hit) => (hit <= 6 ? send(res, 429, {}) : send(res, 200, { ok: true })));
    const res = await client({ maxAttempts: 3 }).request({ operation: 'op', url });
    expect(res.data).toEqual({ ok: true });
    expect(hits.get('/429-many')).toBe(7);
  });

  it('fails as throttled when the next wait would pass maxThrottledWaitMs', async () => {
    const url = route('/429-forever', (_req, res) => send(res, 429, { error: 'ratelimited' }, { 'Retry-After': '1' }));
    const started = Date.now();
    const err = await failureOf(client({ maxThrottledWaitMs: 2500 }).request({ operation: 'op', url }));
    // Waits of 1 s and 1 s fit in 2.5 s; a third would not.
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    expect(err.reason).toBe('throttled');
    expect(err.details).toMatchObject({ status: 429, code: 'ratelimited' });
    expect(err.message).toContain('after 3 attempts');
    expect(hits.get('/429-forever')).toBe(3);
  });

  it('backs off, doubling, when throttled without Retry-After or with Retry-After: 0, until the budget is spent', async () => {
    const stamps: number[] = [];
    const url = route('/429-zero', (_req, res) => {
      stamps.push(Date.now());
      send(res, 429, {}, { 'Retry-After': '0' });
    });
    const err = await failureOf(client({ throttleBackoffBaseMs: 40, throttleBackoffMaxMs: 160, maxThrottledWaitMs: 400 }).request({ operation: 'op', url }));
    expect(err.reason).toBe('throttled');
    // Equal jitter: waits within [20, 40], [40, 80], [80, 160], [80, 160] ... ms, at most 400 ms in all.
    const waits = stamps.slice(1).map((t, i) => t - stamps[i]);
    expect(waits.length).toBeGreaterThanOrEqual(3);
    expect(waits[0]).toBeGreaterThanOrEqual(19);
    expect(waits[2]).toBeGreaterThanOrEqual(79);
    expect(stamps[stamps.length - 1] - stamps[0]).toBeLessThan(1000);
  });

  describe('with a pacer', () => {
    /**
     * A pacer on a clock that stands still unless moved, refused after 20 successes 50 ms apart:
     * paced at the 20 per second the quota admitted (no margin, no increase, so the test can count).
     */
    function throttledPacer(): AdaptivePacer {
      let t = 1_000_000;
      const pacer = new AdaptivePacer({ now: () => t, margin: 0, increasePerCall: 0 });
      for (let i = 0; i < 21; i++) {
        t += 50;
        const slot = pacer.reserve();
        if (i < 20) pacer.succeeded(slot);
        else pacer.throttled(slot);
      }
      return pacer;
    }

    it('retries a 429 without Retry-After at the pacer\'s next slot, not after a per-request backoff', async () => {
      const url = route('/paced-429', (_req, res, hit) => (hit === 1 ? send(res, 429, {}) : send(res, 200, { ok: true })));
      const pacer = throttledPacer();
      // 20 successes over 1,000 ms of calling (the first has no pause before it; the refusal adds 50 ms).
      expect(pacer.ratePerSecond).toBeCloseTo((19 * 1000) / 1_000);
      const started = Date.now();
      // A backoff of this size would take at least 5 s.
      const res = await client({ pacer, throttleBackoffBaseMs: 10_000, throttleBackoffMaxMs: 10_000 }).request({ operation: 'op', url });
      const waited = Date.now() - started;
      expect(res.data).toEqual({ ok: true });
      expect(hits.get('/paced-429')).toBe(2);
      // The first call's slot about 53 ms away on the pacer's (standing) clock, then the retry's
      // slot or the request's own first backoff (250 ms), whichever is later.
      expect(waited).toBeGreaterThanOrEqual(290);
      expect(waited).toBeLessThan(2000);
    });

    it('backs a request refused again and again off on its own, however fast the pacer would let it go', async () => {
      const url = route('/paced-429-wall', (_req, res) => send(res, 429, {}));
      // Paced at 1,000 calls per second: its slots alone would retry every millisecond.
      let t = 1_000_000;
      const pacer = new AdaptivePacer({ now: () => t, margin: 0, increasePerCall: 0 });
      for (let i = 0; i < 1_001; i++) {
        t += 1;
        const slot = pacer.reserve();
        if (i < 1_000) pacer.succeeded(slot);
        else pacer.throttled(slot);
      }
      const started = Date.now();
      // Waits of 250, 500, 1,000 ms fit a 2,000 ms budget; the next (2,000) does not.
      const err = await failureOf(client({ pacer, maxThrottledWaitMs: 2_000, throttleBackoffMaxMs: 32_000 }).request({ operation: 'op', url }));
      expect(err.reason).toBe('throttled');
      expect(hits.get('/paced-429-wall')).toBe(4);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1_700);
    });

    it('lets the Retry-After rule: waits what it asks and does not slow the pacer', async () => {
      const url = route('/paced-retry-after', (_req, res, hit) =>
        hit === 1 ? send(res, 429, {}, { 'Retry-After': '1' }) : send(res, 200, { ok: true }),
      );
      const pacer = new AdaptivePacer();
      const started = Date.now();
      await client({ pacer }).request({ operation: 'op', url });
      expect(Date.now() - started).toBeGreaterThanOrEqual(950);
      expect(pacer.ratePerSecond).toBeUndefined();
    });

    it('counts the pacer\'s waits against maxThrottledWaitMs', async () => {
      const url = route('/paced-429-forever', (_req, res) => send(res, 429, {}));
      const pacer = new AdaptivePacer({ now: () => 1_000_000, minRatePerSecond: 2 });
      const started = Date.now();
      // Nothing admitted, so paced at the floor: 500 ms between slots on a clock that stands still,
      // the first retry's slot 500 ms away, then 1,000, 1,500. A 1,600 ms budget holds two retries.
      const err = await failureOf(client({ pacer, maxThrottledWaitMs: 1_600 }).request({ operation: 'op', url }));
      expect(err.reason).toBe('throttled');
      expect(hits.get('/paced-429-forever')).toBe(3);
      expect(Date.now() - started).toBeLessThan(3_000);
    });
  });

  it('still gives other faults maxAttempts attempts after throttling', async () => {
    const url = route('/429-then-500', (_req, res, hit) => (hit <= 2 ? send(res, 429, {}) : send(res, 500, {})));
    const err = await failureOf(client({ maxAttempts: 3 }).request({ operation: 'op', url }));
    expect(err.reason).toBe('provider_error');
    expect(err.message).toContain('after 5 attempts');
    expect(hits.get('/429-then-500')).toBe(5);
  });

  it('fails at once when Retry-After is longer than maxRetryAfterMs', async () => {
    const url = route('/429-too-long', (_req, res) => send(res, 429, {}, { 'Retry-After': '120' }));
    const started = Date.now();
    const err = await failureOf(client().request({ operation: 'op', url }));
    expect(Date.now() - started).toBeLessThan(1000);
    expect(err.reason).toBe('throttled');
    expect(err.details.retryAfterMs).toBe(120_000);
    expect(hits.get('/429-too-long')).toBe(1);
  });

  it('treats a 503 with Retry-After as throttling', async () => {
    const url = route('/503-retry-after', (_req, res) => send(res, 503, {}, { 'Retry-After': '120' }));
    const err = await failureOf(client().request({ operation: 'op', url }));
    expect(err.reason).toBe('throttled');
  });

  it('retries a 503, then succeeds', async () => {
    const url = route('/503-once', (_req, res, hit) => (hit === 1 ? send(res, 503, 'busy') : send(res, 200, { ok: 1 })));
    const res = await client().request({ operation: 'op', url });
    expect(res.data).toEqual({ ok: 1 });
    expect(hits.get('/503-once')).toBe(2);
  });

  it('gives up on a 500 after maxAttempts attempts', async () => {
    const url = route('/500-forever', (_req, res) => send(res, 500, { error: { code: 'InternalError' } }));
    const err = await failureOf(client().request({ operation: 'op', url }));
    expect(err.reason).toBe('provider_error');
    expect(err.details).toMatchObject({ status: 500, code: 'InternalError', retryable: true });
    expect(hits.get('/500-forever')).toBe(4);
  });

  it('fails a 401 as auth without retrying', async () => {
    const url = route('/401', (_req, res) => send(res, 401, { ok: false, error: 'invalid_auth' }));
    const err = await failureOf(client().request({ operation: 'team.info', url }));
    expect(err.reason).toBe('auth');
    expect(err.retryable).toBe(false);
    expect(err.message).toBe(`test team.info (${new URL(url).host}/401): HTTP 401 invalid_auth, credentials rejected`);
    expect(hits.get('/401')).toBe(1);
  });

  it('fails other 4xx without retrying', async () => {
    const url = route('/404', (_req, res) => send(res, 404, {}));
    const err = await failureOf(client().request({ operation: 'op', url }));
    expect(err).toMatchObject({ reason: 'provider_error', retryable: false });
    expect(hits.get('/404')).toBe(1);
  });

  it('never follows a redirect', async () => {
    const target = route('/redirect-target', (_req, res) => send(res, 200, {}));
    const url = route('/redirect', (_req, res) => send(res, 302, '', { Location: target }));
    const err = await failureOf(client().request({ operation: 'op', url }));
    expect(err).toMatchObject({ reason: 'provider_error', retryable: false });
    expect(err.details.status).toBe(302);
    expect(err.message).toContain('HTTP 302');
    expect(hits.get('/redirect')).toBe(1);
    expect(hits.get('/redirect-target')).toBe(0);
  });

  it('fails malformed JSON and an empty 200 as schema, accepts an empty 204', async () => {
    const malformed = route('/malformed', (_req, res) => send(res, 200, '{"ok": tru'));
    const empty = route('/empty', (_req, res) => send(res, 200, ''));
    const noContent = route('/no-content', (_req, res) => send(res, 204));
    const http = client();

    expect(await failureOf(http.request({ operation: 'op', url: malformed }))).toMatchObject({ reason: 'schema' });
    expect(await failureOf(http.request({ operation: 'op', url: empty }))).toMatchObject({ reason: 'schema' });
    expect(await http.request({ operation: 'op', url: noContent })).toMatchObject({ status: 204, data: undefined });
    expect(hits.get('/malformed')).toBe(1);
  });

  it('fails a response slower than the timeout as network, after retrying', async () => {
    const url = route('/slow', (_req, res) => {
      const timer = setTimeout(() => send(res, 200, {}), 1000);
      res.on('close', () => clearTimeout(timer));
    });
    const err = await failureOf(client({ timeoutMs: 100, maxAttempts: 2 }).request({ operation: 'op', url }));
    expect(err).toMatchObject({ reason: 'network', retryable: true });
    expect(err.message).toContain('within 100 ms');
    expect(hits.get('/slow')).toBe(2);
  });

  it('applies the timeout to the whole answer, not only to socket idleness', async () => {
    const url = route('/drip', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('[');
      const timer = setInterval(() => res.write('1,'), 20);
      res.on('close', () => clearInterval(timer));
    });
    const started = Date.now();
    const err = await failureOf(client({ timeoutMs: 200, maxAttempts: 1 }).request({ operation: 'op', url }));
    expect(err.reason).toBe('network');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('fails a connection cut mid-response as network', async () => {
    const url = route('/cut', (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"items": [');
      setTimeout(() => req.socket.destroy(), 20);
    });
    const err = await failureOf(client({ maxAttempts: 2 }).request({ operation: 'op', url }));
    expect(err).toMatchObject({ reason: 'network', retryable: true });
    expect(hits.get('/cut')).toBe(2);
  });

  it('fails a refused connection as network', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));

    const err = await failureOf(client({ maxAttempts: 2 }).request({ operation: 'op', url: `http://127.0.0.1:${port}/x` }));
    expect(err).toMatchObject({ reason: 'network', retryable: true });
    expect(err.message).toContain('ECONNREFUSED');
  });

  it('stops reading a body over the limit without buffering it', async () => {
    const total = 50 * 1024 * 1024;
    let written = 0;
    const url = route('/huge', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      // Honours backpressure, so `written` shows how much the client actually accepted.
      const pump = () => {
        while (written < total && !res.destroyed) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('error', () => undefined);
      pump();
    });
    const limit = 1024 * 1024;
    const started = Date.now();
    const err = await failureOf(client({ maxBodyBytes: limit }).request({ operation: 'op', url }));

    expect(err).toMatchObject({ reason: 'provider_error', retryable: false });
    expect(err.message).toContain(`exceeded ${limit} bytes`);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(hits.get('/huge')).toBe(1);
    expect(written).toBeLessThan(total / 4);
  });

  it('fails once the request budget is spent', async () => {
    const failing = route('/budget-500', (_req, res) => send(res, 500, {}));
    const ok = route('/budget-ok', (_req, res) => send(res, 200, {}));
    const http = client({ maxRequests: 2 });

    const err = await failureOf(http.request({ operation: 'op', url: failing }));
    expect(err).toMatchObject({ reason: 'provider_error', retryable: false });
    expect(err.message).toContain('request budget of 2 exhausted');
    expect(hits.get('/budget-500')).toBe(2);

    expect((await failureOf(http.request({ operation: 'op', url: ok }))).message).toContain('budget');
    expect(hits.get('/budget-ok')).toBe(0);
  });

  it('stops a long Retry-After wait as soon as the signal aborts', async () => {
    const url = route('/abort-wait', (_req, res) => send(res, 429, {}, { 'Retry-After': '30' }));
    const controller = new AbortController();
    const http = client({ signal: controller.signal });
    setTimeout(() => controller.abort(), 100);

    const started = Date.now();
    const err = await failureOf(http.request({ operation: 'op', url }));
    expect(Date.now() - started).toBeLessThan(1000);
    expect(err).toMatchObject({ reason: 'network', retryable: false });
    expect(err.message).toMatch(/^aborted/);
    expect(hits.get('/abort-wait')).toBe(1);
  });

  it('aborts a request in flight', async () => {
    const url = route('/abort-flight', (_req, res) => {
      const timer = setTimeout(() => send(res, 200, {}), 1000);
      res.on('close', () => clearTimeout(timer));
    });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const err = await failureOf(client({ signal: controller.signal }).request({ operation: 'op', url }));
    expect(err).toMatchObject({ reason: 'network', retryable: false });
    expect(hits.get('/abort-flight')).toBe(1);
  });

  it('lets the provider hook classify an answer before the generic rules', async () => {
    const url = route('/google-403', (_req, res, hit) =>
      hit === 1
        ? send(res, 403, { error: { code: 403, errors: [{ reason: 'userRateLimitExceeded' }] } })
        : send(res, 200, { ok: true }),
    );
    const seen: unknown[] = [];
    let throttled = 0;
    const http = client({
      onThrottled: () => throttled++,
      classify: (res) => {
        seen.push(res.data);
        const reason = (res.data as { error?: { errors?: { reason?: string }[] } }).error?.errors?.[0]?.reason;
        return reason === 'userRateLimitExceeded'
          ? new ProviderError('throttled', 'google: user rate limit exceeded', { status: res.status, code: reason })
          : undefined;
      },
    });

    const res = await http.request({ operation: 'tokens.list', url });
    expect(res.data).toEqual({ ok: true });
    expect(hits.get('/google-403')).toBe(2);
    expect(throttled).toBe(1);
    expect(seen).toEqual([{ error: { code: 403, errors: [{ reason: 'userRateLimitExceeded' }] } }]);
  });

  it('keeps secrets out of every error message', async () => {
    const secret = 'TOPSECRET';
    const urls = [
      route('/secret-401', (_req, res) => send(res, 401, { error: 'invalid_auth' })),
      route('/secret-500', (_req, res) => send(res, 500, {})),
      route('/secret-302', (_req, res) => send(res, 302, '', { Location: `${base}/x?token=${secret}` })),
      route('/secret-malformed', (_req, res) => send(res, 200, `{"token": "${secret}"`)),
      route('/secret-echo', (_req, res) => send(res, 400, { error: `bad token ${secret}-2`, message: `token ${secret}-2` })),
      route('/secret-slow', (_req, res) => {
        const timer = setTimeout(() => send(res, 200, {}), 1000);
        res.on('close', () => clearTimeout(timer));
      }),
    ];
    const http = client({ maxAttempts: 2, timeoutMs: 100 });
    for (const url of urls) {
      const err = await failureOf(
        http.request({
          operation: 'op',
          url,
          headers: { Authorization: `Bearer xoxb-${secret}-1` },
          params: { token: `${secret}-2` },
          json: { password: `${secret}-3` },
        }),
      );
      expect(err.message).not.toContain(secret);
      expect(JSON.stringify(err.details)).not.toContain(secret);
      expect(err.message).not.toContain('?');
    }
  });
});

describe('parseRetryAfterMs', () => {
  it('reads delta seconds and HTTP-dates, ignores anything else', () => {
    const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
    expect(parseRetryAfterMs('5', now)).toBe(5000);
    expect(parseRetryAfterMs(' 0 ', now)).toBe(0);
    expect(parseRetryAfterMs('Wed, 21 Oct 2015 07:28:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfterMs('Wed, 21 Oct 2015 07:27:00 GMT', now)).toBe(0);
    expect(parseRetryAfterMs(undefined, now)).toBeUndefined();
    expect(parseRetryAfterMs('1.5', now)).toBeUndefined();
    expect(parseRetryAfterMs('soon', now)).toBeUndefined();
  });
});
