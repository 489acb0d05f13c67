import axios, { type AxiosResponse } from 'axios';
import { handleWhen, retry } from 'cockatiel';
import type { AdaptivePacer, PacerSlot } from './adaptive-pacer';
import { AddressRefusedError, type ConnectGuard } from './address-policy';
import { ProviderError, safeCode, type ProviderFailureReason } from './errors';

export interface ProviderRequest {
  /** Short name of the operation (a Slack method, a Graph path template): logs, budgets, metrics. */
  operation: string;
  /** Defaults to POST when `form` or `json` is given, else GET. */
  method?: 'GET' | 'POST';
  /** Absolute URL. */
  url: string;
  params?: Record<string, string | number | boolean | undefined>;
  headers?: Record<string, string>;
  /** Sent as application/x-www-form-urlencoded. */
  form?: Record<string, string>;
  /** Sent as JSON. */
  json?: unknown;
}

export interface ProviderResponse<T = unknown> {
  status: number;
  headers: Record<string, string>;
  data: T;
}

export interface ProviderHttpClient {
  request<T = unknown>(req: ProviderRequest): Promise<ProviderResponse<T>>;
}

export interface ProviderHttpClientOptions {
  provider: string;
  /** Aborts every request and backoff wait of this client (the poll's deadline, shutdown). */
  signal?: AbortSignal;
  /** Deadline of each attempt, from sending to the last byte of the answer. */
  timeoutMs?: number;
  /** Attempts per request for faults other than throttling (5xx, network), first included. */
  maxAttempts?: number;
  /** Requests (attempts included) one client may make: the per-connection, per-poll budget. */
  maxRequests?: number;
  /** Largest response body accepted. */
  maxBodyBytes?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** A Retry-After longer than this fails the request as throttled instead of waiting. */
  maxRetryAfterMs?: number;
  /**
   * Throttling is waited out, not counted against maxAttempts: a throttled request is retried as
   * long as its waits (Retry-After, or backoff without one) add up to no more than this.
   */
  maxThrottledWaitMs?: number;
  /** Backoff after a throttled answer without Retry-After: doubles from base up to max, equal jitter. */
  throttleBackoffBaseMs?: number;
  throttleBackoffMaxMs?: number;
  /**
   * With a pacer, the least a request waits before its n-th retry after throttling without
   * Retry-After: this, doubling up to throttleBackoffMaxMs. The pacer spaces the tenant's calls;
   * this keeps one request from retrying at the tenant's whole rate against a quota that admits
   * nothing (spent for the day).
   */
  pacedBackoffBaseMs?: number;
  /**
   * The tenant's adaptive pacer (ProviderPacers), shared across this connection's polls. With one,
   * every attempt takes a slot from it, and a throttled answer without Retry-After tells the pacer
   * and waits for its next slot (and at least pacedBackoffBaseMs, doubling) instead of the backoff
   * above. Without one, that backoff.
   */
  pacer?: AdaptivePacer;
  /**
   * Provider-specific classification of a non-2xx response (e.g. Google's 403 userRateLimitExceeded
   * is throttling). Return undefined to fall back to the generic HTTP classification.
   */
  classify?: (res: ProviderResponse) => ProviderError | undefined;
  /**
   * Where requests may connect (TOLLGATE_ALLOWED_ENDPOINT_HOSTS, else public addresses only): its
   * agents resolve and check each name as the socket connects. A refused connection is a `network`
   * failure and sends nothing, Authorization header included.
   */
  connectGuard?: ConnectGuard;
  /** Hooks for metrics; called for every attempt sent and every throttled answer. */
  onRequest?: (operation: string) => void;
  onThrottled?: (operation: string) => void;
}

const DEFAULT_TIMEOUT_MS = 15_000;
const DEFAULT_MAX_ATTEMPTS = 4;
const DEFAULT_MAX_REQUESTS = 5_000;
const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;
const DEFAULT_BACKOFF_BASE_MS = 250;
const DEFAULT_BACKOFF_MAX_MS = 30_000;
const DEFAULT_MAX_RETRY_AFTER_MS = 60_000;
// A quota counted per minute stays full for up to a minute after a burst: waits of 1, 2, 4 ... 32 s
// cover it, and the budget leaves room for a second such minute.
const DEFAULT_MAX_THROTTLED_WAIT_MS = 120_000;
const DEFAULT_THROTTLE_BACKOFF_BASE_MS = 1_000;
const DEFAULT_THROTTLE_BACKOFF_MAX_MS = 32_000;
const DEFAULT_PACED_BACKOFF_BASE_MS = 250;

