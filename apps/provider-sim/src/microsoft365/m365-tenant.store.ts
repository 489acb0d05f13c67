import { CountedTenant, requestStats, type RequestStats } from '../http/request-stats';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { parseInput, SimInputError, SimNotFoundError, TenantRegistry } from '../tenant.registry';
import {
  m365AdminConsentRequestPolicySchema,
  m365AppManagementPolicySchema,
  m365AppRoleAssignmentSchema,
  m365AuthorizationPolicyPatchSchema,
  m365CrossTenantPartnerSchema,
  m365DelegatedGrantSchema,
  m365OrganizationSchema,
  m365PermissionClassificationSchema,
  m365RateLimitSettingsSchema,
  m365ServicePrincipalSchema,
  m365SharepointSettingsPatchSchema,
  m365SiteSchema,
  m365TenantSpecSchema,
  type M365AppRoleAssignment,
  type M365DelegatedGrant,
  type M365RateLimitSettings,
  type M365ServicePrincipal,
  type M365TenantData,
  type M365TenantSpec,
} from './m365-tenant.schema';

interface IssuedToken {
  tenantId: string;
  expiresAt: number;
}

export type TokenCheck = 'valid' | 'expired' | 'unknown';

/** A tenant as the simulator holds it: Graph data plus per-tenant runtime bookkeeping. */
export class M365Tenant extends CountedTenant {
  /** Graph requests refused because their token had expired. */
  expiredTokenRejections = 0;
  tokensIssued = 0;
  /** Set by expire-tokens with `afterRequests`: Graph requests left before every token expires. */
  expireAfterRequests: number | undefined;
  private windowStart = 0;
  private windowCount = 0;

  constructor(
    readonly tenantId: string,
    public data: M365TenantData,
    public grants: M365DelegatedGrant[],
    public assignments: M365AppRoleAssignment[],
  ) {
    super();
  }

  /** Fixed window per tenant: Graph throttles per app and tenant, and a fixed window keeps tests exact. */
  rateLimit(now: number): { allowed: true } | { allowed: false; retryAfterSeconds: number } {
    const limits = this.data.rateLimits;
    if (!limits.enabled) return { allowed: true };
    if (now - this.windowStart >= limits.windowMs) {
      this.windowStart = now;
      this.windowCount = 0;
    }
    if (this.windowCount < limits.requests) {
      this.windowCount++;
      return { allowed: true };
    }
    const waitMs = this.windowStart + limits.windowMs - now;
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
  }

  /** New limits start a fresh window, so a scenario's first requests are counted from zero. */
  applyRateLimits(settings: M365RateLimitSettings): void {
    this.data.rateLimits = settings;
    this.windowStart = 0;
    this.windowCount = 0;
  }

  servicePrincipal(id: string): M365ServicePrincipal | undefined {
    return this.data.servicePrincipals.find((sp) => sp.id === id);
  }

  /** The tenant as `GET /_sim/.../tenants/:id` shows it: grants and assignments with their ids. */
  view(): Record<string, unknown> {
    return { ...this.data, oauth2PermissionGrants: this.grants, appRoleAssignments: this.assignments };
  }
}

/**
 * All Microsoft 365 tenants, addressed by tenant id, plus the access tokens the login endpoint has
 * issued. The control API and in-process tests call the same methods.
 */
export class M365TenantStore extends TenantRegistry<M365Tenant> {
  private readonly tokens = new Map<string, IssuedToken>();

  constructor(private readonly now: () => number = Date.now) {
    super((tenantId) => `no Microsoft 365 tenant ${tenantId}`);
  }

  override clear(): void {
    super.clear();
    this.tokens.clear();
  }

