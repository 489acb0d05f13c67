import type { IncomingMessage, ServerResponse } from 'node:http';
import { faultSpecSchema } from '../faults/fault.injector';
import { HttpInputError, readJson, sendJson } from '../http/sim-http.util';
import type { SimState } from '../sim.state';
import { parseInput, SimInputError, SimNotFoundError } from '../tenant.registry';
import { GOOGLE_CONTROL_ROUTES } from '../google-workspace/google-control.routes';
import { M365_CONTROL_ROUTES } from '../microsoft365/m365-control.routes';
import { route, seg, type ControlRoute } from './control.route';
import { z } from 'zod';

export const CONTROL_PREFIX = '/_sim/';

const tenant = `/_sim/slack/tenants/${seg}`;

const discoverabilityBody = z.strictObject({ discoverability: z.string() });

const ROUTES: ControlRoute[] = [
  route('POST', '/_sim/reset', (s) => {
    s.reset();
    return { ok: true };
  }),
  route('GET', '/_sim/slack/tenants', (s) => ({ count: s.slack.count() })),
  route('PUT', tenant, async (s, [token], body) => ({ token, tenant: s.slack.put(token, await body()).data })),
  route('GET', tenant, (s, [token]) => ({ tenant: s.slack.get(token).data })),
  route('DELETE', tenant, (s, [token]) => {
    if (!s.slack.delete(token)) throw new SimNotFoundError('no Slack tenant with that token');
    return { ok: true };
  }),
  route('PATCH', `${tenant}/teams/${seg}`, async (s, [token, teamId], body) => {
    const { discoverability } = parseInput(discoverabilityBody, await body());
    return { team: s.slack.setDiscoverability(token, teamId, discoverability) };
  }),
  route('POST', `${tenant}/apps`, async (s, [token], body) => ({ app: s.slack.addApp(token, await body()) }), 201),
  route('DELETE', `${tenant}/apps/${seg}`, (s, [token, appId]) => ({ app: s.slack.removeApp(token, appId) })),
  route(
    'POST',
    `${tenant}/external-organizations`,
    async (s, [token], body) => ({ organization: s.slack.addExternalOrganization(token, await body()) }),
    201,
  ),
  route('DELETE', `${tenant}/external-organizations/${seg}`, (s, [token, teamId]) => {
    s.slack.removeExternalOrganization(token, teamId);
    return { ok: true };
  }),
  route(
    'POST',
    `${tenant}/shared-channels`,
    async (s, [token], body) => ({ channel: s.slack.addSharedChannel(token, await body()) }),
    201,
  ),
  route('DELETE', `${tenant}/shared-channels/${seg}`, (s, [token, channelId]) => {
    s.slack.removeSharedChannel(token, channelId);
    return { ok: true };
  }),
  route('POST', `${tenant}/users`, async (s, [token], body) => ({ user: s.slack.addUser(token, await body()) }), 201),
  route('DELETE', `${tenant}/users/${seg}`, (s, [token, userId]) => {
    s.slack.removeUser(token, userId);
    return { ok: true };
  }),
  route('PUT', `${tenant}/rate-limits`, async (s, [token], body) => ({
    rateLimits: s.slack.setRateLimits(token, await body()),
  })),
  route('GET', `${tenant}/requests`, (s, [token]) => s.slack.requestStats(token)),
  route(
    'POST',
    '/_sim/faults',
    async (s, _params, body) => ({ fault: s.faults.add(parseInput(faultSpecSchema, await body())) }),
    201,
  ),
  route('GET', '/_sim/faults', (s) => ({ faults: s.faults.list() })),
  route('DELETE', '/_sim/faults', (s) => {
    s.faults.clear();
    return { ok: true };
  }),
  route('DELETE', `/_sim/faults/${seg}`, (s, [id]) => {
    if (!s.faults.remove(id)) throw new SimNotFoundError(`no fault ${id}`);
    return { ok: true };
  }),
  ...GOOGLE_CONTROL_ROUTES,
  ...M365_CONTROL_ROUTES,
];

/** The scenario-control API: JSON in, JSON out, 4xx with a message for every bad input. */
export async function handleControl(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  state: SimState,
): Promise<void> {
  let pathMatched = false;
  for (const r of ROUTES) {
    const match = r.pattern.exec(url.pathname);
    if (!match) continue;
    pathMatched = true;
    if (r.method !== req.method) continue;
    try {
      const params = match.slice(1).map((p) => decodeURIComponent(p));
      const result = await r.handle(state, params, () => readJson(req));
      sendJson(res, r.status ?? 200, result);
    } catch (err) {
      if (err instanceof SimInputError) sendJson(res, 400, { error: 'bad_request', message: err.message });
      else if (err instanceof SimNotFoundError) sendJson(res, 404, { error: 'not_found', message: err.message });
      else if (err instanceof HttpInputError) sendJson(res, err.status, { error: 'bad_request', message: err.message });
      else throw err;
    }
    return;
  }
  if (pathMatched) sendJson(res, 405, { error: 'method_not_allowed', message: `${req.method} not allowed here` });
  else sendJson(res, 404, { error: 'not_found', message: `no control route ${url.pathname}` });
}
