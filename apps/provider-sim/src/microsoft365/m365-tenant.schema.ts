import { z } from 'zod';

/**
 * The JSON a Microsoft 365 tenant is created from (`PUT /_sim/microsoft365/tenants/:tenantId`).
 * Objects Graph returns keep Graph's own wire shape (camelCase, loose, so a scenario can add any real
 * property and see it come back). Fields that only steer the simulator are documented as such and
 * never sent.
 */

const guid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'must be a GUID');

export const SHARING_CAPABILITIES = [
  'disabled',
  'externalUserSharingOnly',
  'externalUserAndGuestSharing',
  'existingExternalUserSharingOnly',
] as const;
export const DOMAIN_RESTRICTION_MODES = ['none', 'allowList', 'blockList'] as const;
export const INVITE_SETTINGS = [
  'none',
  'adminsAndGuestInviters',
  'adminsGuestInvitersAndAllMembers',
  'everyone',
] as const;
const accessType = z.enum(['allowed', 'blocked']);

export const m365OrganizationSchema = z.looseObject({
  id: guid,
  displayName: z.string(),
  countryLetterCode: z.string().nullable(),
  verifiedDomains: z
    .array(z.looseObject({ name: z.string(), isDefault: z.boolean(), isInitial: z.boolean(), type: z.string() }))
    .default([]),
});

export const m365SharepointSettingsSchema = z.looseObject({
  sharingCapability: z.enum(SHARING_CAPABILITIES),
  sharingDomainRestrictionMode: z.enum(DOMAIN_RESTRICTION_MODES),
  sharingAllowedDomainList: z.array(z.string()).default([]),
  sharingBlockedDomainList: z.array(z.string()).default([]),
  isResharingByExternalUsersEnabled: z.boolean(),
});
export const m365SharepointSettingsPatchSchema = z.strictObject(m365SharepointSettingsSchema.partial().shape);

const defaultUserRolePermissions = z.looseObject({
  allowedToCreateApps: z.boolean(),
  allowedToCreateSecurityGroups: z.boolean().default(false),
  allowedToReadOtherUsers: z.boolean().default(true),
  permissionGrantPoliciesAssigned: z.array(z.string()).default([]),
});

export const m365AuthorizationPolicySchema = z.looseObject({
  id: z.string().default('authorizationPolicy'),
  displayName: z.string().default('Authorization Policy'),
  allowInvitesFrom: z.enum(INVITE_SETTINGS),
  guestUserRoleId: guid,
  allowEmailVerifiedUsersToJoinOrganization: z.boolean().default(false),
  blockMsolPowerShell: z.boolean().default(true),
  defaultUserRolePermissions,
});
export const m365AuthorizationPolicyPatchSchema = z.strictObject({
  allowInvitesFrom: z.enum(INVITE_SETTINGS).optional(),
  guestUserRoleId: guid.optional(),
  defaultUserRolePermissions: z.strictObject(defaultUserRolePermissions.partial().shape).optional(),
});

const accessSetting = z.looseObject({
  usersAndGroups: z.looseObject({
    accessType,
    targets: z.array(z.looseObject({ target: z.string(), targetType: z.string() })).default([]),
  }),
  applications: z.looseObject({
    accessType,
    targets: z.array(z.looseObject({ target: z.string(), targetType: z.string() })).default([]),
  }),
});

/** A partner's B2B setting: null inherits the default (crossTenantAccessPolicyConfigurationPartner). */
const partnerAccessSetting = accessSetting.nullable().default(null);

/** crossTenantAccessPolicyConfigurationPartner (v1.0), keyed by `tenantId`. */
export const m365CrossTenantPartnerSchema = z.looseObject({
  tenantId: guid,
  isServiceProvider: z.boolean().nullable().default(null),
  isInMultiTenantOrganization: z.boolean().default(false),
  inboundTrust: z.looseObject({}).nullable().default(null),
  b2bCollaborationInbound: partnerAccessSetting,
  b2bCollaborationOutbound: partnerAccessSetting,
  b2bDirectConnectInbound: partnerAccessSetting,
  b2bDirectConnectOutbound: partnerAccessSetting,
});