  put(tenantId: string, spec: M365TenantSpec | unknown): M365Tenant {
    if (!/^[\w.-]{1,128}$/.test(tenantId)) throw new SimInputError('tenantId must be a GUID or a domain name');
    const data = parseInput(m365TenantSpecSchema, spec);
    const tenant = new M365Tenant(tenantId, data, [], []);
    for (const sp of data.servicePrincipals) {
      if (data.servicePrincipals.filter((other) => other.id === sp.id).length > 1) {
        throw new SimInputError(`servicePrincipals: id ${sp.id} appears twice`);
      }
    }
    if (!tenant.servicePrincipal(data.graphServicePrincipalId)) {
      throw new SimInputError('graphServicePrincipalId must name one of servicePrincipals');
    }
    tenant.grants = data.oauth2PermissionGrants.map((g) => this.toGrant(tenant, g));
    tenant.assignments = data.appRoleAssignments.map((a) => this.toAssignment(tenant, a));
    this.tenants.set(tenantId, tenant);
    this.forgetTokens(tenantId);
    return tenant;
  }

  override delete(tenantId: string): boolean {
    this.forgetTokens(tenantId);
    return super.delete(tenantId);
  }

  // ---- tokens -------------------------------------------------------------------------------

  issueToken(tenant: M365Tenant): { token: string; expiresIn: number } {
    // Opaque like a real access token is to its client: nothing in it can be decoded or forged.
    const token = `sim-m365.${randomBytes(24).toString('base64url')}`;
    const expiresIn = tenant.data.tokenLifetimeSeconds;
    this.tokens.set(token, { tenantId: tenant.tenantId, expiresAt: this.now() + expiresIn * 1000 });
    tenant.tokensIssued++;
    return { token, expiresIn };
  }

  /** Which tenant a bearer token belongs to, and whether it still works. */
  checkToken(token: string): { tenant: M365Tenant; status: TokenCheck } | undefined {
    const issued = this.tokens.get(token);
    if (!issued) return undefined;
    const tenant = this.tenants.get(issued.tenantId);
    if (!tenant) return undefined;
    if (tenant.expireAfterRequests !== undefined) {
      if (tenant.expireAfterRequests <= 0) {
        this.expireNow(tenant);
      } else {
        tenant.expireAfterRequests--;
      }
    }
    return { tenant, status: issued.expiresAt > this.now() ? 'valid' : 'expired' };
  }

  /**
   * Expires every token of the tenant now, or once `afterRequests` more Graph requests have been
   * answered (a token that dies in the middle of a poll).
   */
  expireTokens(tenantId: string, input: unknown = {}): { expired: number; afterRequests: number | null } {
    const tenant = this.get(tenantId);
    const { afterRequests } = parseInput(z.strictObject({ afterRequests: z.number().int().nonnegative().optional() }), input);
    if (afterRequests !== undefined && afterRequests > 0) {
      tenant.expireAfterRequests = afterRequests;
      return { expired: 0, afterRequests };
    }
    return { expired: this.expireNow(tenant), afterRequests: null };
  }

  setTokenLifetime(tenantId: string, input: unknown): { tokenLifetimeSeconds: number } {
    const { seconds } = parseInput(z.strictObject({ seconds: z.number().int().positive().max(86_400) }), input);
    this.get(tenantId).data.tokenLifetimeSeconds = seconds;
    return { tokenLifetimeSeconds: seconds };
  }

  private expireNow(tenant: M365Tenant): number {
    tenant.expireAfterRequests = undefined;
    let expired = 0;
    const past = this.now() - 1;
    for (const issued of this.tokens.values()) {
      if (issued.tenantId === tenant.tenantId && issued.expiresAt > past) {
        issued.expiresAt = past;
        expired++;
      }
    }
    return expired;
  }

  private forgetTokens(tenantId: string): void {
    for (const [token, issued] of this.tokens) if (issued.tenantId === tenantId) this.tokens.delete(token);
  }

  // ---- scenario changes ---------------------------------------------------------------------

  patchSharepointSettings(tenantId: string, input: unknown): M365TenantData['sharepointSettings'] {
    const tenant = this.get(tenantId);
    const patch = parseInput(m365SharepointSettingsPatchSchema, input);
    tenant.data.sharepointSettings = { ...tenant.data.sharepointSettings, ...patch };
    return tenant.data.sharepointSettings;
  }

