import type { GooglePolicy } from './google-api.schemas';
import { normalizeGooglePosture, type GoogleRawPosture } from './google.normalizer';

function policy(type: string, orgUnit: string, value: Record<string, unknown>, group?: string): GooglePolicy {
  return {
    name: `policies/${type}-${orgUnit}`,
    customer: 'customers/C0abc123',
    policyQuery: { orgUnit: `orgUnits/${orgUnit}`, ...(group ? { group: `groups/${group}` } : {}), sortOrder: 1 },
    setting: { type, value },
    type: 'ADMIN',
  };
}

function raw(overrides: Partial<GoogleRawPosture> = {}): GoogleRawPosture {
  return {
    customer: 'my_customer',
    users: [{ id: '1', primaryEmail: 'ada@acme.example', customerId: 'C0abc123' }],
    policies: {},
    userTokens: [],
    gaps: [],
    ...overrides,
  };
}

const DRIVE = 'settings/drive_and_docs.external_sharing';
const value = (doc: ReturnType<typeof normalizeGooglePosture>, key: string, resourceKey: string) =>
  doc.settings.find((s) => s.key === `google-workspace.${key}` && s.resourceKey === resourceKey)?.value;

describe('normalizeGooglePosture', () => {
  it('names the tenant by customer id, from the users when configured as my_customer', () => {
    expect(normalizeGooglePosture(raw()).tenant).toEqual({ id: 'C0abc123', domain: 'acme.example' });
    expect(normalizeGooglePosture(raw({ customer: 'C0other1' })).tenant.id).toBe('C0other1');
  });

  describe('Drive effective values follow the sharing mode', () => {
    const base = {
      allowReceivingExternalFiles: true,
      allowReceivingFilesOutsideAllowlistedDomains: false,
      warnForExternalSharing: false,
      warnForSharingOutsideAllowlistedDomains: true,
      allowNonGoogleInvites: true,
      allowNonGoogleInvitesInAllowlistedDomains: false,
      allowPublishingFiles: true,
    };

    it.each([
      ['ALLOWED', { receive_external_files: true, warn_on_external_sharing: false, allow_non_google_invites: true, allow_publishing_files: true }],
      [
        'ALLOWLISTED_DOMAINS',
        { receive_external_files: false, warn_on_external_sharing: true, allow_non_google_invites: false, allow_publishing_files: true },
      ],
      ['DISALLOWED', { receive_external_files: true, warn_on_external_sharing: true, allow_non_google_invites: false, allow_publishing_files: false }],
    ])('%s', (mode, expected) => {
      const doc = normalizeGooglePosture(raw({ policies: { [DRIVE]: [policy(DRIVE, 'root', { ...base, externalSharingMode: mode })] } }));
      expect(value(doc, 'drive.external_sharing_mode', 'orgUnit:root')).toBe(mode);
      for (const [key, v] of Object.entries(expected)) expect([key, value(doc, `drive.${key}`, 'orgUnit:root')]).toEqual([key, v]);
    });

    it('leaves a value absent when its field is missing, and without a mode leaves all effective values absent', () => {
      const partial = normalizeGooglePosture(raw({ policies: { [DRIVE]: [policy(DRIVE, 'root', { externalSharingMode: 'ALLOWED' })] } }));
      expect(value(partial, 'drive.allow_publishing_files', 'orgUnit:root')).toBeUndefined();
      expect(value(partial, 'drive.receive_external_files', 'orgUnit:root')).toBe(true);
      const modeless = normalizeGooglePosture(raw({ policies: { [DRIVE]: [policy(DRIVE, 'root', base)] } }));
      expect(modeless.settings).toEqual([]);
    });
  });

  it('reports each org unit and group with its own resource key', () => {
    const doc = normalizeGooglePosture(
      raw({
        policies: {
          [DRIVE]: [
            policy(DRIVE, 'root', { externalSharingMode: 'DISALLOWED' }),
            policy(DRIVE, 'sales', { externalSharingMode: 'ALLOWED' }),
            policy(DRIVE, 'root', { externalSharingMode: 'ALLOWLISTED_DOMAINS' }, 'partners'),
          ],
        },
      }),
    );
    expect(doc.settings.filter((s) => s.key === 'google-workspace.drive.external_sharing_mode').map((s) => [s.resourceKey, s.value])).toEqual([
      ['group:partners', 'ALLOWLISTED_DOMAINS'],
      ['orgUnit:root', 'DISALLOWED'],
      ['orgUnit:sales', 'ALLOWED'],
    ]);
  });

  it('folds external chat into one value', () => {
    const type = 'settings/chat.external_chat_restriction';
    const doc = normalizeGooglePosture(
      raw({
        policies: {
          [type]: [
            policy(type, 'a', { allowExternalChat: false, externalChatRestriction: 'NO_RESTRICTION' }),
            policy(type, 'b', { allowExternalChat: true, externalChatRestriction: 'TRUSTED_DOMAINS' }),
            policy(type, 'c', { allowExternalChat: true }),
          ],
        },
      }),
    );
    expect(doc.settings.map((s) => [s.resourceKey, s.value])).toEqual([
      ['orgUnit:a', 'DISABLED'],
      ['orgUnit:b', 'TRUSTED_DOMAINS'],
    ]);
  });

  it('maps regions, with no preference as ANY and no data region policy as ANY for the tenant', () => {
    const type = 'settings/data_regions.data_at_rest_region';
    const doc = normalizeGooglePosture(
      raw({ policies: { [type]: [policy(type, 'a', { region: 'EUROPE' }), policy(type, 'b', { region: 'ANY_REGION' }), policy(type, 'c', { region: 'REGION_UNSPECIFIED' })] } }),
    );
    expect(doc.residency.map((r) => [r.resourceKey, r.region, r.source])).toEqual([
      ['orgUnit:a', 'EUROPE', 'observed'],
      ['orgUnit:b', 'ANY', 'observed'],
      ['orgUnit:c', 'ANY', 'observed'],
    ]);
    expect(normalizeGooglePosture(raw({ policies: { [type]: [] } })).residency).toEqual([{ resourceKey: 'tenant', region: 'ANY', source: 'observed' }]);
    // An unreadable data region setting is not "no region": nothing is reported.
    expect(normalizeGooglePosture(raw()).residency).toEqual([]);
  });

  it('defaults the processing limit only when the read succeeded and found nothing', () => {
    const type = 'settings/data_regions.data_processing_region';
    expect(normalizeGooglePosture(raw({ policies: { [type]: [] } })).settings).toEqual([
      { key: 'google-workspace.residency.limit_processing_to_storage_region', resourceKey: 'tenant', value: false, source: 'default' },
    ]);
    expect(normalizeGooglePosture(raw()).settings).toEqual([]);
  });

  it('makes one user grant per user and client, scopes merged and sorted', () => {
    const doc = normalizeGooglePosture(
      raw({
        userTokens: [
          {
            user: { id: '2', primaryEmail: 'bob@acme.example' },
            tokens: [
              { clientId: 'c1', displayText: 'One', scopes: ['openid', 'https://mail.google.com/'] },
              { clientId: 'c1', displayText: 'One', scopes: ['email'] },
            ],
          },
          { user: { id: '1', primaryEmail: 'ada@acme.example' }, tokens: [{ clientId: 'c1', displayText: null, scopes: [] }] },
        ],
      }),
    );
    expect(doc.oauthGrants).toEqual([
      { appId: 'c1', appName: 'c1', scopes: [], grantType: 'user', principal: 'ada@acme.example' },
      { appId: 'c1', appName: 'One', scopes: ['email', 'https://mail.google.com/', 'openid'], grantType: 'user', principal: 'bob@acme.example' },
    ]);
  });

  it('keeps gaps, sorted, and is deterministic', () => {
    const input = raw({
      gaps: [
        { area: 'sharing', what: 'google-workspace.groups', reason: 'b' },
        { area: 'oauth', what: 'directory.tokens.list', reason: 'a' },
      ],
    });
    const doc = normalizeGooglePosture(input);
    expect(doc.gaps.map((g) => g.area)).toEqual(['oauth', 'sharing']);
    expect(normalizeGooglePosture(input)).toEqual(doc);
  });
});
