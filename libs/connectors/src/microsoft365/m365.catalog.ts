/**
 * The normalized Microsoft 365 settings, one line each. Baselines name these keys; a key the
 * connector could not read is absent from the document (and evaluates to unknown). All are
 * tenant-wide (`resourceKey: tenant`) except the cross-tenant partner keys, one per partner.
 */
export const M365_SETTINGS_CATALOG = {
  'microsoft365.sharepoint.sharing_capability': {
    resource: 'tenant',
    description:
      "SharePoint organization sharing level: 'disabled' (only people in the organization), 'existingExternalUserSharingOnly', 'externalUserSharingOnly' (new and existing guests) or 'externalUserAndGuestSharing' (Anyone links).",
  },
  'microsoft365.sharepoint.domain_restriction_mode': {
    resource: 'tenant',
    description: "Limit external sharing by domain: 'none', 'allowList' or 'blockList'.",
  },
  'microsoft365.sharepoint.external_domain_restriction': {
    resource: 'tenant',
    description:
      "Domain restriction that governs external sharing, as CISA's MS.SHAREPOINT.1.3v1 check reads it: 'sharingDisabled' when sharingCapability is 'disabled' (no external sharing, so no domain list is needed), otherwise sharingDomainRestrictionMode ('none', 'allowList', 'blockList').",
  },
  'microsoft365.sharepoint.allowed_domains': {
    resource: 'tenant',
    description: 'Sorted, lower-cased domains external sharing is limited to (sharingAllowedDomainList).',
  },
  'microsoft365.sharepoint.blocked_domains': {
    resource: 'tenant',
    description: 'Sorted, lower-cased domains external sharing is blocked for (sharingBlockedDomainList).',
  },
  'microsoft365.sharepoint.resharing_by_external_users': {
    resource: 'tenant',
    description: "Whether guests may share items they don't own (isResharingByExternalUsersEnabled).",
  },
  'microsoft365.entra.allow_invites_from': {
    resource: 'tenant',
    description:
      "Who may invite guests: 'none', 'adminsAndGuestInviters', 'adminsGuestInvitersAndAllMembers' or 'everyone'.",
  },
  'microsoft365.entra.guest_user_role': {
    resource: 'tenant',
    description:
      "Guests' directory access from guestUserRoleId: 'restricted' (own objects only), 'limited' (the default) or 'member' (same as members); any other role id as given.",
  },
  'microsoft365.entra.user_consent_policies': {
    resource: 'tenant',
    description:
      'Sorted user consent policies assigned to the default user role (managePermissionGrantsForSelf.*, prefix matched without case; any id that is not an owner consent policy counts here): empty means users cannot consent to apps; microsoft-user-default-legacy means users can consent to anything.',
  },
  'microsoft365.crosstenant.partner_opened_directions': {
    resource: 'partner:<tenantId>',
    description:
      "Per partner configuration (policies/crossTenantAccessPolicy/partners): the sorted directions among b2bCollaborationInbound, b2bDirectConnectInbound and b2bDirectConnectOutbound that the partner's own setting opens (users and groups not blocked for AllUsers); a null setting inherits the default and opens nothing.",
  },
  'microsoft365.crosstenant.partner_tenants_opening_default': {
    resource: 'partner:<tenantId>, or tenant when there is no partner configuration',
    description:
      'The partner tenant id (lower case, in a one-element list) when that partner opens a direction the locked-down default keeps closed, else an empty list.',
  },
  'microsoft365.entra.user_consent_scope': {
    resource: 'tenant',
    description:
      "What users may consent to, as CISA's MS.AAD.5.2v1 reads it: 'disabled' (no user consent policy), 'lowRiskPermissionsOnly' (only managePermissionGrantsForSelf.microsoft-user-default-low, and no delegated permission classified low is on ScubaGear's risky list), 'riskyPermissionsClassifiedLow' (that policy, with a risky permission classified low), 'microsoftManaged' (microsoft-user-default-recommended) or 'otherPolicies' (legacy, custom or several policies).",
  },
  'microsoft365.entra.risky_low_classified_permissions': {
    resource: 'tenant',
    description:
      "Sorted 'resource: permission' names of delegated permissions classified low (servicePrincipals/{id}/delegatedPermissionClassifications) that ScubaGear's RiskyAppPermissions.json lists; read only while users may consent to low-classified permissions.",
  },
  'microsoft365.entra.owner_consent_policies': {
    resource: 'tenant',
    description:
      'Sorted managePermissionGrantsForOwnedResource.* policies (prefix matched without case) assigned to the default user role (consent by owners of teams, chats and groups).',
  },
  'microsoft365.entra.users_can_register_apps': {
    resource: 'tenant',
    description: 'Whether non-admin users may register applications (defaultUserRolePermissions.allowedToCreateApps).',
  },
  'microsoft365.entra.admin_consent_workflow': {
    resource: 'tenant',
    description:
      "Admin consent request workflow (adminConsentRequestPolicy): 'enabled' (isEnabled with at least one reviewer), 'enabledWithoutReviewers' or 'disabled'.",
  },
  'microsoft365.entra.app_management.password_addition': {
    resource: 'tenant',
    description:
      "Whether the default app management policy blocks adding passwords (client secrets) to apps: 'blocked' (policy enabled, passwordAddition restriction enabled for applications and service principals, for apps created at any time), 'blockedForNewAppsOnly' (enforced only for apps created after a date) or 'allowed'.",
  },
  'microsoft365.entra.app_management.password_lifetime': {
    resource: 'tenant',
    description:
      "Whether a password lifetime limit applies to every app (default app management policy): 'passwordsBlocked' (password addition is blocked, so no lifetime applies), 'allApps' (passwordLifetime enabled for applications and service principals, any creation date), 'newAppsOnly' or 'notRestricted'.",
  },
  'microsoft365.entra.app_management.password_max_lifetime_days': {
    resource: 'tenant',
    description:
      'Largest passwordLifetime maxLifetime, in days, of the applications and service principal restrictions (0 when password addition is blocked); absent when no lifetime restriction applies to every app.',
  },
  'microsoft365.entra.app_management.certificate_lifetime': {
    resource: 'tenant',
    description:
      "Whether a certificate lifetime limit (asymmetricKeyLifetime) applies to every app: 'allApps', 'newAppsOnly' or 'notRestricted'.",
  },
  'microsoft365.entra.app_management.certificate_max_lifetime_days': {
    resource: 'tenant',
    description:
      'Largest asymmetricKeyLifetime maxLifetime, in days, of the applications and service principal restrictions; absent when no certificate lifetime restriction applies to every app.',
  },
  'microsoft365.crosstenant.b2b_collaboration_inbound_users': {
    resource: 'tenant',
    description: "Default cross-tenant access: users of other tenants invited as B2B guests, 'allowed' or 'blocked'.",
  },
  'microsoft365.crosstenant.b2b_collaboration_inbound_applications': {
    resource: 'tenant',
    description: "Default cross-tenant access: applications B2B guests may reach, 'allowed' or 'blocked'.",
  },
  'microsoft365.crosstenant.b2b_collaboration_outbound_users': {
    resource: 'tenant',
    description: "Default cross-tenant access: our users as B2B guests elsewhere, 'allowed' or 'blocked'.",
  },
  'microsoft365.crosstenant.b2b_collaboration_outbound_applications': {
    resource: 'tenant',
    description: "Default cross-tenant access: external applications our users may reach as guests, 'allowed' or 'blocked'.",
  },
  'microsoft365.crosstenant.b2b_direct_connect_inbound_users': {
    resource: 'tenant',
    description: "Default cross-tenant access: B2B direct connect (Teams shared channels) users from other tenants, 'allowed' or 'blocked'.",
  },
  'microsoft365.crosstenant.b2b_direct_connect_inbound_applications': {
    resource: 'tenant',
    description: "Default cross-tenant access: applications reachable over B2B direct connect from other tenants, 'allowed' or 'blocked'.",
  },
  'microsoft365.crosstenant.b2b_direct_connect_outbound_users': {
    resource: 'tenant',
    description: "Default cross-tenant access: our users over B2B direct connect to other tenants, 'allowed' or 'blocked'.",
  },
  'microsoft365.crosstenant.b2b_direct_connect_outbound_applications': {
    resource: 'tenant',
    description: "Default cross-tenant access: external applications reachable over B2B direct connect, 'allowed' or 'blocked'.",
  },
} as const satisfies Record<string, { resource: string; description: string }>;

