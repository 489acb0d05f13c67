import { SignJWT } from 'jose';
import { createPrivateKey } from 'node:crypto';
import { getWithToken } from '../testing/sim-http.client';
import { useProviderSim } from '../testing/sim-spec.support';
import { GOOGLE_DELEGATED_SCOPES } from './google-api.handler';
import { COMPLIANT_GOOGLE_IDS, compliantGoogleTenant, googleServiceAccountKey } from './google-tenant.fixtures';

const CUSTOMER = 'C0simapi1';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

describe('simulated Google Workspace APIs over HTTP', () => {
  const { sim, control } = useProviderSim();
  let key: ReturnType<typeof googleServiceAccountKey>;

  beforeAll(() => {
    key = googleServiceAccountKey(sim(), CUSTOMER);
  });
  beforeEach(async () => {
    const put = await control('PUT', `/_sim/google/tenants/${CUSTOMER}`, compliantGoogleTenant(CUSTOMER));
    expect(put.status).toBe(200);
  });

  async function assertion(claims: { sub?: string; aud?: string; scope?: string; lifetime?: number; iss?: string } = {}) {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ scope: claims.scope ?? GOOGLE_DELEGATED_SCOPES.join(' ') })
      .setProtectedHeader({ alg: 'RS256', kid: key.private_key_id })
      .setIssuer(claims.iss ?? key.client_email)
      .setSubject(claims.sub ?? COMPLIANT_GOOGLE_IDS.adminEmail)
      .setAudience(claims.aud ?? key.token_uri)
      .setIssuedAt(now)
      .setExpirationTime(now + (claims.lifetime ?? 3600))
      .sign(createPrivateKey(key.private_key));
  }

  async function exchange(jwt: string, grantType = JWT_BEARER) {
    const res = await fetch(key.token_uri, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: grantType, assertion: jwt }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  const api = (path: string, token: string | undefined) => getWithToken(`${sim().url}/google${path}`, token);

  async function token(): Promise<string> {
    const answer = await exchange(await assertion());
    expect(answer.status).toBe(200);
    return answer.body.access_token as string;
  }

  describe('POST /google/token', () => {
    it('issues a bearer token for a verified assertion', async () => {
      const answer = await exchange(await assertion());
      expect(answer).toEqual({ status: 200, body: { access_token: expect.stringMatching(/^ya29\./), expires_in: 3600, token_type: 'Bearer' } });
    });

    it.each([
      ['an admin it may not impersonate', { sub: 'eve@acme.example' }, 400, 'invalid_grant'],
      ['another audience', { aud: 'https://oauth2.googleapis.com/token' }, 400, 'invalid_grant'],
      ['a lifetime over an hour', { lifetime: 7200 }, 400, 'invalid_grant'],
      ['a scope not delegated', { scope: 'https://mail.google.com/' }, 401, 'unauthorized_client'],
      ['an unknown service account', { iss: 'who@else.iam.gserviceaccount.com' }, 401, 'invalid_client'],
    ])('refuses %s', async (_what, claims, status, error) => {
      const answer = await exchange(await assertion(claims));
      expect(answer.status).toBe(status);
      expect(answer.body).toEqual({ error, error_description: expect.any(String) });
    });

    it('refuses the whole request when one scope asked for is not in the tenant’s delegation, as Google does', async () => {
      const [user, orgUnit, ...rest] = GOOGLE_DELEGATED_SCOPES;
      await control('PUT', `/_sim/google/tenants/${CUSTOMER}`, { ...compliantGoogleTenant(CUSTOMER), delegatedScopes: [user, ...rest] });
      const all = await exchange(await assertion());
      expect(all.status).toBe(401);
      expect(all.body).toEqual({ error: 'unauthorized_client', error_description: expect.any(String) });
      expect(orgUnit).toContain('admin.directory.orgunit.readonly');
      // Without the undelegated scope the same service account gets a token.
      expect((await exchange(await assertion({ scope: [user, ...rest].join(' ') }))).status).toBe(200);
    });

    it('refuses a bad signature and another grant type', async () => {
      const jwt = await assertion();
      const [h, p] = jwt.split('.');
      expect((await exchange(`${h}.${p}.${Buffer.from('forged').toString('base64url')}`)).body.error).toBe('invalid_grant');
      expect((await exchange(jwt, 'client_credentials')).body.error).toBe('unsupported_grant_type');
    });
  });

  describe('Directory and Policy APIs', () => {
    it('pages users with opaque page tokens and hides simulator metadata', async () => {
      await control('PUT', `/_sim/google/tenants/${CUSTOMER}`, { ...compliantGoogleTenant(CUSTOMER), maxPageSize: 2 });
      const t = await token();
      const first = await api('/admin/directory/v1/users?customer=my_customer&maxResults=500', t);
      expect(first.status).toBe(200);
      expect(first.body.users).toHaveLength(2);
      expect(JSON.stringify(first.body)).not.toContain('tokens');
      const second = await api(`/admin/directory/v1/users?customer=my_customer&pageToken=${String(first.body.nextPageToken)}`, t);
      expect(second.body.users).toHaveLength(1);
      expect(second.body.nextPageToken).toBeUndefined();
    });

    it('lists a user’s tokens, and omits items when there are none', async () => {
      const t = await token();
      const tokens = await api('/admin/directory/v1/users/ada@acme.example/tokens', t);
      expect(tokens.body.items).toEqual([expect.objectContaining({ clientId: COMPLIANT_GOOGLE_IDS.harmlessClientId, userKey: expect.any(String) })]);
      await control('DELETE', `/_sim/google/tenants/${CUSTOMER}/users/ada@acme.example/tokens/${COMPLIANT_GOOGLE_IDS.harmlessClientId}`);
      const none = await api('/admin/directory/v1/users/ada@acme.example/tokens', t);
      expect(none.body.items).toBeUndefined();
      expect((await api('/admin/directory/v1/users/nobody@acme.example/tokens', t)).status).toBe(404);
    });

    it('filters policies by setting type and reflects control changes per org unit', async () => {
      const t = await token();
      // A CEL string literal: the regex backslash is escaped, as in Google's `'^settings/gmail\\..*$'`.
      const filter = encodeURIComponent("setting.type.matches('^settings/drive_and_docs\\\\.external_sharing$')");
      const drive = await api(`/cloudidentity/v1/policies?filter=${filter}`, t);
      const policies = drive.body.policies as { policyQuery: { orgUnit: string }; setting: { type: string; value: Record<string, unknown> } }[];
      expect(policies.map((p) => [p.policyQuery.orgUnit, p.setting.value.externalSharingMode])).toEqual([
        [`orgUnits/${COMPLIANT_GOOGLE_IDS.rootOrgUnitId}`, 'ALLOWLISTED_DOMAINS'],
        [`orgUnits/${COMPLIANT_GOOGLE_IDS.salesOrgUnitId}`, 'DISALLOWED'],
      ]);
      const changed = await control('PATCH', `/_sim/google/tenants/${CUSTOMER}/data-region`, { region: 'ANY_REGION' });
      expect(changed.status).toBe(200);
      const regions = await api(`/cloudidentity/v1/policies?filter=${encodeURIComponent("setting.type.matches('data_at_rest')")}`, t);
      expect((regions.body.policies as { setting: { value: unknown } }[])[0].setting.value).toEqual({ region: 'ANY_REGION' });
      expect((await api('/cloudidentity/v1/policies?filter=nonsense', t)).status).toBe(400);
    });

    it('refuses what Google refuses in policies.list: invalid CEL escapes, unknown filter syntax, negative page sizes', async () => {
      const t = await token();
      const list = (query: string) => api(`/cloudidentity/v1/policies?${query}`, t);
      // One backslash before the dot: not a CEL string escape, so the whole filter is invalid.
      const oneBackslash = await list(`filter=${encodeURIComponent("setting.type.matches('^settings/drive_and_docs\\.external_sharing$')")}`);
      expect(oneBackslash.status).toBe(400);
      expect(oneBackslash.body).toMatchObject({ error: { code: 400, status: 'INVALID_ARGUMENT', errors: [{ reason: 'invalid' }] } });
      expect(JSON.stringify(oneBackslash.body)).toContain('invalid escape sequence');
      for (const bad of ["setting.name == 'x'", "setting.type.matches('a'", "setting.type.matches('(')", "customer == 'C0abc'"]) {
        expect({ bad, status: (await list(`filter=${encodeURIComponent(bad)}`)).status }).toEqual({ bad, status: 400 });
      }
      const combined = `customer == "customers/my_customer" && (setting.type.matches('^settings/chat\\\\..*$') || setting.type.matches('^.*\\\\.service_status$'))`;
      const chat = await list(`filter=${encodeURIComponent(combined)}`);
      expect(chat.status).toBe(200);
      expect((chat.body.policies as { setting: { type: string } }[]).every((p) => p.setting.type.startsWith('settings/chat.') || p.setting.type.endsWith('.service_status'))).toBe(true);
      expect((await list('pageSize=-1')).status).toBe(400);
      expect((await list('pageSize=abc')).status).toBe(400);
      // Documented: "page_size values greater than 100 default to 100".
      expect((await list('pageSize=1000')).status).toBe(200);
    });

    it('refuses Directory and Reports page sizes outside their documented range', async () => {
      const t = await token();
      expect((await api('/admin/directory/v1/users?customer=my_customer&maxResults=501', t)).status).toBe(400);
      expect((await api('/admin/directory/v1/users?customer=my_customer&maxResults=0', t)).status).toBe(400);
      expect((await api('/admin/directory/v1/users?customer=my_customer&maxResults=500', t)).status).toBe(200);
      expect((await api('/admin/directory/v1/users', t)).status).toBe(400);
      expect((await api('/admin/reports/v1/activity/users/all/applications/token?maxResults=1001', t)).status).toBe(400);
      expect((await api('/admin/reports/v1/activity/users/all/applications/token?maxResults=1000', t)).status).toBe(200);
    });

    it('answers 401 for expired tokens and 403 for a missing scope', async () => {
      const t = await token();
      await control('POST', `/_sim/google/tenants/${CUSTOMER}/expire-tokens`);
      const expired = await api('/admin/directory/v1/users?customer=my_customer', t);
      expect(expired.status).toBe(401);
      expect(expired.body).toMatchObject({ error: { code: 401, status: 'UNAUTHENTICATED' } });
      const narrow = await exchange(await assertion({ scope: GOOGLE_DELEGATED_SCOPES[0] }));
      const refused = await api('/cloudidentity/v1/policies', narrow.body.access_token as string);
      expect(refused.status).toBe(403);
      expect(refused.body).toMatchObject({ error: { errors: [{ reason: 'insufficientPermissions' }] } });
    });

    it('rate-limits with Google’s bodies, 429 or 403, with Retry-After when configured', async () => {
      const t = await token();
      await control('PUT', `/_sim/google/tenants/${CUSTOMER}/rate-limits`, { enabled: true, limit: 1, answer: '403', retryAfterSeconds: 7 });
      expect((await api('/admin/directory/v1/users?customer=my_customer', t)).status).toBe(200);
      const limited = await api('/admin/directory/v1/users?customer=my_customer', t);
      expect(limited.status).toBe(403);
      expect(limited.headers.get('retry-after')).toBe('7');
      expect(limited.body).toMatchObject({ error: { errors: [{ reason: 'userRateLimitExceeded' }] } });
      await control('PUT', `/_sim/google/tenants/${CUSTOMER}/rate-limits`, { enabled: true, limit: 1 });
      await api('/admin/directory/v1/users?customer=my_customer', t);
      const exhausted = await api('/admin/directory/v1/users?customer=my_customer', t);
      expect(exhausted.status).toBe(429);
      expect(exhausted.headers.get('retry-after')).toBeNull();
      expect(exhausted.body).toMatchObject({ error: { status: 'RESOURCE_EXHAUSTED' } });
      const stats = await control('GET', `/_sim/google/tenants/${CUSTOMER}/requests`);
      expect(stats.body).toMatchObject({ throttled: { 'directory.users.list': 2 } });
    });

    it('lists token authorize and revoke events in the Reports API', async () => {
      const t = await token();
      await control('POST', `/_sim/google/tenants/${CUSTOMER}/users/bob@acme.example/tokens`, {
        clientId: 'mailer',
        displayText: 'Mailer',
        scopes: ['https://mail.google.com/'],
      });
      await control('DELETE', `/_sim/google/tenants/${CUSTOMER}/users/bob@acme.example/tokens/mailer`);
      const activity = await api('/admin/reports/v1/activity/users/all/applications/token', t);
      const items = activity.body.items as { id: { time: string; uniqueQualifier: string }; actor: { email: string }; events: { name: string; parameters: unknown[] }[] }[];
      expect(items.map((i) => i.events[0].name)).toEqual(['revoke', 'authorize']);
      // Newest first, with distinct times and ids even when both happened within one millisecond.
      expect(Date.parse(items[0].id.time)).toBeGreaterThan(Date.parse(items[1].id.time));
      expect(items[0].id.uniqueQualifier).not.toBe(items[1].id.uniqueQualifier);
      expect(items[1].actor.email).toBe('bob@acme.example');
      expect(items[1].events[0].parameters).toEqual([
        { name: 'client_id', value: 'mailer' },
        { name: 'app_name', value: 'Mailer' },
        { name: 'scope', multiValue: ['https://mail.google.com/'] },
      ]);
      const revokes = await api('/admin/reports/v1/activity/users/all/applications/token?eventName=revoke', t);
      expect((revokes.body.items as unknown[]).length).toBe(1);
      const later = await api(`/admin/reports/v1/activity/users/all/applications/token?startTime=${items[0].id.time}`, t);
      expect((later.body.items as unknown[]).length).toBe(1);
    });

    it('adds the scopes of a second authorization to the token the user holds', async () => {
      const t = await token();
      const path = `/_sim/google/tenants/${CUSTOMER}/users/ada@acme.example/tokens`;
      await control('POST', path, { clientId: 'crm', displayText: 'CRM', scopes: ['openid'] });
      await control('POST', path, { clientId: 'crm', displayText: 'CRM', scopes: ['https://www.googleapis.com/auth/drive'] });
      const tokens = await api('/admin/directory/v1/users/ada@acme.example/tokens', t);
      expect((tokens.body.items as { clientId: string; scopes: string[] }[]).find((i) => i.clientId === 'crm')?.scopes).toEqual([
        'openid',
        'https://www.googleapis.com/auth/drive',
      ]);
    });

    it('injects faults by stable method name and customer id', async () => {
      const t = await token();
      const added = await control('POST', '/_sim/faults', {
        provider: 'google-workspace',
        token: CUSTOMER,
        method: 'directory.*',
        kind: 'status',
        status: 503,
        times: 1,
      });
      expect(added.status).toBe(201);
      const failed = await api('/admin/directory/v1/users?customer=my_customer', t);
      expect(failed.status).toBe(503);
      expect(failed.body).toMatchObject({ error: { status: 'UNAVAILABLE' } });
      expect((await api('/admin/directory/v1/users?customer=my_customer', t)).status).toBe(200);
    });
  });

  describe('control API', () => {
    it('rejects bad input with 4xx and a message', async () => {
      const base = `/_sim/google/tenants/${CUSTOMER}`;
      expect((await control('PUT', '/_sim/google/tenants/C0other1', compliantGoogleTenant(CUSTOMER))).status).toBe(400);
      expect((await control('PUT', `${base}/policies/drive_and_docs.external_sharing`, { value: {} })).status).toBe(400);
      expect((await control('DELETE', `${base}/policies/chat.chat_file_sharing/org-units/nope`)).status).toBe(404);
      expect((await control('PATCH', `${base}/data-region`, {})).status).toBe(400);
      expect((await control('POST', `${base}/users/nobody/tokens`, { clientId: 'x' })).status).toBe(404);
      expect((await control('GET', '/_sim/google/tenants/C0missing1/requests')).status).toBe(404);
    });
  });
});
