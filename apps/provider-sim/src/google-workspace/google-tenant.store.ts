import { CountedTenant, requestStats, type RequestStats } from '../http/request-stats';
import { randomBytes } from 'node:crypto';
import { parseInput, SimInputError, SimNotFoundError, TenantRegistry } from '../tenant.registry';
import {
  googleDataRegionPatchSchema,
  googlePolicySchema,
  googleRateLimitSettingsSchema,
  googleTenantSpecSchema,
  googleUserTokenSchema,
  type GooglePolicy,
  type GoogleRateLimitSettings,
  type GoogleTenantData,
  type GoogleTenantSpec,
  type GoogleUser,
  type GoogleUserToken,
} from './google-tenant.schema';

/** One authorize/revoke event as the Reports API token application lists it. */
export interface GoogleTokenEvent {
  id: string;
  time: string;
  actorEmail: string;
  profileId: string;
  name: 'authorize' | 'revoke';
  clientId: string;
  appName: string;
  scopes: string[];
}

export type RateDecision = { allowed: true } | { allowed: false };

/** A tenant as the simulator holds it: its data plus per-tenant runtime bookkeeping. */
export class GoogleTenant extends CountedTenant {
  readonly tokenEvents: GoogleTokenEvent[] = [];
  private stamps: number[] = [];
  private nextEvent = 1;
  private lastEventAt = 0;

  constructor(public data: GoogleTenantData) {
    super();
  }

  /** Sliding window over all API calls of the tenant, like a per-user Directory quota. */
  checkRate(now: number = Date.now()): RateDecision {
    const { enabled, limit, windowMs } = this.data.rateLimits;
    if (!enabled) return { allowed: true };
    this.stamps = this.stamps.filter((t) => t > now - windowMs);
    if (this.stamps.length >= limit) return { allowed: false };
    this.stamps.push(now);
    return { allowed: true };
  }

  resetRateWindow(): void {
    this.stamps = [];
  }

  /** Every org unit, root first, with its parent (none for the root). */
  orgUnitTree(): { id: string; path: string; parentId?: string }[] {
    const { rootOrgUnitId, orgUnits, policies } = this.data;
    const listed = new Map(orgUnits.filter((ou) => ou.id !== rootOrgUnitId).map((ou) => [ou.id, ou]));
    for (const p of policies) {
      if (p.orgUnitId !== rootOrgUnitId && !listed.has(p.orgUnitId)) listed.set(p.orgUnitId, { id: p.orgUnitId, path: `/${p.orgUnitId}` });
    }
    return [{ id: rootOrgUnitId, path: '/' }, ...[...listed.values()].map((ou) => ({ ...ou, parentId: ou.parentId ?? rootOrgUnitId }))];
  }

  /** Each org unit's parent: build once per request and hand to sortOrderOf. */
  parentsById(): Map<string, string | undefined> {
    return new Map(this.orgUnitTree().map((ou) => [ou.id, ou.parentId]));
  }

  /** The policy's sortOrder as given, or one derived like Google's: parents before children, groups last. */
  sortOrderOf(policy: GooglePolicy, index: number, parents: Map<string, string | undefined>): number {
    if (policy.sortOrder !== undefined) return policy.sortOrder;
    if (policy.groupId) return 1_000_000 + index;
    let depth = 0;
    for (let at = parents.get(policy.orgUnitId); at !== undefined && depth < 100; at = parents.get(at)) depth++;
    return (depth + 1) * 1_000 + index;
  }

  user(userKey: string): GoogleUser | undefined {
    const key = userKey.toLowerCase();
    return this.data.users.find((u) => u.id === userKey || u.primaryEmail.toLowerCase() === key);
  }

  /**
   * Appends an event with a time later than every earlier one, even within one millisecond: a test
   * that authorizes then revokes at once must see them in that order, as Google would.
   */
  logTokenEvent(user: GoogleUser, name: GoogleTokenEvent['name'], token: Pick<GoogleUserToken, 'clientId' | 'displayText' | 'scopes'>): void {
    this.lastEventAt = Math.max(Date.now(), this.lastEventAt + 1);
    this.tokenEvents.push({
      // Google's unique qualifiers are int64s written as strings.
      id: String(358_000_000_000 + this.nextEvent++),
      time: new Date(this.lastEventAt).toISOString(),
      actorEmail: user.primaryEmail,
      profileId: user.id,
      name,
      clientId: token.clientId,
      appName: token.displayText,
      scopes: token.scopes,
    });
  }
}

export interface IssuedToken {
  customerId: string;
  adminEmail: string;
  scopes: string[];
  expiresAt: number;
}

/**
 * All Google Workspace tenants, addressed by customer id, and the access tokens the simulated
 * token endpoint issued. The control API and in-process tests call the same methods.
 */
export class GoogleTenantStore extends TenantRegistry<GoogleTenant> {
  private readonly tokens = new Map<string, IssuedToken>();

  constructor() {
    super((customerId) => `no Google Workspace tenant ${customerId}`);
  }

  override clear(): void {
    super.clear();
    this.tokens.clear();
  }

  put(customerId: string, spec: GoogleTenantSpec | unknown): GoogleTenant {
    const data = parseInput(googleTenantSpecSchema, spec);
    if (data.customerId !== customerId) throw new SimInputError('customerId in the body must match the path');
    const tenant = new GoogleTenant(data);
    this.tenants.set(customerId, tenant);
    return tenant;
  }

