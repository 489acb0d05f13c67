import type { SlackTier } from './slack-rate.limiter';
import type { SlackTenant } from './slack-tenant.store';
import type { SlackAppEntry, SlackUser } from './slack-tenant.schema';
import { countPage, cursorPage, isSlackError, slackError, type SlackParams } from './slack-paging.util';

export interface SlackMethodContext {
  tenant: SlackTenant;
  params: SlackParams;
  /** An endless-paging fault is armed for this request. */
  endless: boolean;
}

export type SlackBody = Record<string, unknown>;

export interface SlackMethod {
  tier: SlackTier;
  /** Scope the token must hold; a tenant's `missingScopes` turns it into missing_scope. */
  scope: string;
  /** Enterprise Grid only: anything else answers not_an_enterprise. */
  gridOnly: boolean;
  /** The collection field of the answer, for the wrong-shape fault. */
  listField: string;
  handle(ctx: SlackMethodContext): SlackBody;
}

/** Every scope the simulator knows of; a tenant's token holds all but its `missingScopes`. */
export const SIM_SLACK_SCOPES = [
  'admin',
  'admin.apps:read',
  'admin.conversations:read',
  'admin.teams:read',
  'admin.users:read',
  'team:read',
  'users:read',
];

function ok(body: SlackBody): SlackBody {
  return { ok: true, ...body };
}

/** Slack's answer to a missing or conflicting argument, with its `[ERROR]` message. */
function invalidArguments(message: string): SlackBody {
  return slackError('invalid_arguments', { response_metadata: { messages: [`[ERROR] ${message}`] } });
}

function pageOptions(ctx: SlackMethodContext, defaultLimit: number, maxLimit: number) {
  return { defaultLimit, maxLimit, tenantMax: ctx.tenant.data.maxPageSize, endless: ctx.endless };
}

function appEntryWire(entry: SlackAppEntry): SlackBody {
  const { teamId: _teamId, isCertified: _certified, ...wire } = entry;
  return wire;
}

/** A user as admin.users.list answers it: simulator metadata dropped, the workspace's own expiry applied. */
function adminUserWire(user: SlackUser, teamId: string | undefined): SlackBody {
  const { expirationByTeam, ...wire } = user;
  const teamExpiry = teamId === undefined ? undefined : expirationByTeam?.[teamId];
  return teamExpiry === undefined ? wire : { ...wire, expiration_ts: teamExpiry };
}

/**
 * `certified`: "Limit the results to only include certified apps. When false, no certified apps
 * will appear in the result" (default false), on the approved, restricted and requests lists.
 */
function certifiedMatches(params: SlackParams, isCertified: boolean): boolean {
  return (params.get('certified') === 'true') === isCertified;
}

function appList(field: 'approved_apps' | 'restricted_apps', key: 'approvedApps' | 'restrictedApps'): SlackMethod {
  return {
    tier: 2,
    scope: 'admin.apps:read',
    gridOnly: true,
    listField: field,
    handle(ctx) {
      const { tenant, params } = ctx;
      const teamId = params.get('team_id');
      const enterpriseId = params.get('enterprise_id');
      // "enterprise_id and team_id cannot be used together."
      if (teamId && enterpriseId) return invalidArguments('enterprise_id and team_id cannot be used together');
      if (enterpriseId && enterpriseId !== tenant.data.team.enterprise_id) return slackError('enterprise_not_found');
      if (teamId && !tenant.workspace(teamId)) return slackError('team_not_found');
      // Workspace-level decisions answer for their team; org-wide ones for the enterprise.
      const entries = tenant.data[key].filter(
        (e) => (teamId ? e.teamId === teamId : e.teamId === undefined) && certifiedMatches(params, e.isCertified),
      );
      const page = cursorPage(entries, params, pageOptions(ctx, 100, 1000));
      if (isSlackError(page)) return page;
      return ok({ [field]: page.items.map(appEntryWire), response_metadata: { next_cursor: page.nextCursor } });
    },
  };
}

