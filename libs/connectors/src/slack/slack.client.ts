import { CallGate, parseAnswer, ProviderError, safeCode, type ProviderHttpClient } from '@tollgate/connector-sdk';
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

export interface SlackCallOptions {
  /**
   * Codes that, for this one call, mean "this dataset is not readable" rather than their usual
   * meaning. Slack answers team.integrationLogs with invalid_auth when the org owner is not a
   * member of the team_id asked for, although the token itself is fine.
   */
  gapCodes?: readonly string[];
}

/**
 * A refusal that leaves one dataset unknown. Still an `auth` failure if it does end a poll
 * (team.info refused): the token lacks rights and an operator must fix it.
 */
export class SlackRefusal extends ProviderError {}

function classify(method: string, body: Record<string, unknown>, options: SlackCallOptions): ProviderError {
  const code = safeCode(body.error) ?? 'unknown_error';
  const prefix = `slack ${method}: ok:false ${code}`;
  if (GAP_CODES.has(code) || options.gapCodes?.includes(code)) {
    const needed = code === 'missing_scope' ? safeCode(body.needed) : undefined;
    const message = needed ? `${prefix} (needs ${needed})` : prefix;
    return new SlackRefusal('auth', message, { code, retryable: false });
  }
  if (AUTH_CODES.has(code)) return new ProviderError('auth', prefix, { code, retryable: false });
  if (code === 'ratelimited') return new ProviderError('throttled', prefix, { code, retryable: true });
  if (TRANSIENT_CODES.has(code)) return new ProviderError('provider_error', prefix, { code, retryable: true });
  return new ProviderError('provider_error', prefix, { code, retryable: false });
}

/** True for a Slack refusal that makes one dataset unreadable without failing the poll. */
export function isSlackGap(err: unknown): err is ProviderError {
  return err instanceof SlackRefusal;
}

/**
 * Calls Slack Web API methods through the shared provider http client (retries, Retry-After,
 * budgets, body limits). Slack reports most failures as HTTP 200 `{"ok":false}`, so that part of
 * the classification happens here. Calls share a small concurrency limit, and after the first
 * failure that dooms the poll no further call is started.
 */
export class SlackClient {
  private readonly gate: CallGate;

  constructor(
    private readonly http: ProviderHttpClient,
    private readonly apiBase: string,
    private readonly token: string,
    maxConcurrency = 4,
  ) {
    this.gate = new CallGate({ survivable: isSlackGap, limit: maxConcurrency });
  }

  call<S extends z.ZodType>(
    method: string,
    schema: S,
    params: SlackParams = {},
    options: SlackCallOptions = {},
  ): Promise<z.output<S>> {
    return this.gate.run(async () => parseAnswer('slack', method, schema, await this.send(method, params, options)));
  }

  private async send(method: string, params: SlackParams, options: SlackCallOptions): Promise<Record<string, unknown>> {
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
    if (!record.ok) throw classify(method, record, options);
    return record;
  }
}
