import { route, seg, type ControlRoute } from '../control/control.route';
import { SimNotFoundError } from '../tenant.registry';

const tenant = `/_sim/google/tenants/${seg}`;

/**
 * Scenario controls for simulated Google Workspace tenants, under `/_sim/google/tenants/:customerId`.
 * A policy setting type is written without its `settings/` prefix (`drive_and_docs.external_sharing`).
 */
export const GOOGLE_CONTROL_ROUTES: ControlRoute[] = [
  route('GET', '/_sim/google/tenants', (s) => ({ count: s.google.count() })),
  route('PUT', tenant, async (s, [customerId], body) => ({ customerId, tenant: s.google.put(customerId, await body()).data })),
  route('GET', tenant, (s, [customerId]) => ({ tenant: s.google.get(customerId).data })),
  route('DELETE', tenant, (s, [customerId]) => {
    if (!s.google.delete(customerId)) throw new SimNotFoundError(`no Google Workspace tenant ${customerId}`);
    return { ok: true };
  }),
  // PUT body: {orgUnitId, value, type?, groupId?}; the setting type comes from the path.
  route('PUT', `${tenant}/policies/${seg}`, async (s, [customerId, settingType], body) => {
    const input = await body();
    const fields = typeof input === 'object' && input !== null ? input : {};
    return { policy: s.google.setPolicy(customerId, { ...fields, settingType }) };
  }),
  route('DELETE', `${tenant}/policies/${seg}/org-units/${seg}`, (s, [customerId, settingType, orgUnitId]) => {
    s.google.deletePolicy(customerId, settingType, orgUnitId);
    return { ok: true };
  }),
  route(
    'POST',
    `${tenant}/users/${seg}/tokens`,
    async (s, [customerId, userKey], body) => ({ token: s.google.addUserToken(customerId, userKey, await body()) }),
    201,
  ),
  route('DELETE', `${tenant}/users/${seg}/tokens/${seg}`, (s, [customerId, userKey, clientId]) => ({
    token: s.google.removeUserToken(customerId, userKey, clientId),
  })),
  route('PATCH', `${tenant}/data-region`, async (s, [customerId], body) => ({
    policies: s.google.setDataRegion(customerId, await body()),
  })),
  route('POST', `${tenant}/expire-tokens`, (s, [customerId]) => ({ expired: s.google.expireTokens(customerId) })),
  route('PUT', `${tenant}/rate-limits`, async (s, [customerId], body) => ({
    rateLimits: s.google.setRateLimits(customerId, await body()),
  })),
  route('GET', `${tenant}/requests`, (s, [customerId]) => s.google.requestStats(customerId)),
];