/**
 * Resilient client for provider admin APIs: per-attempt timeout, body size limit, no redirects,
 * retries of retryable faults (Retry-After first, else capped exponential backoff; throttling within
 * a budget of waiting time, other faults within a number of attempts), a request budget, and one
 * ProviderError for every fault. Messages name the provider, operation, host+path, status and
 * provider error code only: never headers, query strings or bodies.
 */
export function createProviderHttpClient(options: ProviderHttpClientOptions): ProviderHttpClient {
  const { provider, signal, pacer } = options;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const maxRequests = options.maxRequests ?? DEFAULT_MAX_REQUESTS;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const backoffBaseMs = options.backoffBaseMs ?? DEFAULT_BACKOFF_BASE_MS;
  const backoffMaxMs = options.backoffMaxMs ?? DEFAULT_BACKOFF_MAX_MS;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS;
  let requestsSent = 0;

  const http = axios.create({
    adapter: 'http',
    // A redirect could lead a credentialed request anywhere, past the endpoint SSRF checks.
    maxRedirects: 0,
    validateStatus: () => true,
    // Raw bytes: we parse JSON ourselves so that malformed bodies become `schema` failures.
    responseType: 'arraybuffer',
    transformResponse: (data: unknown) => data,
    // axios destroys the response stream as soon as this is exceeded, so an oversized body is never buffered whole.
    maxContentLength: maxBodyBytes,
    ...(options.connectGuard ? { httpAgent: options.connectGuard.httpAgent, httpsAgent: options.connectGuard.httpsAgent } : {}),
  });

  const maxThrottledWaitMs = options.maxThrottledWaitMs ?? DEFAULT_MAX_THROTTLED_WAIT_MS;
  const throttleBackoffBaseMs = options.throttleBackoffBaseMs ?? DEFAULT_THROTTLE_BACKOFF_BASE_MS;
  const throttleBackoffMaxMs = options.throttleBackoffMaxMs ?? DEFAULT_THROTTLE_BACKOFF_MAX_MS;
  const pacedBackoffBaseMs = options.pacedBackoffBaseMs ?? DEFAULT_PACED_BACKOFF_BASE_MS;

  /**
   * Whether and how long to wait before the next attempt, per request. Other faults get
   * maxAttempts - 1 retries with full-jitter backoff. Throttling gets as many retries as fit in
   * maxThrottledWaitMs: a sliding quota frees its slots only as the calls of one window earlier age
   * out, which a few sub-second retries would not outlast (docs/performance.md, "Rate limits").
   */
  /** base, doubling with each throttled answer, up to throttleBackoffMaxMs. */
  const doubling = (baseMs: number, throttles: number) => Math.min(throttleBackoffMaxMs, baseMs * 2 ** (throttles - 1));

  function retryPlanner(paced: PacedAttempt) {
    let faults = 0;
    let throttles = 0;
    let throttledWaitMs = 0;
    return (err: Error): number | undefined => {
      if (!(err instanceof ProviderError) || !err.retryable) return undefined;
      const asked = err.details.retryAfterMs;
      if (asked !== undefined && asked > maxRetryAfterMs) return undefined;
      if (err.reason === 'throttled') {
        throttles++;
        // Retry-After: 0 is taken as no Retry-After, so that a quota answering it every time is not hammered.
        let wait: number;
        if (asked) {
          wait = asked;
        } else if (pacer && paced.slot) {
          // The pacer slows the whole tenant down and hands out the retry's slot now, so its wait
          // counts against the same budget as a backoff would.
          pacer.throttled(paced.slot);
          paced.slot = pacer.reserve();
          paced.taken = true;
          wait = Math.max(paced.slot.waitMs, doubling(pacedBackoffBaseMs, throttles));
        } else {
          const cap = doubling(throttleBackoffBaseMs, throttles);
          wait = Math.floor(cap / 2 + (Math.random() * cap) / 2);
        }
        if (throttledWaitMs + wait > maxThrottledWaitMs) return undefined;
        throttledWaitMs += wait;
        return wait;
      }
      faults++;
      if (faults >= maxAttempts) return undefined;
      return asked ?? Math.floor(Math.random() * Math.min(backoffMaxMs, backoffBaseMs * 2 ** (faults - 1)));
    };
  }

  async function request<T>(req: ProviderRequest): Promise<ProviderResponse<T>> {
    const call: Call = { provider, operation: req.operation, target: describeTarget(provider, req) };
    // The slot of the attempt under way; the planner may take the next one already (throttling).
    const paced: PacedAttempt = {};
    const plan = retryPlanner(paced);
    let attempts = 0;
    let nextWaitMs = 0;
    // cockatiel 3.2 sleeps between attempts on a timer the abort signal cannot cut short, so the
    // policy never waits itself (its default backoff is 0): each retry sleeps, abortably, when it
    // starts. The planner decides whether to retry at all; the policy's own cap is never reached.
    const policy = retry(
      handleWhen((err) => {
        const wait = plan(err);
        if (wait === undefined) return false;
        nextWaitMs = wait;
        return true;
      }),
      { maxAttempts: Number.MAX_SAFE_INTEGER },
    );
    try {
      return await policy.execute(async () => {
        let waitMs = attempts > 0 ? nextWaitMs : 0;
        if (pacer && !paced.taken) {
          paced.slot = pacer.reserve();
          waitMs = Math.max(waitMs, paced.slot.waitMs);
        }
        paced.taken = false;
        if (waitMs > 0) await sleep(waitMs, signal, () => abortedError(call));
        attempts++;
        const res = await attemptOnce<T>(req, call);
        if (pacer && paced.slot) pacer.succeeded(paced.slot);
        return res;
      }, signal);
    } catch (err) {
      if (err instanceof ProviderError && attempts > 1) {
        throw new ProviderError(err.reason, `${err.message} (after ${attempts} attempts)`, err.details);
      }
      throw err;
    }
  }

  async function attemptOnce<T>(req: ProviderRequest, call: Call): Promise<ProviderResponse<T>> {
    if (signal?.aborted) throw abortedError(call);
    if (requestsSent >= maxRequests) {
      throw new ProviderError(
        'provider_error',
        `${call.provider} ${call.operation}: request budget of ${maxRequests} exhausted for this poll`,
        { retryable: false },
      );
    }
    requestsSent++;
    options.onRequest?.(req.operation);

    const raw = await exchange(req, call);
    const headers = lowerCaseHeaders(raw.headers);
    const text = decodeBody(raw.data);

    if (raw.status >= 200 && raw.status < 300) {
      if (raw.status === 204) return { status: raw.status, headers, data: undefined as T };
      if (text.trim() === '') throw schemaError(call, raw.status, 'empty response body');
      try {
        return { status: raw.status, headers, data: JSON.parse(text) as T };
      } catch {
        throw schemaError(call, raw.status, 'malformed JSON in response body');
      }
    }

    const err = classifyAnswer(call, { status: raw.status, headers, data: parseLoosely(text) });
    if (err.reason === 'throttled' || raw.status === 429) options.onThrottled?.(req.operation);
    throw err;
  }

  function classifyAnswer(call: Call, res: ProviderResponse): ProviderError {
    // Redirects are refused whatever the provider hook thinks of them.
    if (res.status >= 300 && res.status < 400) {
      return failure(call, 'provider_error', res.status, undefined, 'redirect not followed', { retryable: false });
    }
    const custom = options.classify?.(res);
    if (custom) return custom;

    const { status } = res;
    const code = providerErrorCode(res.data);
    const retryAfterMs = parseRetryAfterMs(res.headers['retry-after']);
    if (status === 401 || status === 403) {
      return failure(call, 'auth', status, code, 'credentials rejected', { retryable: false });
    }
    if (status === 429 || (status === 503 && retryAfterMs !== undefined)) {
      const asked = retryAfterMs === undefined ? '' : ` (Retry-After ${Math.ceil(retryAfterMs / 1000)} s)`;
      return failure(call, 'throttled', status, code, `throttled${asked}`, { retryable: true, retryAfterMs });
    }
    if (status === 500 || status === 502 || status === 503 || status === 504) {
      return failure(call, 'provider_error', status, code, 'provider fault', { retryable: true });
    }
    return failure(call, 'provider_error', status, code, 'request refused', { retryable: false });
  }

  async function exchange(req: ProviderRequest, call: Call): Promise<AxiosResponse<Buffer>> {
    const controller = new AbortController();
    let timedOut = false;
    // A whole-attempt deadline: axios' own timeout only watches socket idleness, which a slowly
    // dripping body never trips.
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const forwardAbort = () => controller.abort();
    signal?.addEventListener('abort', forwardAbort, { once: true });
    try {
      // The socket resolves names through the guard's lookup, but never looks up an IP literal.
      options.connectGuard?.checkHost(new URL(req.url).hostname);
      return await http.request<Buffer>({
        url: req.url,
        method: req.method ?? (req.form || req.json !== undefined ? 'POST' : 'GET'),
        params: req.params,
        headers: { accept: 'application/json', ...bodyHeaders(req), ...req.headers },
        data: encodeBody(req),
        signal: controller.signal,
      });
    } catch (err) {
      if (signal?.aborted) throw abortedError(call);
      const refused = addressRefusal(err);
      if (refused) throw failure(call, 'network', undefined, undefined, refused.message, { retryable: false });
      if (timedOut) {
        throw failure(call, 'network', undefined, undefined, `no complete response within ${timeoutMs} ms`, {
          retryable: true,
        });
      }
      if (axios.isAxiosError(err) && err.message.startsWith('maxContentLength')) {
        throw failure(call, 'provider_error', undefined, undefined, `response body exceeded ${maxBodyBytes} bytes`, {
          retryable: false,
        });
      }
      // Only the error code is kept: axios errors carry the request config, headers included.
      const code = errorCode(err);
      const tls = /CERT|TLS|SSL/.test(code);
      const midResponse = axios.isAxiosError(err) && err.response !== undefined;
      const what = tls ? 'TLS failure' : midResponse ? 'connection lost mid-response' : 'network failure';
      throw failure(call, 'network', undefined, undefined, `${what} (${code})`, { retryable: !tls });
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', forwardAbort);
    }
  }

  return { request };
}

