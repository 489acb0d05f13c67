import type { OAuthGrant } from '@tollgate/connector-sdk';
import type { GoogleActivity, GooglePolicy } from './google-api.schemas';
import { applyTokenEvents, normalizeGooglePosture, tokenEvents, type GoogleRawPosture } from './google.normalizer';

function policy(type: string, orgUnit: string | undefined, value: Record<string, unknown>, group?: string, sortOrder = 1): GooglePolicy {
  return {
    name: `policies/${type}-${orgUnit}`,
    customer: 'customers/C0abc123',
    policyQuery: { ...(orgUnit ? { orgUnit: `orgUnits/${orgUnit}` } : {}), ...(group ? { group: `groups/${group}` } : {}), sortOrder },
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

  describe('reduction over org units, groups and sortOrder', () => {
    const GROUPS = 'settings/groups_for_business.groups_sharing';
    const tree = [{ id: 'root' }, { id: 'eng', parentId: 'root' }, { id: 'interns', parentId: 'eng' }];
    const groupsOf = (doc: ReturnType<typeof normalizeGooglePosture>, resourceKey: string) =>
      // Observed values only: Google's documented defaults fill the other fields (tested on their own).
      Object.fromEntries(doc.settings.filter((s) => s.resourceKey === resourceKey && s.source === 'observed').map((s) => [s.key.replace('google-workspace.groups.', ''), s.value]));

    it('makes a policy without policyQuery.orgUnit customer-wide: reported at the root and inherited below', () => {
      const doc = normalizeGooglePosture(
        raw({
          orgUnits: tree,
          policies: {
            [GROUPS]: [
              policy(GROUPS, undefined, { collaborationCapability: 'DOMAIN_USERS_ONLY', ownersCanAllowExternalMembers: false }, undefined, 1),
              policy(GROUPS, 'eng', { ownersCanAllowExternalMembers: true }, undefined, 2),
            ],
          },
        }),
      );
      expect(groupsOf(doc, 'orgUnit:root')).toEqual({ collaboration_capability: 'DOMAIN_USERS_ONLY', owners_can_allow_external_members: false });
      expect(groupsOf(doc, 'orgUnit:eng')).toEqual({ collaboration_capability: 'DOMAIN_USERS_ONLY', owners_can_allow_external_members: true });
      // Without a tree the customer-wide values are the tenant's.
      const noTree = normalizeGooglePosture(raw({ policies: { [GROUPS]: [policy(GROUPS, undefined, { collaborationCapability: 'DOMAIN_USERS_ONLY' })] } }));
      expect(groupsOf(noTree, 'tenant')).toEqual({ collaboration_capability: 'DOMAIN_USERS_ONLY' });
    });

    it('takes each field from the applicable policy with the greatest sortOrder, whatever the listing order', () => {
      const policies = [
        policy(GROUPS, 'interns', { collaborationCapability: 'ANYONE_CAN_ACCESS' }, undefined, 30),
        policy(GROUPS, 'root', { collaborationCapability: 'DOMAIN_USERS_ONLY', ownersCanAllowExternalMembers: false }, undefined, 10),
        policy(GROUPS, 'eng', { ownersCanAllowExternalMembers: true }, undefined, 20),
      ];
      const doc = normalizeGooglePosture(raw({ orgUnits: tree, policies: { [GROUPS]: policies } }));
      expect(groupsOf(doc, 'orgUnit:interns')).toEqual({ collaboration_capability: 'ANYONE_CAN_ACCESS', owners_can_allow_external_members: true });
      expect(normalizeGooglePosture(raw({ orgUnits: tree, policies: { [GROUPS]: [...policies].reverse() } })).settings).toEqual(doc.settings);
    });

    it('takes a Max setting (Drive sharing) whole from the policy with the greatest sortOrder', () => {
      const doc = normalizeGooglePosture(
        raw({
          orgUnits: tree,
          policies: {
            [DRIVE]: [
              policy(DRIVE, 'root', { externalSharingMode: 'ALLOWED', allowPublishingFiles: false }, undefined, 1),
              policy(DRIVE, 'eng', { externalSharingMode: 'ALLOWED' }, undefined, 2),
            ],
          },
        }),
      );
      expect(value(doc, 'drive.allow_publishing_files', 'orgUnit:root')).toBe(false);
      // Google's Max reducer does not merge: the field eng's policy lacks is not the root's.
      expect(value(doc, 'drive.allow_publishing_files', 'orgUnit:eng')).toBeUndefined();
    });

    it('reports a group policy once for the group, over the root’s values', () => {
      const doc = normalizeGooglePosture(
        raw({
          orgUnits: tree,
          policies: {
            [GROUPS]: [
              policy(GROUPS, 'root', { collaborationCapability: 'DOMAIN_USERS_ONLY', ownersCanAllowExternalMembers: false }, undefined, 1),
              policy(GROUPS, 'root', { ownersCanAllowExternalMembers: true }, 'partners', 100),
            ],
          },
        }),
      );
      expect(groupsOf(doc, 'group:partners')).toEqual({ collaboration_capability: 'DOMAIN_USERS_ONLY', owners_can_allow_external_members: true });
      expect(groupsOf(doc, 'orgUnit:root')).toEqual({ collaboration_capability: 'DOMAIN_USERS_ONLY', owners_can_allow_external_members: false });
    });

    it('leaves out an app’s sharing settings where its service is off, inherited from a parent too', () => {
      const STATUS = 'settings/drive_and_docs.service_status';
      const doc = normalizeGooglePosture(
        raw({
          orgUnits: tree,
          policies: {
            [DRIVE]: [policy(DRIVE, 'root', { externalSharingMode: 'DISALLOWED' }, undefined, 1), policy(DRIVE, 'interns', { externalSharingMode: 'ALLOWED' }, undefined, 3)],
            [STATUS]: [policy(STATUS, 'root', { serviceState: 'ENABLED' }, undefined, 1), policy(STATUS, 'eng', { serviceState: 'DISABLED' }, undefined, 2)],
          },
        }),
      );
      expect(value(doc, 'drive.external_sharing_mode', 'orgUnit:root')).toBe('DISALLOWED');
      expect(value(doc, 'drive.external_sharing_mode', 'orgUnit:interns')).toBeUndefined();
    });

    it('puts an org unit no data region policy reaches in no region, next to one that is pinned', () => {
      const REGION = 'settings/data_regions.data_at_rest_region';
      const doc = normalizeGooglePosture(raw({ orgUnits: tree, policies: { [REGION]: [policy(REGION, 'eng', { region: 'EUROPE' }, undefined, 2)] } }));
      expect(doc.residency).toEqual([
        { resourceKey: 'orgUnit:eng', region: 'EUROPE', source: 'observed' },
        { resourceKey: 'orgUnit:root', region: 'ANY', source: 'observed' },
      ]);
    });
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

describe('token events replayed on earlier grants', () => {
  let qualifier = 0;
  function activity(time: string, name: string, email: string, clientId: string, scopes: string[] = [], id = String(++qualifier)): GoogleActivity {
    return {
      id: { time, uniqueQualifier: id },
      actor: { email },
      events: [
        {
          name,
          parameters: [
            { name: 'client_id', value: clientId },
            { name: 'app_name', value: clientId.toUpperCase() },
            { name: 'scope', multiValue: scopes },
          ],
        },
      ],
    };
  }
  const grant = (principal: string, appId: string, scopes: string[]): OAuthGrant => ({
    appId,
    appName: appId.toUpperCase(),
    scopes,
    grantType: 'user',
    principal,
  });
  // Newest first, as Google lists them.
  const listed = (...items: GoogleActivity[]) => items.reverse();

  it('applies events oldest first, equal times in the order Google implies, each event once', () => {
    const revoke = activity('2025-01-01T10:00:00.000Z', 'revoke', 'ada@x', 'app');
    const authorize = activity('2025-01-01T10:00:00.000Z', 'authorize', 'ada@x', 'app', ['openid']);
    const events = tokenEvents(listed(revoke, authorize, authorize));
    expect(events.map((e) => e.name)).toEqual(['revoke', 'authorize']);
    expect(applyTokenEvents([grant('ada@x', 'app', ['drive'])], events)).toEqual([grant('ada@x', 'app', ['openid'])]);
  });

  it('extends a grant with the scopes of a new authorization and removes it on revoke', () => {
    const events = tokenEvents(
      listed(
        activity('2025-01-01T10:00:00Z', 'authorize', 'ada@x', 'app', ['openid']),
        activity('2025-01-01T10:01:00Z', 'authorize', 'bob@x', 'app', ['drive']),
        activity('2025-01-01T10:02:00Z', 'revoke', 'cy@x', 'old'),
        activity('2025-01-01T10:03:00Z', 'request', 'ada@x', 'other', ['mail']),
      ),
    );
    const before = [grant('cy@x', 'old', ['openid']), grant('ada@x', 'app', ['profile'])];
    const after = applyTokenEvents(before, events);
    expect(after).toEqual([grant('ada@x', 'app', ['openid', 'profile']), grant('bob@x', 'app', ['drive'])]);
    // Replaying what was already applied (the overlap of the next read) changes nothing.
    expect(applyTokenEvents(after, events)).toEqual(after);
  });

  it('leaves grants of other kinds alone and skips events that name no user or client', () => {
    const admin: OAuthGrant = { appId: 'z', appName: 'Z', scopes: ['a'], grantType: 'approved' };
    const nameless = { ...activity('2025-01-01T10:00:00Z', 'authorize', '', 'app'), actor: {} };
    const clientless = activity('2025-01-01T10:00:00Z', 'authorize', 'ada@x', '');
    expect(applyTokenEvents([admin], tokenEvents([nameless, clientless]))).toEqual([admin]);
  });
});
