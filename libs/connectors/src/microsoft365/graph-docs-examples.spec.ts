import { ProviderError, type ProviderHttpClient, type ProviderRequest } from '@tollgate/connector-sdk';
import { GRAPH_DOCS_EXAMPLES } from './graph-docs-examples.fixtures';
import { GraphClient, GraphTokenCache } from './graph.client';
import { authorizationPolicySchema } from './m365-api.schemas';
import { fetchM365Posture } from './m365.fetchers';
import { normalizeM365Posture } from './m365.normalizer';

type Answers = Record<string, unknown>;

/** Operation name → the body Microsoft's reference page shows for it (next pages answer empty). */
function docsAnswers(): Answers {
  return Object.fromEntries(Object.entries(GRAPH_DOCS_EXAMPLES).map(([operation, example]) => [operation, example.body]));
}

/**
 * A Graph that answers every request with its reference page's example. Unit level on purpose:
 * the e2e specs use the simulator; this pins the connector to Microsoft's own examples.
 */
function docsGraph(answers: Answers = docsAnswers()) {
  const seen: ProviderRequest[] = [];
  const http: ProviderHttpClient = {
    request: <T>(req: ProviderRequest) => {
      seen.push(req);
      // The getAllSites example's own @odata.nextLink leads to a last, empty page.
      const body = req.url.includes('$skiptoken=') ? { value: [] } : answers[req.operation];
      if (body === undefined) throw new Error(`no documented example for ${req.operation}`);
      return Promise.resolve({ status: 200, headers: {}, data: body as T });
    },
  };
  const client = new GraphClient({
    http,
    graph: 'https://graph.microsoft.com',
    login: 'https://login.microsoftonline.com',
    credentials: { tenantId: '84841066-274d-4ec0-a5c1-276be684bdd3', clientId: '263a5b01-03e5-408e-8557-bab681df104c', clientSecret: 's' },
    cacheKey: 'docs',
    cache: new GraphTokenCache(),
  });
  return { client, seen };
}

