import type { SlackIntegrationLog } from './slack-api.schemas';
import { normalizeSlackPosture, type SlackRawPosture } from './slack.normalizer';

function grid(overrides: Partial<SlackRawPosture> = {}): SlackRawPosture {
  return {
    team: { id: 'T1', name: 'HQ', domain: 'hq', enterprise_id: 'E1', enterprise_name: 'Org' },
    workspaces: [
      { id: 'T2', name: 'Eng', discoverability: 'open' },
      { id: 'T1', name: 'HQ', discoverability: 'invite_only' },
    ],
    gaps: [],
    ...overrides,
  };
}

function log(entry: Partial<SlackIntegrationLog> & { date: string; change_type: string }): SlackIntegrationLog {
  return {
    app_type: undefined,
    service_type: undefined,
    user_id: 'U1',
    scope: undefined,
    ...entry,
  };
}

function setting(doc: ReturnType<typeof normalizeSlackPosture>, key: string, resourceKey = 'tenant') {
  return doc.settings.find((s) => s.key === key && s.resourceKey === resourceKey)?.value;
}

describe('normalizeSlackPosture', () => {
  describe('tenant', () => {
    it('names a grid by its enterprise', () => {
      expect(normalizeSlackPosture(grid()).tenant).toEqual({ id: 'E1', name: 'Org', domain: 'hq' });
    });

    it('names a standalone workspace by its team', () => {
      const doc = normalizeSlackPosture({ team: { id: 'T9', name: 'Solo', domain: 'solo' }, gaps: [] });
      expect(doc.tenant).toEqual({ id: 'T9', name: 'Solo', domain: 'solo' });
    });
  });

  describe('slack.workspace.discoverability', () => {
    it('reads admin.teams.list per team, sorted by team id', () => {
      const doc = normalizeSlackPosture(grid());
      expect(doc.settings.filter((s) => s.key === 'slack.workspace.discoverability')).toEqual([
        { key: 'slack.workspace.discoverability', resourceKey: 'team:T1', value: 'invite_only', source: 'observed' },
        { key: 'slack.workspace.discoverability', resourceKey: 'team:T2', value: 'open', source: 'observed' },
      ]);
    });

    it("records admin.teams.list's 'hidden' as the setter's 'unlisted' and keeps every other documented value", () => {
      const values = ['open', 'invite_only', 'closed', 'unlisted', 'hidden'];
      const doc = normalizeSlackPosture(
        grid({ workspaces: values.map((discoverability, i) => ({ id: `T${i}`, name: null, discoverability })) }),
      );
      expect(values.map((_, i) => setting(doc, 'slack.workspace.discoverability', `team:T${i}`))).toEqual([
        'open',
        'invite_only',
        'closed',
        'unlisted',
        'unlisted',
      ]);
    });

    it('leaves a team without any value absent and says so', () => {
      const doc = normalizeSlackPosture(grid({ workspaces: [{ id: 'T3', name: 'X', discoverability: undefined }] }));
      expect(setting(doc, 'slack.workspace.discoverability', 'team:T3')).toBeUndefined();
      expect(doc.gaps).toContainEqual({
        area: 'sharing',
        what: 'slack.workspace.discoverability',
        reason: expect.stringContaining('T3'),
      });
    });

    it('is absent when the workspace list was not readable', () => {
      const doc = normalizeSlackPosture(grid({ workspaces: undefined }));
      expect(doc.settings.some((s) => s.key === 'slack.workspace.discoverability')).toBe(false);
    });
  });

  describe('Slack Connect', () => {
    it('lists connected external organizations, sorted and unique', () => {
      const doc = normalizeSlackPosture(
        grid({
          externalOrganizations: [
            { team_id: 'T9', team_name: 'Z', connection_status: 'CONNECTED' },
            { team_id: 'T7', team_name: 'Y', connection_status: 'DISCONNECTED' },
            { team_id: 'T8', team_name: 'X', connection_status: 'IN_REVIEW' },
            { team_id: 'T5', team_name: 'W', connection_status: undefined },
            { team_id: 'T9', team_name: 'Z', connection_status: 'CONNECTED' },
          ],
        }),
      );
      expect(setting(doc, 'slack.connect.external_organizations')).toEqual(['T5', 'T9']);
    });

    it('lists external organizations of shared channels without the org itself', () => {
      const doc = normalizeSlackPosture(
        grid({
          sharedChannels: [
            { id: 'C1', is_ext_shared: true, connected_team_ids: ['E1', 'TX2', 'TX1'] },
            { id: 'C2', is_ext_shared: true, connected_team_ids: ['T1', 'T2', 'TX1'] },
            { id: 'C3', is_ext_shared: false, connected_team_ids: ['TX9'] },
          ],
        }),
      );
      expect(setting(doc, 'slack.connect.shared_channel_organizations')).toEqual(['TX1', 'TX2']);
    });

    it('reports an empty list as observed, distinct from unreadable', () => {
      const doc = normalizeSlackPosture(grid({ externalOrganizations: [], sharedChannels: [] }));
      expect(setting(doc, 'slack.connect.external_organizations')).toEqual([]);
      expect(setting(doc, 'slack.connect.shared_channel_organizations')).toEqual([]);
      const unread = normalizeSlackPosture(grid());
      expect(setting(unread, 'slack.connect.external_organizations')).toBeUndefined();
    });
  });

  describe('guests', () => {
    it('counts active multi- and single-channel guests, not bots or deactivated people', () => {
      const user = (id: string, flags: Partial<{ r: boolean; u: boolean; bot: boolean; active: boolean }>) => ({
        id,
        is_restricted: flags.r ?? false,
        is_ultra_restricted: flags.u ?? false,
        is_bot: flags.bot ?? false,
        active: flags.active ?? true,
      });
      const doc = normalizeSlackPosture(
        grid({
          users: [
            user('U1', {}),
            user('U2', { r: true }),
            user('U3', { r: true, u: true }),
            user('U4', { r: true, u: true }),
            user('U5', { r: true, active: false }),
            user('U6', { r: true, bot: true }),
          ],
        }),
      );
      expect(setting(doc, 'slack.guests.multi_channel_count')).toBe(1);
      expect(setting(doc, 'slack.guests.single_channel_count')).toBe(2);
    });

    const guest = (id: string, expiration_ts: number | null | undefined, more: { active?: boolean; bot?: boolean } = {}) => ({
      id,
      is_restricted: true,
      is_ultra_restricted: false,
      is_bot: more.bot ?? false,
      active: more.active ?? true,
      expiration_ts,
    });

    it('counts active guests without an expiration date: absent, null and 0 all mean none', () => {
      const doc = normalizeSlackPosture(
        grid({
          usersFrom: 'admin.users.list',
          users: [
            guest('U1', 1_900_000_000),
            guest('U2', undefined),
            guest('U3', null),
            guest('U4', 0),
            guest('U5', undefined, { active: false }),
            guest('U6', undefined, { bot: true }),
            { ...guest('U7', undefined), is_restricted: false },
          ],
        }),
      );
      expect(setting(doc, 'slack.guests.without_expiry_count')).toBe(3);
      expect(doc.gaps).not.toContainEqual(expect.objectContaining({ what: 'slack.guests.without_expiry_count' }));
    });

    it('leaves the expiry count unknown when guests came from users.list, which has no expiry', () => {
      const doc = normalizeSlackPosture(grid({ usersFrom: 'users.list', users: [guest('U1', undefined)] }));
      expect(setting(doc, 'slack.guests.multi_channel_count')).toBe(1);
      expect(setting(doc, 'slack.guests.without_expiry_count')).toBeUndefined();
      expect(doc.gaps).toContainEqual(expect.objectContaining({ area: 'sharing', what: 'slack.guests.without_expiry_count' }));
    });
  });

  describe('oauthGrants', () => {
    const scope = (name: string, is_sensitive = false) => ({ name, is_sensitive, token_type: 'bot' });

    it('turns approved, restricted and requested apps into grants', () => {
      const doc = normalizeSlackPosture(
        grid({
          approvedApps: [
            { app: { id: 'A1', name: 'One' }, scopes: [scope('chat:write'), scope('files:read', true)], last_resolved_by: { actor_id: 'U9' } },
            // The same app approved again at workspace level: one grant, scopes merged.
            { app: { id: 'A1', name: 'One' }, scopes: [scope('commands')], last_resolved_by: null },
          ],
          restrictedApps: [{ app: { id: 'A2', name: 'Two' }, scopes: [scope('admin', true)], last_resolved_by: undefined }],
          appRequests: [{ id: 'R1', app: { id: 'A3', name: 'Three' }, user: { id: 'U4' }, scopes: [scope('users:read')] }],
        }),
      );
      expect(doc.oauthGrants).toEqual([
        {
          appId: 'A1',
          appName: 'One',
          scopes: ['chat:write', 'commands', 'files:read'],
          grantType: 'approved',
          principal: 'U9',
          sensitiveScopes: ['files:read'],
        },
        { appId: 'A3', appName: 'Three', scopes: ['users:read'], grantType: 'requested', principal: 'U4', sensitiveScopes: [] },
        { appId: 'A2', appName: 'Two', scopes: ['admin'], grantType: 'restricted', sensitiveScopes: ['admin'] },
      ]);
    });

    it('replays the integration log oldest to newest into installed grants', () => {
      const doc = normalizeSlackPosture(
        grid({
          // Newest first, as Slack lists them.
          integrationLogs: [
            {
              teamId: 'T1',
              logs: [
                log({ app_id: 'A4', app_type: 'Gone', date: '400', change_type: 'removed', user_id: 'U1' }),
                log({ app_id: 'A1', app_type: 'One', date: '300', change_type: 'expanded', scope: 'files:read', user_id: 'U2' }),
                log({ app_id: 'A5', app_type: 'Off', date: '250', change_type: 'disabled' }),
                log({ app_id: 'A4', app_type: 'Gone', date: '200', change_type: 'added', scope: 'chat:write' }),
                log({ app_id: 'A5', app_type: 'Off', date: '150', change_type: 'added', scope: 'commands' }),
                log({ app_id: 'A1', app_type: 'One', date: '100', change_type: 'added', scope: 'chat:write, commands', user_id: 'U1' }),
                log({ service_id: '77', service_type: 'RSS', date: '90', change_type: 'enabled', scope: 'incoming-webhook' }),
              ],
            },
          ],
        }),
      );
      expect(doc.oauthGrants).toEqual([
        {
          appId: '77',
          appName: 'RSS',
          scopes: ['incoming-webhook'],
          grantType: 'installed',
          principal: 'U1',
          sensitiveScopes: [],
        },
        {
          appId: 'A1',
          appName: 'One',
          scopes: ['chat:write', 'commands', 'files:read'],
          grantType: 'installed',
          principal: 'U2',
          sensitiveScopes: [],
        },
      ]);
    });

    it('orders entries of the same second by their position in the log', () => {
      const doc = normalizeSlackPosture(
        grid({
          integrationLogs: [
            {
              logs: [
                log({ app_id: 'A1', date: '100', change_type: 'added', scope: 'commands' }),
                log({ app_id: 'A1', date: '100', change_type: 'removed' }),
              ],
            },
          ],
        }),
      );
      expect(doc.oauthGrants.map((g) => g.appId)).toEqual(['A1']);
    });

    it('merges installs across workspaces, principal from the latest grant, sensitivity from the app lists', () => {
      const doc = normalizeSlackPosture(
        grid({
          approvedApps: [{ app: { id: 'A1', name: 'One' }, scopes: [scope('files:read', true)], last_resolved_by: undefined }],
          integrationLogs: [
            { teamId: 'T1', logs: [log({ app_id: 'A1', date: '500', change_type: 'added', scope: 'files:read', user_id: 'U5' })] },
            { teamId: 'T2', logs: [log({ app_id: 'A1', date: '100', change_type: 'added', scope: 'chat:write', user_id: 'U3' })] },
          ],
        }),
      );
      expect(doc.oauthGrants.find((g) => g.grantType === 'installed')).toEqual({
        appId: 'A1',
        appName: 'A1',
        scopes: ['chat:write', 'files:read'],
        grantType: 'installed',
        principal: 'U5',
        sensitiveScopes: ['files:read'],
      });
    });
  });

  describe('residency', () => {
    it('reports the declared residency, upper-cased, as declared', () => {
      const doc = normalizeSlackPosture(grid(), { declaredResidency: 'eu' });
      expect(doc.residency).toEqual([{ resourceKey: 'tenant', region: 'EU', source: 'declared' }]);
      expect(doc.gaps.some((g) => g.area === 'residency')).toBe(false);
    });

    it('reports a gap when nothing was declared', () => {
      const doc = normalizeSlackPosture(grid());
      expect(doc.residency).toEqual([]);
      expect(doc.gaps).toContainEqual({
        area: 'residency',
        what: 'declaredResidency',
        reason: expect.stringContaining('declaredResidency'),
      });
    });
  });

  it('keeps the fetchers gaps and adds no setting for unread datasets', () => {
    const doc = normalizeSlackPosture(
      grid({ workspaces: undefined, gaps: [{ area: 'sharing', what: 'slack.connect', reason: 'nope' }] }),
      { declaredResidency: 'US' },
    );
    expect(doc.settings).toEqual([]);
    expect(doc.oauthGrants).toEqual([]);
    expect(doc.gaps).toEqual([{ area: 'sharing', what: 'slack.connect', reason: 'nope' }]);
  });
});
