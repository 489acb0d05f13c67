import { compliantSlackTenant } from '../slack/slack-tenant.fixtures';
import { useProviderSim } from '../testing/sim-spec.support';

const TOKEN = 'xoxp-spec-control';
const base = `/_sim/slack/tenants/${TOKEN}`;

describe('control API', () => {
  const { sim, slack, control } = useProviderSim();

  describe('PUT /_sim/slack/tenants/:token', () => {
    it('creates a tenant the Web API then answers for', async () => {
      const res = await control('PUT', base, compliantSlackTenant(TOKEN));
      expect(res.status).toBe(200);
      expect((await slack('team.info', TOKEN)).body.ok).toBe(true);
    });

    it('rejects an invalid spec with the field at fault', async () => {
      const res = await control('PUT', base, { team: { id: 'T1', name: 'x', domain: 'x' }, workspace: [] });
      expect(res.status).toBe(400);
      expect(String(res.body.message)).toContain('workspace');
    });

    it('rejects a body that is not JSON', async () => {
      const res = await fetch(`${sim().url}${base}`, { method: 'PUT', body: '{nope' });
      expect(res.status).toBe(400);
    });
  });

  describe('scenario changes', () => {
    beforeEach(async () => {
      await control('PUT', base, compliantSlackTenant(TOKEN));
    });

    it('changes a workspace discoverability', async () => {
      const res = await control('PATCH', `${base}/teams/T0SIMENG01`, { discoverability: 'open' });
      expect(res).toMatchObject({ status: 200, body: { team: { id: 'T0SIMENG01', discoverability: 'open' } } });
      const list = await slack('admin.teams.list', TOKEN);
      expect(list.body.teams).toContainEqual(expect.objectContaining({ id: 'T0SIMENG01', discoverability: 'open' }));
      expect((await control('PATCH', `${base}/teams/T0SIMENG01`, { discoverability: 'wide' })).status).toBe(400);
      expect((await control('PATCH', `${base}/teams/T0NOPE`, { discoverability: 'open' })).status).toBe(404);
    });

    it('adds an approved app with catalog scopes and logs the install', async () => {
      const res = await control('POST', `${base}/apps`, { id: 'A0RISKY001', name: 'Risky', scopes: ['channels:history', 'commands'] });
      expect(res.status).toBe(201);
      const { body } = await slack('admin.apps.approved.list', TOKEN, { enterprise_id: 'E0SIMGRID01' });
      const risky = (body.approved_apps as { app: { id: string }; scopes: { name: string; is_sensitive: boolean }[] }[]).find(
        (a) => a.app.id === 'A0RISKY001',
      );
      expect(risky?.scopes).toEqual([
        expect.objectContaining({ name: 'channels:history', is_sensitive: true }),
        expect.objectContaining({ name: 'commands', is_sensitive: false }),
      ]);
      const logs = await slack('team.integrationLogs', TOKEN, { team_id: 'T0SIMHQ001' });
      expect((logs.body.logs as unknown[])[0]).toMatchObject({
        app_id: 'A0RISKY001',
        change_type: 'added',
        scope: 'channels:history,commands',
      });
    });

    it('removes an app and logs the removal', async () => {
      expect((await control('DELETE', `${base}/apps/A0SIMPOLL1`)).status).toBe(200);
      const { body } = await slack('admin.apps.approved.list', TOKEN, { enterprise_id: 'E0SIMGRID01' });
      expect((body.approved_apps as { app: { id: string } }[]).map((a) => a.app.id)).toEqual(['A0SIMSTND1']);
      const logs = await slack('team.integrationLogs', TOKEN, { team_id: 'T0SIMHQ001' });
      expect((logs.body.logs as unknown[])[0]).toMatchObject({ app_id: 'A0SIMPOLL1', change_type: 'removed' });
      expect((await control('DELETE', `${base}/apps/A0SIMPOLL1`)).status).toBe(404);
    });

    it('adds and removes external organizations and shared channels', async () => {
      await control('POST', `${base}/external-organizations`, { team_id: 'T0ROGUE001', team_name: 'Rogue' });
      await control('POST', `${base}/shared-channels`, { id: 'C0ROGUE001', name: 'rogue', connected_team_ids: ['T0ROGUE001'] });
      const orgs = await slack('team.externalTeams.list', TOKEN);
      expect((orgs.body.organizations as { team_id: string }[]).map((o) => o.team_id)).toEqual(['T0PARTNER1', 'T0ROGUE001']);
      expect((await control('DELETE', `${base}/external-organizations/T0ROGUE001`)).status).toBe(200);
      expect((await control('DELETE', `${base}/shared-channels/C0ROGUE001`)).status).toBe(200);
      const channels = await slack('admin.conversations.search', TOKEN, { search_channel_types: 'external_shared' });
      expect((channels.body.conversations as { id: string }[]).map((c) => c.id)).toEqual(['C0SIMSHR01']);
    });

    it('counts requests per method', async () => {
      await slack('team.info', TOKEN);
      await slack('team.info', TOKEN);
      await slack('admin.teams.list', TOKEN);
      const res = await control('GET', `${base}/requests`);
      expect(res.body).toEqual({ total: 3, requests: { 'team.info': 2, 'admin.teams.list': 1 }, throttled: {} });
    });

    it('forgets everything on reset', async () => {
      expect((await control('POST', '/_sim/reset')).status).toBe(200);
      expect((await slack('team.info', TOKEN)).body.error).toBe('invalid_auth');
      expect((await control('GET', `${base}/requests`)).status).toBe(404);
    });
  });

  it('answers 404 for unknown routes and 405 for wrong verbs', async () => {
    expect((await control('GET', '/_sim/nothing')).status).toBe(404);
    expect((await control('GET', '/_sim/reset')).status).toBe(405);
  });
});
