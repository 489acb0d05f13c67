import {
  byCodeUnit,
  sortedUnique,
  type JsonValue,
  type OAuthGrant,
  type PostureDocument,
  type PostureGap,
  type ResidencyObservation,
  type SettingObservation,
} from '@tollgate/connector-sdk';
import type {
  GraphAdminConsentRequestPolicy,
  GraphAppRoleAssignment,
  GraphAuthorizationPolicy,
  GraphCredentialRestriction,
  GraphCrossTenantDefault,
  GraphCrossTenantPartner,
  GraphDelegatedGrant,
  GraphDelegatedPermissionClassification,
  GraphOrganization,
  GraphServicePrincipal,
  GraphSharepointSettings,
  GraphSite,
  GraphTenantAppManagementPolicy,
  GraphUserLocation,
} from './m365-api.schemas';
import { GUEST_ROLES, regionOfCountry, regionOfDataLocation, type M365SettingKey } from './m365.catalog';
import { SCUBA_RISKY_DELEGATED_PERMISSIONS } from './scuba-risky-delegated-permissions';

/** What the fetchers read. An absent dataset could not be read; a gap says why. */
export interface M365RawPosture {
  organization: GraphOrganization;
  sharepointSettings?: GraphSharepointSettings;
  authorizationPolicy?: GraphAuthorizationPolicy;
  crossTenantDefault?: GraphCrossTenantDefault;
  /** Partner-specific cross-tenant configurations (`policies/crossTenantAccessPolicy/partners`). */
  crossTenantPartners?: GraphCrossTenantPartner[];
  adminConsentRequestPolicy?: GraphAdminConsentRequestPolicy;
  appManagementPolicy?: GraphTenantAppManagementPolicy;
  servicePrincipals?: GraphServicePrincipal[];
  delegatedGrants?: GraphDelegatedGrant[];
  /** Application permissions, by the object id of the service principal holding them. */
  appRoleAssignments?: Record<string, GraphAppRoleAssignment[]>;
  /**
   * Delegated permission classifications of the resources on ScubaGear's risky list, by the
   * object id of the resource's service principal; read only when users may consent to
   * low-classified permissions.
   */
  permissionClassifications?: Record<string, GraphDelegatedPermissionClassification[]>;
  users?: GraphUserLocation[];
  /** Site collections of every geography (`sites/getAllSites`). */
  sites?: GraphSite[];
  gaps: PostureGap[];
}

/** Microsoft's "default access" app role: an assignment that grants no particular permission. */
const DEFAULT_ACCESS_ROLE = '00000000-0000-0000-0000-000000000000';

class SettingsBuilder {
  readonly settings: SettingObservation[] = [];
  constructor(private readonly gaps: PostureGap[]) {}

  /** Graph leaving a field out (or null) is recorded as a gap naming the key, never guessed. */
  add(key: M365SettingKey, value: JsonValue | undefined, source: string): void {
    if (value === undefined || value === null) {
      this.gaps.push({ area: 'sharing', what: key, reason: `Microsoft Graph returned no ${source}` });
      return;
    }
    this.settings.push({ key, resourceKey: 'tenant', value, source: 'observed' });
  }
}

function domains(list: string[] | null | undefined): string[] | undefined {
  return list ? sortedUnique(list.map((d) => d.trim().toLowerCase()).filter((d) => d.length > 0)) : undefined;
}

function normalizeSharepoint(s: GraphSharepointSettings, out: SettingsBuilder): void {
  out.add('microsoft365.sharepoint.sharing_capability', s.sharingCapability, 'sharingCapability');
  out.add('microsoft365.sharepoint.domain_restriction_mode', s.sharingDomainRestrictionMode, 'sharingDomainRestrictionMode');
  out.add('microsoft365.sharepoint.allowed_domains', domains(s.sharingAllowedDomainList), 'sharingAllowedDomainList');
  out.add('microsoft365.sharepoint.blocked_domains', domains(s.sharingBlockedDomainList), 'sharingBlockedDomainList');
  // MS.SHAREPOINT.1.3v1 is not applicable when nothing is shared outside (ScubaGear passes it).
  const restriction = s.sharingCapability === 'disabled' ? 'sharingDisabled' : s.sharingDomainRestrictionMode;
  out.add('microsoft365.sharepoint.external_domain_restriction', restriction, 'sharingDomainRestrictionMode');
  out.add(
    'microsoft365.sharepoint.resharing_by_external_users',
    s.isResharingByExternalUsersEnabled,
    'isResharingByExternalUsersEnabled',
  );
}