  patchAuthorizationPolicy(tenantId: string, input: unknown): M365TenantData['authorizationPolicy'] {
    const tenant = this.get(tenantId);
    const { defaultUserRolePermissions, ...rest } = parseInput(m365AuthorizationPolicyPatchSchema, input);
    const policy = tenant.data.authorizationPolicy;
    tenant.data.authorizationPolicy = {
      ...policy,
      ...rest,
      defaultUserRolePermissions: { ...policy.defaultUserRolePermissions, ...defaultUserRolePermissions },
    };
    return tenant.data.authorizationPolicy;
  }

  /** Replaces the admin consent request policy (a scenario sets the whole policy). */
  setAdminConsentRequestPolicy(tenantId: string, input: unknown): M365TenantData['adminConsentRequestPolicy'] {
    const tenant = this.get(tenantId);
    tenant.data.adminConsentRequestPolicy = parseInput(m365AdminConsentRequestPolicySchema, input);
    return tenant.data.adminConsentRequestPolicy;
  }

  /** Replaces the partner-specific cross-tenant access configurations. */
  setCrossTenantPartners(tenantId: string, input: unknown): M365TenantData['crossTenantAccessPartners'] {
    const tenant = this.get(tenantId);
    const partners = parseInput(z.array(m365CrossTenantPartnerSchema), input);
    const ids = partners.map((p) => p.tenantId.toLowerCase());
    if (new Set(ids).size !== ids.length) throw new SimInputError('crossTenantAccessPartners: a tenantId appears twice');
    tenant.data.crossTenantAccessPartners = partners;
    return partners;
  }

  /** Replaces the default app management policy. */
  setDefaultAppManagementPolicy(tenantId: string, input: unknown): M365TenantData['defaultAppManagementPolicy'] {
    const tenant = this.get(tenantId);
    tenant.data.defaultAppManagementPolicy = parseInput(m365AppManagementPolicySchema, input);
    return tenant.data.defaultAppManagementPolicy;
  }

  patchOrganization(tenantId: string, input: unknown): M365TenantData['organization'] {
    const tenant = this.get(tenantId);
    const patch = parseInput(
      z.strictObject({
        displayName: z.string().optional(),
        countryLetterCode: z.string().nullable().optional(),
      }),
      input,
    );
    tenant.data.organization = parseInput(m365OrganizationSchema, { ...tenant.data.organization, ...patch });
    return tenant.data.organization;
  }

  patchUser(tenantId: string, userId: string, input: unknown): M365TenantData['users'][number] {
    const tenant = this.get(tenantId);
    const user = tenant.data.users.find((u) => u.id === userId);
    if (!user) throw new SimNotFoundError(`no user ${userId} in this tenant`);
    const patch = parseInput(z.strictObject({ preferredDataLocation: z.string().nullable() }), input);
    user.preferredDataLocation = patch.preferredDataLocation;
    return user;
  }

  /** A site collection appears, e.g. one created in a Multi-Geo satellite location. */
  addSite(tenantId: string, input: unknown): M365TenantData['sites'][number] {
    const tenant = this.get(tenantId);
    const site = parseInput(m365SiteSchema, input);
    if (tenant.data.sites.some((s) => s.id === site.id)) throw new SimInputError(`site ${site.id} exists already`);
    tenant.data.sites.push(site);
    return site;
  }

  addServicePrincipal(tenantId: string, input: unknown): M365ServicePrincipal {
    const tenant = this.get(tenantId);
    const sp = parseInput(m365ServicePrincipalSchema, input);
    if (tenant.servicePrincipal(sp.id)) throw new SimInputError(`service principal ${sp.id} exists already`);
    tenant.data.servicePrincipals.push(sp);
    return sp;
  }

  /** Replaces the delegated permission classifications of one service principal (the API that exposes them). */
  setPermissionClassifications(tenantId: string, spId: string, input: unknown): M365ServicePrincipal['delegatedPermissionClassifications'] {
    const sp = this.get(tenantId).servicePrincipal(spId);
    if (!sp) throw new SimNotFoundError(`no service principal ${spId}`);
    sp.delegatedPermissionClassifications = parseInput(z.array(m365PermissionClassificationSchema), input);
    return sp.delegatedPermissionClassifications;
  }

