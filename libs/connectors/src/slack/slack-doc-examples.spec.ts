import {
  adminUsersSchema,
  approvedAppsSchema,
  conversationsSearchSchema,
  externalTeamsSchema,
  integrationLogsSchema,
  restrictedAppsSchema,
  teamsListSchema,
  usersListSchema,
} from './slack-api.schemas';
import { normalizeSlackPosture, type SlackRawPosture } from './slack.normalizer';
import {
  ADMIN_APPS_APPROVED_LIST,
  ADMIN_APPS_RESTRICTED_LIST,
  ADMIN_CONVERSATIONS_SEARCH,
  ADMIN_TEAMS_LIST,
  ADMIN_USERS_LIST,
  TEAM_EXTERNAL_TEAMS_LIST,
  TEAM_INTEGRATION_LOGS,
  USERS_LIST,
} from './fixtures/slack-doc-examples';

/** Slack's own example answers, read by the connector's schemas and normalizer. */
describe("Slack's documented example answers", () => {
  const grid = (overrides: Partial<SlackRawPosture>): SlackRawPosture => ({
    team: { id: 'T00000000', name: 'HQ', domain: 'hq', enterprise_id: 'E00000000', enterprise_name: 'Org' },
    gaps: [],
    ...overrides,
  });
  const setting = (raw: SlackRawPosture, key: string, resourceKey = 'tenant') =>
    normalizeSlackPosture(raw).settings.find((s) => s.key === key && s.resourceKey === resourceKey)?.value;

  it('admin.teams.list: the example\'s "hidden" workspace is unlisted (SLACK.SHARING.1 passes it)', () => {
    const page = teamsListSchema.parse(ADMIN_TEAMS_LIST.body);
    expect(page.response_metadata).toBe('');
    expect(setting(grid({ workspaces: page.teams }), 'slack.workspace.discoverability', 'team:T1234')).toBe('unlisted');
  });

  it('team.integrationLogs: services and apps, numeric and string ids, disabled entries dropped', () => {
    const answer = integrationLogsSchema.parse(TEAM_INTEGRATION_LOGS.body);
    expect(answer.paging).toMatchObject({ page: 1, pages: 1 });
    const doc = normalizeSlackPosture(grid({ integrationLogs: [{ teamId: 'T00000000', logs: answer.logs }] }));
    expect(doc.oauthGrants).toEqual([
      {
        appId: '1234567890',
        appName: 'Google Calendar',
        scopes: ['incoming-webhook'],
        grantType: 'installed',
        principal: 'U1234ABCD',
        sensitiveScopes: [],
      },
      {
        appId: '2345678901',
        appName: 'Johnny App',
        scopes: ['channels:read', 'chat:write:user'],
        grantType: 'installed',
        principal: 'U2345BCDE',
        sensitiveScopes: [],
      },
    ]);
  });

  it('admin.apps.restricted.list: scopes with Slack\'s sensitive flag and the resolver', () => {
    const page = restrictedAppsSchema.parse(ADMIN_APPS_RESTRICTED_LIST.body);
    const doc = normalizeSlackPosture(grid({ restrictedApps: page.restricted_apps }));
    expect(doc.oauthGrants).toEqual([
      {
        appId: 'A0FDLP8M2L',
        appName: 'My Test App',
        scopes: ['files:write:user'],
        grantType: 'restricted',
        principal: 'W0G82LMFD',
        sensitiveScopes: ['files:write:user'],
      },
    ]);
  });

  it('admin.apps.approved.list: an entry without scopes or resolver still reads', () => {
    const page = approvedAppsSchema.parse(ADMIN_APPS_APPROVED_LIST.body);
    const doc = normalizeSlackPosture(grid({ approvedApps: page.approved_apps }));
    expect(doc.oauthGrants).toEqual([
      { appId: 'A0W7UKG8E', appName: 'My Test App', scopes: [], grantType: 'approved', sensitiveScopes: [] },
    ]);
  });

  it('team.externalTeams.list: connected organizations and a team-id cursor', () => {
    const page = externalTeamsSchema.parse(TEAM_EXTERNAL_TEAMS_LIST.body);
    expect(page.response_metadata).toBe('T123ABC999');
    expect(setting(grid({ externalOrganizations: page.organizations }), 'slack.connect.external_organizations')).toEqual([
      'T123ABC456',
    ]);
  });

  it('admin.conversations.search: external teams of shared channels, own org left out, top-level cursor', () => {
    const page = conversationsSearchSchema.parse(ADMIN_CONVERSATIONS_SEARCH.body);
    expect(page.next_cursor).toBe('');
    expect(setting(grid({ sharedChannels: page.conversations }), 'slack.connect.shared_channel_organizations')).toEqual([
      'T00000001',
    ]);
  });

  it('admin.users.list: guests and their expiration dates (SLACK.GUESTS.3 counts the two without one)', () => {
    const page = adminUsersSchema.parse(ADMIN_USERS_LIST.body);
    expect(page.response_metadata).toBe('');
    const users = page.users.map((u) => ({ ...u, active: u.is_active !== false }));
    const raw = grid({ users, usersFrom: 'admin.users.list' });
    expect(setting(raw, 'slack.guests.single_channel_count')).toBe(1);
    expect(setting(raw, 'slack.guests.multi_channel_count')).toBe(2);
    expect(setting(raw, 'slack.guests.without_expiry_count')).toBe(2);
  });

  it('users.list: a member without guest flags is no guest', () => {
    const page = usersListSchema.parse(USERS_LIST.body);
    const users = page.members.map((m) => ({ ...m, active: m.deleted !== true }));
    expect(setting(grid({ users }), 'slack.guests.multi_channel_count')).toBe(0);
    expect(setting(grid({ users }), 'slack.guests.single_channel_count')).toBe(0);
  });
});
