import {
  createProviderHttpClient,
  EndpointRejectedError,
  ProviderError,
  type ConnectorContext,
  type PostureDocument,
  type ProviderHttpClientOptions,
} from '@tollgate/connector-sdk';
import {
  compliantM365Tenant,
  COMPLIANT_M365_IDS,
  startProviderSim,
  type FaultSpec,
  type ProviderSim,
} from '@tollgate/provider-sim';
import { connectorRegistry } from '../index';
import { GraphTokenCache } from './graph.client';
import { M365Connector, m365Connector } from './m365.connector';

const ids = COMPLIANT_M365_IDS;
const TENANT = ids.tenantId;
const SECRET = ids.clientSecret;

describe('M365Connector against the provider simulator', () => {
  let sim: ProviderSim;
  let cache: GraphTokenCache;
  let connector: M365Connector;

  beforeAll(async () => {
    sim = await startProviderSim({ port: 0 });
  });
  afterAll(() => sim.close());
  beforeEach(() => {
    sim.state.reset();
    cache = new GraphTokenCache();
    connector = new M365Connector(cache);
  });

  const m365 = () => sim.state.microsoft365;
  const stats = () => m365().requestStats(TENANT);
  const put = (overrides: Parameters<typeof compliantM365Tenant>[1] = {}) => m365().put(TENANT, compliantM365Tenant(TENANT, overrides));
  const fault = (spec: FaultSpec) => sim.state.faults.add({ provider: 'microsoft365', ...spec });

  function context(overrides: Partial<ConnectorContext> = {}, http: Partial<ProviderHttpClientOptions> = {}): ConnectorContext {
    const signal = new AbortController().signal;
    return {
      connectionId: 'conn-m365',
      credentials: { tenantId: TENANT, clientId: ids.clientId, clientSecret: SECRET },
      endpoints: { graph: `${sim.url}/microsoft365/graph`, login: `${sim.url}/microsoft365/login` },
      options: {},
      http: createProviderHttpClient({ provider: 'microsoft365', signal, backoffBaseMs: 1, backoffMaxMs: 5, throttleBackoffBaseMs: 1, throttleBackoffMaxMs: 5, timeoutMs: 5_000, ...http }),
      signal,
      logger: { debug: () => undefined, warn: () => undefined },
      ...overrides,
    };
  }

  async function failure(ctx: ConnectorContext = context()): Promise<ProviderError> {
    try {
      await connector.collect(ctx);
    } catch (err) {
      if (err instanceof ProviderError) return err;
      throw err;
    }
    throw new Error('expected the poll to fail');
  }

  const setting = (doc: PostureDocument, key: string) =>
    doc.settings.find((s) => s.key === key && s.resourceKey === 'tenant')?.value;

  it('reads a compliant tenant into the normalized document', async () => {
    put();
    const doc = await connector.collect(context());
    const observed = (key: string, value: unknown) => ({ key, resourceKey: 'tenant', value, source: 'observed' });
    expect(doc).toEqual({
      provider: 'microsoft365',
      tenant: { id: TENANT, name: 'Contoso GmbH', domain: 'contoso.example' },
      settings: [
        observed('microsoft365.sharepoint.sharing_capability', 'existingExternalUserSharingOnly'),
        observed('microsoft365.sharepoint.domain_restriction_mode', 'allowList'),
        observed('microsoft365.sharepoint.allowed_domains', ['partner.example']),
        observed('microsoft365.sharepoint.blocked_domains', []),
        observed('microsoft365.sharepoint.external_domain_restriction', 'allowList'),
        observed('microsoft365.sharepoint.resharing_by_external_users', false),
        observed('microsoft365.entra.allow_invites_from', 'adminsAndGuestInviters'),
        observed('microsoft365.entra.guest_user_role', 'restricted'),
        observed('microsoft365.entra.user_consent_policies', []),
        observed('microsoft365.entra.user_consent_scope', 'disabled'),
        observed('microsoft365.entra.owner_consent_policies', []),
        observed('microsoft365.entra.users_can_register_apps', false),
        observed('microsoft365.crosstenant.b2b_collaboration_inbound_users', 'blocked'),
        observed('microsoft365.crosstenant.b2b_collaboration_inbound_applications', 'blocked'),
        observed('microsoft365.crosstenant.b2b_collaboration_outbound_users', 'allowed'),
        observed('microsoft365.crosstenant.b2b_collaboration_outbound_applications', 'allowed'),
        observed('microsoft365.crosstenant.b2b_direct_connect_inbound_users', 'blocked'),
        observed('microsoft365.crosstenant.b2b_direct_connect_inbound_applications', 'blocked'),
        observed('microsoft365.crosstenant.b2b_direct_connect_outbound_users', 'blocked'),
        observed('microsoft365.crosstenant.b2b_direct_connect_outbound_applications', 'blocked'),
        observed('microsoft365.crosstenant.partner_tenants_opening_default', []),
        observed('microsoft365.entra.admin_consent_workflow', 'enabled'),
        observed('microsoft365.entra.app_management.password_addition', 'blocked'),
        observed('microsoft365.entra.app_management.password_lifetime', 'passwordsBlocked'),
        observed('microsoft365.entra.app_management.password_max_lifetime_days', 0),
        observed('microsoft365.entra.app_management.certificate_lifetime', 'allApps'),
        observed('microsoft365.entra.app_management.certificate_max_lifetime_days', 366),
      ],
      oauthGrants: [
        { appId: ids.reporterAppId, appName: 'License Reporter', scopes: ['Organization.Read.All'], grantType: 'application' },
        {
          appId: ids.expensesAppId,
          appName: 'Contoso Expenses',
          scopes: ['User.Read', 'openid', 'profile'],
          grantType: 'delegated',
          principal: 'AllPrincipals',
        },
        {
          appId: ids.calendarAppId,
          appName: 'Team Calendar Viewer',
          scopes: ['User.Read', 'openid', 'profile'],
          grantType: 'delegated',
          principal: ids.userIds[0],
        },
      ],
      residency: [
        { resourceKey: 'tenant', region: 'EU', source: 'observed' },
        { resourceKey: 'users:EUR', region: 'EU', source: 'observed' },
        { resourceKey: `site:${compliantM365Tenant(TENANT).sites?.[0]?.id}`, region: 'EU', source: 'observed' },
      ],
      gaps: [],
    });
    // Site locations come from one getAllSites listing, never from per-site reads.
    expect(stats().requests['sites.getAllSites']).toBe(1);
  });

  it('sees drift made through the control state: sharing, risky grants, residency', async () => {
    put();
    m365().patchSharepointSettings(TENANT, { sharingCapability: 'externalUserAndGuestSharing', sharingAllowedDomainList: ['B.example', 'a.example'] });
    m365().patchAuthorizationPolicy(TENANT, {
      allowInvitesFrom: 'everyone',
      guestUserRoleId: 'a0b1b346-4d3e-4e8b-98f8-753987be4970',
      defaultUserRolePermissions: {
        allowedToCreateApps: true,
        permissionGrantPoliciesAssigned: [
          'ManagePermissionGrantsForSelf.microsoft-user-default-legacy',
          'ManagePermissionGrantsForOwnedResource.microsoft-dynamically-managed-permissions-for-team',
        ],
      },
    });
    m365().addDelegatedGrant(TENANT, { clientId: ids.calendarSpId, consentType: 'Principal', principalId: ids.userIds[1], scope: 'Mail.ReadWrite' });
    m365().addAppRoleAssignment(TENANT, { principalId: ids.reporterSpId, permission: 'Files.Read.All' });
    m365().patchUser(TENANT, ids.userIds[2], { preferredDataLocation: 'NAM' });

    const doc = await connector.collect(context());
    expect(setting(doc, 'microsoft365.sharepoint.sharing_capability')).toBe('externalUserAndGuestSharing');
    expect(setting(doc, 'microsoft365.sharepoint.allowed_domains')).toEqual(['a.example', 'b.example']);
    expect(setting(doc, 'microsoft365.entra.allow_invites_from')).toBe('everyone');
    expect(setting(doc, 'microsoft365.entra.guest_user_role')).toBe('member');
    expect(setting(doc, 'microsoft365.entra.users_can_register_apps')).toBe(true);
    expect(setting(doc, 'microsoft365.entra.user_consent_policies')).toEqual(['ManagePermissionGrantsForSelf.microsoft-user-default-legacy']);
    expect(setting(doc, 'microsoft365.entra.owner_consent_policies')).toEqual([
      'ManagePermissionGrantsForOwnedResource.microsoft-dynamically-managed-permissions-for-team',
    ]);
    expect(doc.oauthGrants.find((g) => g.grantType === 'application')?.scopes).toEqual(['Files.Read.All', 'Organization.Read.All']);
    expect(doc.oauthGrants.find((g) => g.appId === ids.calendarAppId)).toMatchObject({
      scopes: ['Mail.ReadWrite', 'User.Read', 'openid', 'profile'],
      principal: '2 users',
    });
    expect(doc.residency).toEqual([
      { resourceKey: 'tenant', region: 'EU', source: 'observed' },
      { resourceKey: 'users:EUR', region: 'EU', source: 'observed' },
      { resourceKey: 'users:NAM', region: 'US', source: 'observed' },
      { resourceKey: `site:${compliantM365Tenant(TENANT).sites?.[0]?.id}`, region: 'EU', source: 'observed' },
    ]);
  });

  it('sees Multi-Geo on v1.0 through getAllSites: a satellite site collection is its own observation', async () => {
    const base = compliantM365Tenant(TENANT);
    put({
      users: (base.users ?? []).map((u) => ({ ...u, preferredDataLocation: null })),
      sites: [
        { id: 'contoso.sharepoint.com,a1,b1', siteCollection: { hostname: 'contoso.sharepoint.com', dataLocationCode: 'EUR' } },
        { id: 'contosonam.sharepoint.com,a2,b2', siteCollection: { hostname: 'contosonam.sharepoint.com', dataLocationCode: 'NAM' } },
        { id: 'contoso.sharepoint.com,a3,b3', siteCollection: { hostname: 'contoso.sharepoint.com' } },
      ],
    });
    const doc = await connector.collect(context());
    expect(doc.residency).toEqual([
      { resourceKey: 'tenant', region: 'EU', source: 'observed' },
      { resourceKey: 'site:contoso.sharepoint.com,a1,b1', region: 'EU', source: 'observed' },
      { resourceKey: 'site:contosonam.sharepoint.com,a2,b2', region: 'US', source: 'observed' },
    ]);
    expect(stats().requests['sites.getAllSites']).toBe(1);
  });

  it('does not ask China operated by 21Vianet for SharePoint settings, which its reference page does not offer there', async () => {
    put();
    const doc = await connector.collect(context({ options: { cloud: 'china' } }));
    expect(stats().requests['sharepointSettings.get']).toBeUndefined();
    expect(doc.gaps).toEqual([expect.objectContaining({ area: 'sharing', what: 'microsoft365.sharepoint' })]);
    expect(doc.settings.some((s) => s.key.startsWith('microsoft365.sharepoint.'))).toBe(false);
  });

  it('leaves site locations unknown when Sites.Read.All is not granted, and polls on', async () => {
    put({ deniedOperations: ['sites.getAllSites'] });
    const doc = await connector.collect(context());
    expect(doc.gaps).toEqual([expect.objectContaining({ area: 'residency', what: 'sites.getAllSites.siteCollection.dataLocationCode' })]);
    expect(doc.residency.map((r) => r.resourceKey)).toEqual(['tenant', 'users:EUR']);
  });

  it('accepts the SharePoint settings wrapped as {"value": {...}}, as the reference example shows', async () => {
    put({ sharepointSettingsWrapped: true });
    const doc = await connector.collect(context());
    expect(setting(doc, 'microsoft365.sharepoint.sharing_capability')).toBe('existingExternalUserSharingOnly');
    expect(setting(doc, 'microsoft365.entra.allow_invites_from')).toBe('adminsAndGuestInviters');
  });

  it('follows @odata.nextLink through every page', async () => {
    const base = compliantM365Tenant(TENANT);
    const users = Array.from({ length: 7 }, (_, i) => ({
      id: `3c4d5e6f-0000-4000-8000-00000000d00${i}`,
      preferredDataLocation: i === 5 ? 'GBR' : null,
    }));
    const extraApps = Array.from({ length: 4 }, (_, i) => ({
      id: `4d5e6f70-0000-4000-8000-00000000f00${i}`,
      appId: `5e6f7081-0000-4000-8000-00000000f00${i}`,
      displayName: `App ${i}`,
    }));
    const grants = extraApps.map((app) => ({ clientId: app.id, consentType: 'AllPrincipals' as const, scope: 'User.Read' }));
    put({
      pageSize: 2,
      users,
      servicePrincipals: [...(base.servicePrincipals ?? []), ...extraApps],
      oauth2PermissionGrants: [...(base.oauth2PermissionGrants ?? []), ...grants],
    });
    const doc = await connector.collect(context());
    expect(doc.oauthGrants.filter((g) => g.grantType === 'delegated')).toHaveLength(6);
    expect(doc.residency.map((r) => `${r.resourceKey}=${r.region}`)).toEqual([
      'tenant=EU',
      'users:GBR=GB',
      `site:${base.sites?.[0]?.id}=EU`,
    ]);
    const { requests } = stats();
    expect(requests['users.list']).toBe(4);
    expect(requests['servicePrincipals.list']).toBe(4);
    expect(requests['oauth2PermissionGrants.list']).toBe(3);
    expect(requests['servicePrincipals.appRoleAssignments.list']).toBe(8);
  });

  it('reuses its token across polls and renews it when it expires mid-poll', async () => {
    put();
    await connector.collect(context());
    expect(stats().tokensIssued).toBe(1);
    await connector.collect(context());
    expect(stats().tokensIssued).toBe(1);
    m365().expireTokens(TENANT, { afterRequests: 3 });
    const doc = await connector.collect(context());
    expect(doc.oauthGrants).toHaveLength(3);
    expect(stats()).toMatchObject({ tokensIssued: 2 });
    expect(stats().expiredTokenRejections).toBeGreaterThanOrEqual(1);
  });

  it('fetches a new token when the cached one is rejected outright, but only once per request', async () => {
    put();
    await connector.collect(context());
    m365().expireTokens(TENANT);
    await connector.collect(context());
    expect(stats().tokensIssued).toBe(2);
    fault({ method: 'organization.list', kind: 'status', status: 401 });
    const err = await failure();
    expect(err.reason).toBe('auth');
    expect(err.details.code).toBe('InvalidAuthenticationToken');
  });

  it('survives 429 with and without Retry-After', async () => {
    put();
    fault({ method: 'servicePrincipals.list', kind: 'status', status: 429, retryAfter: 1, times: 1 });
    fault({ method: 'users.list', kind: 'status', status: 429, times: 2 });
    fault({ method: 'oauth2PermissionGrants.list', kind: 'status', status: 503, retryAfter: 0, times: 1 });
    const started = Date.now();
    const doc = await connector.collect(context());
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(doc.oauthGrants).toHaveLength(3);
    expect(stats().requests['users.list']).toBe(3);
  });

  it('keeps within a simulated Graph rate limit by honouring Retry-After', async () => {
    put({ rateLimits: { enabled: true, requests: 6, windowMs: 1_000, retryAfter: true } });
    const doc = await connector.collect(context());
    expect(doc.settings).toHaveLength(27);
    expect(Object.values(stats().throttled).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });

  it('fails as throttled when Graph keeps answering 429', async () => {
    put();
    fault({ method: 'users.list', kind: 'status', status: 429, retryAfter: 0 });
    expect((await failure(context({}, { maxThrottledWaitMs: 20 }))).reason).toBe('throttled');
  });

  it('records a 403 on an optional read as a gap and keeps the rest', async () => {
    put({ deniedOperations: ['sharepointSettings.get', 'servicePrincipals.appRoleAssignments.list'] });
    const doc = await connector.collect(context());
    expect(doc.settings.some((s) => s.key.startsWith('microsoft365.sharepoint.'))).toBe(false);
    expect(setting(doc, 'microsoft365.entra.allow_invites_from')).toBe('adminsAndGuestInviters');
    expect(doc.gaps.map((g) => `${g.area}:${g.what}`)).toEqual([
      'sharing:microsoft365.sharepoint',
      'oauth:servicePrincipals/{id}/appRoleAssignments',
    ]);
    expect(doc.gaps[0].reason).toContain('Authorization_RequestDenied');
    expect(doc.oauthGrants.every((g) => g.grantType === 'delegated')).toBe(true);
  });

  it('leaves the consent workflow and app management settings unknown when Policy.Read.All is not granted for them', async () => {
    put({ deniedOperations: ['adminConsentRequestPolicy.get', 'defaultAppManagementPolicy.get'] });
    const doc = await connector.collect(context());
    expect(doc.settings.some((s) => s.key.startsWith('microsoft365.entra.app_management.'))).toBe(false);
    expect(setting(doc, 'microsoft365.entra.admin_consent_workflow')).toBeUndefined();
    expect(setting(doc, 'microsoft365.entra.users_can_register_apps')).toBe(false);
    expect(doc.gaps.map((g) => `${g.area}:${g.what}`)).toEqual([
      'sharing:microsoft365.entra.admin_consent_workflow',
      'sharing:microsoft365.entra.app_management',
    ]);
  });

  describe('cross-tenant partner configurations', () => {
    const partnerId = '7e8f9a0b-0000-4000-8000-00000000f001';
    it('reads each partner, and none as nothing opened', async () => {
      put();
      const none = await connector.collect(context());
      expect(setting(none, 'microsoft365.crosstenant.partner_tenants_opening_default')).toEqual([]);

      m365().setCrossTenantPartners(TENANT, [
        { tenantId: partnerId, b2bDirectConnectInbound: { usersAndGroups: { accessType: 'allowed', targets: [{ target: 'AllUsers', targetType: 'user' }] }, applications: { accessType: 'allowed', targets: [] } } },
      ]);
      const doc = await connector.collect(context());
      const partner = doc.settings.filter((s) => s.resourceKey === `partner:${partnerId}`).map((s) => [s.key, s.value]);
      expect(partner).toEqual([
        ['microsoft365.crosstenant.partner_opened_directions', ['b2bDirectConnectInbound']],
        ['microsoft365.crosstenant.partner_tenants_opening_default', [partnerId]],
      ]);
    });

    it('leaves partners unknown, and polls on, when the listing is refused', async () => {
      put({ deniedOperations: ['crossTenantAccessPolicy.partners.list'] });
      const doc = await connector.collect(context());
      expect(doc.settings.some((s) => s.key.startsWith('microsoft365.crosstenant.partner_'))).toBe(false);
      expect(setting(doc, 'microsoft365.crosstenant.b2b_direct_connect_inbound_users')).toBe('blocked');
      expect(doc.gaps.map((g) => `${g.area}:${g.what}`)).toEqual(['sharing:microsoft365.crosstenant.partner']);
    });
  });

  describe('user consent to low-classified permissions (MS.AAD.5.2v1)', () => {
    const lowRiskConsent = () => {
      const compliant = compliantM365Tenant(TENANT);
      const policy = compliant.authorizationPolicy;
      return { ...policy, defaultUserRolePermissions: { ...policy.defaultUserRolePermissions, permissionGrantPoliciesAssigned: ['ManagePermissionGrantsForSelf.microsoft-user-default-low'] } };
    };
    const classificationReads = () => stats().requests['servicePrincipals.delegatedPermissionClassifications.list'] ?? 0;

    it('reads nothing more while users cannot consent', async () => {
      put();
      const doc = await connector.collect(context());
      expect(setting(doc, 'microsoft365.entra.user_consent_scope')).toBe('disabled');
      expect(classificationReads()).toBe(0);
    });

    it("reads Microsoft Graph's classifications and fails once a risky permission is classified low", async () => {
      put({ authorizationPolicy: lowRiskConsent() });
      const safe = await connector.collect(context());
      expect(setting(safe, 'microsoft365.entra.user_consent_scope')).toBe('lowRiskPermissionsOnly');
      expect(classificationReads()).toBe(1);

      m365().setPermissionClassifications(TENANT, ids.graphServicePrincipalId, [
        { id: 'c2ltLW1haWwtcmVhZA', permissionId: '570282fd-fa5c-430d-a7fd-fc8dc98a9dca', permissionName: 'Mail.Read', classification: 'low' },
      ]);
      const risky = await connector.collect(context());
      expect(setting(risky, 'microsoft365.entra.user_consent_scope')).toBe('riskyPermissionsClassifiedLow');
      expect(setting(risky, 'microsoft365.entra.risky_low_classified_permissions')).toEqual(['Microsoft Graph: Mail.Read']);
    });

    it('leaves it unknown, and polls on, when the classifications are refused', async () => {
      put({ authorizationPolicy: lowRiskConsent(), deniedOperations: ['servicePrincipals.delegatedPermissionClassifications.list'] });
      const doc = await connector.collect(context());
      expect(setting(doc, 'microsoft365.entra.user_consent_scope')).toBeUndefined();
      expect(setting(doc, 'microsoft365.entra.user_consent_policies')).toEqual(['ManagePermissionGrantsForSelf.microsoft-user-default-low']);
      expect(doc.gaps.map((g) => `${g.area}:${g.what}`)).toEqual(['sharing:microsoft365.entra.user_consent_scope']);
    });
  });

  it('fails as auth when the organization itself is refused', async () => {
    put({ deniedOperations: ['organization.list'] });
    const err = await failure();
    expect(err.reason).toBe('auth');
    expect(err.message).toContain('Directory.Read.All');
  });

  it.each([
    ['a wrong secret', { clientSecret: 'wrong-secret-value' }],
    ['an unknown client', { clientId: '00000000-0000-4000-8000-000000000000' }],
    ['an unknown tenant', { tenantId: 'nobody.onmicrosoft.com' }],
  ])('fails as auth for %s', async (_what, change) => {
    put();
    const err = await failure(context({ credentials: { tenantId: TENANT, clientId: ids.clientId, clientSecret: SECRET, ...change } }));
    expect(err.reason).toBe('auth');
    expect(err.message).toContain('token');
  });

  it('classifies malformed JSON and wrong shapes as schema', async () => {
    put();
    fault({ method: 'users.list', kind: 'malformed', times: 1 });
    expect((await failure()).reason).toBe('schema');
    sim.state.faults.clear();
    fault({ method: 'servicePrincipals.list', kind: 'wrong-shape', times: 1 });
    const err = await failure();
    expect(err.reason).toBe('schema');
    expect(err.message).toContain('servicePrincipals.list');
    sim.state.faults.clear();
    fault({ method: 'authorizationPolicy.get', kind: 'wrong-shape', times: 1 });
    expect((await failure()).reason).toBe('schema');
  });

  it('refuses a nextLink that leaves the Graph endpoint', async () => {
    put();
    fault({
      method: 'users.list',
      kind: 'status',
      status: 200,
      body: { value: [], '@odata.nextLink': 'http://attacker.example/v1.0/users?$skiptoken=x' },
    });
    const err = await failure();
    expect(err.reason).toBe('schema');
    expect(err.message).toContain('outside the Graph endpoint');
    expect(err.message).not.toContain('attacker');
  });

  it('ends endless paging as a classified failure', async () => {
    put();
    fault({ method: 'oauth2PermissionGrants.list', kind: 'endless-paging' });
    const err = await failure();
    expect(err.reason).toBe('provider_error');
    expect(err.message).toContain('more than');
  });

  it('never puts the client secret or a token in an error', async () => {
    const errors: ProviderError[] = [await failure()];
    put();
    errors.push(await failure(context({ credentials: { tenantId: TENANT, clientId: ids.clientId, clientSecret: `${SECRET}x` } })));
    for (const spec of [
      { kind: 'malformed' },
      { kind: 'wrong-shape' },
      { kind: 'status', status: 500 },
      { kind: 'status', status: 401 },
      { kind: 'status', status: 400, body: { error: 'invalid_client', error_description: `secret ${SECRET} rejected` } },
      { kind: 'reset' },
    ] as const) {
      for (const method of ['token', 'organization.list']) {
        sim.state.faults.clear();
        cache.clear();
        fault({ method, ...spec });
        errors.push(await failure(context({}, { maxAttempts: 1 })));
      }
    }
    for (const err of errors) {
      for (const text of [err.message, String(err.stack), JSON.stringify(err.details)]) {
        expect(text).not.toContain(SECRET);
        expect(text).not.toContain('sim-m365.');
      }
    }
  });

  describe('contract', () => {
    it('is registered for microsoft365', () => {
      expect(connectorRegistry.get('microsoft365')).toBe(m365Connector);
      expect(m365Connector.defaultBaselineId).toBe('microsoft365-locked-down');
    });

    it('maps each cloud to its Graph and login hosts', () => {
      expect(m365Connector.defaultEndpoints({})).toEqual({ graph: 'https://graph.microsoft.com', login: 'https://login.microsoftonline.com' });
      expect(m365Connector.defaultEndpoints({ cloud: 'usgov' })).toEqual({ graph: 'https://graph.microsoft.us', login: 'https://login.microsoftonline.us' });
      expect(m365Connector.defaultEndpoints({ cloud: 'usgovdod' })).toEqual({
        graph: 'https://dod-graph.microsoft.us',
        login: 'https://login.microsoftonline.us',
      });
      expect(m365Connector.defaultEndpoints({ cloud: 'china' })).toEqual({
        graph: 'https://microsoftgraph.chinacloudapi.cn',
        login: 'https://login.chinacloudapi.cn',
      });
      expect(() => m365Connector.defaultEndpoints({ cloud: 'mars' })).toThrow(EndpointRejectedError);
      expect([...m365Connector.officialHosts].sort()).toEqual([
        'dod-graph.microsoft.us',
        'graph.microsoft.com',
        'graph.microsoft.us',
        'login.chinacloudapi.cn',
        'login.microsoftonline.com',
        'login.microsoftonline.us',
        'microsoftgraph.chinacloudapi.cn',
      ]);
    });

    it('accepts a tenant GUID or domain with a client GUID and a secret', () => {
      expect(m365Connector.validateCredentials({ tenantId: TENANT, clientId: ids.clientId, clientSecret: SECRET })).toEqual([]);
      expect(m365Connector.validateCredentials({ tenantId: 'contoso.onmicrosoft.com', clientId: ids.clientId, clientSecret: 'a~b.c_d' })).toEqual([]);
    });

    it('names problems without echoing values', () => {
      const secret = 'top secret value';
      const problems = [
        ...m365Connector.validateCredentials({ tenantId: secret, clientId: ids.clientId, clientSecret: 'x' }),
        ...m365Connector.validateCredentials({ tenantId: TENANT, clientId: 'hunter2-not-a-guid', clientSecret: 'x' }),
        ...m365Connector.validateCredentials({ tenantId: TENANT, clientId: ids.clientId, clientSecret: secret }),
        ...m365Connector.validateCredentials({ tenantId: TENANT, clientId: ids.clientId, clientSecret: 'x', password: 'pw-123' }),
        ...m365Connector.validateCredentials({}),
        ...m365Connector.validateCredentials('raw-secret-string'),
      ];
      expect(problems).toHaveLength(8);
      expect(problems).toContain('unknown field "password" (only "tenantId", "clientId", "clientSecret" are accepted)');
      for (const p of problems) {
        for (const value of [secret, 'hunter2', 'pw-123', 'raw-secret-string']) expect(p).not.toContain(value);
      }
    });
  });

});
