import {
  byCodeUnit,
  sortedUnique,
  type OAuthGrant,
  type PostureDocument,
  type PostureGap,
  type ResidencyObservation,
  type SettingObservation,
} from '@tollgate/connector-sdk';
import {
  hasExpiry,
  type SlackAppEntry,
  type SlackAppRequest,
  type SlackConversation,
  type SlackExternalOrganization,
  type SlackIntegrationLog,
  type SlackTeamInfo,
  type SlackUserFlags,
  type SlackWorkspaceSummary,
} from './slack-api.schemas';
import type { SlackSettingKey } from './slack.catalog';

export interface SlackTeamLog {
  /** The workspace the log belongs to; absent for a workspace (not org) token. */
  teamId?: string;
  /** As Slack lists them: newest first. */
  logs: SlackIntegrationLog[];
}

/** Guests as one listing read them: only admin.users.list (Enterprise Grid) reports expiry dates. */
export interface SlackGuestListing {
  from: 'admin.users.list' | 'users.list';
  users: SlackUserFlags[];
}

/** What the fetchers read. An absent dataset could not be read; a gap says why. */
export interface SlackRawPosture {
  team: SlackTeamInfo;
  workspaces?: SlackWorkspaceSummary[];
  externalOrganizations?: SlackExternalOrganization[];
  sharedChannels?: SlackConversation[];
  users?: SlackUserFlags[];
  /** Which listing `users` came from; without it, expiry dates are taken as unread. */
  usersFrom?: SlackGuestListing['from'];
  approvedApps?: SlackAppEntry[];
  restrictedApps?: SlackAppEntry[];
  appRequests?: SlackAppRequest[];
  integrationLogs?: SlackTeamLog[];
  gaps: PostureGap[];
}

export interface SlackNormalizeOptions {
  declaredResidency?: string;
}

/** Log change types that leave the app installed with (at least) the logged scopes. */
const GRANTING = new Set(['added', 'expanded', 'enabled', 'updated']);
const REVOKING = new Set(['removed', 'disabled']);

function setting(key: SlackSettingKey, resourceKey: string, value: SettingObservation['value']): SettingObservation {
  return { key, resourceKey, value, source: 'observed' };
}

/**
 * admin.teams.list's own example answers `hidden`, the admin console's name ("Hidden: unlisted and
 * new members must be invited to join"), while admin.teams.settings.setDiscoverability and
 * admin.teams.create spell the same setting `unlisted`. One spelling is kept so baselines need not
 * know both; any other value is passed on as Slack sent it.
 */
const DISCOVERABILITY_ALIASES: Record<string, string> = { hidden: 'unlisted' };

function normalizeDiscoverability(raw: SlackRawPosture, gaps: PostureDocument['gaps']): SettingObservation[] {
  if (!raw.workspaces) return [];
  const out: SettingObservation[] = [];
  for (const workspace of [...raw.workspaces].sort((a, b) => byCodeUnit(a.id, b.id))) {
    // admin.teams.list is the one documented source: admin.teams.settings.info has no such field.
    const reported = workspace.discoverability;
    const value = reported == null ? reported : (DISCOVERABILITY_ALIASES[reported] ?? reported);
    if (value == null) {
      gaps.push({
        area: 'sharing',
        what: 'slack.workspace.discoverability',
        reason: `Slack reported none for workspace ${workspace.id}`,
      });
      continue;
    }
    out.push(setting('slack.workspace.discoverability', `team:${workspace.id}`, value));
  }
  return out;
}

function ownTeamIds(raw: SlackRawPosture): Set<string> {
  const own = new Set([raw.team.id]);
  if (raw.team.enterprise_id) own.add(raw.team.enterprise_id);
  for (const w of raw.workspaces ?? []) own.add(w.id);
  return own;
}

