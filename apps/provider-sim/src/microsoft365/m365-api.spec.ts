import { getWithToken, type SimAnswer } from '../testing/sim-http.client';
import { useProviderSim } from '../testing/sim-spec.support';
import { compliantM365Tenant, COMPLIANT_M365_IDS, GRAPH_APP_ROLES } from './m365-tenant.fixtures';

const TENANT = COMPLIANT_M365_IDS.tenantId;
const ids = COMPLIANT_M365_IDS;

describe('Microsoft 365 (Graph + login) simulator', () => {
  const { sim, control: simControl } = useProviderSim();
  beforeEach(() => {
    sim().state.microsoft365.put(TENANT, compliantM365Tenant(TENANT));
  });

  const control = (method: string, path: string, body?: unknown) =>
    simControl(method, `/_sim/microsoft365/tenants/${TENANT}${path}`, body);

  async function tokenRequest(form: Record<string, string>, tenantId: string = TENANT): Promise<SimAnswer> {
    const res = await fetch(`${sim().url}/microsoft365/login/${tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
    return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
  }

  const goodForm = () => ({
    grant_type: 'client_credentials',
    client_id: ids.clientId,
    client_secret: ids.clientSecret,
    scope: `${sim().url}/microsoft365/graph/.default`,
  });

  async function token(): Promise<string> {
    const res = await tokenRequest(goodForm());
    expect(res.status).toBe(200);
    return res.body.access_token as string;
  }

  function graph(pathOrUrl: string, accessToken?: string): Promise<SimAnswer> {
    const url = pathOrUrl.startsWith('http') ? pathOrUrl : `${sim().url}/microsoft365/graph/v1.0/${pathOrUrl}`;
    return getWithToken(url, accessToken);
  }

  describe('token endpoint', () => {
    it('issues an opaque bearer token with its lifetime', async () => {
      const res = await tokenRequest(goodForm());
      expect(res).toMatchObject({ status: 200, body: { token_type: 'Bearer', expires_in: 3599 } });
      expect(res.body.access_token).toEqual(expect.stringMatching(/^sim-m365\./));
    });

    it.each([
      ['an unknown tenant', {}, 'other-tenant.example', 400, 'invalid_request'],
      ['a wrong client id', { client_id: '00000000-0000-4000-8000-000000000000' }, TENANT, 400, 'unauthorized_client'],
      ['a wrong secret', { client_secret: 'nope' }, TENANT, 401, 'invalid_client'],
      ['another grant type', { grant_type: 'password' }, TENANT, 400, 'unsupported_grant_type'],
      ['a scope without /.default', { scope: 'User.Read' }, TENANT, 400, 'invalid_scope'],
      ['a missing scope', { scope: '' }, TENANT, 400, 'invalid_request'],
      ['a missing client id', { client_id: '' }, TENANT, 400, 'invalid_request'],
      ['a missing grant type', { grant_type: '' }, TENANT, 400, 'invalid_request'],
      ['a missing secret', { client_secret: '' }, TENANT, 401, 'invalid_client'],
    ])('refuses %s in the identity platform error shape', async (_what, change, tenantId, status, error) => {
      const res = await tokenRequest({ ...goodForm(), ...change }, tenantId);
      expect(res.status).toBe(status);
      expect(res.body).toMatchObject({ error, error_description: expect.stringMatching(/^AADSTS\d+/) });
      expect(JSON.stringify(res.body)).not.toContain(ids.clientSecret);
    });
  });

  describe('Graph authentication', () => {
    it('refuses a missing, unknown or expired token with 401 InvalidAuthenticationToken', async () => {
      expect(await graph('organization')).toMatchObject({ status: 401, body: { error: { code: 'InvalidAuthenticationToken' } } });
      expect(await graph('organization', 'sim-m365.forged')).toMatchObject({ status: 401 });
      const t = await token();
      expect((await graph('organization', t)).status).toBe(200);
      expect((await control('POST', '/expire-tokens', {})).body).toEqual({ expired: 1, afterRequests: null });
      const expired = await graph('organization', t);
      expect(expired).toMatchObject({ status: 401, body: { error: { code: 'InvalidAuthenticationToken' } } });
      expect((expired.body.error as { message: string }).message).toContain('expired');
      expect((await control('GET', '/requests')).body).toMatchObject({ tokensIssued: 1, expiredTokenRejections: 1 });
    });

    it('expires tokens after a number of further requests', async () => {
      const t = await token();
      await control('POST', '/expire-tokens', { afterRequests: 2 });
      expect((await graph('organization', t)).status).toBe(200);
      expect((await graph('organization', t)).status).toBe(200);
      expect((await graph('organization', t)).status).toBe(401);
      expect((await graph('organization', await token())).status).toBe(200);
    });

    it('honours a short token lifetime', async () => {
      await control('PUT', '/token-lifetime', { seconds: 1 });
      const res = await tokenRequest(goodForm());
      expect(res.body.expires_in).toBe(1);
    });
  });

  describe('reads', () => {
    it('lists the organization with residency fields', async () => {
      const { body } = await graph('organization?$select=id,countryLetterCode', await token());
      expect(body.value).toEqual([{ id: ids.tenantId, countryLetterCode: 'DE' }]);
      expect(body['@odata.context']).toContain('$metadata#organization');
    });

    it('answers only properties the v1.0 entity declares, whatever a scenario stored', async () => {
      const base = compliantM365Tenant(TENANT);
      sim().state.microsoft365.put(
        TENANT,
        compliantM365Tenant(TENANT, { organization: { ...base.organization, isMultipleDataLocationsForServicesEnabled: true } }),
      );
      const { body } = await graph('organization', await token());
      const [org] = body.value as Record<string, unknown>[];
      expect(org).toMatchObject({ id: ids.tenantId, countryLetterCode: 'DE' });
      expect(org).not.toHaveProperty('isMultipleDataLocationsForServicesEnabled');
    });

    it('refuses a $select of a property the v1.0 entity does not declare, as Graph does', async () => {
      const res = await graph('organization?$select=id,isMultipleDataLocationsForServicesEnabled', await token());
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({
        code: 'BadRequest',
        message: "Could not find a property named 'isMultipleDataLocationsForServicesEnabled' on type 'microsoft.graph.organization'.",
      });
      expect((res.body.error as { innerError: unknown }).innerError).toEqual(expect.objectContaining({ 'request-id': expect.any(String) }));
    });

    it.each([
      ['users?$top=0', 'Invalid page size'],
      ['users?$top=1000', 'Invalid page size'],
      ['users?$top=ten', 'Invalid page size'],
      ['users?$skip=5', "Query option '$skip' is not allowed"],
      ['policies/authorizationPolicy?$select=allowInvitesFrom', "Query option '$select' is not allowed"],
      ['sites/getAllSites?$top=10', "Query option '$top' is not allowed"],
      // A property the v1.0 adminConsentRequestPolicy does not declare.
      ['policies/adminConsentRequestPolicy?$select=isEnabled,isChatResourceSpecificConsentEnabled', 'Could not find a property'],
      ['policies/defaultAppManagementPolicy?$select=isEnabled', "Query option '$select' is not allowed"],
      ['sites/getAllSites?$select=id,hostName', "Could not find a property named 'hostName'"],
    ])('refuses %s', async (path, message) => {
      const res = await graph(path, await token());
      expect(res.status).toBe(400);
      expect((res.body.error as { message: string }).message).toContain(message);
    });

    it('lists every site collection through getAllSites, following its documented next link', async () => {
      const sites = Array.from({ length: 3 }, (_, i) => ({
        id: `contoso-eur.sharepoint.com,0000000${i}-0000-4000-8000-000000000000,1000000${i}-0000-4000-8000-000000000000`,
        siteCollection: { hostname: 'contoso-eur.sharepoint.com', ...(i === 0 ? { dataLocationCode: 'EUR' } : {}) },
      }));
      sim().state.microsoft365.put(TENANT, compliantM365Tenant(TENANT, { sites, pageSize: 2 }));
      const t = await token();
      const first = await graph('sites/getAllSites?$select=id,siteCollection', t);
      expect(first.body.value).toEqual(sites.slice(0, 2));
      const next = new URL(first.body['@odata.nextLink'] as string);
      expect(next.pathname).toBe('/microsoft365/graph/v1.0/sites/oneDrive.getAllSites');
      const second = await graph(`${next.pathname.slice('/microsoft365/graph/v1.0/'.length)}${next.search}`, t);
      expect(second.body.value).toEqual(sites.slice(2));
      expect(second.body['@odata.nextLink']).toBeUndefined();
    });

    it('answers SharePoint settings top-level, or wrapped in value', async () => {
      const t = await token();
      expect((await graph('admin/sharepoint/settings', t)).body).toMatchObject({
        sharingCapability: 'existingExternalUserSharingOnly',
        sharingDomainRestrictionMode: 'allowList',
        sharingAllowedDomainList: ['partner.example'],
        isResharingByExternalUsersEnabled: false,
      });
      sim().state.microsoft365.put(TENANT, compliantM365Tenant(TENANT, { sharepointSettingsWrapped: true }));
      const wrapped = await graph('admin/sharepoint/settings', await token());
      // The reference page's example: the entity itself under "value", not a collection.
      expect(wrapped.body.value).toEqual(expect.objectContaining({ sharingCapability: 'existingExternalUserSharingOnly' }));
    });

    it('answers the authorization policy and the cross-tenant default', async () => {
      const t = await token();
      expect((await graph('policies/authorizationPolicy', t)).body).toMatchObject({
        allowInvitesFrom: 'adminsAndGuestInviters',
        guestUserRoleId: ids.restrictedGuestRoleId,
        defaultUserRolePermissions: { allowedToCreateApps: false, permissionGrantPoliciesAssigned: [] },
      });
      expect((await graph('policies/crossTenantAccessPolicy/default', t)).body).toMatchObject({
        b2bCollaborationInbound: { usersAndGroups: { accessType: 'blocked' } },
        b2bDirectConnectOutbound: { applications: { accessType: 'blocked' } },
      });
    });

    it('lists grants and resolves application permissions through the resource appRoles', async () => {
      const t = await token();
      const grants = (await graph('oauth2PermissionGrants', t)).body.value as { clientId: string; scope: string }[];
      expect(grants.map((g) => g.clientId).sort()).toEqual([ids.expensesSpId, ids.calendarSpId].sort());
      const assignments = (await graph(`servicePrincipals/${ids.reporterSpId}/appRoleAssignments`, t)).body.value;
      expect(assignments).toEqual([
        expect.objectContaining({ resourceId: ids.graphServicePrincipalId, appRoleId: GRAPH_APP_ROLES['Organization.Read.All'] }),
      ]);
      const missing = await graph('servicePrincipals/00000000-0000-4000-8000-000000000000/appRoleAssignments', t);
      expect(missing).toMatchObject({ status: 404, body: { error: { code: 'Request_ResourceNotFound' } } });
    });

    it('lists partner configurations with null settings that inherit the default, and refuses a partner listed twice', async () => {
      const t = await token();
      expect((await graph('policies/crossTenantAccessPolicy/partners', t)).body.value).toEqual([]);
      const partnerId = '7e8f9a0b-0000-4000-8000-00000000f001';
      sim().state.microsoft365.setCrossTenantPartners(TENANT, [{ tenantId: partnerId, b2bDirectConnectInbound: { usersAndGroups: { accessType: 'allowed' }, applications: { accessType: 'allowed' } } }]);
      const res = await graph('policies/crossTenantAccessPolicy/partners?$select=tenantId,b2bCollaborationInbound,b2bDirectConnectInbound', t);
      expect(res.body.value).toEqual([
        {
          tenantId: partnerId,
          b2bCollaborationInbound: null,
          b2bDirectConnectInbound: { usersAndGroups: { accessType: 'allowed', targets: [] }, applications: { accessType: 'allowed', targets: [] } },
        },
      ]);
      expect((await graph('policies/crossTenantAccessPolicy/partners?$top=5', t)).status).toBe(400);
      expect((await graph('policies/crossTenantAccessPolicy/partners?$select=tenantId,isChatEnabled', t)).status).toBe(400);
      expect(() => sim().state.microsoft365.setCrossTenantPartners(TENANT, [{ tenantId: partnerId }, { tenantId: partnerId.toUpperCase() }])).toThrow(/twice/);
    });

    it("serves a service principal's delegated permission classifications as their own collection, never inside the entity", async () => {
      const t = await token();
      const path = `servicePrincipals/${ids.graphServicePrincipalId}/delegatedPermissionClassifications?$select=id,permissionId,permissionName,classification`;
      const res = await graph(path, t);
      expect(res.status).toBe(200);
      expect(res.body.value).toEqual([
        { id: 'c2ltLWNsYXNzLW9wZW5pZA', permissionId: '37f7f235-527c-4136-accd-4a02d197296e', permissionName: 'openid', classification: 'low' },
        { id: 'c2ltLWNsYXNzLXVzZXJyZWFk', permissionId: 'e1fe6dd8-ba31-4d61-89e7-88639da4683d', permissionName: 'User.Read', classification: 'low' },
      ]);
      const listed = (await graph('servicePrincipals', t)).body.value as Record<string, unknown>[];
      expect(listed.some((sp) => 'delegatedPermissionClassifications' in sp)).toBe(false);
      const unknownProperty = await graph(`servicePrincipals/${ids.graphServicePrincipalId}/delegatedPermissionClassifications?$select=id,riskLevel`, t);
      expect(unknownProperty.status).toBe(400);
      const missing = await graph('servicePrincipals/00000000-0000-4000-8000-000000000000/delegatedPermissionClassifications', t);
      expect(missing).toMatchObject({ status: 404, body: { error: { code: 'Request_ResourceNotFound' } } });
      expect(() =>
        sim().state.microsoft365.setPermissionClassifications(TENANT, ids.graphServicePrincipalId, [
          { id: 'x', permissionId: 'e1fe6dd8-ba31-4d61-89e7-88639da4683d', permissionName: 'User.Read', classification: 'none' },
        ]),
      ).toThrow(/classification/);
    });

    it('pages with absolute @odata.nextLink URLs that keep the query options', async () => {
      sim().state.microsoft365.put(TENANT, compliantM365Tenant(TENANT, { pageSize: 2 }));
      const t = await token();
      const seen: string[] = [];
      let next: string | undefined = 'servicePrincipals?$select=id,displayName&$top=999';
      let pages = 0;
      while (next) {
        const answer: SimAnswer = await graph(next, t);
        expect(answer.status).toBe(200);
        const value = answer.body.value as Record<string, unknown>[];
        for (const sp of value) expect(Object.keys(sp).sort()).toEqual(['displayName', 'id']);
        seen.push(...value.map((sp) => sp.id as string));
        next = answer.body['@odata.nextLink'] as string | undefined;
        if (next) {
          expect(next.startsWith(`${sim().url}/microsoft365/graph/v1.0/servicePrincipals?`)).toBe(true);
          expect(new URL(next).searchParams.get('$select')).toBe('id,displayName');
        }
        pages++;
      }
      expect(pages).toBe(2);
      expect(seen).toHaveLength(4);
    });

    it('rejects a bad $top and a forged $skiptoken', async () => {
      const t = await token();
      expect((await graph('users?$top=5000', t)).status).toBe(400);
      expect((await graph('users?$skiptoken=garbage', t)).status).toBe(400);
    });

    it('answers 403 Authorization_RequestDenied for an operation the app lacks permission for', async () => {
      sim().state.microsoft365.put(TENANT, compliantM365Tenant(TENANT, { deniedOperations: ['sharepointSettings.get'] }));
      const res = await graph('admin/sharepoint/settings', await token());
      expect(res).toMatchObject({ status: 403, body: { error: { code: 'Authorization_RequestDenied', innerError: expect.any(Object) } } });
    });
  });

  describe('throttling and faults', () => {
    it('throttles with 429 and Retry-After, or without it', async () => {
      await control('PUT', '/rate-limits', { enabled: true, requests: 2, windowMs: 60_000 });
      const t = await token();
      await graph('organization', t);
      await graph('organization', t);
      const limited = await graph('organization', t);
      expect(limited).toMatchObject({ status: 429, body: { error: { code: 'TooManyRequests' } } });
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      await control('PUT', '/rate-limits', { enabled: true, requests: 1, windowMs: 60_000, retryAfter: false });
      await graph('organization', t);
      const bare = await graph('organization', t);
      expect(bare.status).toBe(429);
      expect(bare.headers.get('retry-after')).toBeNull();
      expect((await control('GET', '/requests')).body).toMatchObject({ throttled: { 'organization.list': 2 } });
    });

    it('applies faults by operation name and tenant id', async () => {
      const t = await token();
      sim().state.faults.add({ provider: 'microsoft365', token: TENANT, method: 'users.list', kind: 'status', status: 503, times: 1 });
      expect(await graph('users', t)).toMatchObject({ status: 503, body: { error: { code: 'ServiceUnavailable' } } });
      expect((await graph('users', t)).status).toBe(200);
      sim().state.faults.add({ provider: 'microsoft365', method: 'servicePrincipals.*', kind: 'wrong-shape' });
      expect((await graph(`servicePrincipals/${ids.reporterSpId}/appRoleAssignments`, t)).body.value).toBe('unexpected');
      sim().state.faults.clear();
      sim().state.faults.add({ provider: 'microsoft365', method: 'token', kind: 'status', status: 500, times: 1 });
      expect((await tokenRequest(goodForm())).body).toMatchObject({ error: 'server_error' });
    });

    it('pages endlessly under an endless-paging fault', async () => {
      const t = await token();
      sim().state.faults.add({ provider: 'microsoft365', method: 'users.list', kind: 'endless-paging' });
      const first = await graph('users', t);
      const second = await graph(first.body['@odata.nextLink'] as string, t);
      expect(second.body['@odata.nextLink']).toBeDefined();
      expect(second.body['@odata.nextLink']).not.toBe(first.body['@odata.nextLink']);
    });
  });

  describe('control API', () => {
    it('creates, reads and deletes tenants, refusing bad specs', async () => {
      const created = await simControl('PUT', '/_sim/microsoft365/tenants/contoso.example', compliantM365Tenant('x'));
      expect(created).toMatchObject({ status: 200, body: { tenantId: 'contoso.example' } });
      expect((await simControl('GET', '/_sim/microsoft365/tenants')).body).toEqual({ count: 2 });
      const bad = await simControl('PUT', '/_sim/microsoft365/tenants/bad', { ...compliantM365Tenant('x'), surprise: 1 });
      expect(bad.status).toBe(400);
      expect((await simControl('DELETE', '/_sim/microsoft365/tenants/contoso.example')).status).toBe(200);
      expect((await simControl('GET', '/_sim/microsoft365/tenants/contoso.example')).status).toBe(404);
    });

    it('changes sharing, policy and organization settings', async () => {
      expect((await control('PATCH', '/sharepoint-settings', { sharingCapability: 'externalUserAndGuestSharing' })).status).toBe(200);
      expect((await control('PATCH', '/sharepoint-settings', { sharingCapability: 'anyone' })).status).toBe(400);
      await control('PATCH', '/authorization-policy', {
        allowInvitesFrom: 'everyone',
        defaultUserRolePermissions: { permissionGrantPoliciesAssigned: ['ManagePermissionGrantsForSelf.microsoft-user-default-legacy'] },
      });
      await control('PATCH', '/organization', { countryLetterCode: 'US' });
      await control('PATCH', `/users/${ids.userIds[1]}`, { preferredDataLocation: 'NAM' });
      const t = await token();
      expect((await graph('admin/sharepoint/settings', t)).body.sharingCapability).toBe('externalUserAndGuestSharing');
      expect((await graph('policies/authorizationPolicy', t)).body).toMatchObject({
        allowInvitesFrom: 'everyone',
        defaultUserRolePermissions: { allowedToCreateApps: false, permissionGrantPoliciesAssigned: ['ManagePermissionGrantsForSelf.microsoft-user-default-legacy'] },
      });
      expect(((await graph('organization', t)).body.value as { countryLetterCode: string }[])[0].countryLetterCode).toBe('US');
      const users = (await graph('users?$select=id,preferredDataLocation', t)).body.value;
      expect(users).toContainEqual({ id: ids.userIds[1], preferredDataLocation: 'NAM' });
    });

    it('adds and removes delegated grants and app role assignments', async () => {
      const grant = await control('POST', '/delegated-grants', { clientId: ids.calendarSpId, consentType: 'AllPrincipals', scope: 'Mail.ReadWrite' });
      expect(grant).toMatchObject({ status: 201, body: { grant: { resourceId: ids.graphServicePrincipalId, principalId: null } } });
      const assignment = await control('POST', '/app-role-assignments', { principalId: ids.reporterSpId, permission: 'Files.Read.All' });
      expect(assignment).toMatchObject({ status: 201, body: { assignment: { appRoleId: GRAPH_APP_ROLES['Files.Read.All'] } } });
      expect((await control('POST', '/app-role-assignments', { principalId: ids.reporterSpId, permission: 'Nope.All' })).status).toBe(400);
      const t = await token();
      expect(((await graph(`servicePrincipals/${ids.reporterSpId}/appRoleAssignments`, t)).body.value as unknown[]).length).toBe(2);
      const grantId = (grant.body.grant as { id: string }).id;
      const assignmentId = (assignment.body.assignment as { id: string }).id;
      expect((await control('DELETE', `/delegated-grants/${grantId}`)).status).toBe(200);
      expect((await control('DELETE', `/app-role-assignments/${assignmentId}`)).status).toBe(200);
      expect((await control('DELETE', `/app-role-assignments/${assignmentId}`)).status).toBe(404);
      expect(((await graph('oauth2PermissionGrants', t)).body.value as unknown[]).length).toBe(2);
    });
  });
});