const OWNER_CONSENT_PREFIX = 'managepermissiongrantsforownedresource.';

/**
 * Splits the assigned permission grant policies into user consent and owner consent. The
 * defaultUserRolePermissions reference writes the prefix `managePermissionGrantsForSelf.`, while
 * tenants are commonly seen answering `ManagePermissionGrantsForSelf.`, so prefixes are compared
 * without case. Every id that is not
 * an owner consent policy counts as user consent, unprefixed ones included (the reference page's
 * own example answers `just-user-read`): an id we cannot place must fail M365.ENTRA.2, never pass it.
 */
function splitConsentPolicies(ids: string[] | null | undefined): { userConsent?: string[]; ownerConsent?: string[] } {
  if (!ids) return {};
  const isOwner = (id: string) => id.toLowerCase().startsWith(OWNER_CONSENT_PREFIX);
  return {
    userConsent: sortedUnique(ids.filter((id) => !isOwner(id))),
    ownerConsent: sortedUnique(ids.filter(isOwner)),
  };
}

const CONSENT_POLICY_PREFIX = 'managepermissiongrantsforself.';

/**
 * Low-classified delegated permissions that ScubaGear's list calls risky, as `resource: permission`
 * names, sorted. The resource is known by its service principal's application id; ids are
 * compared without case, as ScubaGear's PowerShell `-contains` does.
 */
function riskyLowClassified(
  classifications: Record<string, GraphDelegatedPermissionClassification[]>,
  servicePrincipals: GraphServicePrincipal[] | undefined,
): string[] {
  const appIdOf = new Map((servicePrincipals ?? []).map((sp) => [sp.id, sp.appId?.toLowerCase() ?? '']));
  const found: string[] = [];
  for (const [spId, list] of Object.entries(classifications)) {
    const risky = SCUBA_RISKY_DELEGATED_PERMISSIONS[appIdOf.get(spId) ?? ''];
    if (!risky) continue;
    for (const c of list) {
      const name = risky.permissions[c.permissionId.toLowerCase()];
      if (c.classification?.toLowerCase() === 'low' && name) found.push(`${risky.resource}: ${c.permissionName ?? name}`);
    }
  }
  return sortedUnique(found);
}

/**
 * What users may consent to, in CISA's terms (MS.AAD.5.2v1): `disabled` (no user consent policy),
 * `lowRiskPermissionsOnly` (only microsoft-user-default-low, and no permission classified low is
 * on ScubaGear's risky list), `riskyPermissionsClassifiedLow` (that policy, with some risky
 * permission classified low), `microsoftManaged` (microsoft-user-default-recommended) or
 * `otherPolicies` (anything else: legacy, custom, or several policies). Undefined when the
 * classifications the answer depends on were not read (the fetcher's gap says why).
 */
function userConsentScope(userConsent: string[], raw: M365RawPosture): string | undefined {
  const policies = userConsent.map((id) => id.toLowerCase());
  if (policies.length === 0) return 'disabled';
  if (policies.length === 1 && policies[0] === `${CONSENT_POLICY_PREFIX}microsoft-user-default-low`) {
    if (!raw.permissionClassifications) return undefined;
    return riskyLowClassified(raw.permissionClassifications, raw.servicePrincipals).length === 0
      ? 'lowRiskPermissionsOnly'
      : 'riskyPermissionsClassifiedLow';
  }
  if (policies.includes(`${CONSENT_POLICY_PREFIX}microsoft-user-default-recommended`)) return 'microsoftManaged';
  return 'otherPolicies';
}

