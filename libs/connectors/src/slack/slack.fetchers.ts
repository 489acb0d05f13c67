import { collectPages, GapLog, mapLimit, readOptional, type GapTarget, type ProviderError } from '@tollgate/connector-sdk';
import type { z } from 'zod';
import {
  adminUsersSchema,
  appRequestsSchema,
  approvedAppsSchema,
  conversationsSearchSchema,
  externalTeamsSchema,
  hasExpiry,
  integrationLogsSchema,
  restrictedAppsSchema,
  teamInfoSchema,
  teamsListSchema,
  usersListSchema,
  type SlackAppEntry,
  type SlackAppRequest,
  type SlackIntegrationLog,
  type SlackTeamInfo,
  type SlackUserFlags,
} from './slack-api.schemas';
import { isSlackGap, type SlackClient, type SlackParams } from './slack.client';
import type { SlackGuestListing, SlackRawPosture, SlackTeamLog } from './slack.normalizer';

/** Real org listings stay far below these; more pages means the provider is looping. */
const MAX_PAGES = 200;
/** Integration logs grow forever; older history than this is reported as a gap, not read. */
export const MAX_INTEGRATION_LOG_PAGES = 100;
const INTEGRATION_LOG_PAGE_SIZE = 100;
/** Workspaces read in parallel per listing; the client caps the poll's total concurrency too. */
const PER_TEAM_CONCURRENCY = 4;

/**
 * What each read feeds. Sharing gaps name the setting key (or a prefix of a group of keys) so the
 * evaluator can explain exactly which setting is unknown; OAuth gaps name the API read.
 */
const FEEDS = {
  discoverability: { area: 'sharing', what: 'slack.workspace.discoverability' },
  externalOrganizations: { area: 'sharing', what: 'slack.connect.external_organizations' },
  sharedChannels: { area: 'sharing', what: 'slack.connect.shared_channel_organizations' },
  guests: { area: 'sharing', what: 'slack.guests' },
  approved: { area: 'oauth', what: 'admin.apps.approved.list' },
  restricted: { area: 'oauth', what: 'admin.apps.restricted.list' },
  requested: { area: 'oauth', what: 'admin.apps.requests.list' },
  installed: { area: 'oauth', what: 'team.integrationLogs' },
} as const satisfies Record<string, GapTarget>;

function gapReason(err: ProviderError): string {
  if (err.details.code === 'not_an_enterprise') return `${err.message} (Enterprise Grid only)`;
  return err.message;
}

/** Runs a read whose refusal (missing scope, plan) leaves a dataset unknown instead of failing the poll. */
const readable = <T>(gaps: GapLog, feeds: GapTarget, read: () => Promise<T>) => readOptional(gaps, feeds, isSlackGap, read, gapReason);

/** Every item of a cursor-paged method, with the SDK's repeated-cursor and page-count guards. */
async function listAll<S extends z.ZodType, T>(
  client: SlackClient,
  method: string,
  schema: S,
  params: SlackParams,
  pick: (page: z.output<S>) => { items: T[]; next: string },
): Promise<T[]> {
  return collectPages(
    async (cursor) => pick(await client.call(method, schema, cursor ? { ...params, cursor } : params)),
    { what: `slack ${method}`, maxPages: MAX_PAGES },
  );
}

export async function fetchTeam(client: SlackClient): Promise<SlackTeamInfo> {
  // Not wrapped in readable(): without the team there is no tenant to report on, so the poll fails.
  return (await client.call('team.info', teamInfoSchema)).team;
}

function fetchWorkspaces(client: SlackClient, gaps: GapLog) {
  return readable(gaps, FEEDS.discoverability, () =>
    listAll(client, 'admin.teams.list', teamsListSchema, { limit: 100 }, (p) => ({
      items: p.teams,
      next: p.response_metadata,
    })),
  );
}

/**
 * Slack's `certified` filter splits every app list in two: "Limit the results to only include
 * certified apps. When false, no certified apps will appear in the result" (default false). Each
 * list is therefore read once without and once with certified apps; an app both answers show
 * (if Slack ever reads the flag as "include", as the Node SDK's comment says) merges by app id.
 */
const CERTIFIED_SPLIT: readonly SlackParams[] = [{ certified: false }, { certified: true }];

/** Every (level x certified) combination of a scoped app listing. */
function certifiedSplit(scopes: readonly SlackParams[]): SlackParams[] {
  return scopes.flatMap((scope) => CERTIFIED_SPLIT.map((c) => ({ ...scope, ...c })));
}

/**
 * App decisions exist org-wide (enterprise_id) and per workspace (team_id); Slack lists each level
 * separately, so both are read. What one level shows is kept even when another refuses: a risky
 * grant seen is worth reporting, and the gap says the list may be incomplete.
 */