export const SLACK_METHODS: Record<string, SlackMethod> = {
  'auth.test': {
    tier: 4,
    scope: 'team:read',
    gridOnly: false,
    listField: 'team',
    handle({ tenant }) {
      const { team, isEnterprise } = tenant.data;
      return ok({
        url: `https://${team.domain}.slack.com/`,
        team: team.name,
        user: 'sim-admin',
        team_id: team.id,
        user_id: 'U0SIMADM01',
        ...(team.enterprise_id ? { enterprise_id: team.enterprise_id } : {}),
        is_enterprise_install: isEnterprise,
      });
    },
  },

  'team.info': {
    tier: 3,
    scope: 'team:read',
    gridOnly: false,
    listField: 'team',
    handle({ tenant }) {
      const team = tenant.data.team;
      return ok({
        team: {
          ...team,
          email_domain: team.email_domain ?? '',
          icon: { image_default: true, image_34: 'https://a.slack-edge.com/sim/34.png' },
        },
      });
    },
  },

  'admin.teams.list': {
    tier: 3,
    scope: 'admin.teams:read',
    gridOnly: true,
    listField: 'teams',
    handle(ctx) {
      const page = cursorPage(ctx.tenant.data.workspaces, ctx.params, pageOptions(ctx, 100, 100));
      if (isSlackError(page)) return page;
      return ok({
        teams: page.items.map((w) => ({
          id: w.id,
          name: w.name,
          // The method's own example answers `hidden` for what the setter calls `unlisted`.
          discoverability: w.discoverability === 'unlisted' ? 'hidden' : w.discoverability,
          primary_owner: w.primary_owner ?? { user_id: 'U0SIMADM01', email: 'admin@example.com' },
          team_url: w.team_url ?? `https://${w.domain}.enterprise.slack.com/`,
        })),
        response_metadata: { next_cursor: page.nextCursor },
      });
    },
  },

  'admin.teams.settings.info': {
    tier: 3,
    scope: 'admin.teams:read',
    gridOnly: true,
    listField: 'team',
    handle({ tenant, params }) {
      const teamId = params.get('team_id');
      if (!teamId) return invalidArguments('missing required field: team_id');
      const workspace = tenant.workspace(teamId);
      if (!workspace) return slackError('team_not_found');
      // Exactly the documented fields: in particular no discoverability, which only admin.teams.list reports.
      return ok({
        team: {
          id: workspace.id,
          name: workspace.name,
          domain: workspace.domain,
          email_domain: workspace.email_domain ?? tenant.data.team.email_domain ?? '',
          icon: { image_default: true },
          enterprise_id: tenant.data.team.enterprise_id,
          enterprise_name: tenant.data.team.enterprise_name,
          default_channels: workspace.default_channels,
        },
      });
    },
  },

  'admin.apps.approved.list': appList('approved_apps', 'approvedApps'),
  'admin.apps.restricted.list': appList('restricted_apps', 'restrictedApps'),

  'admin.apps.requests.list': {
    tier: 2,
    scope: 'admin.apps:read',
    gridOnly: true,
    listField: 'app_requests',
    handle(ctx) {
      const teamId = ctx.params.get('team_id');
      const requests = ctx.tenant.data.appRequests.filter(
        (r) => (!teamId || r.team.id === teamId) && certifiedMatches(ctx.params, r.isCertified),
      );
      const page = cursorPage(requests, ctx.params, pageOptions(ctx, 100, 1000));
      if (isSlackError(page)) return page;
      const items = page.items.map(({ isCertified: _certified, ...wire }) => wire);
      return ok({ app_requests: items, response_metadata: { next_cursor: page.nextCursor } });
    },
  },

  'team.integrationLogs': {
    tier: 2,
    scope: 'admin',
    gridOnly: false,
    listField: 'logs',
    handle(ctx) {
      const { tenant, params } = ctx;
      const teamId = params.get('team_id');
      // Slack requires team_id with an org-level token; a grid tenant's token is one.
      if (tenant.data.isEnterprise && !teamId) return slackError('missing_argument');
      const workspace = teamId && tenant.data.isEnterprise ? tenant.workspace(teamId) : undefined;
      if (teamId && tenant.data.isEnterprise && !workspace) return slackError('team_not_found');
      // "passing the team_id parameter will result in an invalid_auth error if the org owner is not part of the team"
      if (workspace && !workspace.orgOwnerIsMember) return slackError('invalid_auth');
      const appId = params.get('app_id');
      const changeType = params.get('change_type');
      const user = params.get('user');
      const logs = tenant.data.integrationLogs
        .map((entry, index) => ({ entry, index }))
        .filter(({ entry }) => !tenant.data.isEnterprise || entry.teamId === undefined || entry.teamId === teamId)
        .filter(({ entry }) => !appId || entry.app_id === appId)
        .filter(({ entry }) => !changeType || entry.change_type === changeType)
        .filter(({ entry }) => !user || entry.user_id === user)
        // Newest first, as Slack lists them; ties keep the later-recorded entry first.
        .sort((a, b) => Number(b.entry.date) - Number(a.entry.date) || b.index - a.index)
        .map(({ entry }) => {
          const { teamId: _teamId, ...wire } = entry;
          return wire;
        });
      const page = countPage(logs, params, pageOptions(ctx, 100, 1000));
      if (isSlackError(page)) return page;
      return ok({ logs: page.items, paging: page.paging });
    },
  },

  'team.externalTeams.list': {
    tier: 2,
    scope: 'team:read',
    gridOnly: true,
    listField: 'organizations',
    handle(ctx) {
      const status = ctx.params.get('connection_status_filter');
      const orgs = ctx.tenant.data.externalOrganizations
        .filter((o) => !status || o.connection_status === status)
        .sort((a, b) => a.team_name.localeCompare(b.team_name));
      const page = cursorPage(orgs, ctx.params, pageOptions(ctx, 20, 1000));
      if (isSlackError(page)) return page;
      return ok({
        organizations: page.items,
        total_count: orgs.length,
        response_metadata: { next_cursor: page.nextCursor },
      });
    },
  },

  'admin.conversations.search': {
    tier: 2,
    scope: 'admin.conversations:read',
    gridOnly: true,
    listField: 'conversations',
    handle(ctx) {
      const types = new Set((ctx.params.get('search_channel_types') ?? '').split(',').filter(Boolean));
      const query = ctx.params.get('query')?.toLowerCase();
      const connected = ctx.params.get('connected_team_ids')?.split(',').filter(Boolean);
      const channels = ctx.tenant.data.sharedChannels.filter(
        (c) =>
          (!types.has('external_shared') || c.is_ext_shared) &&
          (!types.has('private') || c.is_private) &&
          (!types.has('public') || !c.is_private) &&
          (!types.has('archived') || c.is_archived) &&
          (!query || c.name.toLowerCase().includes(query)) &&
          (!connected || c.connected_team_ids.some((id) => connected.includes(id))),
      );
      const page = cursorPage(channels, ctx.params, pageOptions(ctx, 10, 20));
      if (isSlackError(page)) return page;
      // This method reports its cursor at top level, not under response_metadata.
      return ok({ conversations: page.items, next_cursor: page.nextCursor, total_count: channels.length });
    },
  },

  'admin.users.list': {
    tier: 4,
    scope: 'admin.users:read',
    gridOnly: true,
    listField: 'users',
    handle(ctx) {
      const { params } = ctx;
      const teamId = params.get('team_id');
      const active = params.get('is_active') !== 'false';
      const onlyGuests = params.get('only_guests') === 'true';
      const users = ctx.tenant.data.users.filter(
        (u) =>
          u.is_active === active &&
          (!teamId || !u.workspaces || u.workspaces.includes(teamId)) &&
          (!onlyGuests || u.is_restricted || u.is_ultra_restricted),
      );
      const page = cursorPage(users, params, pageOptions(ctx, 100, 1000));
      if (isSlackError(page)) return page;
      return ok({ users: page.items.map((u) => adminUserWire(u, teamId)), response_metadata: { next_cursor: page.nextCursor } });
    },
  },

  'users.list': {
    tier: 2,
    scope: 'users:read',
    gridOnly: false,
    listField: 'members',
    handle(ctx) {
      const { tenant } = ctx;
      const page = cursorPage(tenant.data.users, ctx.params, { ...pageOptions(ctx, 1000, 1000), zeroMeansDefault: true });
      if (isSlackError(page)) return page;
      return ok({
        members: page.items.map((u) => ({
          id: u.id,
          team_id: tenant.data.team.id,
          name: u.username ?? u.id.toLowerCase(),
          real_name: u.full_name ?? '',
          deleted: !u.is_active,
          is_admin: u.is_admin,
          is_owner: u.is_owner,
          is_primary_owner: u.is_primary_owner,
          is_restricted: u.is_restricted,
          is_ultra_restricted: u.is_ultra_restricted,
          is_bot: u.is_bot,
          profile: { email: u.email ?? '', real_name: u.full_name ?? '' },
        })),
        response_metadata: { next_cursor: page.nextCursor },
      });
    },
  },
};