function normalizeAuthorizationPolicy(raw: M365RawPosture, p: GraphAuthorizationPolicy, out: SettingsBuilder): void {
  out.add('microsoft365.entra.allow_invites_from', p.allowInvitesFrom, 'allowInvitesFrom');
  const roleId = p.guestUserRoleId?.trim().toLowerCase();
  out.add('microsoft365.entra.guest_user_role', roleId ? (GUEST_ROLES[roleId] ?? roleId) : undefined, 'guestUserRoleId');
  const permissions = p.defaultUserRolePermissions;
  const { userConsent, ownerConsent } = splitConsentPolicies(permissions?.permissionGrantPoliciesAssigned);
  out.add('microsoft365.entra.user_consent_policies', userConsent, 'permissionGrantPoliciesAssigned');
  if (userConsent) {
    const scope = userConsentScope(userConsent, raw);
    // Unread classifications already left a gap naming this key; a second one would say less.
    if (scope !== undefined) out.add('microsoft365.entra.user_consent_scope', scope, 'permissionGrantPoliciesAssigned');
  } else {
    out.add('microsoft365.entra.user_consent_scope', undefined, 'permissionGrantPoliciesAssigned');
  }
  if (raw.permissionClassifications) {
    out.add(
      'microsoft365.entra.risky_low_classified_permissions',
      riskyLowClassified(raw.permissionClassifications, raw.servicePrincipals),
      'delegatedPermissionClassifications',
    );
  }
  out.add('microsoft365.entra.owner_consent_policies', ownerConsent, 'permissionGrantPoliciesAssigned');
  out.add('microsoft365.entra.users_can_register_apps', permissions?.allowedToCreateApps, 'allowedToCreateApps');
}

function normalizeAdminConsent(p: GraphAdminConsentRequestPolicy, out: SettingsBuilder): void {
  // A workflow nobody reviews leaves requests unanswered: CISA's instructions name a reviewer group.
  const workflow =
    p.isEnabled === undefined || p.isEnabled === null
      ? undefined
      : !p.isEnabled
        ? 'disabled'
        : (p.reviewers ?? []).length > 0
          ? 'enabled'
          : 'enabledWithoutReviewers';
  out.add('microsoft365.entra.admin_consent_workflow', workflow, 'adminConsentRequestPolicy.isEnabled');
}

/**
 * .NET DateTime.MinValue: the portal's "applies to all apps" date. Anything later exempts older
 * apps (ScubaGear reads it the same way).
 */
const isAllAppsDate = (value: string | null | undefined) => typeof value === 'string' && value.startsWith('0001-01-01');

/** Whole days of an ISO 8601 duration of days or weeks (`P181D`, `P26W`); anything else is not guessed. */
function durationDays(value: string | null | undefined): number | undefined {
  const match = /^P(?:(\d+)W)?(?:(\d+)D)?$/.exec(value ?? '');
  if (!match || (match[1] === undefined && match[2] === undefined)) return undefined;
  return Number(match[1] ?? 0) * 7 + Number(match[2] ?? 0);
}

type Enforcement = 'allApps' | 'newAppsOnly' | 'notRestricted';

/**
 * How a restriction type is enforced by the default policy: for every app only if the policy is
 * enabled and both the application and the service principal sets hold it, enabled, dated MinValue.
 */
function enforcement(policy: GraphTenantAppManagementPolicy, kind: 'passwordCredentials' | 'keyCredentials', type: string) {
  const sets = [policy.applicationRestrictions?.[kind], policy.servicePrincipalRestrictions?.[kind]];
  const found: GraphCredentialRestriction[][] = sets.map((set) => (set ?? []).filter((r) => r.restrictionType === type));
  let status: Enforcement = 'allApps';
  if (policy.isEnabled !== true || found.some((rs) => rs.length === 0 || rs.some((r) => r.state !== 'enabled'))) {
    status = 'notRestricted';
  } else if (found.flat().some((r) => !isAllAppsDate(r.restrictForAppsCreatedAfterDateTime))) {
    status = 'newAppsOnly';
  }
  return { status, restrictions: found.flat() };
}

function lifetimeDays(restrictions: GraphCredentialRestriction[], key: M365SettingKey, gaps: PostureGap[], out: SettingsBuilder) {
  const days = restrictions.map((r) => durationDays(r.maxLifetime));
  if (days.some((d) => d === undefined)) {
    gaps.push({ area: 'sharing', what: key, reason: 'Microsoft Graph returned a maxLifetime that is not a duration in days' });
    return;
  }
  out.add(key, Math.max(...(days as number[])), 'maxLifetime');
}

