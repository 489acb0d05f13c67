import { useProviderSim } from '../testing/sim-spec.support';
import { compliantSlackTenant, COMPLIANT_SLACK_IDS } from './slack-tenant.fixtures';

const TOKEN = 'xoxp-spec-grid';
const WORKSPACE_TOKEN = 'xoxp-spec-workspace';

describe('Slack Web API simulator', () => {
  const { sim, slack, control } = useProviderSim();

  beforeEach(() => {
    sim().state.slack.put(TOKEN, compliantSlackTenant(TOKEN));
    sim().state.slack.put(
      WORKSPACE_TOKEN,
      compliantSlackTenant(WORKSPACE_TOKEN, {
        team: { id: 'T0SOLO0001', name: 'Solo', domain: 'solo' },
        isEnterprise: false,
        workspaces: [],
      }),
    );
  });

  describe('authentication', () => {
    it('answers not_authed without a token', async () => {
      expect(await slack('team.info', undefined)).toMatchObject({ status: 200, body: { ok: false, error: 'not_authed' } });
    });

    it('answers invalid_auth for an unknown token', async () => {
      const res = await slack('team.info', 'xoxp-nobody');
      expect(res).toMatchObject({ status: 200, body: { ok: false, error: 'invalid_auth' } });
    });

    it('accepts the token as a POST form field, as Slack does', async () => {
      const res = await fetch(`${sim().url}/slack/api/team.info`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token: TOKEN }).toString(),
      });
      expect(await res.json()).toMatchObject({ ok: true, team: { id: COMPLIANT_SLACK_IDS.teamIds[0] } });
    });
  });

  describe('team.info', () => {
    it('describes the team and its enterprise', async () => {
      const { body } = await slack('team.info', TOKEN);
      expect(body).toMatchObject({
        ok: true,
        team: { id: 'T0SIMHQ001', domain: 'acme-hq', enterprise_id: 'E0SIMGRID01', enterprise_name: 'Acme Corp' },
      });
    });
  });

  describe('grid-only methods', () => {
    it.each(['admin.teams.list', 'admin.apps.approved.list', 'admin.conversations.search', 'admin.users.list', 'team.externalTeams.list'])(
      '%s answers not_an_enterprise outside a grid',
      async (method) => {
        expect((await slack(method, WORKSPACE_TOKEN)).body).toEqual({ ok: false, error: 'not_an_enterprise' });
      },
    );

    it('lists the workspaces with their discoverability', async () => {
      const { body } = await slack('admin.teams.list', TOKEN);
      expect(body.teams).toEqual([
        expect.objectContaining({ id: 'T0SIMHQ001', discoverability: 'invite_only' }),
        expect.objectContaining({ id: 'T0SIMENG01', discoverability: 'invite_only' }),
      ]);
      expect(body.response_metadata).toEqual({ next_cursor: '' });
    });

    it("answers 'hidden' in admin.teams.list for an unlisted workspace, as the method's example does", async () => {
      sim().state.slack.setDiscoverability(TOKEN, 'T0SIMENG01', 'unlisted');
      const { body } = await slack('admin.teams.list', TOKEN);
      expect(body.teams).toContainEqual(expect.objectContaining({ id: 'T0SIMENG01', discoverability: 'hidden' }));
    });

    it('answers admin.teams.settings.info per workspace in its documented shape only', async () => {
      const { body } = await slack('admin.teams.settings.info', TOKEN, { team_id: 'T0SIMENG01' });
      expect(Object.keys(body.team as object).sort()).toEqual(
        ['default_channels', 'domain', 'email_domain', 'enterprise_id', 'enterprise_name', 'icon', 'id', 'name'].sort(),
      );
      expect(body).toMatchObject({ ok: true, team: { id: 'T0SIMENG01', default_channels: [] } });
      expect((await slack('admin.teams.settings.info', TOKEN, { team_id: 'T0NOPE' })).body.error).toBe('team_not_found');
      expect((await slack('admin.teams.settings.info', TOKEN)).body.error).toBe('invalid_arguments');
    });
  });

  describe('guest expiry', () => {
    it("answers admin.users.list with each workspace's own expiration_ts and no simulator metadata", async () => {
      sim().state.slack.addUser(TOKEN, {
        id: 'U0GHALF01',
        is_restricted: true,
        workspaces: ['T0SIMHQ001', 'T0SIMENG01'],
        expirationByTeam: { T0SIMHQ001: 1_900_000_000 },
      });
      const guests = async (teamId: string) =>
        ((await slack('admin.users.list', TOKEN, { team_id: teamId, only_guests: 'true' })).body.users as Record<string, unknown>[]).find(
          (u) => u.id === 'U0GHALF01',
        );
      expect(await guests('T0SIMHQ001')).toMatchObject({ id: 'U0GHALF01', expiration_ts: 1_900_000_000 });
      const eng = await guests('T0SIMENG01');
      expect(eng).toMatchObject({ id: 'U0GHALF01', is_restricted: true });
      expect(eng).not.toHaveProperty('expiration_ts');
      expect(eng).not.toHaveProperty('expirationByTeam');
    });

    it('gives users.list no expiration_ts: only the admin listing documents it', async () => {
      sim().state.slack.addUser(WORKSPACE_TOKEN, { id: 'U0GEXP001', is_restricted: true, expiration_ts: 1_900_000_000 });
      const { body } = await slack('users.list', WORKSPACE_TOKEN);
      const member = (body.members as Record<string, unknown>[]).find((m) => m.id === 'U0GEXP001');
      expect(member).toMatchObject({ is_restricted: true });
      expect(member).not.toHaveProperty('expiration_ts');
    });
  });

  describe('missing scopes', () => {
    it('answers missing_scope with needed and provided', async () => {
      sim().state.slack.put(TOKEN, compliantSlackTenant(TOKEN, { missingScopes: ['admin.apps:read'] }));
      const { body } = await slack('admin.apps.approved.list', TOKEN, { enterprise_id: 'E0SIMGRID01' });
      expect(body).toMatchObject({ ok: false, error: 'missing_scope', needed: 'admin.apps:read' });
      expect(String(body.provided)).not.toContain('admin.apps:read');
      expect(String(body.provided)).toContain('team:read');
    });
  });

  describe('certified apps', () => {
    beforeEach(() => {
      sim().state.slack.addApp(TOKEN, { id: 'A0CERT0001', name: 'Certified', scopes: ['commands'], certified: true });
    });

    it.each(['admin.apps.approved.list', 'admin.apps.restricted.list'])(
      '%s lists certified apps only with certified=true, and then only them',
      async (method) => {
        const list = method === 'admin.apps.approved.list' ? 'approved_apps' : 'restricted_apps';
        if (list === 'restricted_apps') {
          sim().state.slack.addApp(TOKEN, { id: 'A0CERT0001', name: 'Certified', certified: true, list: 'restricted' });
        }
        const ids = async (extra: Record<string, string>) =>
          ((await slack(method, TOKEN, { enterprise_id: 'E0SIMGRID01', ...extra })).body[list] as { app: { id: string } }[]).map(
            (e) => e.app.id,
          );
        expect(await ids({})).not.toContain('A0CERT0001');
        expect(await ids({ certified: 'false' })).not.toContain('A0CERT0001');
        expect(await ids({ certified: 'true' })).toEqual(['A0CERT0001']);
      },
    );

    it('refuses enterprise_id and team_id together', async () => {
      const { body } = await slack('admin.apps.approved.list', TOKEN, { enterprise_id: 'E0SIMGRID01', team_id: 'T0SIMHQ001' });
      expect(body.error).toBe('invalid_arguments');
    });
  });

  describe('limit bounds', () => {
    it.each([
      ['admin.teams.list', {}, '101'],
      ['admin.apps.approved.list', { enterprise_id: 'E0SIMGRID01' }, '1001'],
      ['admin.conversations.search', {}, '21'],
      ['admin.users.list', { team_id: 'T0SIMHQ001' }, '1001'],
      ['admin.users.list', { team_id: 'T0SIMHQ001' }, '0'],
      ['admin.users.list', { team_id: 'T0SIMHQ001' }, '-5'],
    ])('%s refuses limit=%s with invalid_limit', async (method, params, limit) => {
      expect((await slack(method, TOKEN, { ...params, limit })).body).toEqual({ ok: false, error: 'invalid_limit' });
    });

    it('accepts the documented maximum and users.list limit=0', async () => {
      expect((await slack('admin.conversations.search', TOKEN, { limit: '20' })).body.ok).toBe(true);
      expect((await slack('users.list', WORKSPACE_TOKEN, { limit: '0' })).body.ok).toBe(true);
    });

    it('answers unknown_method for a method Slack does not have', async () => {
      expect((await slack('admin.teams.settings.discoverability', TOKEN)).body).toEqual({ ok: false, error: 'unknown_method' });
    });
  });

  describe('cursor paging', () => {
    beforeEach(async () => {
      const users = Array.from({ length: 7 }, (_, i) => ({ id: `U${i}`, is_restricted: true }));
      await control('PUT', `/_sim/slack/tenants/${TOKEN}`, compliantSlackTenant(TOKEN, { users }));
    });

    it('honours limit and ends with an empty next_cursor', async () => {
      const seen: string[] = [];
      let cursor = '';
      let pages = 0;
      do {
        const { body } = await slack('admin.users.list', TOKEN, { limit: '3', ...(cursor ? { cursor } : {}) });
        seen.push(...(body.users as { id: string }[]).map((u) => u.id));
        cursor = (body.response_metadata as { next_cursor: string }).next_cursor;
        pages++;
      } while (cursor);
      expect(seen).toEqual(['U0', 'U1', 'U2', 'U3', 'U4', 'U5', 'U6']);
      expect(pages).toBe(3);
    });

    it('caps pages at the tenant maxPageSize', async () => {
      sim().state.slack.get(TOKEN).data.maxPageSize = 2;
      const { body } = await slack('admin.users.list', TOKEN, { limit: '100' });
      expect(body.users).toHaveLength(2);
    });

    it('rejects a cursor it did not hand out', async () => {
      expect((await slack('admin.users.list', TOKEN, { cursor: 'bm9wZQ==' })).body.error).toBe('invalid_cursor');
    });

    it('gives admin.conversations.search its cursor at top level and filters external_shared', async () => {
      await control('POST', `/_sim/slack/tenants/${TOKEN}/shared-channels`, {
        id: 'C0INTERNAL',
        name: 'internal-only',
        is_ext_shared: false,
      });
      const first = await slack('admin.conversations.search', TOKEN, { search_channel_types: 'external_shared', limit: '1' });
      expect(first.body.conversations).toEqual([expect.objectContaining({ id: 'C0SIMSHR01', is_ext_shared: true })]);
      expect(first.body.next_cursor).toBe('');
      expect(first.body.response_metadata).toBeUndefined();
      const all = await slack('admin.conversations.search', TOKEN, { limit: '1' });
      expect(all.body.next_cursor).not.toBe('');
    });
  });

  describe('team.integrationLogs', () => {
    it('pages with page/count, newest first', async () => {
      const first = await slack('team.integrationLogs', TOKEN, { team_id: 'T0SIMHQ001', count: '1', page: '1' });
      expect(first.body.paging).toEqual({ count: 1, total: 2, page: 1, pages: 2 });
      expect(first.body.logs).toEqual([expect.objectContaining({ app_id: 'A0SIMPOLL1', change_type: 'added' })]);
      const second = await slack('team.integrationLogs', TOKEN, { team_id: 'T0SIMHQ001', count: '1', page: '2' });
      expect(second.body.logs).toEqual([expect.objectContaining({ app_id: 'A0SIMSTND1' })]);
    });

    it('needs team_id with an org-level token', async () => {
      expect((await slack('team.integrationLogs', TOKEN)).body.error).toBe('missing_argument');
      expect((await slack('team.integrationLogs', WORKSPACE_TOKEN)).body.ok).toBe(true);
    });

    it('answers invalid_auth to a team_id whose workspace the org owner is not in', async () => {
      const tenant = compliantSlackTenant(TOKEN);
      tenant.workspaces = (tenant.workspaces ?? []).map((w) => ({ ...w, orgOwnerIsMember: w.id !== 'T0SIMENG01' }));
      sim().state.slack.put(TOKEN, tenant);
      expect((await slack('team.integrationLogs', TOKEN, { team_id: 'T0SIMENG01' })).body).toEqual({ ok: false, error: 'invalid_auth' });
      expect((await slack('team.integrationLogs', TOKEN, { team_id: 'T0SIMHQ001' })).body.ok).toBe(true);
    });
  });

  describe('rate limits', () => {
    it('are off by default', async () => {
      for (let i = 0; i < 25; i++) expect((await slack('admin.teams.list', TOKEN)).status).toBe(200);
    });

    it('answer 429 with Retry-After once a tier is used up, per method', async () => {
      await control('PUT', `/_sim/slack/tenants/${TOKEN}/rate-limits`, { enabled: true, timeScale: 1 });
      // team.externalTeams.list is Tier 2: 20 per minute.
      for (let i = 0; i < 20; i++) expect((await slack('team.externalTeams.list', TOKEN)).status).toBe(200);
      const limited = await slack('team.externalTeams.list', TOKEN);
      expect(limited.status).toBe(429);
      expect(limited.body).toEqual({ ok: false, error: 'ratelimited' });
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect((await slack('team.info', TOKEN)).status).toBe(200);
      const stats = await control('GET', `/_sim/slack/tenants/${TOKEN}/requests`);
      expect(stats.body).toMatchObject({ requests: { 'team.externalTeams.list': 21 }, throttled: { 'team.externalTeams.list': 1 } });
    });

    it('let the window pass faster with a time scale', async () => {
      // A minute lasts one second: the 20 calls must land inside it even on a loaded machine.
      await control('PUT', `/_sim/slack/tenants/${TOKEN}/rate-limits`, { enabled: true, timeScale: 60 });
      for (let i = 0; i < 20; i++) await slack('team.externalTeams.list', TOKEN);
      expect((await slack('team.externalTeams.list', TOKEN)).status).toBe(429);
      await new Promise((r) => setTimeout(r, 1100));
      expect((await slack('team.externalTeams.list', TOKEN)).status).toBe(200);
    });
  });
});
