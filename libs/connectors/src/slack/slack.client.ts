import { ProviderError, type ProviderHttpClient } from '@tollgate/connector-sdk';
import type { z } from 'zod';

/** Answers that mean "this token or plan cannot read that": recorded as a gap, the poll goes on. */
const GAP_CODES = new Set([
  'missing_scope',
  'not_an_enterprise',
  'feature_not_enabled',
  'not_allowed',
  'not_an_admin',
  'paid_only',
  'team_access_not_granted',
]);

/** The token itself is bad: retrying will not help, an operator must fix the connection. */
const AUTH_CODES = new Set([
  'invalid_auth',
  'not_authed',
  'token_revoked',
  'token_expired',
  'account_inactive',
  'no_permission',
  'access_denied',
  'org_login_required',
]);

/** Slack's own trouble; the same call may succeed a little later. */
const TRANSIENT_CODES = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);

export type SlackParams = Record<string, string | number | boolean | undefined>;

/** Error codes are echoed into messages only when they look like identifiers, never free text. */
function safeCode(code: unknown): string {
  return typeof code === 'string' && /^[\w.:-]{1,64}$/.test(code) ? code : 'unknown_error';
}

function classify(method: string, body: Record<string, unknown>): ProviderError {
  const code = safeCode(body.error);
  const prefix = `slack ${method}: ok:false ${code}`;
  if (GAP_CODES.has(code)) {
    const needed = code === 'missing_scope' ? safeCode(body.needed) : undefined;
    const message = needed && needed !== 'unknown_error' ? `${prefix} (needs ${needed})` : prefix;
    // When such a code does fail a poll (team.info), the token lacks rights: an operator's fix.
    return new ProviderError('auth', message, { code, retryable: false });
  }
  if (AUTH_CODES.has(code)) return new ProviderError('auth', prefix, { code, retryable: false });
  if (code === 'ratelimited') return new ProviderError('throttled', prefix, { code, retryable: true });
  if (TRANSIENT_CODES.has(code)) return new ProviderError('provider_error', prefix, { code, retryable: true });
  return new ProviderError('provider_error', prefix, { code, retryable: false });
}

/** True for a Slack refusal that makes one dataset unreadable without failing the poll. */
export function isSlackGap(err: unknown): err is ProviderError {
  return err instanceof ProviderError && err.details.code !== undefined && GAP_CODES.has(err.details.code);
}

export function schemaFailure(method: string, error: z.ZodError): ProviderError {
  const issue = error.issues[0];
  const at = issue && issue.path.length > 0 ? issue.path.join('.') : 'body';
  // zod's messages name expected and received types only, never the values.
  return new ProviderError('schema', `slack ${method}: unexpected answer at ${at}: ${issue?.message ?? 'invalid'}`, {
    retryable: false,
  });
}

/**
 * Calls Slack Web API methods through the shared provider http client (retries, Retry-After,
 * budgets, body limits). Slack reports most failures as HTTP 200 `{"ok":false}`, so that part of
 * the classification happens here. Calls share a small concurrency limit, and after the first
 * failure that dooms the poll no further call is started.
 */
export class SlackClient {
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];
  private fatal: unknown;

  constructor(
    private readonly http: ProviderHttpClient,
    private readonly apiBase: string,
    private readonly token: string,
    private readonly maxConcurrency = 4,
  ) {}

  async call<S extends z.ZodType>(method: string, schema: S, params: SlackParams = {}): Promise<z.output<S>> {
    if (this.fatal !== undefined) throw this.fatal;
    await this.acquire();
    try {
      if (this.fatal !== undefined) throw this.fatal;
      const body = await this.send(method, params);
      const parsed = schema.safeParse(body);
      if (!parsed.success) throw schemaFailure(method, parsed.error);
      return parsed.data;
    } catch (err) {
      if (!isSlackGap(err) && this.fatal === undefined) this.fatal = err;
      throw err;
    } finally {
      this.release();
    }
  }

  private async send(method: string, params: SlackParams): Promise<Record<string, unknown>> {
    const res = await this.http.request<unknown>({
      operation: method,
      method: 'GET',
      url: `${this.apiBase}/${method}`,
      params,
      headers: { authorization: `Bearer ${this.token}` },
    });
    const body = res.data;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new ProviderError('schema', `slack ${method}: answer is not a JSON object`, { retryable: false });
    }
    const record = body as Record<string, unknown>;
    if (typeof record.ok !== 'boolean') {
      throw new ProviderError('schema', `slack ${method}: answer has no boolean "ok"`, { retryable: false });
    }
    if (!record.ok) throw classify(method, record);
    return record;
  }

  private acquire(): Promise<void> {
    if (this.inFlight < this.maxConcurrency) {
      this.inFlight++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    // The slot passes straight to the next waiter, so inFlight stays as it is.
    if (next) next();
    else this.inFlight--;
  }
}