export type M365SettingKey = keyof typeof M365_SETTINGS_CATALOG;

/** Built-in guest role ids of Microsoft Entra ID (authorizationPolicy.guestUserRoleId). */
export const GUEST_ROLES: Record<string, string> = {
  'a0b1b346-4d3e-4e8b-98f8-753987be4970': 'member',
  '10dae51f-b6af-4016-8d66-8c2a99b929b3': 'limited',
  '2af84b1e-32c8-42b7-82bc-daa82404023b': 'restricted',
};

/*
 * Residency regions. Tollgate reports one vocabulary for the organization's country and for
 * Multi-Geo location codes, so a baseline's allowedRegions can say `EU` once:
 * - `EU` for the member states of the EU and the EFTA countries (the scope of Microsoft's EU Data
 *   Boundary), and for the Multi-Geo locations in them (EUR, FRA, DEU, ITA, POL, SWE, ESP, NOR, CHE...);
 * - `US` for the United States and the NAM (North America) location;
 * - otherwise the ISO 3166 alpha-2 country code (`GB`, `CA`, `JP`, ...), and `APAC` for APC.
 * The provider's own code stays visible in the resource key (`users:EUR`, `site:<id>`), and an
 * unknown Multi-Geo code is passed through unchanged, so it fails an allow-list instead of passing it.
 */
const EU_AND_EFTA = new Set([
  'AT', 'BE', 'BG', 'HR', 'CY', 'CZ', 'DK', 'EE', 'FI', 'FR', 'DE', 'GR', 'HU', 'IE', 'IT', 'LV', 'LT', 'LU', 'MT', 'NL',
  'PL', 'PT', 'RO', 'SK', 'SI', 'ES', 'SE', 'IS', 'LI', 'NO', 'CH',
]);

const GEO_REGIONS: Record<string, string> = {
  EUR: 'EU',
  FRA: 'EU',
  DEU: 'EU',
  ITA: 'EU',
  POL: 'EU',
  SWE: 'EU',
  ESP: 'EU',
  AUT: 'EU',
  DNK: 'EU',
  NOR: 'EU',
  CHE: 'EU',
  NAM: 'US',
  USA: 'US',
  APC: 'APAC',
  AUS: 'AU',
  BRA: 'BR',
  CAN: 'CA',
  GBR: 'GB',
  IND: 'IN',
  ISR: 'IL',
  JPN: 'JP',
  KOR: 'KR',
  MEX: 'MX',
  NZL: 'NZ',
  QAT: 'QA',
  ARE: 'AE',
  ZAF: 'ZA',
};

export function regionOfCountry(countryLetterCode: string): string {
  const code = countryLetterCode.trim().toUpperCase();
  if (EU_AND_EFTA.has(code)) return 'EU';
  return code;
}

export function regionOfDataLocation(dataLocationCode: string): string {
  const code = dataLocationCode.trim().toUpperCase();
  return GEO_REGIONS[code] ?? code;
}