/** adminConsentRequestPolicy (v1.0); Microsoft's default is a disabled workflow without reviewers. */
export const m365AdminConsentRequestPolicySchema = z.looseObject({
  id: z.string().default('adminConsentRequestPolicy'),
  isEnabled: z.boolean(),
  notifyReviewers: z.boolean().default(false),
  remindersEnabled: z.boolean().default(false),
  requestDurationInDays: z.number().int().default(30),
  reviewers: z
    .array(z.looseObject({ query: z.string(), queryType: z.string().default('MicrosoftGraph'), queryRoot: z.string().nullable().default(null) }))
    .default([]),
  version: z.number().int().default(0),
});

/** passwordCredentialConfiguration / keyCredentialConfiguration (v1.0 CSDL). */
const credentialRestriction = z.looseObject({
  restrictionType: z.string(),
  state: z.enum(['enabled', 'disabled', 'unknownFutureValue']).default('enabled'),
  maxLifetime: z.string().nullable().default(null),
  restrictForAppsCreatedAfterDateTime: z.string().nullable().default(null),
});
const appManagementConfiguration = z.looseObject({
  passwordCredentials: z.array(credentialRestriction).default([]),
  keyCredentials: z.array(credentialRestriction).default([]),
});

/** tenantAppManagementPolicy (`policies/defaultAppManagementPolicy`); the default is disabled and empty. */
export const m365AppManagementPolicySchema = z.looseObject({
  id: z.string().default('00000000-0000-0000-0000-000000000000'),
  displayName: z.string().default('Default app management tenant policy'),
  isEnabled: z.boolean(),
  applicationRestrictions: appManagementConfiguration.prefault({}),
  servicePrincipalRestrictions: appManagementConfiguration.prefault({}),
});

export const m365CrossTenantDefaultSchema = z.looseObject({
  isServiceDefault: z.boolean().default(false),
  b2bCollaborationInbound: accessSetting,
  b2bCollaborationOutbound: accessSetting,
  b2bDirectConnectInbound: accessSetting,
  b2bDirectConnectOutbound: accessSetting,
});

export const m365AppRoleSchema = z.looseObject({
  id: guid,
  value: z.string().nullable(),
  displayName: z.string().default(''),
  description: z.string().default(''),
  allowedMemberTypes: z.array(z.string()).default(['Application']),
  isEnabled: z.boolean().default(true),
});

/** delegatedPermissionClassification (v1.0): how an API's delegated permission is classified for user consent. */
export const m365PermissionClassificationSchema = z.strictObject({
  id: z.string().min(1),
  permissionId: guid,
  permissionName: z.string().min(1),
  classification: z.enum(['low', 'medium', 'high', 'unknownFutureValue']),
});

export const m365ServicePrincipalSchema = z.looseObject({
  id: guid,
  appId: guid,
  displayName: z.string(),
  servicePrincipalType: z.string().default('Application'),
  appOwnerOrganizationId: guid.nullable().default(null),
  accountEnabled: z.boolean().default(true),
  appRoles: z.array(m365AppRoleSchema).default([]),
  /** Served at `servicePrincipals/{id}/delegatedPermissionClassifications`, never in the entity itself (a navigation property). */
  delegatedPermissionClassifications: z.array(m365PermissionClassificationSchema).default([]),
});

export const m365DelegatedGrantSchema = z.looseObject({
  id: z.string().min(1).optional(),
  /** Object id of the client app's service principal. */
  clientId: guid,
  consentType: z.enum(['AllPrincipals', 'Principal']),
  principalId: guid.nullable().default(null),
  /** Object id of the resource's service principal; the Microsoft Graph one when absent. */
  resourceId: guid.optional(),
  scope: z.string(),
});

export const m365AppRoleAssignmentSchema = z.looseObject({
  id: z.string().min(1).optional(),
  /** Object id of the service principal that holds the permission. */
  principalId: guid,
  principalType: z.string().default('ServicePrincipal'),
  /** Object id of the resource's service principal; the Microsoft Graph one when absent. */
  resourceId: guid.optional(),
  appRoleId: guid.optional(),
  /** Simulator convenience: the permission value (`Files.Read.All`), resolved against the resource's appRoles. */
  permission: z.string().optional(),
  createdDateTime: z.string().default('2024-01-01T00:00:00Z'),
});

