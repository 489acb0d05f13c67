import { regionOfCountry, regionOfDataLocation } from './m365.catalog';
import { normalizeM365Posture, type M365RawPosture } from './m365.normalizer';

const GRAPH_SP = 'sp-graph';
const ORG = { id: 'tenant-1', displayName: 'Contoso', countryLetterCode: 'DE', verifiedDomains: [{ name: 'contoso.example', isDefault: true }] };

function raw(part: Partial<M365RawPosture> = {}): M365RawPosture {
  return { organization: ORG, gaps: [], ...part };
}

const graphSp = {
  id: GRAPH_SP,
  appId: '00000003-0000-0000-c000-000000000000',
  displayName: 'Microsoft Graph',
  appRoles: [
    { id: 'role-files', value: 'Files.Read.All' },
    { id: 'role-users', value: 'User.Read.All' },
  ],
};

describe('normalizeM365Posture', () => {
  it('describes the tenant by id, name and default domain', () => {
    expect(normalizeM365Posture(raw()).tenant).toEqual({ id: 'tenant-1', name: 'Contoso', domain: 'contoso.example' });
  });

  it('turns settings Graph leaves out into gaps naming the key, never into values', () => {
    const doc = normalizeM365Posture(
      raw({
        sharepointSettings: {
          sharingCapability: 'disabled',
          sharingDomainRestrictionMode: null,
          sharingAllowedDomainList: [' Partner.Example ', 'partner.example', ''],
        },
      }),
    );
    expect(doc.settings.map((s) => [s.key, s.value])).toEqual([
      ['microsoft365.sharepoint.sharing_capability', 'disabled'],
      ['microsoft365.sharepoint.allowed_domains', ['partner.example']],
      ['microsoft365.sharepoint.external_domain_restriction', 'sharingDisabled'],
    ]);
    expect(doc.gaps.map((g) => g.what)).toEqual([
      'microsoft365.sharepoint.domain_restriction_mode',
      'microsoft365.sharepoint.blocked_domains',
      'microsoft365.sharepoint.resharing_by_external_users',
    ]);
    expect(doc.gaps.every((g) => g.area === 'sharing')).toBe(true);
  });

  it('names guest roles and splits self-consent from owner-consent policies', () => {
    const policy = (guestUserRoleId: string, permissionGrantPoliciesAssigned: string[]) =>
      normalizeM365Posture(
        raw({
          authorizationPolicy: {
            allowInvitesFrom: 'everyone',
            guestUserRoleId,
            defaultUserRolePermissions: { allowedToCreateApps: true, permissionGrantPoliciesAssigned },
          },
        }),
      ).settings;
    const value = (settings: ReturnType<typeof policy>, key: string) => settings.find((s) => s.key === key)?.value;
    const limited = policy('10DAE51F-B6AF-4016-8D66-8C2A99B929B3', [
      'ManagePermissionGrantsForSelf.microsoft-user-default-low',
      'ManagePermissionGrantsForOwnedResource.microsoft-dynamically-managed-permissions-for-chat',
      'ManagePermissionGrantsForSelf.microsoft-user-default-legacy',
    ]);
    expect(value(limited, 'microsoft365.entra.guest_user_role')).toBe('limited');
    expect(value(limited, 'microsoft365.entra.user_consent_policies')).toEqual([
      'ManagePermissionGrantsForSelf.microsoft-user-default-legacy',
      'ManagePermissionGrantsForSelf.microsoft-user-default-low',
    ]);
    expect(value(limited, 'microsoft365.entra.owner_consent_policies')).toEqual([
      'ManagePermissionGrantsForOwnedResource.microsoft-dynamically-managed-permissions-for-chat',
    ]);
    expect(value(limited, 'microsoft365.entra.users_can_register_apps')).toBe(true);
    expect(value(policy('a0b1b346-4d3e-4e8b-98f8-753987be4970', []), 'microsoft365.entra.guest_user_role')).toBe('member');
    expect(value(policy('12345678-0000-4000-8000-000000000000', []), 'microsoft365.entra.guest_user_role')).toBe(
      '12345678-0000-4000-8000-000000000000',
    );
  });

  it('counts consent policies whatever the prefix casing, and an unprefixed id as user consent', () => {
    const consent = (permissionGrantPoliciesAssigned: string[]) =>
      normalizeM365Posture(
        raw({ authorizationPolicy: { defaultUserRolePermissions: { allowedToCreateApps: false, permissionGrantPoliciesAssigned } } }),
      ).settings;
    const value = (settings: ReturnType<typeof consent>, key: string) => settings.find((s) => s.key === key)?.value;
    // The defaultUserRolePermissions reference writes the prefix managePermissionGrantsForSelf.
    const documented = consent([
      'managePermissionGrantsForSelf.microsoft-user-default-legacy',
      'managePermissionGrantsForOwnedResource.microsoft-dynamically-managed-permissions-for-team',
    ]);
    expect(value(documented, 'microsoft365.entra.user_consent_policies')).toEqual(['managePermissionGrantsForSelf.microsoft-user-default-legacy']);
    expect(value(documented, 'microsoft365.entra.owner_consent_policies')).toEqual([
      'managePermissionGrantsForOwnedResource.microsoft-dynamically-managed-permissions-for-team',
    ]);
    // The authorizationPolicy page's own example answers an id without any prefix.
    expect(value(consent(['just-user-read']), 'microsoft365.entra.user_consent_policies')).toEqual(['just-user-read']);
    expect(value(consent([]), 'microsoft365.entra.user_consent_policies')).toEqual([]);
  });

  describe('user consent as CISA reads MS.AAD.5.2v1', () => {
    const LOW = 'ManagePermissionGrantsForSelf.microsoft-user-default-low';
    const exchangeSp = { id: 'sp-exo', appId: '00000002-0000-0ff1-ce00-000000000000', displayName: 'Office 365 Exchange Online', appRoles: [] };
    const classified = (permissionId: string, permissionName: string, classification = 'low') => ({ permissionId, permissionName, classification });
    const consent = (assigned: string[], permissionClassifications?: M365RawPosture['permissionClassifications'], gaps: M365RawPosture['gaps'] = []) => {
      const doc = normalizeM365Posture(
        raw({
          authorizationPolicy: { defaultUserRolePermissions: { permissionGrantPoliciesAssigned: assigned } },
          servicePrincipals: [graphSp, exchangeSp],
          permissionClassifications,
          gaps,
        }),
      );
      const value = (key: string) => doc.settings.find((s) => s.key === key)?.value;
      return { scope: value('microsoft365.entra.user_consent_scope'), risky: value('microsoft365.entra.risky_low_classified_permissions'), gaps: doc.gaps };
    };

    it('accepts no consent, and low-risk consent while no risky permission is classified low', () => {
      expect(consent([]).scope).toBe('disabled');
      expect(consent(['managePermissionGrantsForOwnedResource.microsoft-dynamically-managed-permissions-for-team']).scope).toBe('disabled');
      const safe = consent([LOW], {
        [GRAPH_SP]: [classified('e1fe6dd8-ba31-4d61-89e7-88639da4683d', 'User.Read'), classified('37f7f235-527c-4136-accd-4a02d197296e', 'openid')],
        // Risky, but classified medium: not what low-risk consent lets users grant.
        'sp-exo': [classified('3b5f3d61-589b-4a3c-a359-5dd4b5ee5bd5', 'EWS.AccessAsUser.All', 'medium')],
      });
      expect(safe).toMatchObject({ scope: 'lowRiskPermissionsOnly', risky: [] });
    });

    it('names every risky permission classified low, per resource, with ids compared without case', () => {
      const risky = consent([LOW.toLowerCase()], {
        // Mail.Read on Microsoft Graph and EWS.AccessAsUser.All on Exchange Online are both on the list.
        [GRAPH_SP]: [classified('570282FD-FA5C-430D-A7FD-FC8DC98A9DCA', 'Mail.Read'), classified('e1fe6dd8-ba31-4d61-89e7-88639da4683d', 'User.Read')],
        'sp-exo': [classified('3b5f3d61-589b-4a3c-a359-5dd4b5ee5bd5', 'EWS.AccessAsUser.All', 'Low')],
      });
      expect(risky).toMatchObject({
        scope: 'riskyPermissionsClassifiedLow',
        risky: ['Microsoft Graph: Mail.Read', 'Office 365 Exchange Online: EWS.AccessAsUser.All'],
      });
    });

    it('fails what ScubaGear fails, and is stricter on legacy, custom and combined policies', () => {
      expect(consent(['ManagePermissionGrantsForSelf.microsoft-user-default-recommended']).scope).toBe('microsoftManaged');
      expect(consent(['ManagePermissionGrantsForSelf.microsoft-user-default-legacy']).scope).toBe('otherPolicies');
      expect(consent(['ManagePermissionGrantsForSelf.custom-consent']).scope).toBe('otherPolicies');
      expect(consent([LOW, 'ManagePermissionGrantsForSelf.custom-consent'], {}).scope).toBe('otherPolicies');
    });

    it('leaves low-risk consent unknown when the classifications were not read', () => {
      const gap = { area: 'sharing' as const, what: 'microsoft365.entra.user_consent_scope', reason: 'HTTP 403' };
      const unread = consent([LOW], undefined, [gap]);
      expect(unread.scope).toBeUndefined();
      expect(unread.gaps.filter((g) => g.what === 'microsoft365.entra.user_consent_scope')).toEqual([gap]);
    });
  });

  it('reports each Multi-Geo location as its own observation, never folded into the tenant region', () => {
    const doc = normalizeM365Posture(
      raw({
        users: [{ id: 'u1', preferredDataLocation: 'EUR' }, { id: 'u2', preferredDataLocation: null }],
        sites: [
          { id: 'contoso-nam.sharepoint.com,b,c', siteCollection: { dataLocationCode: 'NAM' } },
          { id: 'contoso.sharepoint.com,a,b', siteCollection: { dataLocationCode: 'EUR' } },
          // Outside Multi-Geo a site collection carries no dataLocationCode: nothing to observe.
          { id: 'contoso.sharepoint.com,x,y', siteCollection: {} },
        ],
      }),
    );
    expect(doc.residency.map((r) => `${r.resourceKey}=${r.region}`)).toEqual([
      'tenant=EU',
      'users:EUR=EU',
      'site:contoso-nam.sharepoint.com,b,c=US',
      'site:contoso.sharepoint.com,a,b=EU',
    ]);
    expect(new Set(doc.residency.map((r) => r.region)).size).toBe(2);
  });

  it('reads the SharePoint domain restriction as MS.SHAREPOINT.1.3v1 does: not needed while sharing is off', () => {
    const restriction = (sharingCapability: string, sharingDomainRestrictionMode: string) =>
      normalizeM365Posture(raw({ sharepointSettings: { sharingCapability, sharingDomainRestrictionMode } })).settings.find(
        (s) => s.key === 'microsoft365.sharepoint.external_domain_restriction',
      )?.value;
    expect(restriction('disabled', 'none')).toBe('sharingDisabled');
    expect(restriction('existingExternalUserSharingOnly', 'none')).toBe('none');
    expect(restriction('externalUserSharingOnly', 'allowList')).toBe('allowList');
  });

  it('reads the admin consent workflow: enabled only with reviewers', () => {
    const workflow = (isEnabled: boolean, reviewers: { query: string }[]) =>
      normalizeM365Posture(raw({ adminConsentRequestPolicy: { isEnabled, reviewers } })).settings[0].value;
    expect(workflow(true, [{ query: '/groups/g1/transitiveMembers' }])).toBe('enabled');
    expect(workflow(true, [])).toBe('enabledWithoutReviewers');
    expect(workflow(false, [{ query: '/users/u1' }])).toBe('disabled');
  });

  describe('default app management policy (MS.AAD.5.5v1-5.7v1)', () => {
    const ALL = '0001-01-01T00:00:00Z';
    const r = (restrictionType: string, extra: Record<string, string> = {}) => ({
      restrictionType,
      state: 'enabled',
      restrictForAppsCreatedAfterDateTime: ALL,
      ...extra,
    });
    const read = (policy: NonNullable<M365RawPosture['appManagementPolicy']>) => {
      const doc = normalizeM365Posture(raw({ appManagementPolicy: policy }));
      return { settings: Object.fromEntries(doc.settings.map((s) => [s.key.replace('microsoft365.entra.app_management.', ''), s.value])), gaps: doc.gaps };
    };
    const both = (passwordCredentials: ReturnType<typeof r>[], keyCredentials: ReturnType<typeof r>[] = []) => ({
      applicationRestrictions: { passwordCredentials, keyCredentials },
      servicePrincipalRestrictions: { passwordCredentials, keyCredentials },
    });

    it('blocks passwords only when the enabled policy blocks them for applications and service principals, for all apps', () => {
      expect(read({ isEnabled: true, ...both([r('passwordAddition')], [r('asymmetricKeyLifetime', { maxLifetime: 'P366D' })]) }).settings).toEqual({
        password_addition: 'blocked',
        password_lifetime: 'passwordsBlocked',
        password_max_lifetime_days: 0,
        certificate_lifetime: 'allApps',
        certificate_max_lifetime_days: 366,
      });
      // The same restrictions in a disabled policy enforce nothing (ScubaGear does not look at isEnabled).
      expect(read({ isEnabled: false, ...both([r('passwordAddition')]) }).settings.password_addition).toBe('allowed');
      // Service principals left out.
      expect(
        read({ isEnabled: true, applicationRestrictions: { passwordCredentials: [r('passwordAddition')] }, servicePrincipalRestrictions: {} }).settings
          .password_addition,
      ).toBe('allowed');
      expect(read({ isEnabled: true, ...both([r('passwordAddition', { state: 'disabled' })]) }).settings.password_addition).toBe('allowed');
      expect(
        read({ isEnabled: true, ...both([r('passwordAddition', { restrictForAppsCreatedAfterDateTime: '2024-01-01T00:00:00Z' })]) }).settings
          .password_addition,
      ).toBe('blockedForNewAppsOnly');
    });

    it('reports the longest enforced lifetime in days, and none when the limit does not cover every app', () => {
      const lifetimes = read({
        isEnabled: true,
        applicationRestrictions: { passwordCredentials: [r('passwordLifetime', { maxLifetime: 'P90D' })] },
        servicePrincipalRestrictions: { passwordCredentials: [r('passwordLifetime', { maxLifetime: 'P26W' })] },
      }).settings;
      expect([lifetimes.password_addition, lifetimes.password_lifetime, lifetimes.password_max_lifetime_days]).toEqual(['allowed', 'allApps', 182]);
      const newOnly = read({
        isEnabled: true,
        ...both([r('passwordLifetime', { maxLifetime: 'P30D', restrictForAppsCreatedAfterDateTime: '2025-06-01T00:00:00Z' })]),
      }).settings;
      expect([newOnly.password_lifetime, newOnly.password_max_lifetime_days]).toEqual(['newAppsOnly', undefined]);
    });

    it('does not guess a lifetime it cannot read as days', () => {
      const { settings, gaps } = read({ isEnabled: true, ...both([], [r('asymmetricKeyLifetime', { maxLifetime: 'P1Y' })]) });
      expect(settings.certificate_lifetime).toBe('allApps');
      expect(settings.certificate_max_lifetime_days).toBeUndefined();
      expect(gaps.map((g) => g.what)).toEqual(['microsoft365.entra.app_management.certificate_max_lifetime_days']);
    });
  });

  it('judges each cross-tenant partner by what its own settings open beyond the locked-down default', () => {
    const blockedAll = { usersAndGroups: { accessType: 'blocked', targets: [{ target: 'AllUsers', targetType: 'user' }] } };
    const doc = normalizeM365Posture(
      raw({
        crossTenantPartners: [
          // Inherits everything: opens nothing.
          { tenantId: 'BBBB0000-0000-4000-8000-000000000002', b2bCollaborationInbound: null },
          {
            tenantId: 'aaaa0000-0000-4000-8000-000000000001',
            b2bCollaborationInbound: { usersAndGroups: { accessType: 'allowed', targets: [{ target: 'group-1', targetType: 'group' }] } },
            // Outbound collaboration is open in the locked-down default too.
            b2bCollaborationOutbound: { usersAndGroups: { accessType: 'allowed' } },
            // Blocking selected users leaves the others in.
            b2bDirectConnectInbound: { usersAndGroups: { accessType: 'blocked', targets: [{ target: 'group-2', targetType: 'group' }] } },
            b2bDirectConnectOutbound: blockedAll,
          },
          { tenantId: 'cccc0000-0000-4000-8000-000000000003', b2bDirectConnectOutbound: { usersAndGroups: { accessType: 'unknownFutureValue' } } },
          { tenantId: 'dddd0000-0000-4000-8000-000000000004', b2bDirectConnectInbound: blockedAll, b2bCollaborationInbound: blockedAll },
        ],
      }),
    );
    const of = (key: string) => doc.settings.filter((s) => s.key === key).map((s) => [s.resourceKey, s.value]);
    expect(of('microsoft365.crosstenant.partner_opened_directions')).toEqual([
      ['partner:aaaa0000-0000-4000-8000-000000000001', ['b2bCollaborationInbound', 'b2bDirectConnectInbound']],
      ['partner:bbbb0000-0000-4000-8000-000000000002', []],
      ['partner:cccc0000-0000-4000-8000-000000000003', ['b2bDirectConnectOutbound']],
      ['partner:dddd0000-0000-4000-8000-000000000004', []],
    ]);
    expect(of('microsoft365.crosstenant.partner_tenants_opening_default')).toEqual([
      ['partner:aaaa0000-0000-4000-8000-000000000001', ['aaaa0000-0000-4000-8000-000000000001']],
      ['partner:bbbb0000-0000-4000-8000-000000000002', []],
      ['partner:cccc0000-0000-4000-8000-000000000003', ['cccc0000-0000-4000-8000-000000000003']],
      ['partner:dddd0000-0000-4000-8000-000000000004', []],
    ]);
    const none = normalizeM365Posture(raw({ crossTenantPartners: [] })).settings;
    expect(none).toEqual([{ key: 'microsoft365.crosstenant.partner_tenants_opening_default', resourceKey: 'tenant', value: [], source: 'observed' }]);
  });

  it('reads the cross-tenant defaults per direction and kind', () => {
    const doc = normalizeM365Posture(
      raw({
        crossTenantDefault: {
          b2bCollaborationInbound: { usersAndGroups: { accessType: 'allowed' }, applications: { accessType: 'blocked' } },
          b2bDirectConnectOutbound: { usersAndGroups: { accessType: 'blocked' }, applications: null },
        },
      }),
    );
    expect(Object.fromEntries(doc.settings.map((s) => [s.key, s.value]))).toEqual({
      'microsoft365.crosstenant.b2b_collaboration_inbound_users': 'allowed',
      'microsoft365.crosstenant.b2b_collaboration_inbound_applications': 'blocked',
      'microsoft365.crosstenant.b2b_direct_connect_outbound_users': 'blocked',
    });
    expect(doc.gaps).toHaveLength(5);
  });

  it('groups delegated grants per app and consent type, and resolves application permissions by app role', () => {
    const doc = normalizeM365Posture(
      raw({
        servicePrincipals: [graphSp, { id: 'sp-a', appId: 'app-a', displayName: 'App A' }, { id: 'sp-b', appId: 'app-b', displayName: null }],
        delegatedGrants: [
          { clientId: 'sp-a', consentType: 'AllPrincipals', principalId: null, resourceId: GRAPH_SP, scope: 'User.Read openid' },
          { clientId: 'sp-a', consentType: 'Principal', principalId: 'u1', resourceId: GRAPH_SP, scope: 'Mail.Read' },
          { clientId: 'sp-a', consentType: 'Principal', principalId: 'u2', resourceId: GRAPH_SP, scope: 'Mail.Read  Calendars.Read' },
          { clientId: 'sp-gone', consentType: 'Principal', principalId: 'u1', resourceId: GRAPH_SP, scope: 'User.Read' },
        ],
        appRoleAssignments: {
          'sp-b': [
            { principalId: 'sp-b', resourceId: GRAPH_SP, appRoleId: 'role-files' },
            { principalId: 'sp-b', resourceId: GRAPH_SP, appRoleId: '00000000-0000-0000-0000-000000000000' },
          ],
          'sp-a': [{ principalId: 'sp-a', resourceId: GRAPH_SP, appRoleId: 'role-deleted' }],
        },
      }),
    );
    expect(doc.oauthGrants).toEqual([
      { appId: 'app-a', appName: 'App A', scopes: ['appRoleId:role-deleted'], grantType: 'application' },
      { appId: 'app-b', appName: 'app-b', scopes: ['Files.Read.All'], grantType: 'application' },
      { appId: 'app-a', appName: 'App A', scopes: ['Calendars.Read', 'Mail.Read'], grantType: 'delegated', principal: '2 users' },
      { appId: 'app-a', appName: 'App A', scopes: ['User.Read', 'openid'], grantType: 'delegated', principal: 'AllPrincipals' },
      { appId: 'sp-gone', appName: 'sp-gone', scopes: ['User.Read'], grantType: 'delegated', principal: 'u1' },
    ]);
    expect(doc.gaps).toEqual([{ area: 'oauth', what: 'servicePrincipals.appRoles', reason: expect.stringContaining('1 application permission') }]);
  });

  it('reports residency for the tenant, user locations and Multi-Geo sites', () => {
    const doc = normalizeM365Posture(
      raw({
        organization: { ...ORG, countryLetterCode: 'us' },
        users: [
          { id: 'u1', preferredDataLocation: 'EUR' },
          { id: 'u2', preferredDataLocation: null },
          { id: 'u3', preferredDataLocation: 'eur' },
          { id: 'u4', preferredDataLocation: 'JPN' },
        ],
        sites: [
          { id: 'site-b', siteCollection: { dataLocationCode: 'NAM' } },
          { id: 'site-a', siteCollection: { dataLocationCode: 'GBR' } },
          { id: 'site-c', siteCollection: null },
        ],
      }),
    );
    expect(doc.residency).toEqual([
      { resourceKey: 'tenant', region: 'US', source: 'observed' },
      { resourceKey: 'users:EUR', region: 'EU', source: 'observed' },
      { resourceKey: 'users:JPN', region: 'JP', source: 'observed' },
      { resourceKey: 'site:site-a', region: 'GB', source: 'observed' },
      { resourceKey: 'site:site-b', region: 'US', source: 'observed' },
    ]);
  });

  it('records a missing country as a residency gap', () => {
    const doc = normalizeM365Posture(raw({ organization: { ...ORG, countryLetterCode: null } }));
    expect(doc.residency).toEqual([]);
    expect(doc.gaps).toEqual([{ area: 'residency', what: 'organization.countryLetterCode', reason: expect.any(String) }]);
  });

  it('is deterministic', () => {
    const input = raw({ servicePrincipals: [graphSp], users: [{ id: 'u', preferredDataLocation: 'CAN' }] });
    expect(JSON.stringify(normalizeM365Posture(input))).toBe(JSON.stringify(normalizeM365Posture(input)));
  });
});

describe('residency regions', () => {
  it.each([
    ['DE', 'EU'],
    ['fr', 'EU'],
    ['NO', 'EU'],
    ['CH', 'EU'],
    ['US', 'US'],
    ['GB', 'GB'],
    ['JP', 'JP'],
  ])('country %s is region %s', (country, region) => {
    expect(regionOfCountry(country)).toBe(region);
  });

  it.each([
    ['EUR', 'EU'],
    ['DEU', 'EU'],
    ['NAM', 'US'],
    ['APC', 'APAC'],
    ['CAN', 'CA'],
    ['XYZ', 'XYZ'],
  ])('Multi-Geo location %s is region %s', (code, region) => {
    expect(regionOfDataLocation(code)).toBe(region);
  });
});
