import { collectPages, mapLimit, parseAnswer, type PostureGap } from '@tollgate/connector-sdk';
import {
  activitiesPageSchema,
  orgUnitsListSchema,
  GOOGLE_SETTING_SCHEMAS,
  GOOGLE_SETTING_TYPES,
  policiesPageSchema,
  settingApp,
  tokensListSchema,
  usersPageSchema,
  type GoogleActivity,
  type GooglePolicy,
  type GoogleSettingType,
  type GoogleUserSummary,
} from './google-api.schemas';
import { GOOGLE_ORGUNIT_SCOPE } from './google-token.client';
import { isGoogleRefusal, isNotFound, RequestPacer, type GoogleClient } from './google.client';
import type { GoogleOrgUnit, GoogleRawPosture, GoogleUserTokens } from './google.normalizer';

/** Real tenants stay far below these; more pages means the provider is looping. */
const MAX_POLICY_PAGES = 200;
const MAX_USER_PAGES = 2_000;
/** A thousand events per page: 200 pages is far more token churn than one poll interval sees. */
const MAX_ACTIVITY_PAGES = 200;
const POLICY_PAGE_SIZE = 100;
const USER_PAGE_SIZE = 500;
const ACTIVITY_PAGE_SIZE = 1_000;
/** Token listings in flight at once: one call per user, so this is what makes big tenants finish. */
export const TOKEN_CONCURRENCY = 8;
/** 2,400 Directory queries per minute per user is Google's default quota; stay just under it. */
export const DIRECTORY_INTERVAL_MS = 60_000 / 2_300;
const POLICY_CONCURRENCY = 4;

export interface GoogleApiBases {
  /** e.g. https://admin.googleapis.com */
  admin: string;
  /** e.g. https://cloudidentity.googleapis.com */
  cloudidentity: string;
}

/**
 * What each Policy API read feeds. Sharing gaps name the setting keys (or their prefix) so the
 * evaluator can say which setting is unknown; the processing-region flag is a setting too, so it is
 * named the same way.
 */
const POLICY_FEEDS: Partial<Record<GoogleSettingType, Omit<PostureGap, 'reason'>>> = {
  'settings/drive_and_docs.external_sharing': { area: 'sharing', what: 'google-workspace.drive' },
  'settings/chat.external_chat_restriction': { area: 'sharing', what: 'google-workspace.chat.external_chat' },
  'settings/chat.chat_file_sharing': { area: 'sharing', what: 'google-workspace.chat.external_file_sharing' },
  'settings/groups_for_business.groups_sharing': { area: 'sharing', what: 'google-workspace.groups' },
  'settings/api_controls.unconfigured_third_party_apps': { area: 'sharing', what: 'google-workspace.apps' },
  'settings/data_regions.data_at_rest_region': { area: 'residency', what: 'settings/data_regions.data_at_rest_region' },
  'settings/data_regions.data_processing_region': {
    area: 'sharing',
    what: 'google-workspace.residency.limit_processing_to_storage_region',
  },
  // Unreadable, an app counts as on: its sharing settings are still held to the baseline.
  'settings/drive_and_docs.service_status': { area: 'sharing', what: 'google-workspace.drive.service_status' },
  'settings/chat.service_status': { area: 'sharing', what: 'google-workspace.chat.service_status' },
  'settings/groups_for_business.service_status': { area: 'sharing', what: 'google-workspace.groups.service_status' },
};

/** The gap of an unreadable setting type: the feed named above, or else the setting type itself. */
function feedOf(type: GoogleSettingType): Omit<PostureGap, 'reason'> {
  return POLICY_FEEDS[type] ?? { area: 'sharing', what: type };
}

/**
 * The `filter` of policies.list for one setting type. The filter is a CEL expression and the
 * pattern an RE2 regex inside a CEL string literal, so a regex backslash is itself escaped there:
 * `\.` alone is not a valid CEL escape and Google refuses the whole filter (400 INVALID_ARGUMENT).
 * Google's own example: `setting.type.matches('^settings/gmail\\..*$')`.
 */
export function settingFilter(type: GoogleSettingType): string {
  const regex = `^${type.replace(/\./g, '\\.')}$`;
  const celLiteral = regex.replace(/\\/g, '\\\\');
  return `setting.type.matches('${celLiteral}')`;
}