export const m365UserSchema = z.looseObject({
  id: guid,
  displayName: z.string().default(''),
  userPrincipalName: z.string().default(''),
  userType: z.enum(['Member', 'Guest']).default('Member'),
  preferredDataLocation: z.string().nullable().default(null),
});

export const m365SiteSchema = z.looseObject({
  id: z.string().min(1),
  name: z.string().default(''),
  displayName: z.string().default(''),
  webUrl: z.string().default(''),
  siteCollection: z.looseObject({ hostname: z.string(), dataLocationCode: z.string().optional() }),
});

export const m365RateLimitSettingsSchema = z.strictObject({
  enabled: z.boolean(),
  /** Graph requests allowed per window and tenant (token requests are not counted). */
  requests: z.number().int().positive().default(20),
  windowMs: z.number().int().positive().max(600_000).default(1_000),
  /** Whether 429 answers carry Retry-After; Graph usually does, not always. */
  retryAfter: z.boolean().default(true),
});

export const m365TenantSpecSchema = z.strictObject({
  /** Simulator metadata: the app registration Tollgate authenticates as. */
  clientId: guid,
  clientSecret: z.string().min(1),
  organization: m365OrganizationSchema,
  sharepointSettings: m365SharepointSettingsSchema,
  /** Answer the SharePoint settings as the reference page's example does: `{"value": {...}}`. */
  sharepointSettingsWrapped: z.boolean().default(false),
  authorizationPolicy: m365AuthorizationPolicySchema,
  crossTenantAccessDefault: m365CrossTenantDefaultSchema,
  /** Partner-specific configurations (`policies/crossTenantAccessPolicy/partners`); none by default. */
  crossTenantAccessPartners: z.array(m365CrossTenantPartnerSchema).default([]),
  adminConsentRequestPolicy: m365AdminConsentRequestPolicySchema.prefault({ isEnabled: false }),
  defaultAppManagementPolicy: m365AppManagementPolicySchema.prefault({ isEnabled: false }),
  /** Object id of the Microsoft Graph service principal (default resource of grants and assignments). */
  graphServicePrincipalId: guid,
  servicePrincipals: z.array(m365ServicePrincipalSchema).default([]),
  oauth2PermissionGrants: z.array(m365DelegatedGrantSchema).default([]),
  appRoleAssignments: z.array(m365AppRoleAssignmentSchema).default([]),
  users: z.array(m365UserSchema).default([]),
  sites: z.array(m365SiteSchema).default([]),
  /** Operations (see the handler) the app lacks permission for: they answer 403 Authorization_RequestDenied. */
  deniedOperations: z.array(z.string()).default([]),
  /** Largest page any listing returns, whatever `$top` asks; small values exercise paging. */
  pageSize: z.number().int().positive().max(999).default(100),
  tokenLifetimeSeconds: z.number().int().positive().max(86_400).default(3599),
  rateLimits: m365RateLimitSettingsSchema.default({ enabled: false, requests: 20, windowMs: 1_000, retryAfter: true }),
});

export type M365TenantSpec = z.input<typeof m365TenantSpecSchema>;
export type M365TenantData = z.output<typeof m365TenantSpecSchema>;
export type M365ServicePrincipal = z.output<typeof m365ServicePrincipalSchema>;
export type M365DelegatedGrantInput = z.input<typeof m365DelegatedGrantSchema>;
export type M365AppRoleAssignmentInput = z.input<typeof m365AppRoleAssignmentSchema>;
export type M365RateLimitSettings = z.output<typeof m365RateLimitSettingsSchema>;
/** A delegated grant as Graph lists it. */
export interface M365DelegatedGrant {
  id: string;
  clientId: string;
  consentType: 'AllPrincipals' | 'Principal';
  principalId: string | null;
  resourceId: string;
  scope: string;
  [key: string]: unknown;
}
/** An application permission as Graph lists it. */
export interface M365AppRoleAssignment {
  id: string;
  principalId: string;
  principalType: string;
  principalDisplayName: string;
  resourceId: string;
  resourceDisplayName: string;
  appRoleId: string;
  createdDateTime: string;
  [key: string]: unknown;
}
