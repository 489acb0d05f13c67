import {
  createProviderHttpClient,
  ProviderError,
  type ConnectorContext,
  type PostureDocument,
  type ProviderHttpClientOptions,
} from '@tollgate/connector-sdk';
import { compliantSlackTenant, startProviderSim, type FaultSpec, type ProviderSim } from '@tollgate/provider-sim';
import { connectorRegistry } from '../index';
import { slackConnector } from './slack.connector';

const TOKEN = 'xoxp-1111-2222-connector-spec-secret';

describe('SlackConnector against the provider simulator', () => {
  let sim: ProviderSim;

  beforeAll(async () => {
    sim = await startProviderSim({ port: 0 });
  });
  afterAll(() => sim.close());
  beforeEach(() => sim.state.reset());

  function context(overrides: Partial<ConnectorContext> = {}, http: Partial<ProviderHttpClientOptions> = {}): ConnectorContext {
    const signal = new AbortController().signal;
    return {
      connectionId: 'conn-1',
      credentials: { token: TOKEN },
      endpoints: { api: `${sim.url}/slack/api` },
      options: {},
      http: createProviderHttpClient({ provider: 'slack', signal, backoffBaseMs: 1, backoffMaxMs: 5, throttleBackoffBaseMs: 1, throttleBackoffMaxMs: 5, timeoutMs: 5_000, ...http }),
      signal,
      logger: { debug: () => undefined, warn: () => undefined },
      ...overrides,
    };
  }

  async function failure(ctx: ConnectorContext = context()): Promise<ProviderError> {
    try {
      await slackConnector.collect(ctx);
    } catch (err) {
      if (err instanceof ProviderError) return err;
      throw err;
    }
    throw new Error('expected the poll to fail');
  }

  const fault = (spec: FaultSpec) => sim.state.faults.add(spec);
  const setting = (doc: PostureDocument, key: string, resourceKey = 'tenant') =>
    doc.settings.find((s) => s.key === key && s.resourceKey === resourceKey)?.value;

  it('reads a compliant grid into the normalized document', async () => {
    sim.state.slack.put(TOKEN, compliantSlackTenant(TOKEN));
    const doc = await slackConnector.collect(context({ declaredResidency: 'eu' }));
    expect(doc).toEqual({
      provider: 'slack',
      tenant: { id: 'E0SIMGRID01', name: 'Acme Corp', domain: 'acme-hq' },
      settings: [
        { key: 'slack.workspace.discoverability', resourceKey: 'team:T0SIMENG01', value: 'invite_only', source: 'observed' },
        { key: 'slack.workspace.discoverability', resourceKey: 'team:T0SIMHQ001', value: 'invite_only', source: 'observed' },
        { key: 'slack.connect.external_organizations', resourceKey: 'tenant', value: ['T0PARTNER1'], source: 'observed' },
        { key: 'slack.connect.shared_channel_organizations', resourceKey: 'tenant', value: ['T0PARTNER1'], source: 'observed' },
        { key: 'slack.guests.multi_channel_count', resourceKey: 'tenant', value: 0, source: 'observed' },
        { key: 'slack.guests.single_channel_count', resourceKey: 'tenant', value: 0, source: 'observed' },
        { key: 'slack.guests.without_expiry_count', resourceKey: 'tenant', value: 0, source: 'observed' },
      ],
      oauthGrants: [
        {
          appId: 'A0SIMPOLL1',
          appName: 'Lunch Poll',
          scopes: ['chat:write', 'commands', 'reactions:read'],
          grantType: 'approved',
          principal: 'U0SIMADM01',
          sensitiveScopes: [],
        },
        {
          appId: 'A0SIMSTND1',
          appName: 'Standup Helper',
          scopes: ['chat:write', 'commands', 'users:read'],
          grantType: 'approved',
          principal: 'U0SIMADM01',
          sensitiveScopes: [],
        },
        {
          appId: 'A0SIMPOLL1',
          appName: 'Lunch Poll',
          scopes: ['chat:write', 'commands', 'reactions:read'],
          grantType: 'installed',
          principal: 'U0SIMADM01',
          sensitiveScopes: [],
        },
        {
          appId: 'A0SIMSTND1',
          appName: 'Standup Helper',
          scopes: ['chat:write', 'commands', 'users:read'],
          grantType: 'installed',
          principal: 'U0SIMADM01',
          sensitiveScopes: [],
        },
      ],
      residency: [{ resourceKey: 'tenant', region: 'EU', source: 'declared' }],
      gaps: [],
    });
  });

  it('sees drift made through the control state: open workspace, rogue org, risky app, guests', async () => {
    sim.state.slack.put(TOKEN, compliantSlackTenant(TOKEN));
    sim.state.slack.setDiscoverability(TOKEN, 'T0SIMENG01', 'open');
    sim.state.slack.addExternalOrganization(TOKEN, { team_id: 'T0ROGUE001', team_name: 'Rogue' });
    sim.state.slack.addSharedChannel(TOKEN, { id: 'C0ROGUE001', name: 'rogue', connected_team_ids: ['E0SIMGRID01', 'T0ROGUE001'] });
    sim.state.slack.addApp(TOKEN, { id: 'A0RISKY001', name: 'Risky', scopes: ['channels:history', 'commands'] });
    sim.state.slack.addUser(TOKEN, { id: 'U0GUEST01', is_restricted: true });
    sim.state.slack.addUser(TOKEN, { id: 'U0GUEST02', is_restricted: true, is_ultra_restricted: true });

    const doc = await slackConnector.collect(context());
    expect(setting(doc, 'slack.workspace.discoverability', 'team:T0SIMENG01')).toBe('open');
    expect(setting(doc, 'slack.connect.external_organizations')).toEqual(['T0PARTNER1', 'T0ROGUE001']);
    expect(setting(doc, 'slack.connect.shared_channel_organizations')).toEqual(['T0PARTNER1', 'T0ROGUE001']);
    expect(setting(doc, 'slack.guests.multi_channel_count')).toBe(1);
    expect(setting(doc, 'slack.guests.single_channel_count')).toBe(1);
    const risky = doc.oauthGrants.filter((g) => g.appId === 'A0RISKY001');
    expect(risky.map((g) => g.grantType).sort()).toEqual(['approved', 'installed']);
    expect(risky.every((g) => g.sensitiveScopes?.includes('channels:history'))).toBe(true);
    expect(setting(doc, 'slack.guests.without_expiry_count')).toBe(2);
  });

  it('counts guests without an expiration date, a guest open in any one workspace included', async () => {
    sim.state.slack.put(TOKEN, compliantSlackTenant(TOKEN));
    const later = 1_900_000_000;
    sim.state.slack.addUser(TOKEN, { id: 'U0GEXP001', is_restricted: true, expiration_ts: later });
    sim.state.slack.addUser(TOKEN, { id: 'U0GOPEN01', is_restricted: true, is_ultra_restricted: true });
    // Expires in HQ, never in Eng: the account stays open in Eng, so it counts.
    sim.state.slack.addUser(TOKEN, {
      id: 'U0GHALF01',
      is_restricted: true,
      workspaces: ['T0SIMHQ001', 'T0SIMENG01'],
      expirationByTeam: { T0SIMHQ001: later },
    });
    sim.state.slack.addUser(TOKEN, { id: 'U0GGONE01', is_restricted: true, is_active: false });

    const doc = await slackConnector.collect(context());
    expect(setting(doc, 'slack.guests.without_expiry_count')).toBe(2);
    expect(setting(doc, 'slack.guests.multi_channel_count')).toBe(2);
    expect(doc.gaps).toEqual([expect.objectContaining({ what: 'declaredResidency' })]);
  });

  it('reads a workspace outside a grid with gaps for the grid-only data', async () => {
    sim.state.slack.put(
      TOKEN,
      compliantSlackTenant(TOKEN, {
        team: { id: 'T0SOLO0001', name: 'Solo', domain: 'solo' },
        isEnterprise: false,
        workspaces: [],
        users: [
          { id: 'U1' },
          { id: 'U2', is_restricted: true },
          { id: 'U3', is_restricted: true, is_ultra_restricted: true },
          { id: 'U4', is_restricted: true, is_active: false },
        ],
      }),
    );
    const doc = await slackConnector.collect(context());
    expect(doc.tenant).toEqual({ id: 'T0SOLO0001', name: 'Solo', domain: 'solo' });
    expect(doc.settings.map((s) => s.key)).toEqual(['slack.guests.multi_channel_count', 'slack.guests.single_channel_count']);
    expect(doc.gaps.find((g) => g.what === 'slack.guests.without_expiry_count')?.reason).toContain('admin.users.list');
    expect(setting(doc, 'slack.guests.multi_channel_count')).toBe(1);
    expect(setting(doc, 'slack.guests.single_channel_count')).toBe(1);
    expect(doc.oauthGrants.map((g) => `${g.grantType}:${g.appId}`)).toEqual(['installed:A0SIMPOLL1', 'installed:A0SIMSTND1']);
    const gapped = new Set(doc.gaps.map((g) => g.what));
    for (const what of [
      'slack.workspace.discoverability',
      'slack.connect.external_organizations',
      'slack.connect.shared_channel_organizations',
      'admin.apps.approved.list',
      'admin.apps.restricted.list',
      'admin.apps.requests.list',
      'declaredResidency',
    ]) {
      expect(gapped).toContain(what);
    }
    expect(doc.gaps.find((g) => g.what === 'slack.workspace.discoverability')?.reason).toContain('not_an_enterprise');
  });

  it('pages through every listing', async () => {
    const workspaces = Array.from({ length: 5 }, (_, i) => ({
      id: `T0W${i}`,
      name: `W${i}`,
      domain: `w${i}`,
      discoverability: i === 3 ? ('open' as const) : ('invite_only' as const),
    }));
    const orgs = Array.from({ length: 7 }, (_, i) => ({ team_id: `T0X${i}`, team_name: `X${i}` }));
    const channels = orgs.map((o, i) => ({ id: `C0X${i}`, name: `x${i}`, connected_team_ids: ['E0SIMGRID01', o.team_id] }));
    const guests = Array.from({ length: 9 }, (_, i) => ({ id: `U0G${i}`, is_restricted: true, is_ultra_restricted: i % 3 === 0 }));
    const apps = Array.from({ length: 5 }, (_, i) => ({ app: { id: `A0P${i}`, name: `P${i}` }, scopes: ['commands'] }));
    const logs = Array.from({ length: 9 }, (_, i) => ({
      app_id: `A0L${i}`,
      user_id: 'U0SIMADM01',
      user_name: 'ada',
      date: String(1_700_000_000 + i),
      change_type: 'added',
      scope: 'commands',
    }));
    sim.state.slack.put(
      TOKEN,
      compliantSlackTenant(TOKEN, {
        workspaces,
        externalOrganizations: orgs,
        sharedChannels: channels,
        users: guests,
        approvedApps: apps,
        integrationLogs: logs,
        maxPageSize: 2,
      }),
    );
    const doc = await slackConnector.collect(context());
    expect(doc.settings.filter((s) => s.key === 'slack.workspace.discoverability')).toHaveLength(5);
    expect(setting(doc, 'slack.workspace.discoverability', 'team:T0W3')).toBe('open');
    expect(setting(doc, 'slack.connect.external_organizations')).toHaveLength(7);
    expect(setting(doc, 'slack.connect.shared_channel_organizations')).toHaveLength(7);
    expect(setting(doc, 'slack.guests.single_channel_count')).toBe(3);
    expect(setting(doc, 'slack.guests.multi_channel_count')).toBe(6);
    expect(doc.oauthGrants.filter((g) => g.grantType === 'approved')).toHaveLength(5);
    expect(doc.oauthGrants.filter((g) => g.grantType === 'installed')).toHaveLength(9);
    const { requests } = sim.state.slack.requestStats(TOKEN);
    expect(requests['admin.teams.list']).toBe(3);
    expect(requests['team.externalTeams.list']).toBe(4);
    expect(requests['admin.conversations.search']).toBe(4);
    // Discoverability comes from admin.teams.list alone: settings.info documents no such field.
    expect(requests['admin.teams.settings.info']).toBeUndefined();
    // 9 log entries at 2 per page, once per workspace.
    expect(requests['team.integrationLogs']).toBe(5 * 5);
  });

  describe('what the issue table found', () => {
    it('reads certified apps too: Slack lists them only with certified=true', async () => {
      sim.state.slack.put(TOKEN, compliantSlackTenant(TOKEN));
      sim.state.slack.addApp(TOKEN, { id: 'A0CERT0001', name: 'Certified Reader', scopes: ['channels:history'], certified: true });
      sim.state.slack.addApp(TOKEN, {
        id: 'A0CERTBAD1',
        name: 'Certified Blocked',
        scopes: ['files:read'],
        certified: true,
        list: 'restricted',
      });
      const doc = await slackConnector.collect(context());
      const grants = doc.oauthGrants.filter((g) => g.appId.startsWith('A0CERT')).map((g) => `${g.grantType}:${g.appId}`);
      expect(grants.sort()).toEqual(['approved:A0CERT0001', 'installed:A0CERT0001', 'restricted:A0CERTBAD1']);
      expect(doc.oauthGrants.find((g) => g.appId === 'A0CERT0001')?.sensitiveScopes).toEqual(['channels:history']);
    });

    it('reads certified app requests too', async () => {
      sim.state.slack.put(
        TOKEN,
        compliantSlackTenant(TOKEN, {
          appRequests: [
            {
              id: 'Ar0CERT',
              app: { id: 'A0CERTREQ1', name: 'Certified Ask' },
              user: { id: 'U0SIMUSR01' },
              team: { id: 'T0SIMENG01' },
              scopes: ['search:read'],
              isCertified: true,
            },
          ],
        }),
      );
      const doc = await slackConnector.collect(context());
      expect(doc.oauthGrants.filter((g) => g.grantType === 'requested').map((g) => g.appId)).toEqual(['A0CERTREQ1']);
    });

    it("keeps polling when team.integrationLogs refuses one workspace's team_id with invalid_auth", async () => {
      const tenant = compliantSlackTenant(TOKEN);
      tenant.workspaces = (tenant.workspaces ?? []).map((w) => (w.id === 'T0SIMENG01' ? { ...w, orgOwnerIsMember: false } : w));
      tenant.integrationLogs = [
        ...(tenant.integrationLogs ?? []),
        { app_id: 'A0ENGONLY1', app_type: 'Eng Only', user_id: 'U0SIMUSR02', user_name: 'cy', date: '1704070000', change_type: 'added', scope: 'commands', teamId: 'T0SIMENG01' },
      ];
      sim.state.slack.put(TOKEN, tenant);
      const doc = await slackConnector.collect(context({ declaredResidency: 'EU' }));
      expect(doc.gaps).toEqual([
        {
          area: 'oauth',
          what: 'team.integrationLogs',
          reason: expect.stringMatching(/invalid_auth for workspace T0SIMENG01 .*not a member/),
        },
      ]);
      // The other workspace's log still counts, and the rest of the poll is whole.
      expect(doc.oauthGrants.filter((g) => g.grantType === 'installed').map((g) => g.appId)).toEqual(['A0SIMPOLL1', 'A0SIMSTND1']);
      expect(doc.settings).toHaveLength(7);
    });

    it("reports admin.teams.list's 'hidden' workspace as unlisted", async () => {
      sim.state.slack.put(TOKEN, compliantSlackTenant(TOKEN));
      sim.state.slack.setDiscoverability(TOKEN, 'T0SIMENG01', 'unlisted');
      expect((await sim.state.slack.get(TOKEN)).data.workspaces[1].discoverability).toBe('unlisted');
      const doc = await slackConnector.collect(context());
      expect(setting(doc, 'slack.workspace.discoverability', 'team:T0SIMENG01')).toBe('unlisted');
    });
  });

  it('fails the poll as auth when Slack rejects the token', async () => {
    const err = await failure();
    expect(err.reason).toBe('auth');
    expect(err.details.code).toBe('invalid_auth');
  });

  it('records a missing scope as a gap and keeps the rest', async () => {
    sim.state.slack.put(TOKEN, compliantSlackTenant(TOKEN, { missingScopes: ['admin.apps:read'] }));
    const doc = await slackConnector.collect(context({ declaredResidency: 'US' }));
    expect(doc.oauthGrants.every((g) => g.grantType === 'installed')).toBe(true);
    expect(doc.settings).toHaveLength(7);
    expect(doc.gaps.map((g) => `${g.area}:${g.what}`).sort()).toEqual([
      'oauth:admin.apps.approved.list',
      'oauth:admin.apps.requests.list',
      'oauth:admin.apps.restricted.list',
    ]);
    expect(doc.gaps[0].reason).toContain('missing_scope');
    expect(doc.gaps[0].reason).toContain('admin.apps:read');
  });

  it('does not count guests of a grid whose workspace list it cannot read', async () => {
    sim.state.slack.put(TOKEN, compliantSlackTenant(TOKEN, { missingScopes: ['admin.teams:read'] }));
    const doc = await slackConnector.collect(context({ declaredResidency: 'US' }));
    expect(doc.settings.map((s) => s.key)).toEqual([
      'slack.connect.external_organizations',
      'slack.connect.shared_channel_organizations',
    ]);
    expect(doc.gaps.map((g) => `${g.area}:${g.what}`)).toEqual([
      'sharing:slack.workspace.discoverability',
      'oauth:admin.teams.list',
      'sharing:slack.guests',
    ]);
  });

  it('fails the poll when team.info itself is refused', async () => {
    sim.state.slack.put(TOKEN, compliantSlackTenant(TOKEN, { missingScopes: ['team:read'] }));
    const err = await failure();
    expect(err.reason).toBe('auth');
    expect(err.details.code).toBe('missing_scope');
  });

  it('waits out a 429 with Retry-After and succeeds', async () => {
    sim.state.slack.put(TOKEN, compliantSlackTenant(TOKEN));
    fault({ method: 'admin.teams.list', kind: 'status', status: 429, retryAfter: 1, times: 1 });
    const started = Date.now();
    const doc = await slackConnector.collect(context());
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(setting(doc, 'slack.workspace.discoverability', 'team:T0SIMHQ001')).toBe('invite_only');
    expect(sim.state.slack.requestStats(TOKEN).requests['admin.teams.list']).toBe(2);
  });

  it('keeps within the simulated Tier limits by honouring Retry-After', async () => {
    sim.state.slack.put(TOKEN, compliantSlackTenant(TOKEN, { rateLimits: { enabled: true, timeScale: 60 } }));
    // Tier 3 team.info allows 50 per (one-second) minute; the 51st poll must wait, not fail.
    for (let i = 0; i < 50; i++) sim.state.slack.get(TOKEN).rateLimiter?.check('team.info', 3);
    const doc = await slackConnector.collect(context());
    expect(doc.tenant.id).toBe('E0SIMGRID01');
    expect(sim.state.slack.requestStats(TOKEN).throttled['team.info']).toBe(1);
  });

  it('fails as throttled when Slack keeps answering 429', async () => {
    sim.state.slack.put(TOKEN, compliantSlackTenant(TOKEN));
    fault({ method: 'team.info', kind: 'status', status: 429, retryAfter: 0 });
    const err = await failure(context({}, { maxThrottledWaitMs: 20 }));
    expect(err.reason).toBe('throttled');
  });

  it('survives a 5xx with a retry', async () => {
    sim.state.slack.put(TOKEN, compliantSlackTenant(TOKEN));
    fault({ method: 'admin.users.list', kind: 'status', status: 503, times: 1 });
    const doc = await slackConnector.collect(context());
    expect(setting(doc, 'slack.guests.multi_channel_count')).toBe(0);
  });

  it('classifies malformed JSON as schema', async () => {
    sim.state.slack.put(TOKEN, compliantSlackTenant(TOKEN));
    fault({ method: 'admin.apps.approved.list', kind: 'malformed' });
    expect((await failure()).reason).toBe('schema');
  });

  it('classifies a list of the wrong type as schema', async () => {
    sim.state.slack.put(TOKEN, compliantSlackTenant(TOKEN));
    fault({ method: 'team.externalTeams.list', kind: 'wrong-shape' });
    const err = await failure();
    expect(err.reason).toBe('schema');
    expect(err.message).toContain('team.externalTeams.list');
    expect(err.message).toContain('organizations');
  });

  it('classifies a missing list as schema', async () => {
    sim.state.slack.put(TOKEN, compliantSlackTenant(TOKEN));
    fault({ method: 'admin.users.list', kind: 'wrong-shape', variant: 'missing' });
    expect((await failure()).reason).toBe('schema');
  });

  it('ends endless cursor paging as a classified failure', async () => {
    sim.state.slack.put(TOKEN, compliantSlackTenant(TOKEN));
    fault({ method: 'admin.conversations.search', kind: 'endless-paging' });
    const err = await failure();
    expect(err.reason).toBe('provider_error');
    expect(err.message).toContain('more than');
  });

  it('caps endless integration-log paging with a gap, not a failure', async () => {
    sim.state.slack.put(TOKEN, compliantSlackTenant(TOKEN));
    fault({ method: 'team.integrationLogs', kind: 'endless-paging' });
    const doc = await slackConnector.collect(context());
    expect(doc.gaps).toContainEqual({
      area: 'oauth',
      what: 'team.integrationLogs',
      reason: expect.stringContaining('more than 100 pages'),
    });
    expect(doc.oauthGrants.some((g) => g.grantType === 'installed')).toBe(true);
  });

  it('classifies an oversized body and a reset connection', async () => {
    sim.state.slack.put(TOKEN, compliantSlackTenant(TOKEN));
    fault({ method: 'admin.teams.list', kind: 'huge', sizeMb: 3, times: 1 });
    expect((await failure(context({}, { maxBodyBytes: 1024 * 1024 }))).reason).toBe('provider_error');
    sim.state.faults.clear();
    fault({ method: 'admin.teams.list', kind: 'reset' });
    expect((await failure(context({}, { maxAttempts: 2 }))).reason).toBe('network');
  });

  it('never puts the token in an error', async () => {
    const errors: ProviderError[] = [await failure()];
    sim.state.slack.put(TOKEN, compliantSlackTenant(TOKEN, { missingScopes: ['team:read'] }));
    errors.push(await failure());
    sim.state.slack.put(TOKEN, compliantSlackTenant(TOKEN));
    for (const spec of [
      { kind: 'malformed' },
      { kind: 'wrong-shape' },
      { kind: 'status', status: 500 },
      { kind: 'status', status: 401, body: { ok: false, error: 'invalid_auth' } },
      { kind: 'reset' },
    ] as const) {
      sim.state.faults.clear();
      fault({ method: 'team.info', ...spec });
      errors.push(await failure(context({}, { maxAttempts: 1 })));
    }
    for (const err of errors) {
      expect(err.message).not.toContain(TOKEN);
      expect(String(err.stack)).not.toContain(TOKEN);
      expect(JSON.stringify(err.details)).not.toContain(TOKEN);
    }
  });

  describe('contract', () => {
    it('is registered for slack', () => {
      expect(connectorRegistry.get('slack')).toBe(slackConnector);
    });

    it('defaults to slack.com and to slack-gov.com for GovSlack', () => {
      expect(slackConnector.defaultEndpoints({})).toEqual({ api: 'https://slack.com/api' });
      expect(slackConnector.defaultEndpoints({ cloud: 'gov' })).toEqual({ api: 'https://slack-gov.com/api' });
      expect(slackConnector.officialHosts).toEqual(['slack.com', 'slack-gov.com']);
    });

    it('accepts Slack token shapes', () => {
      for (const token of ['xoxp-1-2-3', 'xoxb-123-abc', 'xoxa-2-x', 'xoxe-1-x', 'xoxe.xoxp-1-abc']) {
        expect(slackConnector.validateCredentials({ token })).toEqual([]);
      }
    });

    it('names problems without echoing the secret', () => {
      const secret = 'not a token but a secret';
      const problems = [
        ...slackConnector.validateCredentials({ token: secret }),
        ...slackConnector.validateCredentials({ token: 'secret-value-123' }),
        ...slackConnector.validateCredentials({ token: 'xoxp-ok', password: 'hunter2' }),
        ...slackConnector.validateCredentials({}),
        ...slackConnector.validateCredentials('xoxp-raw-string'),
        ...slackConnector.validateCredentials({ token: 42 }),
      ];
      expect(problems).toHaveLength(6);
      for (const p of problems) {
        expect(p).not.toContain(secret);
        expect(p).not.toContain('secret-value-123');
        expect(p).not.toContain('hunter2');
        expect(p).not.toContain('xoxp-raw-string');
      }
    });
  });
});