/**
 * The `filter` of policies.list for every setting type of one app, in the shape of Google's own
 * example (`setting.type.matches('^settings/gmail\\..*$')`): one listing per app instead of one per
 * setting type keeps the listings per poll few; types Tollgate does not read are dropped after.
 */
export function appFilter(app: string): string {
  return `setting.type.matches('^settings/${app}\\\\..*$')`;
}

async function fetchAppPolicies(
  client: GoogleClient,
  base: string,
  app: string,
  types: readonly GoogleSettingType[],
  pacer: RequestPacer,
): Promise<GooglePolicy[]> {
  const operation = 'policies.list';
  const all = await collectPages(
    async (pageToken) => {
      await pacer.wait();
      const page = await client.get(operation, `${base}/v1/policies`, policiesPageSchema, {
        filter: appFilter(app),
        pageSize: POLICY_PAGE_SIZE,
        pageToken,
      });
      return { items: page.policies, next: page.nextPageToken };
    },
    { what: `google-workspace policies.list ${app}`, maxPages: MAX_POLICY_PAGES },
  );
  const mine = all.filter((p) => (types as readonly string[]).includes(p.setting.type));
  for (const policy of mine) {
    const type = policy.setting.type as GoogleSettingType;
    parseAnswer('google-workspace', `${operation} ${type}`, GOOGLE_SETTING_SCHEMAS[type], policy.setting.value);
  }
  return mine;
}

async function fetchUsers(client: GoogleClient, base: string, customer: string, pacer: RequestPacer): Promise<GoogleUserSummary[]> {
  return collectPages(
    async (pageToken) => {
      await pacer.wait();
      const page = await client.get('directory.users.list', `${base}/admin/directory/v1/users`, usersPageSchema, {
        customer,
        maxResults: USER_PAGE_SIZE,
        pageToken,
      });
      return { items: page.users, next: page.nextPageToken };
    },
    { what: 'google-workspace directory.users.list', maxPages: MAX_USER_PAGES },
  );
}

/**
 * Every user's OAuth tokens, one call per user (Google has no tenant-wide listing), paced under the
 * Directory quota. A refusal (the security scope not delegated) stops the listing and becomes a gap:
 * grants from a part of the users would understate, so none are reported.
 */
async function fetchUserTokens(
  client: GoogleClient,
  base: string,
  users: readonly GoogleUserSummary[],
  pacer: RequestPacer,
  gaps: PostureGap[],
): Promise<GoogleUserTokens[] | undefined> {
  let refused: string | undefined;
  const results = await mapLimit(users, TOKEN_CONCURRENCY, async (user): Promise<GoogleUserTokens | undefined> => {
    if (refused !== undefined) return undefined;
    await pacer.wait();
    try {
      const url = `${base}/admin/directory/v1/users/${encodeURIComponent(user.id)}/tokens`;
      const { items } = await client.get('directory.tokens.list', url, tokensListSchema);
      return { user, tokens: items };
    } catch (err) {
      // Deleted between the user listing and this call: nothing to report for them.
      if (isNotFound(err)) return { user, tokens: [] };
      if (!isGoogleRefusal(err)) throw err;
      refused ??= err.message;
      return undefined;
    }
  });
  if (refused !== undefined) {
    gaps.push({ area: 'oauth', what: 'directory.tokens.list', reason: refused });
    return undefined;
  }
  return results.filter((r): r is GoogleUserTokens => r !== undefined);
}

/**
 * Every Policy API setting type; each one refused becomes a gap and is left out. Paced like the
 * Directory calls (the same pacer when the caller shares one), so a tenant with many policy pages
 * never bursts the Cloud Identity quota either.
 */
export async function fetchGooglePolicies(
  client: GoogleClient,
  base: string,
  gaps: PostureGap[],
  pacer: RequestPacer,
): Promise<GoogleRawPosture['policies']> {
  const byApp = new Map<string, GoogleSettingType[]>();
  for (const type of GOOGLE_SETTING_TYPES) byApp.set(settingApp(type), [...(byApp.get(settingApp(type)) ?? []), type]);
  const apps = [...byApp];
  const lists = await mapLimit(apps, POLICY_CONCURRENCY, async ([app, types]) => {
    try {
      return await fetchAppPolicies(client, base, app, types, pacer);
    } catch (err) {
      if (!isGoogleRefusal(err)) throw err;
      for (const type of types) gaps.push({ ...feedOf(type), reason: err.message });
      return undefined;
    }
  });
  const policies: GoogleRawPosture['policies'] = {};
  apps.forEach(([, types], i) => {
    const list = lists[i];
    if (!list) return;
    // A type with no policy at all is read (and empty), not unknown.
    for (const type of types) policies[type] = list.filter((p) => p.setting.type === type);
  });
  return policies;
}