async function fetchAppList(
  client: SlackClient,
  list: 'approved' | 'restricted',
  scopes: readonly SlackParams[],
  gaps: GapLog,
): Promise<SlackAppEntry[] | undefined> {
  const method = `admin.apps.${list}.list`;
  const read = (params: SlackParams) =>
    readable(gaps, FEEDS[list], () =>
      list === 'approved'
        ? listAll(client, method, approvedAppsSchema, { ...params, limit: 1000 }, (p) => ({
            items: p.approved_apps,
            next: p.response_metadata,
          }))
        : listAll(client, method, restrictedAppsSchema, { ...params, limit: 1000 }, (p) => ({
            items: p.restricted_apps,
            next: p.response_metadata,
          })),
    );
  const parts = await mapLimit(certifiedSplit(scopes), PER_TEAM_CONCURRENCY, read);
  if (parts.every((p) => p === undefined)) return undefined;
  return parts.flatMap((p) => p ?? []);
}

async function fetchAppRequests(
  client: SlackClient,
  teamIds: readonly string[],
  gaps: GapLog,
): Promise<SlackAppRequest[] | undefined> {
  // Slack requires team_id here once a grid has more than one workspace, so ask per workspace;
  // requests for certified apps are listed only with certified=true, as for the app lists.
  const scopes = certifiedSplit(teamIds.map((teamId) => ({ team_id: teamId })));
  const parts = await mapLimit(scopes, PER_TEAM_CONCURRENCY, (scope) =>
    readable(gaps, FEEDS.requested, () =>
      listAll(client, 'admin.apps.requests.list', appRequestsSchema, { ...scope, limit: 1000 }, (p) => ({
        items: p.app_requests,
        next: p.response_metadata,
      })),
    ),
  );
  if (parts.every((p) => p === undefined)) return undefined;
  return parts.flatMap((p) => p ?? []);
}

/** page/count paging, newest first; capped so a huge or looping log costs a gap, not the poll. */
async function fetchTeamLog(
  client: SlackClient,
  teamId: string | undefined,
  gaps: GapLog,
): Promise<SlackIntegrationLog[]> {
  const logs: SlackIntegrationLog[] = [];
  for (let page = 1; ; page++) {
    if (page > MAX_INTEGRATION_LOG_PAGES) {
      gaps.add(
        FEEDS.installed,
        `slack team.integrationLogs: more than ${MAX_INTEGRATION_LOG_PAGES} pages` +
          `${teamId ? ` for ${teamId}` : ''}; installs older than the newest ` +
          `${MAX_INTEGRATION_LOG_PAGES * INTEGRATION_LOG_PAGE_SIZE} entries are not seen`,
      );
      return logs;
    }
    const params: SlackParams = { count: INTEGRATION_LOG_PAGE_SIZE, page };
    if (teamId) params.team_id = teamId;
    // With team_id, Slack answers invalid_auth when the org owner is not a member of that
    // workspace: that workspace's log is unreadable, the token is not bad (team.info accepted it).
    const answer = await client.call('team.integrationLogs', integrationLogsSchema, params, {
      gapCodes: teamId ? ['invalid_auth'] : [],
    });
    logs.push(...answer.logs);
    if (!answer.paging || answer.logs.length === 0 || page >= answer.paging.pages) return logs;
  }
}

async function fetchIntegrationLogs(
  client: SlackClient,
  teamIds: readonly (string | undefined)[],
  gaps: GapLog,
): Promise<SlackTeamLog[] | undefined> {
  const parts = await mapLimit(teamIds, PER_TEAM_CONCURRENCY, (teamId) =>
    readOptional(
      gaps,
      FEEDS.installed,
      isSlackGap,
      async (): Promise<SlackTeamLog> => ({ teamId, logs: await fetchTeamLog(client, teamId, gaps) }),
      (err) =>
        teamId && err.details.code === 'invalid_auth'
          ? `${err.message} for workspace ${teamId} (Slack refuses team_id when the org owner is not a member of that workspace)`
          : gapReason(err),
    ),
  );
  if (parts.every((p) => p === undefined)) return undefined;
  return parts.filter((p): p is SlackTeamLog => p !== undefined);
}

function fetchExternalOrganizations(client: SlackClient, gaps: GapLog) {
  return readable(gaps, FEEDS.externalOrganizations, () =>
    // The method page documents no maximum (default 20); 200 is the most Slack's pagination guide recommends.
    listAll(client, 'team.externalTeams.list', externalTeamsSchema, { limit: 200 }, (p) => ({
      items: p.organizations,
      next: p.response_metadata,
    })),
  );
}

