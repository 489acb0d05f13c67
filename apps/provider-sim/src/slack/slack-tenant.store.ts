import { CountedTenant, requestStats, type RequestStats } from '../http/request-stats';
import { parseInput, SimInputError, SimNotFoundError, TenantRegistry } from '../tenant.registry';
import { SlackRateLimiter } from './slack-rate.limiter';
import {
  addSlackAppSchema,
  slackConversationSchema,
  slackDiscoverabilitySchema,
  slackExternalOrganizationSchema,
  slackRateLimitSettingsSchema,
  slackTenantSpecSchema,
  slackUserSchema,
  type AddSlackAppInput,
  type SlackAppEntry,
  type SlackConversation,
  type SlackDiscoverability,
  type SlackExternalOrganization,
  type SlackRateLimitSettings,
  type SlackTenantData,
  type SlackTenantSpec,
  type SlackUser,
  type SlackWorkspace,
} from './slack-tenant.schema';

/** A tenant as the simulator holds it: its data plus per-tenant runtime bookkeeping. */
export class SlackTenant extends CountedTenant {
  private limiter: SlackRateLimiter | undefined;

  constructor(public data: SlackTenantData) {
    super();
    this.applyRateLimits(data.rateLimits);
  }

  applyRateLimits(settings: SlackRateLimitSettings): void {
    this.data.rateLimits = settings;
    this.limiter = settings.enabled ? new SlackRateLimiter(settings.timeScale) : undefined;
  }

  get rateLimiter(): SlackRateLimiter | undefined {
    return this.limiter;
  }

  workspace(teamId: string): SlackWorkspace | undefined {
    return this.data.workspaces.find((w) => w.id === teamId);
  }
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/**
 * All Slack tenants, addressed by bearer token. The control API and in-process tests call the same
 * methods, so a scenario behaves identically whichever way it is driven.
 */
export class SlackTenantStore extends TenantRegistry<SlackTenant> {
  constructor() {
    super(() => 'no Slack tenant with that token');
  }

  put(token: string, spec: SlackTenantSpec | unknown): SlackTenant {
    if (!token || /\s/.test(token)) throw new SimInputError('token must be non-empty without whitespace');
    const tenant = new SlackTenant(parseInput(slackTenantSpecSchema, spec));
    this.tenants.set(token, tenant);
    return tenant;
  }

  setDiscoverability(token: string, teamId: string, value: SlackDiscoverability | unknown): SlackWorkspace {
    const discoverability = parseInput(slackDiscoverabilitySchema, value);
    const workspace = this.get(token).workspace(teamId);
    if (!workspace) throw new SimNotFoundError(`no workspace ${teamId} in this tenant`);
    workspace.discoverability = discoverability;
    return workspace;
  }

  /** Approves (or restricts) an app and logs the install, as an admin approving a request would. */
  addApp(token: string, input: AddSlackAppInput | unknown): SlackAppEntry {
    const tenant = this.get(token);
    const app = parseInput(addSlackAppSchema, input);
    this.removeFromLists(tenant, app.id);
    const entry: SlackAppEntry = {
      app: {
        id: app.id,
        name: app.name,
        is_app_directory_approved: app.is_app_directory_approved,
        is_internal: app.is_internal,
      },
      scopes: app.scopes,
      date_updated: nowSeconds(),
      last_resolved_by: { actor_id: app.userId, actor_type: 'user' },
      ...(app.teamId ? { teamId: app.teamId } : {}),
      isCertified: app.certified,
    };
    (app.list === 'approved' ? tenant.data.approvedApps : tenant.data.restrictedApps).push(entry);
    if (app.list === 'approved') {
      tenant.data.integrationLogs.push({
        app_id: app.id,
        app_type: app.name,
        user_id: app.userId,
        user_name: app.userName,
        date: String(nowSeconds()),
        change_type: 'added',
        scope: app.scopes.map((s) => s.name).join(','),
        ...(app.teamId ? { teamId: app.teamId } : {}),
      });
    }
    return entry;
  }

