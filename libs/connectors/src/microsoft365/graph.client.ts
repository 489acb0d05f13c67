import { createHash } from 'node:crypto';
import { CallGate, collectPages, parseAnswer, ProviderError, type ProviderHttpClient } from '@tollgate/connector-sdk';
import type { z } from 'zod';
import { collectionSchema, tokenResponseSchema } from './m365-api.schemas';

export interface GraphCredentials {
  tenantId: string;
  clientId: string;
  clientSecret: string;
}

/** Tokens are renewed this long before Graph would reject them (at most 10% of their lifetime). */
const MAX_SAFETY_MARGIN_MS = 5 * 60_000;
/** Real tenants stay far below this many pages of 999 items; more means Graph is looping. */
export const MAX_GRAPH_PAGES = 500;

interface CachedToken {
  fingerprint: string;
  token: string;
  renewAt: number;
}

/**
 * Access tokens by connection, kept in memory only, until shortly before they expire. A token
 * lives about an hour and a connection polls every few minutes, so most polls ask for none. The
 * fingerprint (a hash of the credentials and endpoints) makes changed credentials fetch a new
 * token instead of reusing one issued for the old ones.
 */
export class GraphTokenCache {
  private readonly entries = new Map<string, CachedToken>();

  constructor(
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string, fingerprint: string): string | undefined {
    const entry = this.entries.get(key);
    if (!entry || entry.fingerprint !== fingerprint || this.now() >= entry.renewAt) return undefined;
    return entry.token;
  }

  set(key: string, fingerprint: string, token: string, lifetimeMs: number): void {
    const margin = Math.min(MAX_SAFETY_MARGIN_MS, lifetimeMs / 10);
    this.entries.delete(key);
    this.entries.set(key, { fingerprint, token, renewAt: this.now() + lifetimeMs - margin });
    // Map keeps insertion order, so the first key is the connection that refreshed longest ago.
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
  }

  /** Forgets the token only if it is still the cached one: a concurrent refresh may have replaced it. */
  invalidate(key: string, token: string): void {
    if (this.entries.get(key)?.token === token) this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}

export const graphTokenCache = new GraphTokenCache();

/** A 403/404 refusal: one read is not possible; whether that fails the poll is the fetcher's call. */
export function isGraphRefusal(err: unknown): err is ProviderError {
  return err instanceof ProviderError && (err.details.status === 403 || err.details.status === 404);
}

function isExpiredToken(err: unknown): boolean {
  return err instanceof ProviderError && err.details.status === 401 && err.details.code === 'InvalidAuthenticationToken';
}

export interface GraphClientOptions {
  http: ProviderHttpClient;
  /** e.g. `https://graph.microsoft.com`; requests go to `${graph}/v1.0/...`. */
  graph: string;
  /** e.g. `https://login.microsoftonline.com`. */
  login: string;
  credentials: GraphCredentials;
  /** Token cache key: the connection id. */
  cacheKey: string;
  cache?: GraphTokenCache;
  maxConcurrency?: number;
}

type Params = Record<string, string | number | boolean | undefined>;

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Calls Microsoft Graph v1.0 with an app-only (client credentials) token through the shared
 * provider http client, which already retries 429/503 with Retry-After and 5xx with backoff. This
 * client adds the token (cached, renewed once on a 401 InvalidAuthenticationToken), answer
 * validation, `@odata.nextLink` paging confined to the Graph endpoint, a small concurrency limit,
 * and stops starting calls once one failure has doomed the poll.
 */
export class GraphClient {
  private readonly v1: URL;
  private readonly fingerprint: string;
  private readonly cache: GraphTokenCache;
  private pendingToken: Promise<string> | undefined;
  private readonly gate: CallGate;

  constructor(private readonly options: GraphClientOptions) {
    this.v1 = new URL(`${options.graph.replace(/\/+$/, '')}/v1.0`);
    this.cache = options.cache ?? graphTokenCache;
    const { tenantId, clientId, clientSecret } = options.credentials;
    this.fingerprint = createHash('sha256')
      .update(JSON.stringify([options.login, options.graph, tenantId, clientId, clientSecret]))
      .digest('hex');
    this.gate = new CallGate({ survivable: isGraphRefusal, limit: options.maxConcurrency ?? 4 });
  }

