import { GapLog, mapLimit, ProviderError, readOptional, type GapTarget } from '@tollgate/connector-sdk';
import {
  adminConsentRequestPolicySchema,
  appRoleAssignmentSchema,
  authorizationPolicySchema,
  crossTenantDefaultSchema,
  crossTenantPartnerSchema,
  delegatedGrantSchema,
  delegatedPermissionClassificationSchema,
  organizationSchema,
  servicePrincipalSchema,
  sharepointSettingsSchema,
  siteSchema,
  tenantAppManagementPolicySchema,
  userLocationSchema,
  type GraphAppRoleAssignment,
  type GraphAuthorizationPolicy,
  type GraphDelegatedPermissionClassification,
  type GraphServicePrincipal,
} from './m365-api.schemas';
import { SCUBA_RISKY_DELEGATED_PERMISSIONS } from './scuba-risky-delegated-permissions';
import { isGraphRefusal, type GraphClient } from './graph.client';
import type { M365RawPosture } from './m365.normalizer';

/** Graph's largest page for these listings; fewer round trips, same data. */
const TOP = 999;
/** Service principals whose application permissions are read in parallel (the client caps the rest). */
const PER_APP_CONCURRENCY = 4;

/**
 * What each optional read feeds. A sharing gap names the dotted prefix of the settings it would
 * have produced, so the evaluator explains exactly which settings are unknown.
 */
const FEEDS = {
  sharepoint: { area: 'sharing', what: 'microsoft365.sharepoint' },
  authorizationPolicy: { area: 'sharing', what: 'microsoft365.entra' },
  crossTenant: { area: 'sharing', what: 'microsoft365.crosstenant' },
  crossTenantPartners: { area: 'sharing', what: 'microsoft365.crosstenant.partner' },
  adminConsent: { area: 'sharing', what: 'microsoft365.entra.admin_consent_workflow' },
  appManagement: { area: 'sharing', what: 'microsoft365.entra.app_management' },
  servicePrincipals: { area: 'oauth', what: 'servicePrincipals' },
  delegatedGrants: { area: 'oauth', what: 'oauth2PermissionGrants' },
  appRoleAssignments: { area: 'oauth', what: 'servicePrincipals/{id}/appRoleAssignments' },
  permissionClassifications: { area: 'sharing', what: 'microsoft365.entra.user_consent_scope' },
  users: { area: 'residency', what: 'users.preferredDataLocation' },
  sites: { area: 'residency', what: 'sites.getAllSites.siteCollection.dataLocationCode' },
} as const satisfies Record<string, GapTarget>;

/**
 * Runs an optional read: a 403 (the app lacks that permission, or the tenant lacks the feature)
 * leaves its dataset unknown and the poll goes on. Anything else still fails the poll.
 */
const isForbidden = (err: unknown): err is ProviderError => isGraphRefusal(err) && err.details.status === 403;
const readable = <T>(gaps: GapLog, feeds: GapTarget, read: () => Promise<T>) => readOptional(gaps, feeds, isForbidden, read);

/** Posture fields read side by side, each as the read that fills it (a misspelt key does not compile). */
type PostureReads = { [K in keyof M365RawPosture]?: Promise<M365RawPosture[K]> };

/**
 * Awaits every read of an object of reads started together, like Promise.all (the first failure
 * fails it), and answers the same keys with their results.
 */
async function allOf<T extends Record<string, Promise<unknown>>>(reads: T): Promise<{ [K in keyof T]: Awaited<T[K]> }> {
  const results = await Promise.all(Object.values(reads));
  return Object.fromEntries(Object.keys(reads).map((key, i) => [key, results[i]])) as { [K in keyof T]: Awaited<T[K]> };
}

/**
 * Required: without the organization there is no tenant to report on, so a refusal fails the poll
 * as auth. Only properties the v1.0 `organization` entity declares are selected (Multi-Geo's
 * `isMultipleDataLocationsForServicesEnabled` is beta-only: v1.0 refuses it).
 */
async function fetchOrganization(client: GraphClient) {
  try {
    const orgs = await client.list('organization.list', '/organization', organizationSchema, {
      $select: 'id,displayName,countryLetterCode,verifiedDomains',
    });
    if (orgs.length !== 1) {
      throw new ProviderError('schema', `microsoft365 organization.list: expected one organization, got ${orgs.length}`, {
        retryable: false,
      });
    }
    return orgs[0];
  } catch (err) {
    if (!isGraphRefusal(err)) throw err;
    throw new ProviderError('auth', `${err.message} (the app needs Directory.Read.All)`, { ...err.details, retryable: false });
  }
}

