import {
  createProviderHttpClient,
  ProviderError,
  type ConnectorContext,
  type JsonValue,
  type PostureDocument,
  type ProviderHttpClient,
  type ProviderHttpClientOptions,
} from '@tollgate/connector-sdk';
import {
  COMPLIANT_GOOGLE_IDS,
  COMPLIANT_GOOGLE_SETTINGS,
  compliantGoogleTenant,
  googleServiceAccountKey,
  startProviderSim,
  type FaultSpec,
  type ProviderSim,
} from '@tollgate/provider-sim';
import { connectorRegistry } from '../index';
import { googleWorkspaceConnector } from './google-workspace.connector';
import { DIRECTORY_INTERVAL_MS } from './google.fetchers';

const CUSTOMER = 'C0sim0001';
const { rootOrgUnitId: ROOT, salesOrgUnitId: SALES, adminEmail: ADMIN } = COMPLIANT_GOOGLE_IDS;
const rateLimitBody = (status: number, reason: string, state: string) => ({
  error: { code: status, message: 'Quota exceeded', errors: [{ message: 'Quota exceeded', domain: 'usageLimits', reason }], status: state },
});

describe('GoogleWorkspaceConnector against the provider simulator', () => {
  let sim: ProviderSim;
  let key: ReturnType<typeof googleServiceAccountKey>;

  beforeAll(async () => {
    sim = await startProviderSim({ port: 0 });
    key = googleServiceAccountKey(sim, CUSTOMER);
  });
  afterAll(() => sim.close());
  beforeEach(() => {
    sim.state.reset();
    sim.state.google.put(CUSTOMER, compliantGoogleTenant(CUSTOMER));
  });

  function httpClient(overrides: Partial<ProviderHttpClientOptions> = {}): ProviderHttpClient {
    return createProviderHttpClient({
      provider: 'google-workspace',
      backoffBaseMs: 1,
      backoffMaxMs: 5,
      throttleBackoffBaseMs: 1,
      throttleBackoffMaxMs: 5,
      timeoutMs: 5_000,
      classify: (res) => googleWorkspaceConnector.classifyResponse(res),
      ...overrides,
    });
  }

  function context(overrides: Partial<ConnectorContext> = {}, http: Partial<ProviderHttpClientOptions> = {}): ConnectorContext {
    const signal = new AbortController().signal;
    return {
      connectionId: 'conn-g',
      credentials: { serviceAccountKey: key, adminEmail: ADMIN, customerId: CUSTOMER },
      endpoints: {
        admin: `${sim.url}/google`,
        cloudidentity: `${sim.url}/google/cloudidentity`,
        token: `${sim.url}/google/token`,
      },
      options: {},
      http: httpClient({ signal, ...http }),
      signal,
      logger: { debug: () => undefined, warn: () => undefined },
      ...overrides,
    };
  }

  async function failure(ctx: ConnectorContext = context()): Promise<ProviderError> {
    try {
      await googleWorkspaceConnector.collect(ctx);
    } catch (err) {
      if (err instanceof ProviderError) return err;
      throw err;
    }
    throw new Error('expected the poll to fail');
  }

  const fault = (spec: FaultSpec) => sim.state.faults.add({ ...spec, provider: 'google-workspace' });
  const setting = (doc: PostureDocument, k: string, resourceKey = `orgUnit:${ROOT}`) =>
    doc.settings.find((s) => s.key === k && s.resourceKey === resourceKey);
  const requests = () => sim.state.google.requestStats(CUSTOMER).requests;

  it('reads a compliant tenant into the normalized document', async () => {
    const doc = await googleWorkspaceConnector.collect(context());
    expect(doc.provider).toBe('google-workspace');
    expect(doc.tenant).toEqual({ id: CUSTOMER, domain: 'acme.example' });
    expect(doc.gaps).toEqual([]);
    const root = (k: string, value: unknown) => ({ key: `google-workspace.${k}`, resourceKey: `orgUnit:${ROOT}`, value, source: 'observed' });
    expect(doc.settings).toEqual(
      expect.arrayContaining([
        root('drive.external_sharing_mode', 'ALLOWLISTED_DOMAINS'),
        root('drive.receive_external_files', false),
        root('drive.warn_on_external_sharing', true),
        root('drive.allow_non_google_invites', false),
        root('drive.allow_publishing_files', false),
        root('drive.access_checker_suggestions', 'RECIPIENTS_ONLY'),
        root('drive.distribute_content_externally', 'NONE'),
        root('chat.external_chat', 'DISABLED'),
        root('chat.external_file_sharing', 'NO_FILES'),
        root('groups.collaboration_capability', 'DOMAIN_USERS_ONLY'),
        root('groups.owners_can_allow_external_members', false),
        root('groups.owners_can_allow_incoming_mail_from_public', false),
        root('groups.create_groups_access_level', 'ADMIN_ONLY'),
        root('groups.view_topics_default_access_level', 'GROUP_MEMBERS'),
        root('apps.unconfigured_third_party_apps', 'BLOCK_ALL_SCOPES'),
        root('residency.limit_processing_to_storage_region', true),
      ]),
    );
    // The Sales org unit overrides Drive only, and more strictly.
    expect(setting(doc, 'google-workspace.drive.external_sharing_mode', `orgUnit:${SALES}`)?.value).toBe('DISALLOWED');
    expect(setting(doc, 'google-workspace.drive.allow_publishing_files', `orgUnit:${SALES}`)?.value).toBe(false);
    expect(doc.settings.filter((s) => s.resourceKey === `orgUnit:${SALES}`).every((s) => s.key.startsWith('google-workspace.drive.'))).toBe(true);
    expect(doc.residency).toEqual([{ resourceKey: `orgUnit:${ROOT}`, region: 'EUROPE', source: 'observed' }]);
    expect(doc.oauthGrants).toHaveLength(3);
    expect(doc.oauthGrants[0]).toEqual({
      appId: COMPLIANT_GOOGLE_IDS.harmlessClientId,
      appName: 'Team Lunch Planner',
      scopes: ['https://www.googleapis.com/auth/userinfo.email', 'https://www.googleapis.com/auth/userinfo.profile', 'openid'],
      grantType: 'user',
      principal: 'ada@acme.example',
    });
    // One token exchange serves the whole poll.
    expect(requests()['oauth2.token']).toBe(1);
  });

  describe('org units the way Google applies them', () => {
    const ENG = '03ph8a2z3eng';
    const INTERNS = '03ph8a2z4interns';
    const CONTRACTORS = '03ph8a2z5contr';

    beforeEach(() => {
      const base = compliantGoogleTenant(CUSTOMER);
      sim.state.google.put(CUSTOMER, {
        ...base,
        orgUnits: [
          ...(base.orgUnits ?? []),
          { id: ENG, path: '/Eng' },
          { id: INTERNS, path: '/Eng/Interns', parentId: ENG },
          { id: CONTRACTORS, path: '/Contractors' },
        ],
        policies: [
          ...(base.policies ?? []),
          // Each child sets one field only; Google merges the rest from the parents.
          { orgUnitId: ENG, settingType: 'groups_for_business.groups_sharing', value: { ownersCanAllowExternalMembers: true } },
          { orgUnitId: INTERNS, settingType: 'groups_for_business.groups_sharing', value: { collaborationCapability: 'ANYONE_CAN_ACCESS' } },
          // Drive is off for contractors: their wide-open sharing setting shares nothing.
          { orgUnitId: CONTRACTORS, settingType: 'drive_and_docs.external_sharing', value: { externalSharingMode: 'ALLOWED', allowPublishingFiles: true } },
          { orgUnitId: CONTRACTORS, settingType: 'drive_and_docs.service_status', value: { serviceState: 'DISABLED' } },
        ],
      });
    });

    it('gives a child org unit the fields it sets and inherits the rest from its ancestors', async () => {
      const doc = await googleWorkspaceConnector.collect(context());
      const groups = (resourceKey: string) =>
        Object.fromEntries(
          doc.settings.filter((s) => s.resourceKey === resourceKey && s.key.startsWith('google-workspace.groups.')).map((s) => [s.key.slice(24), s.value]),
        );
      expect(groups(`orgUnit:${ROOT}`)).toMatchObject({ collaboration_capability: 'DOMAIN_USERS_ONLY', owners_can_allow_external_members: false });
      expect(groups(`orgUnit:${ENG}`)).toMatchObject({ collaboration_capability: 'DOMAIN_USERS_ONLY', owners_can_allow_external_members: true });
      // Two levels down: its own field, the parent's field and the root's others.
      expect(groups(`orgUnit:${INTERNS}`)).toEqual(
        expect.objectContaining({ collaboration_capability: 'ANYONE_CAN_ACCESS', owners_can_allow_external_members: true }),
      );
      expect(Object.keys(groups(`orgUnit:${INTERNS}`)).sort()).toEqual(Object.keys(groups(`orgUnit:${ROOT}`)).sort());
    });

    it('does not hold an org unit with the app switched off to that app’s sharing settings', async () => {
      const doc = await googleWorkspaceConnector.collect(context());
      expect(doc.settings.filter((s) => s.resourceKey === `orgUnit:${CONTRACTORS}` && s.key.startsWith('google-workspace.drive.'))).toEqual([]);
      expect(setting(doc, 'google-workspace.drive.external_sharing_mode', `orgUnit:${SALES}`)?.value).toBe('DISALLOWED');
    });

    it('treats every org unit as a child of the root when the org unit tree is refused, and says so', async () => {
      fault({ kind: 'status', status: 403, method: 'directory.orgunits.list' });
      const doc = await googleWorkspaceConnector.collect(context());
      expect(doc.gaps).toContainEqual(expect.objectContaining({ area: 'sharing', what: 'directory.orgunits.list' }));
      // Without the tree, Interns no longer inherits Eng's field: it falls back to Google's documented default.
      expect(setting(doc, 'google-workspace.groups.owners_can_allow_external_members', `orgUnit:${INTERNS}`)?.source).toBe('default');
    });
  });

  it('reports an org-unit override per org unit and a risky user grant', async () => {
    sim.state.google.setPolicy(CUSTOMER, {
      orgUnitId: SALES,
      settingType: 'drive_and_docs.external_sharing',
      value: { ...COMPLIANT_GOOGLE_SETTINGS['drive_and_docs.external_sharing'], externalSharingMode: 'ALLOWED', allowPublishingFiles: true, warnForExternalSharing: false },
    });
    sim.state.google.addUserToken(CUSTOMER, 'bob@acme.example', {
      clientId: '999-mailer.apps.googleusercontent.com',
      displayText: 'Mail Merge Pro',
      scopes: ['https://mail.google.com/', 'openid'],
    });
    const doc = await googleWorkspaceConnector.collect(context());
    expect(setting(doc, 'google-workspace.drive.external_sharing_mode', `orgUnit:${SALES}`)?.value).toBe('ALLOWED');
    expect(setting(doc, 'google-workspace.drive.allow_publishing_files', `orgUnit:${SALES}`)?.value).toBe(true);
    expect(setting(doc, 'google-workspace.drive.warn_on_external_sharing', `orgUnit:${SALES}`)?.value).toBe(false);
    expect(setting(doc, 'google-workspace.drive.external_sharing_mode')?.value).toBe('ALLOWLISTED_DOMAINS');
    expect(doc.oauthGrants).toContainEqual({
      appId: '999-mailer.apps.googleusercontent.com',
      appName: 'Mail Merge Pro',
      scopes: ['https://mail.google.com/', 'openid'],
      grantType: 'user',
      principal: 'bob@acme.example',
    });
  });

  it('fills the documented data-region defaults and leaves other absent settings unknown', async () => {
    sim.state.google.deletePolicy(CUSTOMER, 'data_regions.data_at_rest_region', ROOT);
    sim.state.google.deletePolicy(CUSTOMER, 'data_regions.data_processing_region', ROOT);
    sim.state.google.deletePolicy(CUSTOMER, 'chat.chat_file_sharing', ROOT);
    const doc = await googleWorkspaceConnector.collect(context());
    // No data region policy reaches the root: the whole customer is in no region, reported at the root.
    expect(doc.residency).toEqual([{ resourceKey: `orgUnit:${ROOT}`, region: 'ANY', source: 'observed' }]);
    expect(doc.settings).toContainEqual({
      key: 'google-workspace.residency.limit_processing_to_storage_region',
      resourceKey: `orgUnit:${ROOT}`,
      value: false,
      source: 'default',
    });
    expect(doc.settings.some((s) => s.key === 'google-workspace.chat.external_file_sharing')).toBe(false);
  });

  it('maps data at rest in ANY_REGION to ANY', async () => {
    sim.state.google.setDataRegion(CUSTOMER, { region: 'ANY_REGION', limitToStorageRegion: false });
    const doc = await googleWorkspaceConnector.collect(context());
    expect(doc.residency).toEqual([{ resourceKey: `orgUnit:${ROOT}`, region: 'ANY', source: 'observed' }]);
    expect(setting(doc, 'google-workspace.residency.limit_processing_to_storage_region')?.value).toBe(false);
  });

  it('pages through users and policies', async () => {
    const base = compliantGoogleTenant(CUSTOMER);
    const users = Array.from({ length: 7 }, (_, i) => ({
      id: `20000000000000000000${i}`,
      primaryEmail: `user${i}@acme.example`,
      tokens: i % 2 === 0 ? [{ clientId: `app-${i}.apps.googleusercontent.com`, displayText: `App ${i}`, scopes: ['openid'] }] : [],
    }));
    const overrides = Array.from({ length: 5 }, (_, i) => ({
      orgUnitId: `03ph8a2z2ou${i}`,
      settingType: 'chat.chat_file_sharing',
      value: { externalFileSharing: i === 3 ? 'ALL_FILES' : 'NO_FILES' },
    }));
    sim.state.google.put(CUSTOMER, { ...base, users, policies: [...(base.policies ?? []), ...overrides], maxPageSize: 2 });
    const doc = await googleWorkspaceConnector.collect(context());
    expect(doc.oauthGrants.map((g) => g.principal)).toEqual(['user0@acme.example', 'user2@acme.example', 'user4@acme.example', 'user6@acme.example']);
    expect(doc.settings.filter((s) => s.key === 'google-workspace.chat.external_file_sharing')).toHaveLength(6);
    expect(setting(doc, 'google-workspace.chat.external_file_sharing', 'orgUnit:03ph8a2z2ou3')?.value).toBe('ALL_FILES');
    const counts = requests();
    expect(counts['directory.users.list']).toBe(4);
    expect(counts['directory.tokens.list']).toBe(7);
    // One listing per app (16 apps), paged at two policies per page: Chat holds 9 policies (5 pages),
    // Drive 8 (4 pages and an empty last one), Calendar and Meet 2 pages each, the other 12 apps one page.
    expect(counts['policies.list']).toBe(5 + 5 + 2 + 2 + 11);
    expect(counts['directory.orgunits.list']).toBe(1);
  });

  it('refreshes the access token once when it expires mid-poll', async () => {
    const inner = httpClient();
    let expired = false;
    const http: ProviderHttpClient = {
      request: async <T,>(req: Parameters<ProviderHttpClient['request']>[0]) => {
        const res = await inner.request<T>(req);
        if (req.operation === 'directory.users.list' && !expired) {
          expired = true;
          sim.state.google.expireTokens(CUSTOMER);
        }
        return res;
      },
    };
    const doc = await googleWorkspaceConnector.collect(context({ http }));
    expect(doc.oauthGrants).toHaveLength(3);
    expect(requests()['oauth2.token']).toBe(2);
  });

  it('fails as auth when a fresh token is refused too', async () => {
    fault({ method: 'directory.users.list', kind: 'status', status: 401 });
    const err = await failure();
    expect(err.reason).toBe('auth');
    expect(requests()['oauth2.token']).toBe(2);
  });

  it('survives 429 RESOURCE_EXHAUSTED and 403 userRateLimitExceeded, with and without Retry-After', async () => {
    fault({ method: 'directory.users.list', kind: 'status', status: 429, times: 1, body: rateLimitBody(429, 'rateLimitExceeded', 'RESOURCE_EXHAUSTED') });
    fault({ method: 'directory.tokens.list', kind: 'status', status: 403, times: 2, body: rateLimitBody(403, 'userRateLimitExceeded', 'PERMISSION_DENIED') });
    fault({ method: 'policies.list', kind: 'status', status: 429, retryAfter: 1, times: 1, body: rateLimitBody(429, 'rateLimitExceeded', 'RESOURCE_EXHAUSTED') });
    fault({ method: 'policies.list', kind: 'status', status: 403, retryAfter: 0, times: 1, body: rateLimitBody(403, 'quotaExceeded', 'PERMISSION_DENIED') });
    const doc = await googleWorkspaceConnector.collect(context());
    expect(doc.gaps).toEqual([]);
    expect(doc.oauthGrants).toHaveLength(3);
    expect(setting(doc, 'google-workspace.drive.external_sharing_mode')?.value).toBe('ALLOWLISTED_DOMAINS');
    expect(sim.state.faults.list().every((f) => f.remaining === 0)).toBe(true);
  });

  it('keeps under the simulated Directory rate limit by backing off', async () => {
    sim.state.google.setRateLimits(CUSTOMER, { enabled: true, limit: 4, windowMs: 1_000, answer: '403', retryAfterSeconds: 1 });
    const doc = await googleWorkspaceConnector.collect(context());
    expect(doc.oauthGrants).toHaveLength(3);
    const stats = sim.state.google.requestStats(CUSTOMER);
    expect(Object.values(stats.throttled).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });

  it('fails as throttled when Google keeps refusing', async () => {
    fault({ method: 'directory.users.list', kind: 'status', status: 429 });
    const err = await failure(context({}, { maxThrottledWaitMs: 20 }));
    expect(err.reason).toBe('throttled');
    expect(err.message).toContain('directory.users.list');
  });

  it('records a refused Policy API read as a gap and keeps the rest', async () => {
    fault({ method: 'policies.list', kind: 'status', status: 403, times: 1 });
    const doc = await googleWorkspaceConnector.collect(context());
    // The first listing (Drive's app) was refused: a gap for each of its setting types, none for the others.
    expect(doc.gaps.length).toBeGreaterThan(1);
    for (const gap of doc.gaps) expect(gap.reason).toContain('403');
    expect(doc.gaps.map((g) => g.what).sort()).toEqual(doc.gaps.map((g) => g.what).filter((w) => w.includes('drive')).sort());
    expect(doc.settings.length).toBeGreaterThan(5);
  });

  it('records refused token listings as an oauth gap, not a partial inventory', async () => {
    fault({ method: 'directory.tokens.list', kind: 'status', status: 403, times: 1 });
    const doc = await googleWorkspaceConnector.collect(context());
    expect(doc.oauthGrants).toEqual([]);
    expect(doc.gaps).toEqual([{ area: 'oauth', what: 'directory.tokens.list', reason: expect.stringContaining('403') }]);
  });

  describe('a delegation without the org unit scope (tenants connected before org units were read)', () => {
    const SCOPE = 'https://www.googleapis.com/auth/';
    const delegate = (scopes: string[]) => sim.state.google.put(CUSTOMER, { ...compliantGoogleTenant(CUSTOMER), delegatedScopes: scopes });
    const BASE = ['admin.directory.user.readonly', 'admin.directory.user.security', 'admin.reports.audit.readonly', 'cloud-identity.policies.readonly'];

    it('still polls, without the org unit tree, and records the tree as a gap', async () => {
      delegate(BASE.map((s) => SCOPE + s));
      const doc = await googleWorkspaceConnector.collect(context());
      expect(doc.gaps).toEqual([
        { area: 'sharing', what: 'directory.orgunits.list', reason: expect.stringContaining('admin.directory.orgunit.readonly is not delegated') },
      ]);
      // Everything else is read as usual: the root's values, the Sales override, the grants.
      expect(setting(doc, 'google-workspace.drive.external_sharing_mode')?.value).toBe('ALLOWLISTED_DOMAINS');
      expect(setting(doc, 'google-workspace.drive.external_sharing_mode', `orgUnit:${SALES}`)?.value).toBe('DISALLOWED');
      expect(doc.oauthGrants).toHaveLength(3);
      // Refused once with every scope, granted without the org unit one; the tree is never asked for.
      expect(requests()['oauth2.token']).toBe(2);
      expect(requests()['directory.orgunits.list']).toBeUndefined();
    });

    it('fails as auth when a base scope is not delegated', async () => {
      delegate([SCOPE + 'admin.directory.orgunit.readonly', ...BASE.filter((s) => s !== 'admin.directory.user.security').map((s) => SCOPE + s)]);
      const err = await failure();
      expect(err.reason).toBe('auth');
      expect(err.details.code).toBe('unauthorized_client');
      expect(err.message).toContain('oauth2.token');
      // With the org unit scope and then without it: no other retry.
      expect(requests()['oauth2.token']).toBe(2);
    });
  });

  it('paces Policy API listings like the Directory calls', async () => {
    const inner = httpClient();
    const started: number[] = [];
    const http: ProviderHttpClient = {
      request: async <T,>(req: Parameters<ProviderHttpClient['request']>[0]) => {
        if (req.operation === 'policies.list') started.push(performance.now());
        return inner.request<T>(req);
      },
    };
    await googleWorkspaceConnector.collect(context({ http }));
    // One listing per setting type, four in flight at once: unpaced they would all start together.
    expect(started.length).toBeGreaterThanOrEqual(10);
    // Paced, each starts on its own slot, DIRECTORY_INTERVAL_MS after the one before (later if the
    // machine is busy); two starting within 2 ms would need the earlier one 24 ms late on its slot.
    const gaps = started.slice(1).map((t, i) => t - started[i]);
    expect(gaps.filter((g) => g < 2)).toEqual([]);
    expect(started.at(-1)! - started[0]).toBeGreaterThanOrEqual((started.length - 1) * DIRECTORY_INTERVAL_MS - 25);
  });

  it('fails as auth when the token endpoint refuses the admin', async () => {
    const err = await failure(context({ credentials: { serviceAccountKey: key, adminEmail: 'eve@acme.example', customerId: CUSTOMER } }));
    expect(err.reason).toBe('auth');
    expect(err.details.code).toBe('invalid_grant');
    expect(err.message).toContain('oauth2.token');
  });

  it('classifies malformed and wrongly shaped answers as schema', async () => {
    fault({ method: 'policies.list', kind: 'malformed', times: 1 });
    expect((await failure()).reason).toBe('schema');
    sim.state.faults.clear();
    fault({ method: 'directory.users.list', kind: 'wrong-shape' });
    const err = await failure();
    expect(err.reason).toBe('schema');
    expect(err.message).toContain('users');
    sim.state.faults.clear();
    sim.state.google.setPolicy(CUSTOMER, { orgUnitId: ROOT, settingType: 'chat.chat_file_sharing', value: { externalFileSharing: 42 } });
    expect((await failure()).reason).toBe('schema');
  });

  it('ends endless paging as a classified failure', async () => {
    fault({ method: 'policies.list', kind: 'endless-paging' });
    const err = await failure();
    expect(err.reason).toBe('provider_error');
    expect(err.message).toContain('more than 200 pages');
  });

  it('never puts the private key or an access token in an error', async () => {
    const errors: ProviderError[] = [];
    for (const spec of [
      { method: 'oauth2.token', kind: 'status', status: 400, body: { error: 'invalid_grant', error_description: 'nope' } },
      { method: 'oauth2.token', kind: 'malformed' },
      { method: 'policies.list', kind: 'wrong-shape' },
      { method: 'directory.users.list', kind: 'status', status: 500 },
      { method: 'directory.users.list', kind: 'reset' },
    ] as const) {
      sim.state.faults.clear();
      fault(spec);
      errors.push(await failure(context({}, { maxAttempts: 1 })));
    }
    errors.push(await failure(context({ credentials: { serviceAccountKey: { ...key, private_key: `${key.private_key}garbage` }, adminEmail: ADMIN } })));
    const secretLines = key.private_key.split('\n').filter((l) => l.length > 20);
    for (const err of errors) {
      const text = `${err.message}\n${String(err.stack)}\n${JSON.stringify(err.details)}`;
      for (const line of secretLines) expect(text).not.toContain(line);
      expect(text).not.toContain('ya29.');
    }
  });

  describe('incremental tracking between full reads', () => {
    const risky = '999-mailer.apps.googleusercontent.com';
    const harmless = COMPLIANT_GOOGLE_IDS.harmlessClientId;
    const HOUR = 3_600_000;

    /** One poll as the poll runner makes it: the previous poll's document and state in, the saved state out. */
    async function poll(previous?: ConnectorContext['previous'], options: Record<string, unknown> = {}) {
      const before = { ...requests() };
      let state: JsonValue | undefined;
      const document = await googleWorkspaceConnector.collect(
        context({ options, ...(previous ? { previous } : {}), saveState: (s) => void (state = s) }),
      );
      const after = requests();
      const calls = (op: string) => (after[op] ?? 0) - (before[op] ?? 0);
      return { document, state, calls, next: { document, state: state ?? null, at: new Date() } };
    }

    const hoursAgo = (hours: number) => new Date(Date.now() - hours * HOUR).toISOString();
    const withState = (prev: Awaited<ReturnType<typeof poll>>['next'], state: Record<string, string>) => ({ ...prev, state });
    const grantOf = (doc: PostureDocument, principal: string, appId: string) =>
      doc.oauthGrants.find((g) => g.principal === principal && g.appId === appId);

    it('reads every user’s tokens first and saves when it did', async () => {
      const startedAt = Date.now();
      const first = await poll();
      expect(first.calls('directory.tokens.list')).toBe(3);
      expect(first.calls('reports.activities.list')).toBe(0);
      expect(first.state).toEqual({ lastFullAt: expect.any(String), lastEventTime: expect.any(String) });
      const state = first.state as { lastFullAt: string; lastEventTime: string };
      expect(Date.parse(state.lastFullAt)).toBeGreaterThanOrEqual(startedAt);
      expect(state.lastEventTime).toBe(state.lastFullAt);
      // The state stays out of the document: an unchanged tenant must hash the same every poll.
      expect(JSON.stringify(first.document)).not.toContain(state.lastFullAt);
    });

    it('then replays token events instead of listing every user’s tokens, picking up a grant and a revoke', async () => {
      const first = await poll();
      sim.state.google.addUserToken(CUSTOMER, 'bob@acme.example', { clientId: risky, displayText: 'Mail Merge Pro', scopes: ['https://mail.google.com/'] });
      sim.state.google.removeUserToken(CUSTOMER, 'ada@acme.example', harmless);
      const second = await poll(first.next);
      expect(second.calls('directory.tokens.list')).toBe(0);
      expect(second.calls('directory.users.list')).toBe(0);
      expect(second.calls('reports.activities.list')).toBe(1);
      expect(grantOf(second.document, 'bob@acme.example', risky)).toEqual({
        appId: risky,
        appName: 'Mail Merge Pro',
        scopes: ['https://mail.google.com/'],
        grantType: 'user',
        principal: 'bob@acme.example',
      });
      expect(grantOf(second.document, 'ada@acme.example', harmless)).toBeUndefined();
      expect(second.document.oauthGrants).toHaveLength(3);
      // Settings are read afresh every poll, and the tenant comes from the document built on.
      expect(second.calls('policies.list')).toBe(16); // one listing per app
      expect(second.document.tenant).toEqual(first.document.tenant);
      const state = second.state as { lastFullAt: string; lastEventTime: string };
      expect(state.lastFullAt).toBe((first.state as { lastFullAt: string }).lastFullAt);
      expect(state.lastEventTime).toBe(sim.state.google.get(CUSTOMER).tokenEvents.at(-1)?.time);

      sim.state.google.removeUserToken(CUSTOMER, 'bob@acme.example', risky);
      const third = await poll(second.next);
      expect(third.calls('directory.tokens.list')).toBe(0);
      expect(grantOf(third.document, 'bob@acme.example', risky)).toBeUndefined();
    });

    it('gives the same document as a full read after a run of authorize and revoke events', async () => {
      sim.state.google.put(CUSTOMER, { ...compliantGoogleTenant(CUSTOMER), maxPageSize: 2 });
      const google = sim.state.google;
      const add = (user: string, clientId: string, scopes: string[], displayText = 'Some App') =>
        google.addUserToken(CUSTOMER, user, { clientId, displayText, scopes });
      // Before the full read, inside the overlap the next read replays: already reflected in it.
      add('bob@acme.example', 'x-app', ['openid']);
      google.removeUserToken(CUSTOMER, 'bob@acme.example', 'x-app');
      google.removeUserToken(CUSTOMER, 'ada@acme.example', harmless);
      const first = await poll();
      add('ada@acme.example', harmless, ['openid'], 'Team Lunch Planner');
      add('bob@acme.example', risky, ['https://mail.google.com/'], 'Mail Merge Pro');
      google.removeUserToken(CUSTOMER, 'bob@acme.example', risky);
      add('bob@acme.example', risky, ['https://www.googleapis.com/auth/gmail.readonly'], 'Mail Merge Pro');
      add('admin@acme.example', 'crm-app', ['openid']);
      add('admin@acme.example', 'crm-app', ['https://www.googleapis.com/auth/drive'], 'CRM');
      add('admin@acme.example', 'gone-app', ['openid']);
      google.removeUserToken(CUSTOMER, 'admin@acme.example', 'gone-app');
      google.removeUserToken(CUSTOMER, 'bob@acme.example', harmless);

      const incremental = await poll(first.next);
      expect(incremental.calls('directory.tokens.list')).toBe(0);
      // Ten events at two per page.
      expect(incremental.calls('reports.activities.list')).toBeGreaterThan(1);
      // The next read overlaps this one's window and replays every event again: nothing changes.
      const replayed = await poll(incremental.next);
      const full = await poll();
      expect(full.calls('directory.tokens.list')).toBe(3);
      expect(incremental.document).toStrictEqual(full.document);
      expect(replayed.document).toStrictEqual(full.document);
      expect(grantOf(full.document, 'admin@acme.example', 'crm-app')?.scopes).toEqual(['https://www.googleapis.com/auth/drive', 'openid']);
      // Revoked in between: the scopes of the earlier grant are gone.
      expect(grantOf(full.document, 'bob@acme.example', risky)?.scopes).toEqual(['https://www.googleapis.com/auth/gmail.readonly']);
    });

    it('reads everything again once the last full read is older than fullReconcileHours', async () => {
      const first = await poll();
      const stale = withState(first.next, { lastFullAt: hoursAgo(25), lastEventTime: hoursAgo(1) });
      const again = await poll(stale);
      expect(again.calls('directory.tokens.list')).toBe(3);
      expect(Date.parse((again.state as { lastFullAt: string }).lastFullAt)).toBeGreaterThan(Date.now() - HOUR);
      // A longer period from the connection's options keeps the same state incremental.
      expect((await poll(stale, { fullReconcileHours: 48 })).calls('directory.tokens.list')).toBe(0);
      expect((await poll(withState(first.next, { lastFullAt: hoursAgo(2), lastEventTime: hoursAgo(1) }), { fullReconcileHours: 1 })).calls('directory.tokens.list')).toBe(3);
      // Out of 1..168 or not a number: the default of 24 hours.
      for (const fullReconcileHours of [0, 500, '48']) {
        expect((await poll(stale, { fullReconcileHours })).calls('directory.tokens.list')).toBe(3);
      }
    });

    it('reads everything when there is nothing sound to build on', async () => {
      const first = await poll();
      const gap = { area: 'oauth' as const, what: 'directory.tokens.list', reason: 'HTTP 403' };
      for (const previous of [
        { ...first.next, state: null },
        { ...first.next, state: { lastFullAt: 'yesterday', lastEventTime: 'today' } },
        { ...first.next, document: { ...first.document, gaps: [gap] } },
        { ...first.next, document: { ...first.document, tenant: { id: 'C0another1' } } },
      ]) {
        expect((await poll(previous)).calls('directory.tokens.list')).toBe(3);
      }
    });

    it('falls back to a full read, without a gap, when the Reports API refuses', async () => {
      const first = await poll();
      fault({ method: 'reports.activities.list', kind: 'status', status: 403, times: 1 });
      const second = await poll(first.next);
      expect(second.calls('reports.activities.list')).toBe(1);
      expect(second.calls('directory.tokens.list')).toBe(3);
      expect(second.document.gaps).toEqual([]);
      expect(second.document).toStrictEqual(first.document);
    });

    it('waits out a throttled Reports API instead of falling back', async () => {
      const first = await poll();
      fault({ method: 'reports.activities.list', kind: 'status', status: 403, times: 1, body: rateLimitBody(403, 'userRateLimitExceeded', 'PERMISSION_DENIED') });
      const second = await poll(first.next);
      expect(second.calls('reports.activities.list')).toBe(2);
      expect(second.calls('directory.tokens.list')).toBe(0);
    });
  });

  describe('contract', () => {
    it('is registered for google-workspace', () => {
      expect(connectorRegistry.get('google-workspace')).toBe(googleWorkspaceConnector);
    });

    it('defaults to Google’s official endpoints, the token URL included', () => {
      expect(googleWorkspaceConnector.defaultEndpoints()).toEqual({
        admin: 'https://admin.googleapis.com',
        cloudidentity: 'https://cloudidentity.googleapis.com',
        token: 'https://oauth2.googleapis.com/token',
      });
      expect(googleWorkspaceConnector.officialHosts).toEqual([
        'admin.googleapis.com',
        'cloudidentity.googleapis.com',
        'oauth2.googleapis.com',
        'www.googleapis.com',
      ]);
    });

    it('accepts a service-account key given as an object or as the file text', () => {
      expect(googleWorkspaceConnector.validateCredentials({ serviceAccountKey: key, adminEmail: ADMIN })).toEqual([]);
      expect(
        googleWorkspaceConnector.validateCredentials({ serviceAccountKey: JSON.stringify(key), adminEmail: ADMIN, customerId: CUSTOMER }),
      ).toEqual([]);
    });

    it('names problems without echoing the key or other values', () => {
      const problems = [
        ...googleWorkspaceConnector.validateCredentials({ serviceAccountKey: { ...key, private_key: 'not a pem at all' }, adminEmail: ADMIN }),
        ...googleWorkspaceConnector.validateCredentials({ serviceAccountKey: { ...key, type: 'authorized_user' }, adminEmail: ADMIN }),
        ...googleWorkspaceConnector.validateCredentials({ serviceAccountKey: key, adminEmail: 'hunter2', password: 'hunter3' }),
        ...googleWorkspaceConnector.validateCredentials({ serviceAccountKey: key, adminEmail: ADMIN, customerId: 'secret-cust' }),
        ...googleWorkspaceConnector.validateCredentials({ adminEmail: ADMIN }),
        ...googleWorkspaceConnector.validateCredentials(key.private_key),
      ];
      expect(problems.length).toBeGreaterThanOrEqual(7);
      const secretLines = key.private_key.split('\n').filter((l) => l.length > 20);
      for (const p of problems) {
        for (const line of secretLines) expect(p).not.toContain(line);
        for (const v of ['not a pem at all', 'hunter2', 'hunter3', 'secret-cust', 'authorized_user']) expect(p).not.toContain(v);
      }
    });
  });
});