/**
 * Milliseconds asked by a Retry-After header, given as delta seconds or as an HTTP-date;
 * undefined when absent or unreadable.
 */
export function parseRetryAfterMs(value: string | undefined, nowMs: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // Date.parse reads almost anything ("1.5" is a date to V8); an HTTP-date starts with a day name.
  if (!/^[A-Za-z]{3}/.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** The pacer slot of a request's current attempt; `taken` when the retry planner reserved it already. */
interface PacedAttempt {
  slot?: PacerSlot;
  taken?: boolean;
}

interface Call {
  provider: string;
  operation: string;
  /** host + pathname only: query strings may carry tokens. */
  target: string;
}

function describeTarget(provider: string, req: ProviderRequest): string {
  let url: URL;
  try {
    url = new URL(req.url);
  } catch {
    throw new Error(`${provider} ${req.operation}: request URL is not an absolute URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new Error(`${provider} ${req.operation}: request URL scheme ${url.protocol} is not http(s)`);
  }
  return `${url.host}${url.pathname}`;
}

function failure(
  call: Call,
  reason: ProviderFailureReason,
  status: number | undefined,
  code: string | undefined,
  what: string,
  details: ProviderError['details'],
): ProviderError {
  const answer = status === undefined ? '' : `HTTP ${status}${code ? ` ${code}` : ''}, `;
  return new ProviderError(reason, `${call.provider} ${call.operation} (${call.target}): ${answer}${what}`, {
    ...details,
    status,
    code,
  });
}

function schemaError(call: Call, status: number, what: string): ProviderError {
  return failure(call, 'schema', status, undefined, what, { retryable: false });
}

function abortedError(call: Call): ProviderError {
  return new ProviderError('network', `aborted: ${call.provider} ${call.operation} (${call.target})`, {
    retryable: false,
  });
}

function sleep(ms: number, signal: AbortSignal | undefined, onAbort: () => Error): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(onAbort());
    const abort = () => {
      clearTimeout(timer);
      reject(onAbort());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', abort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', abort, { once: true });
  });
}

function bodyHeaders(req: ProviderRequest): Record<string, string> {
  if (req.form) return { 'content-type': 'application/x-www-form-urlencoded' };
  if (req.json !== undefined) return { 'content-type': 'application/json' };
  return {};
}

function encodeBody(req: ProviderRequest): string | undefined {
  if (req.form && req.json !== undefined) {
    throw new Error(`${req.operation}: a request has either a form or a JSON body, not both`);
  }
  if (req.form) return new URLSearchParams(req.form).toString();
  if (req.json !== undefined) return JSON.stringify(req.json);
  return undefined;
}

function lowerCaseHeaders(headers: object): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || value === null) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return out;
}

function decodeBody(data: unknown): string {
  if (!Buffer.isBuffer(data)) return typeof data === 'string' ? data : '';
  const text = data.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function parseLoosely(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * The provider's own error code, from the shapes the supported APIs use: Slack `{error: "code"}`,
 * Graph `{error: {code}}`, Google `{error: {status}}`. Anything that does not look like an
 * identifier is dropped, since it may be free text echoing the request.
 */
function providerErrorCode(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const error: unknown = (body as { error?: unknown }).error;
  let code: unknown = error;
  if (typeof error === 'object' && error !== null) {
    const { code: graphCode, status: googleStatus } = error as { code?: unknown; status?: unknown };
    code = typeof graphCode === 'string' ? graphCode : googleStatus;
  }
  return safeCode(code);
}

/** The guard's refusal, thrown directly (an IP literal) or wrapped by axios (a name refused at lookup). */
function addressRefusal(err: unknown): AddressRefusedError | undefined {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    if (e instanceof AddressRefusedError) return e;
  }
  return undefined;
}

function errorCode(err: unknown): string {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' && /^[\w.-]{1,64}$/.test(code) ? code : 'unknown';
}