const APP_MANAGEMENT_KEYS: M365SettingKey[] = [
  'microsoft365.entra.app_management.password_addition',
  'microsoft365.entra.app_management.password_lifetime',
  'microsoft365.entra.app_management.password_max_lifetime_days',
  'microsoft365.entra.app_management.certificate_lifetime',
  'microsoft365.entra.app_management.certificate_max_lifetime_days',
];

/** MS.AAD.5.5v1-5.7v1 from the default app management policy. */
function normalizeAppManagement(policy: GraphTenantAppManagementPolicy, gaps: PostureGap[], out: SettingsBuilder): void {
  if (policy.isEnabled === undefined || policy.isEnabled === null) {
    for (const key of APP_MANAGEMENT_KEYS) {
      gaps.push({ area: 'sharing', what: key, reason: 'Microsoft Graph returned no defaultAppManagementPolicy.isEnabled' });
    }
    return;
  }
  const addition = enforcement(policy, 'passwordCredentials', 'passwordAddition').status;
  out.add(
    'microsoft365.entra.app_management.password_addition',
    addition === 'allApps' ? 'blocked' : addition === 'newAppsOnly' ? 'blockedForNewAppsOnly' : 'allowed',
    'passwordAddition',
  );
  const password = enforcement(policy, 'passwordCredentials', 'passwordLifetime');
  if (addition === 'allApps') {
    // No password can be added to any app, so none lives at all (ScubaGear marks 5.6 as met).
    out.add('microsoft365.entra.app_management.password_lifetime', 'passwordsBlocked', 'passwordAddition');
    out.add('microsoft365.entra.app_management.password_max_lifetime_days', 0, 'passwordAddition');
  } else {
    out.add('microsoft365.entra.app_management.password_lifetime', password.status, 'passwordLifetime');
    if (password.status === 'allApps') lifetimeDays(password.restrictions, 'microsoft365.entra.app_management.password_max_lifetime_days', gaps, out);
  }
  const certificate = enforcement(policy, 'keyCredentials', 'asymmetricKeyLifetime');
  out.add('microsoft365.entra.app_management.certificate_lifetime', certificate.status, 'asymmetricKeyLifetime');
  if (certificate.status === 'allApps') {
    lifetimeDays(certificate.restrictions, 'microsoft365.entra.app_management.certificate_max_lifetime_days', gaps, out);
  }
}

const CROSS_TENANT: [keyof GraphCrossTenantDefault & string, string][] = [
  ['b2bCollaborationInbound', 'b2b_collaboration_inbound'],
  ['b2bCollaborationOutbound', 'b2b_collaboration_outbound'],
  ['b2bDirectConnectInbound', 'b2b_direct_connect_inbound'],
  ['b2bDirectConnectOutbound', 'b2b_direct_connect_outbound'],
];

function normalizeCrossTenant(d: GraphCrossTenantDefault, out: SettingsBuilder): void {
  for (const [field, name] of CROSS_TENANT) {
    const setting = d[field] as GraphCrossTenantDefault['b2bCollaborationInbound'];
    out.add(
      `microsoft365.crosstenant.${name}_users` as M365SettingKey,
      setting?.usersAndGroups?.accessType,
      `${field}.usersAndGroups.accessType`,
    );
    out.add(
      `microsoft365.crosstenant.${name}_applications` as M365SettingKey,
      setting?.applications?.accessType,
      `${field}.applications.accessType`,
    );
  }
}

/**
 * The directions the locked-down baseline keeps closed by default (M365.CROSSTENANT.1-3); outbound
 * B2B collaboration stays open there, so a partner allowing it loosens nothing.
 */
const PARTNER_DIRECTIONS = ['b2bCollaborationInbound', 'b2bDirectConnectInbound', 'b2bDirectConnectOutbound'] as const;

