import { parseAnswer } from '@tollgate/connector-sdk';
import {
  activitiesPageSchema,
  orgUnitsListSchema,
  policiesPageSchema,
  tokenResponseSchema,
  tokensListSchema,
  usersPageSchema,
} from './google-api.schemas';
import { classifyGoogleResponse } from './google.client';
import { normalizeGooglePosture, tokenEvents } from './google.normalizer';
import {
  ORGUNITS_LIST,
  POLICIES_LIST,
  TOKEN_ACTIVITIES,
  TOKEN_RESPONSE,
  TOKEN_UNAUTHORIZED_CLIENT,
  TOKENS_LIST,
  TOKENS_LIST_EMPTY,
  USERS_LIST,
} from './fixtures/google-doc-examples';

const parse = <T,>(operation: string, schema: Parameters<typeof parseAnswer>[2], body: T) => parseAnswer('google-workspace', operation, schema, body);

// Google's documented answer shapes (fixtures/google-doc-examples.ts names each source), read as the connector reads them.
describe('Google documented answers', () => {
  it('oauth2.token: reads the access token and its lifetime', () => {
    expect(tokenResponseSchema.parse(TOKEN_RESPONSE)).toMatchObject({ access_token: TOKEN_RESPONSE.access_token, expires_in: 3600 });
  });

  it('oauth2.token: an undelegated scope is an auth failure carrying unauthorized_client', () => {
    const err = classifyGoogleResponse({ status: 401, headers: {}, data: TOKEN_UNAUTHORIZED_CLIENT } as never);
    expect(err).toMatchObject({ reason: 'auth', details: { code: 'unauthorized_client', retryable: false } });
    expect(err?.message).not.toContain('Client is unauthorized');
  });

  it('directory.users.list: reads id, primary email, customer and the next page', () => {
    const page = parse('directory.users.list', usersPageSchema, USERS_LIST) as ReturnType<typeof usersPageSchema.parse>;
    expect(page.users).toEqual([expect.objectContaining({ id: '100000000000000000001', primaryEmail: 'liz@example.com', customerId: 'C03az79cb' })]);
    expect(page.nextPageToken).toBe('doc-next-page');
  });

  it('directory.tokens.list: reads each grant, and no items as none', () => {
    const list = parse('directory.tokens.list', tokensListSchema, TOKENS_LIST) as ReturnType<typeof tokensListSchema.parse>;
    expect(list.items).toEqual([
      expect.objectContaining({
        clientId: '123456789012-docexample.apps.googleusercontent.com',
        displayText: 'Doc Example App',
        scopes: ['https://www.googleapis.com/auth/drive', 'openid'],
      }),
    ]);
    expect((parse('directory.tokens.list', tokensListSchema, TOKENS_LIST_EMPTY) as { items: unknown[] }).items).toEqual([]);
  });

  it('directory.orgunits.list: reads ids and parents, the root without one', () => {
    const list = parse('directory.orgunits.list', orgUnitsListSchema, ORGUNITS_LIST) as ReturnType<typeof orgUnitsListSchema.parse>;
    expect(list.organizationUnits.map((ou) => [ou.orgUnitId, ou.parentOrgUnitId ?? null])).toEqual([
      ['id:03ph8a2z0docroot', null],
      ['id:03ph8a2z1docsales', 'id:03ph8a2z0docroot'],
    ]);
  });

  it('reports.activities.list token: turns an authorize activity into a grant event', () => {
    const page = parse('reports.activities.list', activitiesPageSchema, TOKEN_ACTIVITIES) as ReturnType<typeof activitiesPageSchema.parse>;
    expect(tokenEvents(page.items)).toEqual([
      expect.objectContaining({
        name: 'authorize',
        principal: 'liz@example.com',
        clientId: '123456789012-docexample.apps.googleusercontent.com',
        appName: 'Doc Example App',
        scopes: ['https://www.googleapis.com/auth/drive', 'openid'],
        time: Date.parse('2026-03-02T10:15:00.000Z'),
      }),
    ]);
  });

  it('policies.list: a child org unit’s policy wins over the root’s (Max reducer) through the documented tree', () => {
    const policies = (parse('policies.list', policiesPageSchema, POLICIES_LIST) as ReturnType<typeof policiesPageSchema.parse>).policies;
    const users = (parse('directory.users.list', usersPageSchema, USERS_LIST) as ReturnType<typeof usersPageSchema.parse>).users;
    const tree = (parse('directory.orgunits.list', orgUnitsListSchema, ORGUNITS_LIST) as ReturnType<typeof orgUnitsListSchema.parse>).organizationUnits;
    const strip = (id: string) => id.replace(/^id:/, '');
    const doc = normalizeGooglePosture({
      customer: 'C03az79cb',
      users,
      policies: { 'settings/drive_and_docs.external_sharing': policies },
      orgUnits: tree.map((ou) => ({ id: strip(ou.orgUnitId), ...(ou.parentOrgUnitId ? { parentId: strip(ou.parentOrgUnitId) } : {}) })),
      userTokens: [],
      gaps: [],
    });
    const mode = (resourceKey: string) => doc.settings.find((s) => s.key === 'google-workspace.drive.external_sharing_mode' && s.resourceKey === resourceKey)?.value;
    expect(mode('orgUnit:03ph8a2z0docroot')).toBe('ALLOWLISTED_DOMAINS');
    expect(mode('orgUnit:03ph8a2z1docsales')).toBe('DISALLOWED');
    expect(doc.tenant.id).toBe('C03az79cb');
  });
});