  byServiceAccount(clientEmail: string): GoogleTenant | undefined {
    for (const tenant of this.tenants.values()) {
      if (tenant.data.serviceAccount.clientEmail === clientEmail) return tenant;
    }
    return undefined;
  }

  issueToken(tenant: GoogleTenant, adminEmail: string, scopes: string[]): { token: string; expiresIn: number } {
    const token = `ya29.sim-${randomBytes(24).toString('base64url')}`;
    const expiresIn = tenant.data.tokenTtlSeconds;
    this.tokens.set(token, {
      customerId: tenant.data.customerId,
      adminEmail,
      scopes,
      expiresAt: Date.now() + expiresIn * 1000,
    });
    return { token, expiresIn };
  }

  /** The live grant behind a bearer token; undefined when unknown, expired or its tenant is gone. */
  resolveToken(token: string): IssuedToken | undefined {
    const issued = this.tokens.get(token);
    if (!issued || issued.expiresAt <= Date.now() || !this.tenants.has(issued.customerId)) return undefined;
    return issued;
  }

  /** Expires every token issued for the tenant, as if an hour had passed. */
  expireTokens(customerId: string): number {
    this.get(customerId);
    let expired = 0;
    for (const issued of this.tokens.values()) {
      if (issued.customerId === customerId && issued.expiresAt > 0) {
        issued.expiresAt = 0;
        expired++;
      }
    }
    return expired;
  }

  /** Creates or replaces the policy of one setting type for one org unit (or group). */
  setPolicy(customerId: string, input: unknown): GooglePolicy {
    const tenant = this.get(customerId);
    const policy = parseInput(googlePolicySchema, input);
    tenant.data.policies = tenant.data.policies.filter((p) => !samePolicyTarget(p, policy));
    tenant.data.policies.push(policy);
    return policy;
  }

  /** Removes one org unit's (or group's) policy, so it inherits again; the root's falls back to nothing. */
  deletePolicy(customerId: string, settingType: string, orgUnitId: string, groupId?: string): void {
    const tenant = this.get(customerId);
    const before = tenant.data.policies.length;
    const target = { settingType, orgUnitId, groupId };
    tenant.data.policies = tenant.data.policies.filter((p) => !samePolicyTarget(p, target));
    if (tenant.data.policies.length === before) {
      throw new SimNotFoundError(`no ${settingType} policy for org unit ${orgUnitId}${groupId ? ` group ${groupId}` : ''}`);
    }
  }

  setDataRegion(customerId: string, input: unknown): GooglePolicy[] {
    const tenant = this.get(customerId);
    const patch = parseInput(googleDataRegionPatchSchema, input);
    const orgUnitId = patch.orgUnitId ?? tenant.data.rootOrgUnitId;
    const changed: GooglePolicy[] = [];
    if (patch.region !== undefined) {
      changed.push(this.setPolicy(customerId, { orgUnitId, settingType: 'data_regions.data_at_rest_region', value: { region: patch.region } }));
    }
    if (patch.limitToStorageRegion !== undefined) {
      changed.push(
        this.setPolicy(customerId, {
          orgUnitId,
          settingType: 'data_regions.data_processing_region',
          value: { limitToStorageRegion: patch.limitToStorageRegion },
        }),
      );
    }
    return changed;
  }

  /**
   * A user authorizes an app: the token appears in the Directory and an authorize event, with the
   * scopes of this authorization, in Reports. Authorizing a client again adds its scopes to the
   * token, as Google keeps what a user granted a client until the token is revoked.
   */
  addUserToken(customerId: string, userKey: string, input: unknown): GoogleUserToken {
    const tenant = this.get(customerId);
    const user = tenant.user(userKey);
    if (!user) throw new SimNotFoundError(`no user ${userKey} in this tenant`);
    const granted = parseInput(googleUserTokenSchema, input);
    const held = user.tokens.find((t) => t.clientId === granted.clientId);
    const token = held ? { ...held, ...granted, scopes: [...new Set([...held.scopes, ...granted.scopes])] } : granted;
    user.tokens = user.tokens.filter((t) => t !== held);
    user.tokens.push(token);
    tenant.logTokenEvent(user, 'authorize', granted);
    return token;
  }

  removeUserToken(customerId: string, userKey: string, clientId: string): GoogleUserToken {
    const tenant = this.get(customerId);
    const user = tenant.user(userKey);
    if (!user) throw new SimNotFoundError(`no user ${userKey} in this tenant`);
    const token = user.tokens.find((t) => t.clientId === clientId);
    if (!token) throw new SimNotFoundError(`user ${userKey} holds no token of client ${clientId}`);
    user.tokens = user.tokens.filter((t) => t !== token);
    tenant.logTokenEvent(user, 'revoke', token);
    return token;
  }

  setRateLimits(customerId: string, input: unknown): GoogleRateLimitSettings {
    const tenant = this.get(customerId);
    const settings = parseInput(googleRateLimitSettingsSchema, input);
    tenant.data.rateLimits = settings;
    tenant.resetRateWindow();
    return settings;
  }

  requestStats(customerId: string): RequestStats {
    return requestStats(this.get(customerId));
  }
}

function samePolicyTarget(
  a: Pick<GooglePolicy, 'settingType' | 'orgUnitId' | 'groupId'>,
  b: Pick<GooglePolicy, 'settingType' | 'orgUnitId' | 'groupId'>,
): boolean {
  return a.settingType === b.settingType && a.orgUnitId === b.orgUnitId && (a.groupId ?? '') === (b.groupId ?? '');
}