/**
 * The org unit tree (Directory orgunits.list, `type=allIncludingParent` so the root is listed too;
 * the method has no paging). Refused (the org unit scope not delegated), it becomes a gap and each
 * org unit is reduced over its own and customer-wide policies only.
 */
export async function fetchOrgUnits(
  client: GoogleClient,
  adminBase: string,
  customer: string,
  pacer: RequestPacer,
  gaps: PostureGap[],
): Promise<GoogleOrgUnit[] | undefined> {
  if (await client.lacksScope(GOOGLE_ORGUNIT_SCOPE)) {
    gaps.push({
      area: 'sharing',
      what: 'directory.orgunits.list',
      reason: 'google-workspace directory.orgunits.list: admin.directory.orgunit.readonly is not delegated to the service account; org units inherit customer-wide policies only',
    });
    return undefined;
  }
  await pacer.wait();
  try {
    const url = `${adminBase}/admin/directory/v1/customer/${encodeURIComponent(customer)}/orgunits`;
    const { organizationUnits } = await client.get('directory.orgunits.list', url, orgUnitsListSchema, { type: 'allIncludingParent' });
    const strip = (id: string) => id.replace(/^id:/, '');
    return organizationUnits.map((ou) => ({ id: strip(ou.orgUnitId), ...(ou.parentOrgUnitId ? { parentId: strip(ou.parentOrgUnitId) } : {}) }));
  } catch (err) {
    if (!isGoogleRefusal(err)) throw err;
    gaps.push({ area: 'sharing', what: 'directory.orgunits.list', reason: err.message });
    return undefined;
  }
}

/**
 * Reads everything the Google Workspace connector reports: the users (whose listing failing fails
 * the poll: without it there is no tenant), their tokens, and the Policy API settings, each of which
 * may be refused on its own and then becomes a gap.
 */
export async function fetchGooglePosture(
  client: GoogleClient,
  bases: GoogleApiBases,
  customer: string,
  signal?: AbortSignal,
): Promise<GoogleRawPosture> {
  const pacer = new RequestPacer(DIRECTORY_INTERVAL_MS, signal);
  const gaps: PostureGap[] = [];
  const users = await fetchUsers(client, bases.admin, customer, pacer);
  // One phase after the other keeps the requests in flight (each holding listeners on the poll's
  // abort signal) at the token listing's concurrency.
  const orgUnits = await fetchOrgUnits(client, bases.admin, customer, pacer, gaps);
  const policies = await fetchGooglePolicies(client, bases.cloudidentity, gaps, pacer);
  const userTokens = await fetchUserTokens(client, bases.admin, users, pacer, gaps);
  return { customer, users, policies, userTokens, gaps, ...(orgUnits ? { orgUnits } : {}) };
}

/**
 * The token application's activities since `startTime` (RFC 3339), newest first as Google lists
 * them. No `eventName` filter: it takes a single name, and one listing of both authorize and revoke
 * keeps them in one time order; other events (`request`) are skipped when applied. A refusal is
 * thrown as is: the caller decides what a tenant without the Reports scope gets.
 */
export async function fetchTokenActivities(
  client: GoogleClient,
  adminBase: string,
  startTime: string,
  signal?: AbortSignal,
): Promise<GoogleActivity[]> {
  // Paced like the Directory calls, so even a long backlog of events pages at a polite rate.
  const pacer = new RequestPacer(DIRECTORY_INTERVAL_MS, signal);
  return collectPages(
    async (pageToken) => {
      await pacer.wait();
      const page = await client.get(
        'reports.activities.list',
        `${adminBase}/admin/reports/v1/activity/users/all/applications/token`,
        activitiesPageSchema,
        { startTime, maxResults: ACTIVITY_PAGE_SIZE, pageToken },
      );
      return { items: page.items, next: page.nextPageToken };
    },
    { what: 'google-workspace reports.activities.list token', maxPages: MAX_ACTIVITY_PAGES },
  );
}