/**
 * Application permissions of every service principal. A principal deleted between the listing and
 * its read (404) simply holds nothing any more.
 */
async function fetchAppRoleAssignments(
  client: GraphClient,
  servicePrincipals: GraphServicePrincipal[],
  gaps: GapLog,
): Promise<Record<string, GraphAppRoleAssignment[]> | undefined> {
  let refused = false;
  const parts = await mapLimit(servicePrincipals, PER_APP_CONCURRENCY, async (sp) => {
    try {
      return await client.list(
        'servicePrincipals.appRoleAssignments.list',
        `/servicePrincipals/${encodeURIComponent(sp.id)}/appRoleAssignments`,
        appRoleAssignmentSchema,
        { $select: 'id,principalId,resourceId,appRoleId', $top: TOP },
      );
    } catch (err) {
      if (!isGraphRefusal(err)) throw err;
      if (err.details.status === 403) {
        refused = true;
        gaps.add(FEEDS.appRoleAssignments, err.message);
      }
      return [];
    }
  });
  if (refused && parts.every((p) => p.length === 0)) return undefined;
  const byHolder: Record<string, GraphAppRoleAssignment[]> = {};
  servicePrincipals.forEach((sp, i) => {
    if (parts[i].length > 0) byHolder[sp.id] = parts[i];
  });
  return byHolder;
}

/** The consent policy CISA accepts for users (MS.AAD.5.2v1), as assigned to the default user role. */
export const LOW_RISK_CONSENT_POLICY = 'managepermissiongrantsforself.microsoft-user-default-low';

/**
 * Permission classifications of the resources on ScubaGear's risky list, by the resource's service
 * principal object id. Read only when users may consent to low-classified permissions
 * (microsoft-user-default-low): that is the only decision they change, so a locked-down tenant
 * costs no request, and any other costs one per such resource present (at most seven). A refusal
 * leaves them unknown (a gap); a resource deleted meanwhile (404) classifies nothing.
 */
async function fetchPermissionClassifications(
  client: GraphClient,
  policy: GraphAuthorizationPolicy | undefined,
  servicePrincipals: GraphServicePrincipal[] | undefined,
  gaps: GapLog,
): Promise<Record<string, GraphDelegatedPermissionClassification[]> | undefined> {
  const assigned = policy?.defaultUserRolePermissions?.permissionGrantPoliciesAssigned ?? [];
  if (!assigned.some((id) => id.toLowerCase() === LOW_RISK_CONSENT_POLICY)) return undefined;
  if (!servicePrincipals) {
    gaps.add(FEEDS.permissionClassifications, 'the service principal listing was refused, so permission classifications are unread');
    return undefined;
  }
  const resources = servicePrincipals.filter((sp) => sp.appId && sp.appId.toLowerCase() in SCUBA_RISKY_DELEGATED_PERMISSIONS);
  let refused = false;
  const parts = await mapLimit(resources, PER_APP_CONCURRENCY, async (sp) => {
    try {
      return await client.list(
        'servicePrincipals.delegatedPermissionClassifications.list',
        `/servicePrincipals/${encodeURIComponent(sp.id)}/delegatedPermissionClassifications`,
        delegatedPermissionClassificationSchema,
        { $select: 'id,permissionId,permissionName,classification' },
      );
    } catch (err) {
      if (!isGraphRefusal(err)) throw err;
      if (err.details.status === 403) refused = true;
      return [];
    }
  });
  if (refused) {
    gaps.add(FEEDS.permissionClassifications, 'delegatedPermissionClassifications were refused (the app needs Application.Read.All)');
    return undefined;
  }
  return Object.fromEntries(resources.map((sp, i) => [sp.id, parts[i]]));
}

export interface M365FetchOptions {
  /**
   * Whether the cloud serves `GET /admin/sharepoint/settings`: its reference page lists the global
   * service and US Government L4/L5, not China operated by 21Vianet.
   */
  sharepointSettingsAvailable?: boolean;
}

