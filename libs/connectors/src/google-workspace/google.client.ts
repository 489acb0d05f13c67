import {
  CallGate,
  parseAnswer,
  parseRetryAfterMs,
  ProviderError,
  safeCode,
  type ProviderHttpClient,
  type ProviderResponse,
} from '@tollgate/connector-sdk';
import type { z } from 'zod';
import type { GoogleTokenClient } from './google-token.client';

/** 403 reasons Google uses for quota and rate limits: back off and retry, never an auth failure. */
const RATE_LIMIT_REASONS = new Set(['userRateLimitExceeded', 'rateLimitExceeded', 'quotaExceeded', 'dailyLimitExceeded']);

function googleErrorInfo(body: unknown): { status?: string; reason?: string; oauthError?: string } {
  if (typeof body !== 'object' || body === null) return {};
  const error: unknown = (body as { error?: unknown }).error;
  // The token endpoint answers OAuth-style: {"error": "invalid_grant", "error_description": "..."}.
  if (typeof error === 'string') return { oauthError: safeCode(error) };
  if (typeof error !== 'object' || error === null) return {};
  const { status, errors } = error as { status?: unknown; errors?: unknown };
  const first: unknown = Array.isArray(errors) ? errors[0] : undefined;
  const reason = typeof first === 'object' && first !== null ? (first as { reason?: unknown }).reason : undefined;
  return { status: safeCode(status), reason: safeCode(reason) };
}

/**
 * The http client's `classify` hook for Google: 429 RESOURCE_EXHAUSTED and 403 with a rate-limit
 * reason are throttling (retried, Retry-After honoured when sent); a refused assertion at the token
 * endpoint, and any other 401/403, is `auth`. Messages carry status and code only, never the body.
 */
export function classifyGoogleResponse(res: ProviderResponse): ProviderError | undefined {
  const { status } = res;
  const info = googleErrorInfo(res.data);
  const retryAfterMs = parseRetryAfterMs(res.headers['retry-after']);
  if (info.oauthError !== undefined && (status === 400 || status === 401)) {
    return new ProviderError(
      'auth',
      `google-workspace: HTTP ${status} ${info.oauthError}, the token endpoint refused the service account assertion`,
      { status, code: info.oauthError, retryable: false },
    );
  }
  const code = info.reason ?? info.status ?? info.oauthError;
  const rateLimited =
    status === 429 ||
    (status === 403 && (info.status === 'RESOURCE_EXHAUSTED' || (info.reason !== undefined && RATE_LIMIT_REASONS.has(info.reason))));
  if (rateLimited) {
    const asked = retryAfterMs === undefined ? '' : ` (Retry-After ${Math.ceil(retryAfterMs / 1000)} s)`;
    return new ProviderError('throttled', `google-workspace: HTTP ${status}${code ? ` ${code}` : ''}, throttled${asked}`, {
      status,
      code,
      retryAfterMs,
      retryable: true,
    });
  }
  if (status === 401 || status === 403) {
    return new ProviderError('auth', `google-workspace: HTTP ${status}${code ? ` ${code}` : ''}, access refused`, {
      status,
      code,
      retryable: false,
    });
  }
  return undefined;
}

/** A 403 that makes one read unreadable (a scope not delegated, an API not enabled), not the whole poll. */
export function isGoogleRefusal(err: unknown): err is ProviderError {
  return err instanceof ProviderError && err.reason === 'auth' && err.details.status === 403;
}

/**
 * Spaces Directory calls so a poll stays under Google's per-user quota (2,400 queries per minute by
 * default), whatever the concurrency: each call takes the next free slot.
 */
export class RequestPacer {
  private nextSlot = 0;

  constructor(
    private readonly intervalMs: number,
    private readonly signal?: AbortSignal,
  ) {}

  wait(): Promise<void> {
    const now = Date.now();
    const at = Math.max(now, this.nextSlot);
    this.nextSlot = at + this.intervalMs;
    const delay = at - now;
    if (delay <= 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(new ProviderError('network', 'aborted: google-workspace request pacing', { retryable: false }));
      };
      const timer = setTimeout(() => {
        this.signal?.removeEventListener('abort', onAbort);
        resolve();
      }, delay);
      this.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

export type GoogleParams = Record<string, string | number | boolean | undefined>;

/**
 * GETs Google admin APIs through the shared provider http client (retries, Retry-After, budgets,
 * body limits) with a service-account access token. A 401 mid-poll (the token expired or was
 * revoked early) refreshes the token once and repeats the call. After the first failure that dooms
 * the poll no further call is started.
 */
export class GoogleClient {
  private readonly gate = new CallGate({ survivable: (err) => isGoogleRefusal(err) || isNotFound(err) });

  constructor(
    private readonly http: ProviderHttpClient,
    private readonly tokens: GoogleTokenClient,
  ) {}

  /** Whether this poll's token lacks `scope` because Google refused it as not delegated. */
  async lacksScope(scope: string): Promise<boolean> {
    await this.tokens.accessToken();
    return this.tokens.missingScopes.includes(scope);
  }

  get<S extends z.ZodType>(operation: string, url: string, schema: S, params: GoogleParams = {}): Promise<z.output<S>> {
    return this.gate.run(async () => parseAnswer('google-workspace', operation, schema, await this.send(operation, url, params)));
  }

  private async send(operation: string, url: string, params: GoogleParams): Promise<unknown> {
    for (let attempt = 1; ; attempt++) {
      const token = await this.tokens.accessToken();
      try {
        const res = await this.http.request<unknown>({
          operation,
          method: 'GET',
          url,
          params,
          headers: { authorization: `Bearer ${token}` },
        });
        return res.data;
      } catch (err) {
        if (err instanceof ProviderError && err.details.status === 401 && attempt === 1) {
          this.tokens.invalidate(token);
          continue;
        }
        throw named(operation, err);
      }
    }
  }
}

export function isNotFound(err: unknown): err is ProviderError {
  return err instanceof ProviderError && err.details.status === 404;
}

/** The classify hook cannot know the operation; name it here so every message says which call failed. */
export function named(operation: string, err: unknown): unknown {
  if (!(err instanceof ProviderError) || !err.message.startsWith('google-workspace: ')) return err;
  return new ProviderError(err.reason, `google-workspace ${operation}: ${err.message.slice('google-workspace: '.length)}`, err.details);
}