function normalizeSharing(raw: SlackRawPosture, gaps: PostureDocument['gaps']): SettingObservation[] {
  const out: SettingObservation[] = [];
  if (raw.externalOrganizations) {
    // No status is read as connected: a listed organization is assumed to reach us unless Slack says otherwise.
    const active = raw.externalOrganizations.filter(
      (o) => o.connection_status == null || o.connection_status.toUpperCase() === 'CONNECTED',
    );
    out.push(setting('slack.connect.external_organizations', 'tenant', sortedUnique(active.map((o) => o.team_id))));
  }
  if (raw.sharedChannels) {
    const own = ownTeamIds(raw);
    const external = raw.sharedChannels
      .filter((c) => c.is_ext_shared)
      .flatMap((c) => c.connected_team_ids)
      .filter((id) => !own.has(id));
    out.push(setting('slack.connect.shared_channel_organizations', 'tenant', sortedUnique(external)));
  }
  if (raw.users) {
    const guests = raw.users.filter((u) => u.active && !u.is_bot);
    // Slack flags single-channel guests with both is_restricted and is_ultra_restricted.
    const single = guests.filter((u) => u.is_ultra_restricted).length;
    const multi = guests.filter((u) => u.is_restricted && !u.is_ultra_restricted).length;
    out.push(setting('slack.guests.multi_channel_count', 'tenant', multi));
    out.push(setting('slack.guests.single_channel_count', 'tenant', single));
    if (raw.usersFrom === 'admin.users.list') {
      const open = guests.filter((u) => (u.is_restricted || u.is_ultra_restricted) && !hasExpiry(u)).length;
      out.push(setting('slack.guests.without_expiry_count', 'tenant', open));
    } else {
      gaps.push({
        area: 'sharing',
        what: 'slack.guests.without_expiry_count',
        reason: 'guest expiration dates come only from admin.users.list (Enterprise Grid); users.list has none',
      });
    }
  }
  return out;
}

interface GrantAccumulator {
  appId: string;
  appName: string;
  scopes: Set<string>;
  sensitive: Set<string>;
  principal?: string;
  /** Unix seconds of the grant that set `principal` (installed grants only). */
  at: number;
}

function accumulate(
  into: Map<string, GrantAccumulator>,
  appId: string,
  appName: string | null | undefined,
  scopes: { name: string; is_sensitive: boolean }[],
  principal: string | null | undefined,
): void {
  let grant = into.get(appId);
  if (!grant) {
    grant = { appId, appName: appName ?? appId, scopes: new Set(), sensitive: new Set(), at: 0 };
    into.set(appId, grant);
  }
  if (appName && grant.appName === appId) grant.appName = appName;
  for (const s of scopes) {
    grant.scopes.add(s.name);
    if (s.is_sensitive) grant.sensitive.add(s.name);
  }
  grant.principal ??= principal ?? undefined;
}

function fromEntries(entries: SlackAppEntry[]): Map<string, GrantAccumulator> {
  const grants = new Map<string, GrantAccumulator>();
  for (const e of entries) accumulate(grants, e.app.id, e.app.name, e.scopes, e.last_resolved_by?.actor_id);
  return grants;
}

function fromRequests(requests: SlackAppRequest[]): Map<string, GrantAccumulator> {
  const grants = new Map<string, GrantAccumulator>();
  for (const r of requests) accumulate(grants, r.app.id, r.app.name, r.scopes, r.user?.id);
  return grants;
}

function logAppId(entry: SlackIntegrationLog): string | undefined {
  return entry.app_id ?? entry.service_id ?? undefined;
}

/** Apps present at the end of one workspace's log, replayed oldest to newest. */
function replayLog(logs: SlackIntegrationLog[]): Map<string, GrantAccumulator> {
  const ordered = logs
    .map((entry, index) => ({ entry, index, at: Number(entry.date) }))
    // Slack lists newest first, so among equal dates the later position is the older entry.
    .sort((a, b) => a.at - b.at || b.index - a.index);
  const present = new Map<string, GrantAccumulator>();
  for (const { entry, at } of ordered) {
    const appId = logAppId(entry);
    if (!appId) continue;
    if (REVOKING.has(entry.change_type)) {
      present.delete(appId);
      continue;
    }
    if (!GRANTING.has(entry.change_type)) continue;
    let grant = present.get(appId);
    if (!grant) {
      grant = { appId, appName: entry.app_type ?? entry.service_type ?? appId, scopes: new Set(), sensitive: new Set(), at };
      present.set(appId, grant);
    }
    for (const scope of (entry.scope ?? '').split(',')) {
      const name = scope.trim();
      if (name) grant.scopes.add(name);
    }
    grant.principal = entry.user_id ?? grant.principal;
    grant.at = Number.isFinite(at) ? at : grant.at;
  }
  return present;
}