/** Reads everything the Microsoft 365 connector reports. Only the organization and poll-ending faults throw. */
export async function fetchM365Posture(client: GraphClient, options: M365FetchOptions = {}): Promise<M365RawPosture> {
  const organization = await fetchOrganization(client);
  const gaps = new GapLog();
  const sharepointAvailable = options.sharepointSettingsAvailable ?? true;
  if (!sharepointAvailable) {
    gaps.add(FEEDS.sharepoint, 'Microsoft Graph does not offer the SharePoint tenant settings in this national cloud');
  }

  // Started together, awaited together; each key is the posture field its read fills.
  const reads = await allOf({
    sharepointSettings: sharepointAvailable
      ? readable(gaps, FEEDS.sharepoint, () =>
          client.getObject('sharepointSettings.get', '/admin/sharepoint/settings', sharepointSettingsSchema, { wrapped: true }),
        )
      : Promise.resolve(undefined),
    authorizationPolicy: readable(gaps, FEEDS.authorizationPolicy, () =>
      client.getObject('authorizationPolicy.get', '/policies/authorizationPolicy', authorizationPolicySchema),
    ),
    crossTenantDefault: readable(gaps, FEEDS.crossTenant, () =>
      client.getObject('crossTenantAccessPolicy.default.get', '/policies/crossTenantAccessPolicy/default', crossTenantDefaultSchema),
    ),
    // crosstenantaccesspolicy-list-partners documents $select and $expand; only what is read is selected.
    crossTenantPartners: readable(gaps, FEEDS.crossTenantPartners, () =>
      client.list('crossTenantAccessPolicy.partners.list', '/policies/crossTenantAccessPolicy/partners', crossTenantPartnerSchema, {
        $select: 'tenantId,b2bCollaborationInbound,b2bCollaborationOutbound,b2bDirectConnectInbound,b2bDirectConnectOutbound',
      }),
    ),
    adminConsentRequestPolicy: readable(gaps, FEEDS.adminConsent, () =>
      client.getObject('adminConsentRequestPolicy.get', '/policies/adminConsentRequestPolicy', adminConsentRequestPolicySchema, {
        params: { $select: 'isEnabled,reviewers' },
      }),
    ),
    appManagementPolicy: readable(gaps, FEEDS.appManagement, () =>
      client.getObject('defaultAppManagementPolicy.get', '/policies/defaultAppManagementPolicy', tenantAppManagementPolicySchema),
    ),
    servicePrincipals: readable(gaps, FEEDS.servicePrincipals, () =>
      client.list('servicePrincipals.list', '/servicePrincipals', servicePrincipalSchema, {
        $select: 'id,appId,displayName,appRoles',
        $top: TOP,
      }),
    ),
    delegatedGrants: readable(gaps, FEEDS.delegatedGrants, () =>
      client.list('oauth2PermissionGrants.list', '/oauth2PermissionGrants', delegatedGrantSchema, {
        $select: 'id,clientId,consentType,principalId,resourceId,scope',
        $top: TOP,
      }),
    ),
    users: readable(gaps, FEEDS.users, () =>
      client.list('users.list', '/users', userLocationSchema, { $select: 'id,preferredDataLocation', $top: TOP }),
    ),
    // v1.0 has no Multi-Geo flag: a site collection's dataLocationCode, present only in Multi-Geo
    // tenants, is the signal. getAllSites lists the site collections of every geography in one
    // listing (server-driven pages, no per-site calls); its page documents no $top.
    sites: readable(gaps, FEEDS.sites, () =>
      client.list('sites.getAllSites', '/sites/getAllSites', siteSchema, { $select: 'id,siteCollection' }),
    ),
  } satisfies PostureReads);

  const { servicePrincipals, authorizationPolicy } = reads;
  if (!servicePrincipals) {
    // Without the app list neither application permissions nor app names can be read.
    gaps.add(FEEDS.appRoleAssignments, 'the service principal listing was refused, so application permissions are unread');
  }
  const appRoleAssignments = servicePrincipals ? await fetchAppRoleAssignments(client, servicePrincipals, gaps) : undefined;
  const permissionClassifications = await fetchPermissionClassifications(client, authorizationPolicy, servicePrincipals, gaps);

  return { organization, ...reads, appRoleAssignments, permissionClassifications, gaps: gaps.gaps };
}