describe('the Microsoft 365 connector on the reference pages’ example responses', () => {
  it('reads every documented example into the normalized document', async () => {
    const { client } = docsGraph();
    const doc = normalizeM365Posture(await fetchM365Posture(client));
    const setting = (key: string) => doc.settings.find((s) => s.key === key)?.value;

    expect(doc.tenant).toEqual({ id: '84841066-274d-4ec0-a5c1-276be684bdd3', name: 'Contoso', domain: 'Contoso.onmicrosoft.com' });
    // SharePoint settings wrapped as {"value": {...}}, exactly as the page shows them.
    expect(setting('microsoft365.sharepoint.sharing_capability')).toBe('externalUserAndGuestSharing');
    expect(setting('microsoft365.sharepoint.domain_restriction_mode')).toBe('allowList');
    expect(setting('microsoft365.sharepoint.allowed_domains')).toEqual(['contoso.com', 'fabrikam.com']);
    expect(setting('microsoft365.sharepoint.resharing_by_external_users')).toBe(true);
    expect(setting('microsoft365.entra.allow_invites_from')).toBe('everyone');
    expect(setting('microsoft365.entra.users_can_register_apps')).toBe(true);
    // An id without the documented prefix still counts as user consent: M365.ENTRA.2 cannot pass on it.
    expect(setting('microsoft365.entra.user_consent_policies')).toEqual(['just-user-read']);
    expect(setting('microsoft365.entra.user_consent_scope')).toBe('otherPolicies');
    expect(setting('microsoft365.crosstenant.b2b_collaboration_inbound_users')).toBe('allowed');
    expect(setting('microsoft365.crosstenant.b2b_direct_connect_outbound_applications')).toBe('blocked');
    // The documented partner lets its users in over B2B direct connect; its null settings inherit the default.
    const partner = (key: string) => doc.settings.find((s) => s.key === key && s.resourceKey === 'partner:123f4846-ba00-4fd7-ba43-dac1f8f63013')?.value;
    expect(partner('microsoft365.crosstenant.partner_opened_directions')).toEqual(['b2bDirectConnectInbound']);
    expect(partner('microsoft365.crosstenant.partner_tenants_opening_default')).toEqual(['123f4846-ba00-4fd7-ba43-dac1f8f63013']);
    // Two reviewers on an enabled workflow (adminconsentrequestpolicy-get).
    expect(setting('microsoft365.entra.admin_consent_workflow')).toBe('enabled');
    // The documented default policy is disabled and empty: nothing is restricted, and no lifetime is claimed.
    expect(setting('microsoft365.entra.app_management.password_addition')).toBe('allowed');
    expect(setting('microsoft365.entra.app_management.password_lifetime')).toBe('notRestricted');
    expect(setting('microsoft365.entra.app_management.certificate_lifetime')).toBe('notRestricted');
    expect(setting('microsoft365.entra.app_management.password_max_lifetime_days')).toBeUndefined();

    expect(doc.oauthGrants.filter((g) => g.grantType === 'delegated')).toEqual([
      expect.objectContaining({
        appId: '263a5b01-03e5-408e-8557-bab681df104c',
        principal: 'AllPrincipals',
        scopes: expect.arrayContaining(['Group.ReadWrite.All', 'Directory.ReadWrite.All', 'Mail.ReadWrite']),
      }),
    ]);
    // The assignment's resource is not among the listed service principals: kept by id, with a gap.
    expect(doc.oauthGrants.find((g) => g.grantType === 'application')).toMatchObject({
      appId: '65415bb1-9267-4313-bbf5-ae259732ee12',
      scopes: ['appRoleId:e2a3a72e-5f79-4c64-b1b1-878b674786c9'],
    });
    // The policy example leaves guestUserRoleId out: unknown, never guessed.
    expect(doc.gaps.map((g) => g.what)).toEqual(['microsoft365.entra.guest_user_role', 'servicePrincipals.appRoles']);

    // Tenant in NL, root site collection in NAM: two regions, reported as two observations.
    expect(doc.residency).toEqual([
      { resourceKey: 'tenant', region: 'EU', source: 'observed' },
      {
        resourceKey: 'site:contoso.sharepoint.com,bf6fb551-d508-4946-a439-b2a6154fc1d9,65a04b8b-1f44-442b-a1fc-9e5852fb946c',
        region: 'US',
        source: 'observed',
      },
    ]);
  });

  it('asks only for what the v1.0 reference and metadata declare', async () => {
    const { client, seen } = docsGraph();
    await fetchM365Posture(client);
    const params = (operation: string) => seen.find((r) => r.operation === operation)?.params;
    expect(params('organization.list')).toEqual({ $select: 'id,displayName,countryLetterCode,verifiedDomains' });
    expect(params('sites.getAllSites')).toEqual({ $select: 'id,siteCollection' });
    expect(params('crossTenantAccessPolicy.partners.list')).toEqual({
      $select: 'tenantId,b2bCollaborationInbound,b2bCollaborationOutbound,b2bDirectConnectInbound,b2bDirectConnectOutbound',
    });
    expect(seen.find((r) => r.operation === 'sites.getAllSites')?.url).toBe('https://graph.microsoft.com/v1.0/sites/getAllSites');
    // The documented next link is followed whole, $skiptoken and all.
    expect(seen.filter((r) => r.operation === 'sites.getAllSites').map((r) => r.url)).toContain(
      'https://graph.microsoft.com/v1.0/sites/oneDrive.getAllSites?$skiptoken=U1BHZW9EYXRhTG9jYXRpb25Db2RlYU5BTQ',
    );
    expect(seen.find((r) => r.operation === 'token')?.form).toEqual({
      client_id: '263a5b01-03e5-408e-8557-bab681df104c',
      client_secret: 's',
      scope: 'https://graph.microsoft.com/.default',
      grant_type: 'client_credentials',
    });
  });

  it('reads the documented permission classifications only when users may consent to low-classified permissions', async () => {
    const policy = GRAPH_DOCS_EXAMPLES['authorizationPolicy.get'].body;
    // The classification example was requested for service principal 00063ffc-…; here it is Microsoft Graph's.
    const graphSp = { id: '00063ffc-54e9-405d-b8f3-56124728e051', appId: '00000003-0000-0000-c000-000000000000', displayName: 'Microsoft Graph', appRoles: [] };
    const lowRisk = {
      ...docsAnswers(),
      'authorizationPolicy.get': {
        ...policy,
        defaultUserRolePermissions: { ...policy.defaultUserRolePermissions, permissionGrantPoliciesAssigned: ['ManagePermissionGrantsForSelf.microsoft-user-default-low'] },
      },
      'servicePrincipals.list': { value: [...GRAPH_DOCS_EXAMPLES['servicePrincipals.list'].body.value, graphSp] },
    };
    const { client, seen } = docsGraph(lowRisk);
    const doc = normalizeM365Posture(await fetchM365Posture(client));
    const setting = (key: string) => doc.settings.find((s) => s.key === key)?.value;
    const reads = seen.filter((r) => r.operation === 'servicePrincipals.delegatedPermissionClassifications.list');
    // One read, for the one resource on ScubaGear's list present in the tenant.
    expect(reads.map((r) => [r.url, r.params])).toEqual([
      [
        'https://graph.microsoft.com/v1.0/servicePrincipals/00063ffc-54e9-405d-b8f3-56124728e051/delegatedPermissionClassifications',
        { $select: 'id,permissionId,permissionName,classification' },
      ],
    ]);
    // User.Read classified low is not on ScubaGear's risky list.
    expect(setting('microsoft365.entra.user_consent_scope')).toBe('lowRiskPermissionsOnly');
    expect(setting('microsoft365.entra.risky_low_classified_permissions')).toEqual([]);

    // The documented example's policy (just-user-read) is not low-risk consent: nothing is read for it.
    const plain = docsGraph();
    normalizeM365Posture(await fetchM365Posture(plain.client));
    expect(plain.seen.some((r) => r.operation === 'servicePrincipals.delegatedPermissionClassifications.list')).toBe(false);
  });

  it('refuses shapes no reference page shows: a policy answered as a collection is a schema failure', async () => {
    const policy = GRAPH_DOCS_EXAMPLES['authorizationPolicy.get'].body;
    const { client } = docsGraph({ ...docsAnswers(), 'authorizationPolicy.get': { value: [policy] } });
    const read = client.getObject('authorizationPolicy.get', '/policies/authorizationPolicy', authorizationPolicySchema);
    await expect(read).rejects.toBeInstanceOf(ProviderError);
    await expect(read).rejects.toMatchObject({ reason: 'schema' });
  });
});
