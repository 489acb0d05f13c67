import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FaultInjector } from '../faults/fault.injector';
import { respondWithFault } from '../faults/fault.responder';
import { readBody, sendJson } from '../http/sim-http.util';
import { SIM_SLACK_SCOPES, SLACK_METHODS, type SlackBody } from './slack-api.methods';
import type { SlackParams } from './slack-paging.util';
import type { SlackTenantStore } from './slack-tenant.store';

export const SLACK_API_PREFIX = '/slack/api/';

/** Slack's own wording for HTTP-level failures, used when a status fault gives no body. */
function slackErrorForStatus(status: number): SlackBody {
  if (status === 429) return { ok: false, error: 'ratelimited' };
  if (status === 503) return { ok: false, error: 'service_unavailable' };
  return { ok: false, error: status >= 500 ? 'internal_error' : 'request_failed' };
}

async function readParams(req: IncomingMessage, url: URL): Promise<SlackParams> {
  const params: SlackParams = new Map(url.searchParams);
  if (req.method !== 'POST') return params;
  const body = await readBody(req);
  if (!body) return params;
  const type = req.headers['content-type'] ?? '';
  if (type.includes('application/json')) {
    try {
      const json: unknown = JSON.parse(body);
      if (json && typeof json === 'object' && !Array.isArray(json)) {
        for (const [key, value] of Object.entries(json)) {
          params.set(key, Array.isArray(value) ? value.join(',') : String(value));
        }
      }
    } catch {
      // Slack ignores an unparseable JSON body and then complains about missing arguments.
    }
  } else {
    for (const [key, value] of new URLSearchParams(body)) params.set(key, value);
  }
  return params;
}

function bearerToken(req: IncomingMessage, params: SlackParams): string | undefined {
  const header = req.headers.authorization;
  if (header) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return match ? match[1] : undefined;
  }
  return params.get('token') || undefined;
}

/** Answers `/slack/api/<method>` like slack.com/api does, including its quirks and failures. */
export async function handleSlackApi(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  tenants: SlackTenantStore,
  faults: FaultInjector,
): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'POST') {
    sendJson(res, 405, { ok: false, error: 'method_not_allowed' }, { allow: 'GET, POST' });
    return;
  }
  const methodName = decodeURIComponent(url.pathname.slice(SLACK_API_PREFIX.length));
  const params = await readParams(req, url);
  const token = bearerToken(req, params);
  const tenant = token ? tenants.find(token) : undefined;
  tenant?.countRequest(methodName);

  const fault = faults.take('slack', token, methodName);
  if (fault && (await respondWithFault(fault, req, res, slackErrorForStatus)) === 'handled') return;

  if (!token) return sendJson(res, 200, { ok: false, error: 'not_authed' });
  if (!tenant) return sendJson(res, 200, { ok: false, error: 'invalid_auth' });

  const method = SLACK_METHODS[methodName];
  if (!method) return sendJson(res, 200, { ok: false, error: 'unknown_method' });

  const decision = tenant.rateLimiter?.check(methodName, method.tier);
  if (decision && !decision.allowed) {
    tenant.countThrottled(methodName);
    sendJson(res, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(decision.retryAfterSeconds) });
    return;
  }
  if (method.gridOnly && !tenant.data.isEnterprise) {
    return sendJson(res, 200, { ok: false, error: 'not_an_enterprise' });
  }
  if (tenant.data.missingScopes.includes(method.scope)) {
    const provided = SIM_SLACK_SCOPES.filter((s) => !tenant.data.missingScopes.includes(s)).join(',');
    return sendJson(res, 200, { ok: false, error: 'missing_scope', needed: method.scope, provided });
  }

  const body = method.handle({ tenant, params, endless: fault?.kind === 'endless-paging' });
  if (fault?.kind === 'wrong-shape' && body.ok === true) {
    if (fault.variant === 'missing') delete body[method.listField];
    else body[method.listField] = 'unexpected';
  }
  sendJson(res, 200, body);
}