/**
 * Whether a partner's own setting opens a direction for its users. A null setting inherits the
 * default (crossTenantAccessPolicyConfigurationPartner), which M365.CROSSTENANT.1-3 judge. A
 * setting is closed only when users and groups are `blocked` for AllUsers: blocking selected
 * users leaves the others allowed, and any other access type (`allowed`, `unknownFutureValue`,
 * none) is counted as open rather than guessed closed.
 */
function opensDirection(setting: GraphCrossTenantPartner['b2bCollaborationInbound']): boolean {
  if (!setting) return false;
  const users = setting.usersAndGroups;
  if (users?.accessType !== 'blocked') return true;
  return !!users.targets && !users.targets.some((t) => t.target === 'AllUsers');
}

/**
 * Per partner (`partner:<tenantId>`): the directions it opens that the default keeps closed, and
 * the partner's tenant id when it opens any (compared with the allowedPartnerTenants parameter).
 * No partner configuration at all is one tenant-wide observation of nothing opened.
 */
function normalizePartners(partners: GraphCrossTenantPartner[], settings: SettingObservation[]): void {
  const observe = (key: M365SettingKey, resourceKey: string, value: JsonValue) =>
    settings.push({ key, resourceKey, value, source: 'observed' });
  if (partners.length === 0) {
    observe('microsoft365.crosstenant.partner_tenants_opening_default', 'tenant', []);
    return;
  }
  const byTenant = partners.map((p) => ({ partner: p, tenantId: p.tenantId.trim().toLowerCase() }));
  for (const { partner, tenantId } of byTenant.sort((a, b) => byCodeUnit(a.tenantId, b.tenantId))) {
    const opened = PARTNER_DIRECTIONS.filter((d) => opensDirection(partner[d]));
    observe('microsoft365.crosstenant.partner_opened_directions', `partner:${tenantId}`, opened);
    observe('microsoft365.crosstenant.partner_tenants_opening_default', `partner:${tenantId}`, opened.length > 0 ? [tenantId] : []);
  }
}

interface AppIdentity {
  appId: string;
  appName: string;
}

function identify(spById: Map<string, GraphServicePrincipal>, objectId: string): AppIdentity {
  const sp = spById.get(objectId);
  const appId = sp?.appId ?? objectId;
  return { appId, appName: sp?.displayName ?? appId };
}

/**
 * Delegated grants, one entry per app and consent type: an admin's consent for everyone
 * (`AllPrincipals`), and the union of what individual users consented to (`Principal`), with the
 * user's id when there is one user and a count otherwise, so a thousand consents stay one entry.
 */
function delegatedGrants(raw: M365RawPosture, spById: Map<string, GraphServicePrincipal>): OAuthGrant[] {
  const byApp = new Map<string, { identity: AppIdentity; consent: string; scopes: Set<string>; principals: Set<string> }>();
  for (const grant of raw.delegatedGrants ?? []) {
    const consent = grant.consentType === 'AllPrincipals' ? 'AllPrincipals' : 'Principal';
    const key = `${grant.clientId}\n${consent}`;
    let entry = byApp.get(key);
    if (!entry) {
      entry = { identity: identify(spById, grant.clientId), consent, scopes: new Set(), principals: new Set() };
      byApp.set(key, entry);
    }
    for (const scope of (grant.scope ?? '').split(/\s+/)) if (scope) entry.scopes.add(scope);
    if (grant.principalId) entry.principals.add(grant.principalId);
  }
  return [...byApp.values()].map(({ identity, consent, scopes, principals }) => {
    const principal =
      consent === 'AllPrincipals' ? 'AllPrincipals' : principals.size === 1 ? [...principals][0] : `${principals.size} users`;
    return { ...identity, scopes: sortedUnique(scopes), grantType: 'delegated' as const, principal };
  });
}

