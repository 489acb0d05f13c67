import { z } from 'zod';

/**
 * The parts of Graph's answers the connector relies on. Only fields that are read are checked;
 * everything else may change without breaking a poll. A field that is read and has the wrong type
 * is a `schema` failure, never a guess; a field Graph leaves out (or sends as null) is simply not
 * observed.
 */

const text = z.string().nullish();
const flag = z.boolean().nullish();
const stringList = z.array(z.string()).nullish();

export const tokenResponseSchema = z.looseObject({
  access_token: z.string().min(1),
  // The v2 endpoint sends a number; older proxies and v1 sent a numeric string.
  expires_in: z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]),
});

/** One page of a Graph collection; `@odata.nextLink` is absent on the last page. */
export function collectionSchema<S extends z.ZodType>(item: S) {
  return z.looseObject({ value: z.array(item), '@odata.nextLink': z.string().min(1).nullish() });
}

export const organizationSchema = z.looseObject({
  id: z.string().min(1),
  displayName: text,
  countryLetterCode: text,
  verifiedDomains: z.array(z.looseObject({ name: z.string(), isDefault: flag })).nullish(),
});
export type GraphOrganization = z.output<typeof organizationSchema>;

export const sharepointSettingsSchema = z.looseObject({
  sharingCapability: text,
  sharingDomainRestrictionMode: text,
  sharingAllowedDomainList: stringList,
  sharingBlockedDomainList: stringList,
  isResharingByExternalUsersEnabled: flag,
});
export type GraphSharepointSettings = z.output<typeof sharepointSettingsSchema>;

export const authorizationPolicySchema = z.looseObject({
  allowInvitesFrom: text,
  guestUserRoleId: text,
  defaultUserRolePermissions: z
    .looseObject({ allowedToCreateApps: flag, permissionGrantPoliciesAssigned: stringList })
    .nullish(),
});
export type GraphAuthorizationPolicy = z.output<typeof authorizationPolicySchema>;

const accessType = z.looseObject({ accessType: text }).nullish();
const accessSetting = z.looseObject({ usersAndGroups: accessType, applications: accessType }).nullish();

export const crossTenantDefaultSchema = z.looseObject({
  b2bCollaborationInbound: accessSetting,
  b2bCollaborationOutbound: accessSetting,
  b2bDirectConnectInbound: accessSetting,
  b2bDirectConnectOutbound: accessSetting,
});
export type GraphCrossTenantDefault = z.output<typeof crossTenantDefaultSchema>;

const targetedSetting = z
  .looseObject({ accessType: text, targets: z.array(z.looseObject({ target: text, targetType: text })).nullish() })
  .nullish();
const partnerSetting = z.looseObject({ usersAndGroups: targetedSetting, applications: targetedSetting }).nullish();

/**
 * One partner of `GET /policies/crossTenantAccessPolicy/partners` (crossTenantAccessPolicyConfigurationPartner):
 * "For any partner-specific property that is null, these settings inherit the behavior configured
 * in your default cross tenant access settings."
 */
export const crossTenantPartnerSchema = z.looseObject({
  tenantId: z.string().min(1),
  b2bCollaborationInbound: partnerSetting,
  b2bCollaborationOutbound: partnerSetting,
  b2bDirectConnectInbound: partnerSetting,
  b2bDirectConnectOutbound: partnerSetting,
});
export type GraphCrossTenantPartner = z.output<typeof crossTenantPartnerSchema>;

export const delegatedGrantSchema = z.looseObject({
  clientId: z.string().min(1),
  consentType: text,
  principalId: text,
  resourceId: text,
  scope: text,
});
export type GraphDelegatedGrant = z.output<typeof delegatedGrantSchema>;

export const servicePrincipalSchema = z.looseObject({
  id: z.string().min(1),
  appId: text,
  displayName: text,
  appRoles: z.array(z.looseObject({ id: z.string().min(1), value: text })).nullish(),
});
export type GraphServicePrincipal = z.output<typeof servicePrincipalSchema>;

export const appRoleAssignmentSchema = z.looseObject({
  principalId: text,
  resourceId: z.string().min(1),
  appRoleId: z.string().min(1),
});
export type GraphAppRoleAssignment = z.output<typeof appRoleAssignmentSchema>;

export const userLocationSchema = z.looseObject({ id: z.string().min(1), preferredDataLocation: text });
export type GraphUserLocation = z.output<typeof userLocationSchema>;

/**
 * A site from `sites/getAllSites`. `siteCollection.dataLocationCode` is "only present for multi-geo
 * tenants" (siteCollection resource), which makes it v1.0's Multi-Geo signal.
 */
export const siteSchema = z.looseObject({
  id: z.string().min(1),
  siteCollection: z.looseObject({ dataLocationCode: text }).nullish(),
});
export type GraphSite = z.output<typeof siteSchema>;

/** `GET /policies/adminConsentRequestPolicy`: whether users may ask for admin consent, and who reviews. */
export const adminConsentRequestPolicySchema = z.looseObject({
  isEnabled: flag,
  reviewers: z.array(z.looseObject({ query: text, queryType: text })).nullish(),
});
export type GraphAdminConsentRequestPolicy = z.output<typeof adminConsentRequestPolicySchema>;

/** passwordCredentialConfiguration / keyCredentialConfiguration (v1.0 CSDL). */
const credentialRestriction = z.looseObject({
  restrictionType: text,
  state: text,
  maxLifetime: text,
  restrictForAppsCreatedAfterDateTime: text,
});
const appManagementConfiguration = z
  .looseObject({ passwordCredentials: z.array(credentialRestriction).nullish(), keyCredentials: z.array(credentialRestriction).nullish() })
  .nullish();

/** `GET /policies/defaultAppManagementPolicy` (tenantAppManagementPolicy). */
export const tenantAppManagementPolicySchema = z.looseObject({
  isEnabled: flag,
  applicationRestrictions: appManagementConfiguration,
  servicePrincipalRestrictions: appManagementConfiguration,
});
export type GraphTenantAppManagementPolicy = z.output<typeof tenantAppManagementPolicySchema>;
export type GraphCredentialRestriction = z.output<typeof credentialRestriction>;

/**
 * `GET /servicePrincipals/{id}/delegatedPermissionClassifications` (delegatedPermissionClassification,
 * v1.0 CSDL): `classification` is `low`, `medium`, `high` or `unknownFutureValue`.
 */
export const delegatedPermissionClassificationSchema = z.looseObject({
  permissionId: z.string().min(1),
  permissionName: text,
  classification: text,
});
export type GraphDelegatedPermissionClassification = z.output<typeof delegatedPermissionClassificationSchema>;
