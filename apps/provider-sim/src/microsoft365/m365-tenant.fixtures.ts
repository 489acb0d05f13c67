import type { M365TenantSpec } from './m365-tenant.schema';

/** App role ids of Microsoft Graph permissions as Microsoft publishes them (the few the scenarios use). */
export const GRAPH_APP_ROLES = {
  'User.Read.All': 'df021288-bdef-4463-88db-98f22de89214',
  'Directory.Read.All': '7ab1d382-f21e-4acd-a863-ba3e13f7da61',
  'Organization.Read.All': '498476ce-e0fe-48b0-b801-37ba7e2685c6',
  'Policy.Read.All': '246dd0d5-5bd0-4def-940b-0421030a5b68',
  'Files.Read.All': '01d4889c-1287-42c6-ac1f-5d1e02578ef6',
  'Sites.Read.All': '332a536c-c7ef-4017-ab91-336970924f0d',
  'Mail.Read': '810c84a8-4a9e-49e6-bf7d-12d183f40d01',
  'Mail.ReadWrite': 'e2a3a72e-5f79-4c64-b1b1-878b674786c9',
  'Application.ReadWrite.All': '1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9',
} as const;

export const COMPLIANT_M365_IDS = {
  tenantId: '6f3c1b2a-4d5e-4f60-8a71-92b3c4d5e6f7',
  clientId: '0c7a1f3e-2b4d-4e6f-8a9b-1c2d3e4f5a6b',
  clientSecret: 'sim~M365.client-secret_0123456789abcdefghij',
  /** Microsoft Graph's service principal in the tenant, and Graph's well-known app id. */
  graphServicePrincipalId: '1a2b3c4d-0000-4000-8000-00000000a001',
  graphAppId: '00000003-0000-0000-c000-000000000000',
  /** Harmless apps: two with delegated grants, one holding a read-only application permission. */
  expensesSpId: '1a2b3c4d-0000-4000-8000-00000000b001',
  expensesAppId: '9d8c7b6a-0000-4000-8000-00000000e001',
  calendarSpId: '1a2b3c4d-0000-4000-8000-00000000b002',
  calendarAppId: '9d8c7b6a-0000-4000-8000-00000000e002',
  reporterSpId: '1a2b3c4d-0000-4000-8000-00000000b003',
  reporterAppId: '9d8c7b6a-0000-4000-8000-00000000e003',
  userIds: [
    '2b3c4d5e-0000-4000-8000-00000000c001',
    '2b3c4d5e-0000-4000-8000-00000000c002',
    '2b3c4d5e-0000-4000-8000-00000000c003',
  ],
  allowedDomain: 'partner.example',
  /** Restricted Guest User: guests see only their own directory objects. */
  restrictedGuestRoleId: '2af84b1e-32c8-42b7-82bc-daa82404023b',
  /** The group that reviews admin consent requests. */
  consentReviewersGroupId: '3c4d5e6f-0000-4000-8000-00000000d001',
} as const;

const blocked = { accessType: 'blocked' as const, targets: [{ target: 'AllUsers', targetType: 'user' }] };
const blockedApps = { accessType: 'blocked' as const, targets: [{ target: 'AllApplications', targetType: 'application' }] };
const allowed = { accessType: 'allowed' as const, targets: [{ target: 'AllUsers', targetType: 'user' }] };
/** The app management restrictions CISA asks for: no client secrets, certificates for at most 366 days, for every app. */
const ALL_APPS = '0001-01-01T00:00:00Z';
const blockPasswords = { restrictionType: 'passwordAddition', state: 'enabled' as const, restrictForAppsCreatedAfterDateTime: ALL_APPS };
const certificateLifetime = {
  restrictionType: 'asymmetricKeyLifetime',
  state: 'enabled' as const,
  maxLifetime: 'P366D',
  restrictForAppsCreatedAfterDateTime: ALL_APPS,
};
const allowedApps = { accessType: 'allowed' as const, targets: [{ target: 'AllApplications', targetType: 'application' }] };

/**
 * A locked-down tenant: SharePoint shares with existing guests only, from one allow-listed domain,
 * without resharing; only admins and Guest Inviters invite; guests are restricted; users can neither
 * register apps nor consent, and ask admins through a reviewed consent workflow; apps cannot get
 * client secrets and certificates live at most 366 days; cross-tenant defaults block inbound collaboration and all direct
 * connect; two harmless delegated grants and one read-only application permission; the organization
 * is in Germany, its one site and its located user in the EUR geography. Overrides replace whole top-level fields.
 */