/** Application permissions, resolved from app role ids to permission names through the resource's appRoles. */
function applicationGrants(
  raw: M365RawPosture,
  spById: Map<string, GraphServicePrincipal>,
  gaps: PostureGap[],
): OAuthGrant[] {
  const grants: OAuthGrant[] = [];
  let unresolved = 0;
  for (const [holderId, assignments] of Object.entries(raw.appRoleAssignments ?? {})) {
    const scopes = new Set<string>();
    for (const a of assignments) {
      if (a.appRoleId === DEFAULT_ACCESS_ROLE) continue;
      const role = spById.get(a.resourceId)?.appRoles?.find((r) => r.id === a.appRoleId);
      if (role?.value) scopes.add(role.value);
      else {
        // Kept visible by id; the gap keeps an OAuth rule from passing on a permission it cannot name.
        scopes.add(`appRoleId:${a.appRoleId}`);
        unresolved++;
      }
    }
    if (scopes.size > 0) grants.push({ ...identify(spById, holderId), scopes: sortedUnique(scopes), grantType: 'application' });
  }
  if (unresolved > 0) {
    gaps.push({
      area: 'oauth',
      what: 'servicePrincipals.appRoles',
      reason: `${unresolved} application permission(s) name an app role their resource does not list`,
    });
  }
  return grants;
}

function normalizeGrants(raw: M365RawPosture, gaps: PostureGap[]): OAuthGrant[] {
  const spById = new Map((raw.servicePrincipals ?? []).map((sp) => [sp.id, sp]));
  const grants = [...applicationGrants(raw, spById, gaps), ...delegatedGrants(raw, spById)];
  return grants.sort(
    (a, b) => byCodeUnit(a.grantType, b.grantType) || byCodeUnit(a.appId, b.appId) || byCodeUnit(a.principal ?? '', b.principal ?? ''),
  );
}

/**
 * One observation per location-bearing resource: the tenant (its country), each Multi-Geo user
 * location, each site collection with a dataLocationCode. A Multi-Geo tenant therefore shows each
 * of its regions, and the evaluator sees data spread over several regions as not pinned to one;
 * nothing here collapses them into the tenant's own region.
 */
function normalizeResidency(raw: M365RawPosture, gaps: PostureGap[]): ResidencyObservation[] {
  const out: ResidencyObservation[] = [];
  const country = raw.organization.countryLetterCode?.trim();
  if (country) out.push({ resourceKey: 'tenant', region: regionOfCountry(country), source: 'observed' });
  else gaps.push({ area: 'residency', what: 'organization.countryLetterCode', reason: 'Microsoft Graph returned no country' });

  if (raw.users) {
    const locations = sortedUnique(
      raw.users.map((u) => u.preferredDataLocation?.trim().toUpperCase() ?? '').filter((loc) => loc.length > 0),
    );
    for (const loc of locations) out.push({ resourceKey: `users:${loc}`, region: regionOfDataLocation(loc), source: 'observed' });
  }
  for (const site of [...(raw.sites ?? [])].sort((a, b) => byCodeUnit(a.id, b.id))) {
    const code = site.siteCollection?.dataLocationCode?.trim();
    if (code) out.push({ resourceKey: `site:${site.id}`, region: regionOfDataLocation(code), source: 'observed' });
  }
  return out;
}

/** Raw Graph answers to the provider-agnostic document. Pure: same input, same document. */
export function normalizeM365Posture(raw: M365RawPosture): PostureDocument {
  const gaps = [...raw.gaps];
  const settings = new SettingsBuilder(gaps);
  if (raw.sharepointSettings) normalizeSharepoint(raw.sharepointSettings, settings);
  if (raw.authorizationPolicy) normalizeAuthorizationPolicy(raw, raw.authorizationPolicy, settings);
  if (raw.crossTenantDefault) normalizeCrossTenant(raw.crossTenantDefault, settings);
  if (raw.crossTenantPartners) normalizePartners(raw.crossTenantPartners, settings.settings);
  if (raw.adminConsentRequestPolicy) normalizeAdminConsent(raw.adminConsentRequestPolicy, settings);
  if (raw.appManagementPolicy) normalizeAppManagement(raw.appManagementPolicy, gaps, settings);
  const { organization: org } = raw;
  const domain = org.verifiedDomains?.find((d) => d.isDefault)?.name;
  const oauthGrants = normalizeGrants(raw, gaps);
  const residency = normalizeResidency(raw, gaps);
  return {
    provider: 'microsoft365',
    tenant: { id: org.id, ...(org.displayName ? { name: org.displayName } : {}), ...(domain ? { domain } : {}) },
    settings: settings.settings,
    oauthGrants,
    residency,
    gaps,
  };
}
