import type { JsonValue, OAuthGrant, PostureDocument, SettingObservation } from '@tollgate/connector-sdk';
import { attestationFixtures } from './attestation-preset.fixtures';
import type { EvaluationContext } from './baseline.types';

/**
 * Passing and failing fixtures for every control of presets/google-workspace-locked-down.yaml, used
 * by presets.spec.ts. Settings come per org unit, so failing fixtures put the drift in a child org
 * unit under a compliant root, the way it usually happens.
 */
interface PresetFixture {
  doc: Partial<PostureDocument>;
  overrides?: Record<string, JsonValue>;
  context?: EvaluationContext;
}
type PresetFixtureTable = Record<string, { pass: PresetFixture; fail: PresetFixture }>;

const ROOT = 'orgUnit:03ph8a2z0root';
const SALES = 'orgUnit:03ph8a2z1sales';

const at = (resourceKey: string, key: string, value: JsonValue): SettingObservation => ({
  key: `google-workspace.${key}`,
  resourceKey,
  value,
  source: 'observed',
});

/** A passing root and child, and a failing fixture with the child drifted. */
function perOrgUnit(key: string, good: JsonValue, alsoGood: JsonValue, bad: JsonValue): { pass: PresetFixture; fail: PresetFixture } {
  return {
    pass: { doc: { settings: [at(ROOT, key, good), at(SALES, key, alsoGood)] } },
    fail: { doc: { settings: [at(ROOT, key, good), at(SALES, key, bad)] } },
  };
}

const userGrant = (appId: string, appName: string, scopes: string[], principal: string): OAuthGrant => ({
  appId,
  appName,
  scopes,
  grantType: 'user',
  principal,
});

const SIGN_IN = ['openid', 'https://www.googleapis.com/auth/userinfo.email', 'https://www.googleapis.com/auth/userinfo.profile'];

export const GOOGLE_WORKSPACE_PRESET_FIXTURES: PresetFixtureTable = {
  'GWS.DRIVE.1': perOrgUnit('drive.external_sharing_mode', 'ALLOWLISTED_DOMAINS', 'DISALLOWED', 'ALLOWED'),
  'GWS.DRIVE.2': perOrgUnit('drive.receive_external_files', false, false, true),
  'GWS.DRIVE.3': perOrgUnit('drive.warn_on_external_sharing', true, true, false),
  'GWS.DRIVE.4': perOrgUnit('drive.allow_non_google_invites', false, false, true),
  'GWS.DRIVE.5': perOrgUnit('drive.allow_publishing_files', false, false, true),
  'GWS.DRIVE.6': perOrgUnit('drive.access_checker_suggestions', 'RECIPIENTS_ONLY', 'RECIPIENTS_ONLY', 'RECIPIENTS_OR_AUDIENCE_OR_PUBLIC'),
  'GWS.DRIVE.7': perOrgUnit('drive.distribute_content_externally', 'NONE', 'NONE', 'ALL_ELIGIBLE_USERS'),
  'GWS.CHAT.1': perOrgUnit('chat.external_chat', 'DISABLED', 'TRUSTED_DOMAINS', 'NO_RESTRICTION'),
  'GWS.CHAT.2': perOrgUnit('chat.external_file_sharing', 'NO_FILES', 'NO_FILES', 'ALL_FILES'),
  'GWS.GROUPS.1': perOrgUnit('groups.collaboration_capability', 'DOMAIN_USERS_ONLY', 'DOMAIN_USERS_ONLY', 'ANYONE_CAN_ACCESS'),
  'GWS.GROUPS.2': perOrgUnit('groups.owners_can_allow_external_members', false, false, true),
  'GWS.APPS.1': perOrgUnit('apps.unconfigured_third_party_apps', 'BLOCK_ALL_SCOPES', 'BLOCK_ALL_SCOPES', 'ALLOW_SIGN_IN_SCOPES_ONLY'),
  'GWS.OAUTH.1': {
    pass: {
      doc: {
        oauthGrants: [
          userGrant('lunch.apps.googleusercontent.com', 'Team Lunch Planner', SIGN_IN, 'ada@acme.example'),
          userGrant('calendar.apps.googleusercontent.com', 'Scheduler', ['https://www.googleapis.com/auth/calendar.readonly'], 'bob@acme.example'),
          // Reviewed and approved through the connection's parameters.
          userGrant('backup.apps.googleusercontent.com', 'Backup', ['https://mail.google.com/', 'https://www.googleapis.com/auth/drive'], 'ada@acme.example'),
        ],
      },
      overrides: { approvedApps: ['backup.apps.googleusercontent.com'] },
    },
    fail: {
      doc: {
        oauthGrants: [
          userGrant('lunch.apps.googleusercontent.com', 'Team Lunch Planner', SIGN_IN, 'ada@acme.example'),
          userGrant('mailer.apps.googleusercontent.com', 'Mail Merge Pro', ['https://mail.google.com/', 'openid'], 'bob@acme.example'),
          userGrant('drive-sync.apps.googleusercontent.com', 'Sync', ['https://www.googleapis.com/auth/drive.readonly'], 'ada@acme.example'),
          userGrant('gmail-reader.apps.googleusercontent.com', 'Reader', ['https://www.googleapis.com/auth/gmail.readonly'], 'ada@acme.example'),
        ],
      },
    },
  },
  'GWS.RESIDENCY.1': {
    // Both without allowedRegions: pinned to one region passes, an org unit in no region fails.
    pass: {
      doc: { residency: [{ resourceKey: ROOT, region: 'EUROPE', source: 'observed' }] },
    },
    fail: {
      doc: {
        residency: [
          { resourceKey: ROOT, region: 'EUROPE', source: 'observed' },
          { resourceKey: SALES, region: 'ANY', source: 'observed' },
        ],
      },
    },
  },
  'GWS.RESIDENCY.2': {
    pass: { doc: { settings: [at(ROOT, 'residency.limit_processing_to_storage_region', true)] } },
    fail: {
      doc: {
        settings: [
          { key: 'google-workspace.residency.limit_processing_to_storage_region', resourceKey: 'tenant', value: false, source: 'default' },
        ],
      },
    },
  },
  ...attestationFixtures([
    'GWS.ATTEST.DRIVEDOCS.1',
    'GWS.ATTEST.DRIVEDOCS.2',
    'GWS.ATTEST.COMMONCONTROLS.1',
    'GWS.ATTEST.COMMONCONTROLS.2',
  ]),
};
