/**
 * The example responses of Microsoft's own reference pages, one per request the connector makes,
 * written out as fixtures. `source` names the page in microsoftgraph/microsoft-graph-docs-contrib
 * and the commit it was read at (the published page is learn.microsoft.com/graph/api/<page>).
 * Properties the connector never reads are left out where marked `abridged`; nothing is changed
 * otherwise, except where `note` says so.
 */

const DOCS = 'microsoftgraph/microsoft-graph-docs-contrib';

export interface GraphDocsExample {
  source: { repo: string; path: string; commit: string; url: string };
  abridged?: boolean;
  note?: string;
  body: Record<string, unknown>;
}

const page = (name: string, commit: string) => ({
  repo: DOCS,
  path: `api-reference/v1.0/api/${name}.md`,
  commit,
  url: `https://learn.microsoft.com/graph/api/${name}?view=graph-rest-1.0`,
});

export const GRAPH_DOCS_EXAMPLES = {
  'organization.list': {
    source: page('organization-list', '02b4cba04d0426b41fe35819922b100050c5c441'),
    abridged: true,
    note: 'the example answers isMultipleDataLocationsForServicesEnabled, which the v1.0 metadata does not declare on organization',
    body: {
      '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#organization',
      value: [
        {
          id: '84841066-274d-4ec0-a5c1-276be684bdd3',
          deletedDateTime: null,
          countryLetterCode: 'NL',
          createdDateTime: '2021-08-02T10:30:06Z',
          displayName: 'Contoso',
          isMultipleDataLocationsForServicesEnabled: null,
          preferredLanguage: 'en',
          tenantType: 'AAD',
          verifiedDomains: [
            { capabilities: 'Email, OfficeCommunicationsOnline', isDefault: true, isInitial: true, name: 'Contoso.onmicrosoft.com', type: 'Managed' },
          ],
        },
      ],
    },
  },
  'sharepointSettings.get': {
    source: page('sharepointsettings-get', '073a3963b21637213e5f1e568a46929928f02ddf'),
    abridged: true,
    note: 'the entity comes wrapped as {"value": {...}}, unlike a single-valued navigation property elsewhere',
    body: {
      value: {
        '@odata.type': '#microsoft.graph.sharepointSettings',
        deletedUserPersonalSiteRetentionPeriodInDays: 344,
        isRequireAcceptingUserToMatchInvitedUserEnabled: true,
        isResharingByExternalUsersEnabled: true,
        sharingAllowedDomainList: ['contoso.com', 'fabrikam.com'],
        sharingBlockedDomainList: ['contoso.com', 'fabrikam.com'],
        sharingCapability: 'externalUserAndGuestSharing',
        sharingDomainRestrictionMode: 'allowList',
        tenantDefaultTimezone: '(UTC-05:00) Eastern Time (US and Canada)',
      },
    },
  },
  'authorizationPolicy.get': {
    source: page('authorizationpolicy-get', '082d7a8f9f358ea2f67ec90b4428522f41a5c45c'),
    note: "permissionGrantPoliciesAssigned holds 'just-user-read', without the managePermissionGrantsForSelf. prefix the resource page prescribes",
    body: {
      '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#policies/authorizationPolicy/$entity',
      id: 'authorizationPolicy',
      allowInvitesFrom: 'everyone',
      allowedToSignUpEmailBasedSubscriptions: true,
      allowedToUseSSPR: true,
      allowEmailVerifiedUsersToJoinOrganization: true,
      allowUserConsentForRiskyApps: false,
      blockMsolPowerShell: null,
      displayName: 'Authorization Policy',
      description: 'Used to manage authorization related settings across the company.',
      defaultUserRolePermissions: {
        allowedToCreateApps: true,
        allowedToCreateSecurityGroups: true,
        allowedToReadOtherUsers: true,
        permissionGrantPoliciesAssigned: ['just-user-read'],
      },
    },
  },
  'crossTenantAccessPolicy.default.get': {
    source: page('crosstenantaccesspolicyconfigurationdefault-get', '0011ef8090f02b7908480e88d437a1ee0db4fdcc'),
    note: 'the published example is not valid JSON (a trailing comma inside inboundTrust); written here without it',
    body: {
      isServiceDefault: true,
      inboundTrust: { isMfaAccepted: false, isCompliantDeviceAccepted: false, isHybridAzureADJoinedDeviceAccepted: false },
      b2bCollaborationOutbound: {
        usersAndGroups: { accessType: 'allowed', targets: [{ target: 'AllUsers', targetType: 'user' }] },
        applications: { accessType: 'allowed', targets: [{ target: 'AllApplications', targetType: 'application' }] },
      },
      b2bCollaborationInbound: {
        usersAndGroups: { accessType: 'allowed', targets: [{ target: 'AllUsers', targetType: 'user' }] },
        applications: { accessType: 'allowed', targets: [{ target: 'AllApplications', targetType: 'application' }] },
      },
      b2bDirectConnectOutbound: {
        usersAndGroups: { accessType: 'blocked', targets: [{ target: 'AllUsers', targetType: 'user' }] },
        applications: { accessType: 'blocked', targets: [{ target: 'AllApplications', targetType: 'application' }] },
      },
      b2bDirectConnectInbound: {
        usersAndGroups: { accessType: 'blocked', targets: [{ target: 'AllUsers', targetType: 'user' }] },
        applications: { accessType: 'blocked', targets: [{ target: 'AllApplications', targetType: 'application' }] },
      },
    },
  },
  'crossTenantAccessPolicy.partners.list': {
    source: page('crosstenantaccesspolicy-list-partners', '02e4ff121660cce02fd2bf42d1279cf3ebb0323f'),
    body: {
      value: [
        {
          tenantId: '123f4846-ba00-4fd7-ba43-dac1f8f63013',
          inboundTrust: null,
          automaticUserConsentSettings: { inboundAllowed: null, outboundAllowed: null },
          b2bCollaborationInbound: null,
          b2bCollaborationOutbound: null,
          b2bDirectConnectOutbound: null,
          b2bDirectConnectInbound: {
            usersAndGroups: { accessType: 'allowed', targets: [{ target: 'AllUsers', targetType: 'user' }] },
            applications: { accessType: 'allowed', targets: [{ target: 'Office365', targetType: 'application' }] },
          },
        },
      ],
    },
  },
  'adminConsentRequestPolicy.get': {
    source: page('adminconsentrequestpolicy-get', '18912927a1edaa8230e09506ad0e7d2e8a2d5a8a'),
    body: {
      '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#policies/adminConsentRequestPolicy/$entity',
      isEnabled: true,
      notifyReviewers: false,
      remindersEnabled: false,
      requestDurationInDays: 0,
      version: 0,
      reviewers: [
        { query: '/users/906e0ee5-6372-4cc8-8248-fdf2846b48ed', queryType: 'MicrosoftGraph', queryRoot: null },
        { query: '/users/daddef1a-acb0-4f62-96d0-49df2495d657', queryType: 'MicrosoftGraph', queryRoot: null },
      ],
    },
  },
  'defaultAppManagementPolicy.get': {
    source: page('tenantappmanagementpolicy-get', '15b6df5789c6fb0990f57ca0c4090686834a5112'),
    abridged: true,
    note: 'description shortened',
    body: {
      '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#policies/defaultAppManagementPolicy/$entity',
      '@odata.id':
        'https://graph.microsoft.com/v2/927c6607-8060-4f4a-a5f8-34964ac78d70/defaultAppManagementPolicy/00000000-0000-0000-0000-000000000000',
      id: '00000000-0000-0000-0000-000000000000',
      displayName: 'Default app management tenant policy',
      description: 'Default tenant policy that enforces app management restrictions on applications and service principals.',
      isEnabled: false,
      applicationRestrictions: { passwordCredentials: [], keyCredentials: [] },
      servicePrincipalRestrictions: { passwordCredentials: [], keyCredentials: [] },
    },
  },
  'oauth2PermissionGrants.list': {
    source: page('oauth2permissiongrant-list', '06473d2fa2a68f08dfeda8b4ea4a1c46f60afe9b'),
    abridged: true,
    body: {
      '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#oauth2PermissionGrants',
      value: [
        {
          clientId: '263a5b01-03e5-408e-8557-bab681df104c',
          consentType: 'AllPrincipals',
          id: 'AVs6JuUDjkCFV7q2gd8QTPimBBgj5iBFj0C6GwwRxC0',
          principalId: null,
          resourceId: '1804a6f8-e623-4520-8f40-ba1b0c11c42d',
          scope: 'User.Read Group.ReadWrite.All',
        },
        {
          clientId: '263a5b01-03e5-408e-8557-bab681df104c',
          consentType: 'AllPrincipals',
          id: 'AVs6JuUDjkCFV7q2gd8QTOQDNpSH5-lPk9HjD3Sarjk',
          principalId: null,
          resourceId: '943603e4-e787-4fe9-93d1-e30f749aae39',
          scope: 'Tasks.ReadWrite Files.ReadWrite.All Mail.ReadWrite Directory.ReadWrite.All openid profile',
        },
      ],
    },
  },
  'servicePrincipals.list': {
    source: page('serviceprincipal-list', '036a914430ef411b10d96126893481e11d6f5e62'),
    abridged: true,
    body: {
      value: [
        {
          id: '59e617e5-e447-4adc-8b88-00af644d7c92',
          deletedDateTime: null,
          accountEnabled: true,
          appDisplayName: 'My App',
          appId: '65415bb1-9267-4313-bbf5-ae259732ee12',
          appOwnerOrganizationId: '1bc1c026-2f7b-48a5-98da-afa2fd8bc7bc',
          displayName: 'foo',
          publisherName: 'Contoso',
          appRoles: [],
        },
      ],
    },
  },
  'servicePrincipals.appRoleAssignments.list': {
    source: page('serviceprincipal-list-approleassignments', '00e146a92755a19260d07a735eee6e9df034f45f'),
    body: {
      '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#appRoleAssignments',
      value: [
        {
          id: 'UxOIjjUXr0WvIe4TRFgqTY4z9Wu5KxpBtlEpoTGjw-A',
          createdDateTime: '2021-02-02T04:22:45.4980259Z',
          appRoleId: 'e2a3a72e-5f79-4c64-b1b1-878b674786c9',
          principalDisplayName: 'dxprovisioning-graphapi-client',
          principalId: '8e881353-1735-45af-af21-ee1344582a4d',
          principalType: 'ServicePrincipal',
          resourceDisplayName: 'Microsoft Graph',
          resourceId: 'fea94d6d-b5bf-44d2-a887-4f72a8d74f44',
        },
      ],
    },
  },
  'servicePrincipals.delegatedPermissionClassifications.list': {
    source: page('serviceprincipal-list-delegatedpermissionclassifications', '00102e05f8c8442396e0581732bfe311d95df910'),
    note: 'requested for the service principal 00063ffc-54e9-405d-b8f3-56124728e051',
    body: {
      value: [{ id: '2G3-4TG6YU2J54hjnaRoPQE', permissionId: 'e1fe6dd8-ba31-4d61-89e7-88639da4683d', permissionName: 'User.Read', classification: 'low' }],
    },
  },
  'users.list': {
    source: page('user-list', '008316a3480bf8069254a9535f5f61b0e6600f6b'),
    note: 'Example 2 ($select=displayName,id): preferredDataLocation is returned only when selected, and no page example selects it',
    body: { value: [{ displayName: 'John Smith', id: '87d349ed-44d7-43e1-9a83-5f2406dee5bd' }] },
  },
  'sites.getAllSites': {
    source: page('site-getallsites', '0b8a9dd9a29b7b03af0ec5b800de7d05adc6196a'),
    note: 'the example spells siteCollection.hostName; the v1.0 metadata declares hostname (not read by the connector)',
    body: {
      value: [
        {
          id: 'contoso.sharepoint.com,bf6fb551-d508-4946-a439-b2a6154fc1d9,65a04b8b-1f44-442b-a1fc-9e5852fb946c',
          name: 'Root Site',
          root: {},
          siteCollection: { hostName: 'contoso.sharepoint.com', dataLocationCode: 'NAM', root: {} },
          webUrl: 'https://contoso.sharepoint.com',
        },
        {
          id: 'contoso.sharepoint.com,d9ecf079-9b13-4376-ac5d-f242dda55626,746dbcc1-fa2b-4120-b657-2670bae5bb6f',
          name: 'Site A',
          root: {},
          siteCollection: { hostName: 'contoso.sharepoint.com' },
          webUrl: 'https://contoso.sharepoint.com/sites/siteA',
        },
        {
          id: 'contoso.sharepoint.com,fd1a778f-263e-4c43-acdf-d5c2519d80eb,c06016db-dfec-4f79-83a1-09c6dbfd7022',
          name: 'Site B',
          root: {},
          siteCollection: { hostName: 'contoso.sharepoint.com' },
          webUrl: 'https://contoso.sharepoint.com/sites/siteB',
        },
      ],
      '@odata.nextLink': 'https://graph.microsoft.com/v1.0/sites/oneDrive.getAllSites?$skiptoken=U1BHZW9EYXRhTG9jYXRpb25Db2RlYU5BTQ',
    },
  },
  token: {
    source: {
      repo: 'MicrosoftDocs/entra-docs',
      path: 'docs/identity-platform/v2-oauth2-client-creds-grant-flow.md',
      commit: 'not re-read in this audit: no stored copy was found',
      url: 'https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow#successful-response',
    },
    note: 'the response fields the identity platform documents for a client credentials grant; access_token shortened',
    body: { token_type: 'Bearer', expires_in: 3599, access_token: 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsIng1dCI6Ik1uQ19WWmNBVGZNNXBP' },
  },
} as const satisfies Record<string, GraphDocsExample>;