function fetchSharedChannels(client: SlackClient, gaps: GapLog) {
  return readable(gaps, FEEDS.sharedChannels, () =>
    listAll(
      client,
      'admin.conversations.search',
      conversationsSearchSchema,
      // 20 is this method's documented maximum page size.
      { search_channel_types: 'external_shared', limit: 20 },
      (p) => ({ items: p.conversations, next: p.next_cursor || p.response_metadata }),
    ),
  );
}

/**
 * Guests of a grid come from admin.users.list per workspace with only_guests=true: Slack documents
 * that filter per team_id, and it keeps a 100k-member org to a few pages. People in several
 * workspaces are counted once. A workspace outside a grid has no admin.users.* at all, so its
 * guests come from users.list, which any plan offers.
 */
async function fetchGuests(
  client: SlackClient,
  teamIds: readonly string[],
  gaps: GapLog,
): Promise<SlackGuestListing | undefined> {
  let notGrid = false;
  const parts = await mapLimit(teamIds, PER_TEAM_CONCURRENCY, async (teamId) => {
    try {
      return await listAll(
        client,
        'admin.users.list',
        adminUsersSchema,
        { team_id: teamId, only_guests: true, limit: 100 },
        (p) => ({ items: p.users, next: p.response_metadata }),
      );
    } catch (err) {
      if (isSlackGap(err) && err.details.code === 'not_an_enterprise') {
        notGrid = true;
        return undefined;
      }
      if (!isSlackGap(err)) throw err;
      gaps.add(FEEDS.guests, gapReason(err));
      return undefined;
    }
  });
  if (notGrid) {
    return readable(gaps, FEEDS.guests, async (): Promise<SlackGuestListing> => {
      const members = await listAll(client, 'users.list', usersListSchema, { limit: 200 }, (p) => ({
        items: p.members,
        next: p.response_metadata,
      }));
      return { from: 'users.list', users: members.map((m) => ({ ...m, active: m.deleted !== true })) };
    });
  }
  // Unlike grants, a count from some workspaces only would understate: unknown instead.
  if (parts.some((p) => p === undefined)) return undefined;
  const byId = new Map<string, SlackUserFlags>();
  for (const user of parts.flatMap((p) => p ?? [])) {
    const merged: SlackUserFlags = { ...user, active: user.is_active !== false };
    // Expiry is set per workspace (admin.users.setExpiration takes team_id): a guest without one in
    // any workspace keeps access there indefinitely, so that listing wins.
    const seen = byId.get(user.id);
    if (seen && !hasExpiry(seen)) merged.expiration_ts = seen.expiration_ts;
    byId.set(user.id, merged);
  }
  return { from: 'admin.users.list', users: [...byId.values()] };
}

/** Reads everything the Slack connector reports. Only team.info and poll-ending faults throw. */
export async function fetchSlackPosture(client: SlackClient): Promise<SlackRawPosture> {
  const team = await fetchTeam(client);
  const gaps = new GapLog();
  const workspaces = await fetchWorkspaces(client, gaps);
  const teamIds = workspaces ? workspaces.map((w) => w.id) : [team.id];
  // Without the grid's workspace list, per-workspace reads can only cover the token's own team.
  const partialGrid = !workspaces && Boolean(team.enterprise_id);
  if (partialGrid) {
    const why = `the grid's workspace list is unreadable, so per-workspace reads cover ${team.id} only`;
    gaps.add({ area: 'oauth', what: 'admin.teams.list' }, why);
    gaps.add(FEEDS.guests, why);
  }
  const appScopes: SlackParams[] = [
    ...(team.enterprise_id ? [{ enterprise_id: team.enterprise_id }] : []),
    ...teamIds.map((teamId) => ({ team_id: teamId })),
  ];
  // "team_id ... required if org token is used" (team.integrationLogs reference); a workspace
  // token reads its own log and Slack ignores team_id for it, so none is sent.
  const logTeams = team.enterprise_id ? teamIds : [undefined];

  const [approvedApps, restrictedApps, appRequests, integrationLogs, orgs, channels, guests] =
    await Promise.all([
      fetchAppList(client, 'approved', appScopes, gaps),
      fetchAppList(client, 'restricted', appScopes, gaps),
      fetchAppRequests(client, teamIds, gaps),
      fetchIntegrationLogs(client, logTeams, gaps),
      fetchExternalOrganizations(client, gaps),
      fetchSharedChannels(client, gaps),
      partialGrid ? Promise.resolve(undefined) : fetchGuests(client, teamIds, gaps),
    ]);

  return {
    team,
    workspaces,
    approvedApps,
    restrictedApps,
    appRequests,
    integrationLogs,
    externalOrganizations: orgs,
    sharedChannels: channels,
    users: guests?.users,
    ...(guests ? { usersFrom: guests.from } : {}),
    gaps: gaps.gaps,
  };
}