  removeApp(token: string, appId: string): SlackAppEntry {
    const tenant = this.get(token);
    const found = this.removeFromLists(tenant, appId);
    if (!found) throw new SimNotFoundError(`no app ${appId} in this tenant`);
    const removed = found.entry;
    // A restricted app was never installed, so its removal leaves no trace in the integration log.
    if (found.list === 'restrictedApps') return removed;
    tenant.data.integrationLogs.push({
      app_id: appId,
      app_type: removed.app.name,
      user_id: removed.last_resolved_by?.actor_id ?? 'U0SIMADM01',
      user_name: 'sim-admin',
      date: String(nowSeconds()),
      change_type: 'removed',
      scope: removed.scopes.map((s) => s.name).join(','),
      reason: 'user',
      ...(removed.teamId ? { teamId: removed.teamId } : {}),
    });
    return removed;
  }

  addExternalOrganization(token: string, input: unknown): SlackExternalOrganization {
    const tenant = this.get(token);
    const org = parseInput(slackExternalOrganizationSchema, input);
    tenant.data.externalOrganizations = tenant.data.externalOrganizations.filter((o) => o.team_id !== org.team_id);
    tenant.data.externalOrganizations.push(org);
    return org;
  }

  removeExternalOrganization(token: string, teamId: string): void {
    const tenant = this.get(token);
    const before = tenant.data.externalOrganizations.length;
    tenant.data.externalOrganizations = tenant.data.externalOrganizations.filter((o) => o.team_id !== teamId);
    if (tenant.data.externalOrganizations.length === before) {
      throw new SimNotFoundError(`no external organization ${teamId} in this tenant`);
    }
  }

  addSharedChannel(token: string, input: unknown): SlackConversation {
    const tenant = this.get(token);
    const channel = parseInput(slackConversationSchema, input);
    tenant.data.sharedChannels = tenant.data.sharedChannels.filter((c) => c.id !== channel.id);
    tenant.data.sharedChannels.push(channel);
    return channel;
  }

  removeSharedChannel(token: string, channelId: string): void {
    const tenant = this.get(token);
    const before = tenant.data.sharedChannels.length;
    tenant.data.sharedChannels = tenant.data.sharedChannels.filter((c) => c.id !== channelId);
    if (tenant.data.sharedChannels.length === before) {
      throw new SimNotFoundError(`no shared channel ${channelId} in this tenant`);
    }
  }

  addUser(token: string, input: unknown): SlackUser {
    const tenant = this.get(token);
    const user = parseInput(slackUserSchema, input);
    tenant.data.users = tenant.data.users.filter((u) => u.id !== user.id);
    tenant.data.users.push(user);
    return user;
  }

  removeUser(token: string, userId: string): void {
    const tenant = this.get(token);
    const before = tenant.data.users.length;
    tenant.data.users = tenant.data.users.filter((u) => u.id !== userId);
    if (tenant.data.users.length === before) throw new SimNotFoundError(`no user ${userId} in this tenant`);
  }

  setRateLimits(token: string, input: unknown): SlackRateLimitSettings {
    const settings = parseInput(slackRateLimitSettingsSchema, input);
    this.get(token).applyRateLimits(settings);
    return settings;
  }

  requestStats(token: string): RequestStats {
    return requestStats(this.get(token));
  }

  private removeFromLists(
    tenant: SlackTenant,
    appId: string,
  ): { entry: SlackAppEntry; list: 'approvedApps' | 'restrictedApps' } | undefined {
    for (const list of ['approvedApps', 'restrictedApps'] as const) {
      const index = tenant.data[list].findIndex((e) => e.app.id === appId);
      if (index >= 0) return { entry: tenant.data[list].splice(index, 1)[0], list };
    }
    return undefined;
  }
}