export function compliantM365Tenant(_tenantId: string, overrides: Partial<M365TenantSpec> = {}): M365TenantSpec {
  const ids = COMPLIANT_M365_IDS;
  return {
    clientId: ids.clientId,
    clientSecret: ids.clientSecret,
    organization: {
      id: ids.tenantId,
      displayName: 'Contoso GmbH',
      countryLetterCode: 'DE',
      verifiedDomains: [
        { name: 'contoso.example', isDefault: true, isInitial: false, type: 'Managed' },
        { name: 'contosogmbh.onmicrosoft.com', isDefault: false, isInitial: true, type: 'Managed' },
      ],
    },
    sharepointSettings: {
      sharingCapability: 'existingExternalUserSharingOnly',
      sharingDomainRestrictionMode: 'allowList',
      sharingAllowedDomainList: [ids.allowedDomain],
      sharingBlockedDomainList: [],
      isResharingByExternalUsersEnabled: false,
      isRequireAcceptingUserToMatchInvitedUserEnabled: true,
      tenantDefaultTimezone: 'W. Europe Standard Time',
    },
    authorizationPolicy: {
      id: 'authorizationPolicy',
      displayName: 'Authorization Policy',
      allowInvitesFrom: 'adminsAndGuestInviters',
      guestUserRoleId: ids.restrictedGuestRoleId,
      defaultUserRolePermissions: {
        allowedToCreateApps: false,
        allowedToCreateSecurityGroups: false,
        allowedToReadOtherUsers: true,
        permissionGrantPoliciesAssigned: [],
      },
    },
    adminConsentRequestPolicy: {
      isEnabled: true,
      notifyReviewers: true,
      reviewers: [{ query: `/groups/${ids.consentReviewersGroupId}/transitiveMembers`, queryType: 'MicrosoftGraph', queryRoot: null }],
    },
    defaultAppManagementPolicy: {
      isEnabled: true,
      applicationRestrictions: { passwordCredentials: [blockPasswords], keyCredentials: [certificateLifetime] },
      servicePrincipalRestrictions: { passwordCredentials: [blockPasswords], keyCredentials: [certificateLifetime] },
    },
    crossTenantAccessDefault: {
      isServiceDefault: false,
      b2bCollaborationInbound: { usersAndGroups: blocked, applications: blockedApps },
      b2bCollaborationOutbound: { usersAndGroups: allowed, applications: allowedApps },
      b2bDirectConnectInbound: { usersAndGroups: blocked, applications: blockedApps },
      b2bDirectConnectOutbound: { usersAndGroups: blocked, applications: blockedApps },
    },
    graphServicePrincipalId: ids.graphServicePrincipalId,
    servicePrincipals: [
      {
        id: ids.graphServicePrincipalId,
        appId: ids.graphAppId,
        displayName: 'Microsoft Graph',
        servicePrincipalType: 'Application',
        appOwnerOrganizationId: 'f8cdef31-a31e-4b4a-93e4-5f571e91255a',
        appRoles: Object.entries(GRAPH_APP_ROLES).map(([value, id]) => ({
          id,
          value,
          displayName: value,
          allowedMemberTypes: ['Application'],
        })),
        // What the consent settings page suggests classifying low; none is on CISA's risky list.
        delegatedPermissionClassifications: [
          { id: 'c2ltLWNsYXNzLW9wZW5pZA', permissionId: '37f7f235-527c-4136-accd-4a02d197296e', permissionName: 'openid', classification: 'low' },
          { id: 'c2ltLWNsYXNzLXVzZXJyZWFk', permissionId: 'e1fe6dd8-ba31-4d61-89e7-88639da4683d', permissionName: 'User.Read', classification: 'low' },
        ],
      },
      { id: ids.expensesSpId, appId: ids.expensesAppId, displayName: 'Contoso Expenses' },
      { id: ids.calendarSpId, appId: ids.calendarAppId, displayName: 'Team Calendar Viewer' },
      { id: ids.reporterSpId, appId: ids.reporterAppId, displayName: 'License Reporter' },
    ],
    oauth2PermissionGrants: [
      {
        id: 'c2ltLWdyYW50LWV4cGVuc2VzLWFsbA',
        clientId: ids.expensesSpId,
        consentType: 'AllPrincipals',
        principalId: null,
        resourceId: ids.graphServicePrincipalId,
        scope: 'openid profile User.Read',
      },
      {
        id: 'c2ltLWdyYW50LWNhbGVuZGFyLXVzZXI',
        clientId: ids.calendarSpId,
        consentType: 'Principal',
        principalId: ids.userIds[0],
        resourceId: ids.graphServicePrincipalId,
        scope: ' User.Read openid profile ',
      },
    ],
    appRoleAssignments: [
      {
        id: 'c2ltLWFzc2lnbm1lbnQtcmVwb3J0ZXI',
        principalId: ids.reporterSpId,
        resourceId: ids.graphServicePrincipalId,
        appRoleId: GRAPH_APP_ROLES['Organization.Read.All'],
      },
    ],
    users: [
      { id: ids.userIds[0], displayName: 'Ada Admin', userPrincipalName: 'ada@contoso.example', preferredDataLocation: 'EUR' },
      { id: ids.userIds[1], displayName: 'Bo Builder', userPrincipalName: 'bo@contoso.example', preferredDataLocation: null },
      { id: ids.userIds[2], displayName: 'Cy Clerk', userPrincipalName: 'cy@contoso.example', preferredDataLocation: null },
    ],
    sites: [
      {
        id: 'contoso.sharepoint.com,5a58bb09-0000-4000-8000-000000000001,f1a2b3c4-0000-4000-8000-000000000001',
        name: 'Finance',
        displayName: 'Finance',
        webUrl: 'https://contoso.sharepoint.com/sites/finance',
        siteCollection: { hostname: 'contoso.sharepoint.com', dataLocationCode: 'EUR' },
      },
    ],
    ...overrides,
  };
}