function installedGrants(teamLogs: SlackTeamLog[]): Map<string, GrantAccumulator> {
  const merged = new Map<string, GrantAccumulator>();
  for (const { logs } of teamLogs) {
    for (const grant of replayLog(logs).values()) {
      const existing = merged.get(grant.appId);
      if (!existing) {
        merged.set(grant.appId, grant);
        continue;
      }
      for (const s of grant.scopes) existing.scopes.add(s);
      // The principal is whoever granted most recently, across workspaces too.
      if (grant.at >= existing.at) {
        existing.at = grant.at;
        existing.principal = grant.principal ?? existing.principal;
      }
    }
  }
  return merged;
}

function toGrants(grants: Map<string, GrantAccumulator>, grantType: OAuthGrant['grantType']): OAuthGrant[] {
  return [...grants.values()].map((g) => ({
    appId: g.appId,
    appName: g.appName,
    scopes: sortedUnique(g.scopes),
    grantType,
    ...(g.principal ? { principal: g.principal } : {}),
    sensitiveScopes: sortedUnique(g.sensitive),
  }));
}

function normalizeGrants(raw: SlackRawPosture): OAuthGrant[] {
  const grants: OAuthGrant[] = [];
  if (raw.approvedApps) grants.push(...toGrants(fromEntries(raw.approvedApps), 'approved'));
  if (raw.restrictedApps) grants.push(...toGrants(fromEntries(raw.restrictedApps), 'restricted'));
  if (raw.appRequests) grants.push(...toGrants(fromRequests(raw.appRequests), 'requested'));
  if (raw.integrationLogs) {
    // The log does not flag sensitive scopes; Slack's flags from the app lists apply to the same names.
    const flagged = new Set(grants.flatMap((g) => g.sensitiveScopes ?? []));
    const installed = installedGrants(raw.integrationLogs);
    for (const g of installed.values()) for (const s of g.scopes) if (flagged.has(s)) g.sensitive.add(s);
    grants.push(...toGrants(installed, 'installed'));
  }
  const order: OAuthGrant['grantType'][] = ['approved', 'installed', 'requested', 'restricted'];
  return grants.sort(
    (a, b) => order.indexOf(a.grantType) - order.indexOf(b.grantType) || byCodeUnit(a.appId, b.appId),
  );
}

function normalizeResidency(options: SlackNormalizeOptions, gaps: PostureDocument['gaps']): ResidencyObservation[] {
  const declared = options.declaredResidency?.trim();
  if (declared) return [{ resourceKey: 'tenant', region: declared.toUpperCase(), source: 'declared' }];
  gaps.push({
    area: 'residency',
    what: 'declaredResidency',
    reason: 'Slack exposes no residency API; set declaredResidency on the connection',
  });
  return [];
}

/** Raw Slack answers to the provider-agnostic document. Pure: same input, same document. */
export function normalizeSlackPosture(raw: SlackRawPosture, options: SlackNormalizeOptions = {}): PostureDocument {
  const gaps = [...raw.gaps];
  const { team } = raw;
  const name = team.enterprise_name ?? team.name;
  return {
    provider: 'slack',
    tenant: {
      // A grid is one tenant however many workspaces it has, so it goes by its enterprise id.
      id: team.enterprise_id ?? team.id,
      ...(name ? { name } : {}),
      ...(team.domain ? { domain: team.domain } : {}),
    },
    settings: [...normalizeDiscoverability(raw, gaps), ...normalizeSharing(raw, gaps)],
    oauthGrants: normalizeGrants(raw),
    residency: normalizeResidency(options, gaps),
    gaps,
  };
}