  addDelegatedGrant(tenantId: string, input: unknown): M365DelegatedGrant {
    const tenant = this.get(tenantId);
    const grant = this.toGrant(tenant, parseInput(m365DelegatedGrantSchema, input));
    tenant.grants = tenant.grants.filter((g) => g.id !== grant.id);
    tenant.grants.push(grant);
    return grant;
  }

  removeDelegatedGrant(tenantId: string, grantId: string): M365DelegatedGrant {
    const tenant = this.get(tenantId);
    const index = tenant.grants.findIndex((g) => g.id === grantId);
    if (index < 0) throw new SimNotFoundError(`no delegated grant ${grantId} in this tenant`);
    return tenant.grants.splice(index, 1)[0];
  }

  addAppRoleAssignment(tenantId: string, input: unknown): M365AppRoleAssignment {
    const tenant = this.get(tenantId);
    const assignment = this.toAssignment(tenant, parseInput(m365AppRoleAssignmentSchema, input));
    tenant.assignments = tenant.assignments.filter((a) => a.id !== assignment.id);
    tenant.assignments.push(assignment);
    return assignment;
  }

  removeAppRoleAssignment(tenantId: string, assignmentId: string): M365AppRoleAssignment {
    const tenant = this.get(tenantId);
    const index = tenant.assignments.findIndex((a) => a.id === assignmentId);
    if (index < 0) throw new SimNotFoundError(`no app role assignment ${assignmentId} in this tenant`);
    return tenant.assignments.splice(index, 1)[0];
  }

  setRateLimits(tenantId: string, input: unknown): M365RateLimitSettings {
    const settings = parseInput(m365RateLimitSettingsSchema, input);
    this.get(tenantId).applyRateLimits(settings);
    return settings;
  }

  requestStats(tenantId: string): RequestStats & { tokensIssued: number; expiredTokenRejections: number } {
    const tenant = this.get(tenantId);
    return { ...requestStats(tenant), tokensIssued: tenant.tokensIssued, expiredTokenRejections: tenant.expiredTokenRejections };
  }

  private toGrant(tenant: M365Tenant, input: z.output<typeof m365DelegatedGrantSchema>): M365DelegatedGrant {
    const resourceId = input.resourceId ?? tenant.data.graphServicePrincipalId;
    if (!tenant.servicePrincipal(input.clientId)) throw new SimInputError(`no service principal ${input.clientId} (clientId)`);
    if (!tenant.servicePrincipal(resourceId)) throw new SimInputError(`no service principal ${resourceId} (resourceId)`);
    if (input.consentType === 'Principal' && !input.principalId) {
      throw new SimInputError('a Principal grant needs a principalId');
    }
    return {
      ...input,
      // Graph's grant ids are opaque base64url strings, not GUIDs.
      id: input.id ?? randomBytes(24).toString('base64url'),
      principalId: input.consentType === 'AllPrincipals' ? null : input.principalId,
      resourceId,
    };
  }

  private toAssignment(tenant: M365Tenant, input: z.output<typeof m365AppRoleAssignmentSchema>): M365AppRoleAssignment {
    const { permission, ...rest } = input;
    const resourceId = input.resourceId ?? tenant.data.graphServicePrincipalId;
    const principal = tenant.servicePrincipal(input.principalId);
    const resource = tenant.servicePrincipal(resourceId);
    if (!principal) throw new SimInputError(`no service principal ${input.principalId} (principalId)`);
    if (!resource) throw new SimInputError(`no service principal ${resourceId} (resourceId)`);
    let appRoleId = input.appRoleId;
    if (!appRoleId && permission) {
      appRoleId = resource.appRoles.find((r) => r.value === permission)?.id;
      if (!appRoleId) throw new SimInputError(`${resource.displayName} has no app role ${permission}`);
    }
    if (!appRoleId) throw new SimInputError('an app role assignment needs appRoleId or permission');
    return {
      ...rest,
      id: input.id ?? randomBytes(24).toString('base64url'),
      principalDisplayName: principal.displayName,
      resourceId,
      resourceDisplayName: resource.displayName,
      appRoleId,
    };
  }
}