  /**
   * One entity, as Graph answers a single-valued navigation property: its properties at the top
   * level. `wrapped` also accepts the entity wrapped as `{"value": {...}}`, the shape a reference
   * page's own example shows (SharePoint settings). Any other shape, a collection included, is a
   * schema failure rather than a guess.
   */
  async getObject<S extends z.ZodType>(
    operation: string,
    path: string,
    schema: S,
    options: { params?: Params; wrapped?: boolean } = {},
  ): Promise<z.output<S>> {
    const body = await this.call(operation, `${this.v1.href}${path}`, options.params);
    if (!isPlainObject(body)) {
      throw new ProviderError('schema', `microsoft365 ${operation}: answer is not a JSON object`, { retryable: false });
    }
    if (!('value' in body)) return parseAnswer('microsoft365', operation, schema, body);
    if (options.wrapped && isPlainObject(body.value)) return parseAnswer('microsoft365', operation, schema, body.value);
    throw new ProviderError('schema', `microsoft365 ${operation}: expected the entity, got a "value" of another shape`, {
      retryable: false,
    });
  }

  /** Every item of a collection, following `@odata.nextLink` whole until Graph leaves it out. */
  async list<S extends z.ZodType>(operation: string, path: string, item: S, params: Params = {}): Promise<z.output<S>[]> {
    const schema = collectionSchema(item);
    return collectPages<z.output<S>>(
      async (nextLink) => {
        const body = await this.call(operation, nextLink ?? `${this.v1.href}${path}`, nextLink ? undefined : params);
        const page = parseAnswer('microsoft365', operation, schema, body);
        const next = page['@odata.nextLink'];
        return { items: page.value as z.output<S>[], next: next ? this.checkNextLink(operation, next) : undefined };
      },
      { what: `microsoft365 ${operation}`, maxPages: MAX_GRAPH_PAGES },
    );
  }

  /**
   * The next page is fetched with our bearer token, so it must stay on the Graph endpoint: a link
   * elsewhere would hand the token to whoever it names. The link itself never enters a message.
   */
  private checkNextLink(operation: string, next: string): string {
    let url: URL;
    try {
      url = new URL(next);
    } catch {
      throw new ProviderError('schema', `microsoft365 ${operation}: @odata.nextLink is not an absolute URL`, { retryable: false });
    }
    if (url.origin !== this.v1.origin || !url.pathname.startsWith(`${this.v1.pathname}/`)) {
      throw new ProviderError('schema', `microsoft365 ${operation}: @odata.nextLink points outside the Graph endpoint`, {
        retryable: false,
      });
    }
    return url.href;
  }

  private call(operation: string, url: string, params?: Params): Promise<unknown> {
    return this.gate.run(() => this.send(operation, url, params));
  }

  private async send(operation: string, url: string, params?: Params): Promise<unknown> {
    const token = await this.accessToken();
    try {
      return await this.get(operation, url, params, token);
    } catch (err) {
      // An expired (or revoked) token: renew once and retry; a second 401 is an auth failure.
      if (!isExpiredToken(err)) throw err;
      this.cache.invalidate(this.options.cacheKey, token);
      return this.get(operation, url, params, await this.accessToken());
    }
  }

  private async get(operation: string, url: string, params: Params | undefined, token: string): Promise<unknown> {
    const res = await this.options.http.request<unknown>({
      operation,
      method: 'GET',
      url,
      params,
      headers: { authorization: `Bearer ${token}` },
    });
    return res.data;
  }

  private accessToken(): Promise<string> {
    const cached = this.cache.get(this.options.cacheKey, this.fingerprint);
    if (cached) return Promise.resolve(cached);
    // Concurrent reads that all find the cache empty share one token request.
    this.pendingToken ??= this.requestToken().finally(() => {
      this.pendingToken = undefined;
    });
    return this.pendingToken;
  }

  private async requestToken(): Promise<string> {
    const { tenantId, clientId, clientSecret } = this.options.credentials;
    const login = this.options.login.replace(/\/+$/, '');
    let body: unknown;
    try {
      const res = await this.options.http.request<unknown>({
        operation: 'token',
        method: 'POST',
        url: `${login}/${encodeURIComponent(tenantId)}/oauth2/v2.0/token`,
        form: {
          client_id: clientId,
          client_secret: clientSecret,
          scope: `${this.options.graph.replace(/\/+$/, '')}/.default`,
          grant_type: 'client_credentials',
        },
      });
      body = res.data;
    } catch (err) {
      const status = err instanceof ProviderError ? err.details.status : undefined;
      // invalid_client, unauthorized_client, an unknown tenant, a bad scope: only an operator can fix these.
      if (err instanceof ProviderError && status !== undefined && status >= 400 && status < 500 && status !== 429) {
        throw new ProviderError(
          'auth',
          `${err.message}: the identity platform refused the client credentials (check tenantId, clientId, clientSecret and the cloud)`,
          { ...err.details, retryable: false },
        );
      }
      throw err;
    }
    const token = parseAnswer('microsoft365', 'token', tokenResponseSchema, body);
    this.cache.set(this.options.cacheKey, this.fingerprint, token.access_token, token.expires_in * 1000);
    return token.access_token;
  }
}
