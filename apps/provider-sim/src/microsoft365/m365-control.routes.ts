import { route, seg, type ControlRoute } from '../control/control.route';
import { SimNotFoundError } from '../tenant.registry';

const tenant = `/_sim/microsoft365/tenants/${seg}`;

/** Scenario controls for Microsoft 365 tenants, under `/_sim/microsoft365/tenants/:tenantId`. */
export const M365_CONTROL_ROUTES: ControlRoute[] = [
  route('GET', '/_sim/microsoft365/tenants', (s) => ({ count: s.microsoft365.count() })),
  route('PUT', tenant, async (s, [id], body) => ({ tenantId: id, tenant: s.microsoft365.put(id, await body()).view() })),
  route('GET', tenant, (s, [id]) => ({ tenant: s.microsoft365.get(id).view() })),
  route('DELETE', tenant, (s, [id]) => {
    if (!s.microsoft365.delete(id)) throw new SimNotFoundError(`no Microsoft 365 tenant ${id}`);
    return { ok: true };
  }),
  route('PATCH', `${tenant}/sharepoint-settings`, async (s, [id], body) => ({
    sharepointSettings: s.microsoft365.patchSharepointSettings(id, await body()),
  })),
  route('PATCH', `${tenant}/authorization-policy`, async (s, [id], body) => ({
    authorizationPolicy: s.microsoft365.patchAuthorizationPolicy(id, await body()),
  })),
  route('PUT', `${tenant}/admin-consent-request-policy`, async (s, [id], body) => ({
    adminConsentRequestPolicy: s.microsoft365.setAdminConsentRequestPolicy(id, await body()),
  })),
  route('PUT', `${tenant}/cross-tenant-partners`, async (s, [id], body) => ({
    crossTenantAccessPartners: s.microsoft365.setCrossTenantPartners(id, await body()),
  })),
  route('PUT', `${tenant}/default-app-management-policy`, async (s, [id], body) => ({
    defaultAppManagementPolicy: s.microsoft365.setDefaultAppManagementPolicy(id, await body()),
  })),
  route('PATCH', `${tenant}/organization`, async (s, [id], body) => ({
    organization: s.microsoft365.patchOrganization(id, await body()),
  })),
  route('PATCH', `${tenant}/users/${seg}`, async (s, [id, userId], body) => ({
    user: s.microsoft365.patchUser(id, userId, await body()),
  })),
  route('POST', `${tenant}/sites`, async (s, [id], body) => ({ site: s.microsoft365.addSite(id, await body()) }), 201),
  route(
    'POST',
    `${tenant}/service-principals`,
    async (s, [id], body) => ({ servicePrincipal: s.microsoft365.addServicePrincipal(id, await body()) }),
    201,
  ),
  route('PUT', `${tenant}/service-principals/${seg}/delegated-permission-classifications`, async (s, [id, spId], body) => ({
    delegatedPermissionClassifications: s.microsoft365.setPermissionClassifications(id, spId, await body()),
  })),
  route(
    'POST',
    `${tenant}/delegated-grants`,
    async (s, [id], body) => ({ grant: s.microsoft365.addDelegatedGrant(id, await body()) }),
    201,
  ),
  route('DELETE', `${tenant}/delegated-grants/${seg}`, (s, [id, grantId]) => ({
    grant: s.microsoft365.removeDelegatedGrant(id, grantId),
  })),
  route(
    'POST',
    `${tenant}/app-role-assignments`,
    async (s, [id], body) => ({ assignment: s.microsoft365.addAppRoleAssignment(id, await body()) }),
    201,
  ),
  route('DELETE', `${tenant}/app-role-assignments/${seg}`, (s, [id, assignmentId]) => ({
    assignment: s.microsoft365.removeAppRoleAssignment(id, assignmentId),
  })),
  route('POST', `${tenant}/expire-tokens`, async (s, [id], body) => s.microsoft365.expireTokens(id, await body())),
  route('PUT', `${tenant}/token-lifetime`, async (s, [id], body) => s.microsoft365.setTokenLifetime(id, await body())),
  route('PUT', `${tenant}/rate-limits`, async (s, [id], body) => ({
    rateLimits: s.microsoft365.setRateLimits(id, await body()),
  })),
  route('GET', `${tenant}/requests`, (s, [id]) => s.microsoft365.requestStats(id)),
];
