import { GapLog, mapLimit, ProviderError, readOptional, type GapTarget } from '@tollgate/connector-sdk';
import {
  adminConsentRequestPolicySchema,
  appRoleAssignmentSchema,
  authorizationPolicySchema,
  crossTenantDefaultSchema,
  delegatedGrantSchema,
  organizationSchema,
  servicePrincipalSchema,
  sharepointSettingsSchema,
  siteSchema,
  tenantAppManagementPolicySchema,
  userLocationSchema,
  type GraphAppRoleAssignment,
  type GraphServicePrincipal,
} from './m365-api.schemas';
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
  adminConsent: { area: 'sharing', what: 'microsoft365.entra.admin_consent_workflow' },
  appManagement: { area: 'sharing', what: 'microsoft365.entra.app_management' },
  servicePrincipals: { area: 'oauth', what: 'servicePrincipals' },
  delegatedGrants: { area: 'oauth', what: 'oauth2PermissionGrants' },
  appRoleAssignments: { area: 'oauth', what: 'servicePrincipals/{id}/appRoleAssignments' },
  users: { area: 'residency', what: 'users.preferredDataLocation' },
  sites: { area: 'residency', what: 'sites.getAllSites.siteCollection.dataLocationCode' },
} as const satisfies Record<string, GapTarget>;

/**
 * Runs an optional read: a 403 (the app lacks that permission, or the tenant lacks the feature)
 * leaves its dataset unknown and the poll goes on. Anything else still fails the poll.
 */
const isForbidden = (err: unknown): err is ProviderError => isGraphRefusal(err) && err.details.status === 403;
const readable = <T>(gaps: GapLog, feeds: GapTarget, read: () => Promise<T>) => readOptional(gaps, feeds, isForbidden, read);

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

  const [
    sharepointSettings,
    authorizationPolicy,
    crossTenantDefault,
    adminConsentRequestPolicy,
    appManagementPolicy,
    servicePrincipals,
    delegatedGrants,
    users,
    sites,
  ] = await Promise.all([
      sharepointAvailable
        ? readable(gaps, FEEDS.sharepoint, () =>
            client.getObject('sharepointSettings.get', '/admin/sharepoint/settings', sharepointSettingsSchema, { wrapped: true }),
          )
        : Promise.resolve(undefined),
      readable(gaps, FEEDS.authorizationPolicy, () =>
        client.getObject('authorizationPolicy.get', '/policies/authorizationPolicy', authorizationPolicySchema),
      ),
      readable(gaps, FEEDS.crossTenant, () =>
        client.getObject('crossTenantAccessPolicy.default.get', '/policies/crossTenantAccessPolicy/default', crossTenantDefaultSchema),
      ),
      readable(gaps, FEEDS.adminConsent, () =>
        client.getObject('adminConsentRequestPolicy.get', '/policies/adminConsentRequestPolicy', adminConsentRequestPolicySchema, {
          params: { $select: 'isEnabled,reviewers' },
        }),
      ),
      readable(gaps, FEEDS.appManagement, () =>
        client.getObject('defaultAppManagementPolicy.get', '/policies/defaultAppManagementPolicy', tenantAppManagementPolicySchema),
      ),
      readable(gaps, FEEDS.servicePrincipals, () =>
        client.list('servicePrincipals.list', '/servicePrincipals', servicePrincipalSchema, {
          $select: 'id,appId,displayName,appRoles',
          $top: TOP,
        }),
      ),
      readable(gaps, FEEDS.delegatedGrants, () =>
        client.list('oauth2PermissionGrants.list', '/oauth2PermissionGrants', delegatedGrantSchema, {
          $select: 'id,clientId,consentType,principalId,resourceId,scope',
          $top: TOP,
        }),
      ),
      readable(gaps, FEEDS.users, () =>
        client.list('users.list', '/users', userLocationSchema, { $select: 'id,preferredDataLocation', $top: TOP }),
      ),
      // v1.0 has no Multi-Geo flag: a site collection's dataLocationCode, present only in Multi-Geo
      // tenants, is the signal. getAllSites lists the site collections of every geography in one
      // listing (server-driven pages, no per-site calls); its page documents no $top.
      readable(gaps, FEEDS.sites, () =>
        client.list('sites.getAllSites', '/sites/getAllSites', siteSchema, { $select: 'id,siteCollection' }),
      ),
    ]);

  if (!servicePrincipals) {
    // Without the app list neither application permissions nor app names can be read.
    gaps.add(FEEDS.appRoleAssignments, 'the service principal listing was refused, so application permissions are unread');
  }
  const appRoleAssignments = servicePrincipals ? await fetchAppRoleAssignments(client, servicePrincipals, gaps) : undefined;

  return {
    organization,
    sharepointSettings,
    authorizationPolicy,
    crossTenantDefault,
    adminConsentRequestPolicy,
    appManagementPolicy,
    servicePrincipals,
    delegatedGrants,
    appRoleAssignments,
    users,
    sites,
    gaps: gaps.gaps,
  };
}
