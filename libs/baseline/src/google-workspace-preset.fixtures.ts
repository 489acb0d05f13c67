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
  // Controls of the in-area SCuBA policies read from the Policy API: a compliant root and child, then the child drifted.
  'GWS.DRIVE.8': perOrgUnit('drive.default_file_access', "PRIVATE_TO_OWNER", "PRIVATE_TO_OWNER", "PRIMARY_AUDIENCE_WITH_LINK"),
  'GWS.DRIVE.9': perOrgUnit('drive.highlight_external_files', true, true, false),
  'GWS.DRIVE.10': perOrgUnit('drive.shared_drive_managers_override', false, false, true),
  'GWS.DRIVE.11': perOrgUnit('drive.shared_drive_non_member_access', true, true, false),
  'GWS.DRIVE.12': perOrgUnit('drive.file_security_update', "APPLY_TO_IMPACTED_FILES", "APPLY_TO_IMPACTED_FILES", "REMOVE_FROM_IMPACTED_FILES"),
  'GWS.DRIVE.13': perOrgUnit('drive.users_manage_security_update', false, false, true),
  'GWS.DRIVE.14': perOrgUnit('drive.drive_sdk_api_access', false, false, true),
  'GWS.DRIVE.15': perOrgUnit('drive.desktop_on_unapproved_devices', false, false, true),
  'GWS.CHAT.3': perOrgUnit('chat.history_on_by_default', true, true, false),
  'GWS.CHAT.4': perOrgUnit('chat.users_change_history', false, false, true),
  'GWS.CHAT.5': perOrgUnit('chat.space_history', "HISTORY_ALWAYS_ON", "HISTORY_ALWAYS_ON", "DEFAULT_HISTORY_OFF"),
  'GWS.GROUPS.3': perOrgUnit('groups.owners_can_allow_incoming_mail_from_public', false, false, true),
  'GWS.GROUPS.4': perOrgUnit('groups.create_groups_access_level', "ADMIN_ONLY", "ADMIN_ONLY", "USERS_IN_DOMAIN"),
  'GWS.GROUPS.5': perOrgUnit('groups.view_topics_default_access_level', "GROUP_MEMBERS", "GROUP_MEMBERS", "DOMAIN_USERS"),
  'GWS.GROUPS.6': perOrgUnit('groups.owners_can_hide_groups', false, false, true),
  'GWS.GROUPS.7': perOrgUnit('groups.new_groups_are_hidden', false, false, true),
  'GWS.CALENDAR.1': perOrgUnit('calendar.primary_external_sharing', "EXTERNAL_FREE_BUSY_ONLY", "EXTERNAL_FREE_BUSY_ONLY", "EXTERNAL_ALL_INFO_READ_WRITE"),
  'GWS.CALENDAR.2': perOrgUnit('calendar.secondary_external_sharing', "EXTERNAL_FREE_BUSY_ONLY", "EXTERNAL_FREE_BUSY_ONLY", "EXTERNAL_ALL_INFO_READ_ONLY"),
  'GWS.CALENDAR.3': perOrgUnit('calendar.warn_on_external_invitations', true, true, false),
  'GWS.CALENDAR.4': perOrgUnit('calendar.exchange_interoperability', false, false, true),
  'GWS.MEET.1': perOrgUnit('meet.join_without_asking', "TRUSTED", "RESTRICTED", "OPEN"),
  'GWS.MEET.2': perOrgUnit('meet.meetings_users_can_join', "SAME_ORGANIZATION_ONLY", "ANY_WORKSPACE_ORGANIZATION", "ALL"),
  'GWS.MEET.3': perOrgUnit('meet.label_external_participants', true, true, false),
  'GWS.SITES.1': perOrgUnit('sites.service_state', "DISABLED", "DISABLED", "ENABLED"),
  'GWS.GMAIL.1': perOrgUnit('gmail.auto_forwarding', false, false, true),
  'GWS.GMAIL.2': perOrgUnit('gmail.per_user_outbound_gateways', false, false, true),
  'GWS.CLASSROOM.1': perOrgUnit('classroom.who_can_join_classes', "ANYONE_IN_DOMAIN", "ANYONE_IN_ALLOWLISTED_DOMAINS", "ANYONE"),
  'GWS.CLASSROOM.2': perOrgUnit('classroom.which_classes_users_can_join', "CLASSES_IN_DOMAIN", "CLASSES_IN_ALLOWLISTED_DOMAINS", "ANY_DOMAIN"),
  'GWS.CLASSROOM.3': perOrgUnit('classroom.api_data_access', false, false, true),
  'GWS.ASSURED.1': perOrgUnit('assured.access_approvals', true, true, false),
  'GWS.ASSURED.2': perOrgUnit('assured.access_management_regime', "US_GOOGLE_STAFF", "CJIS_IRS_1075_GOOGLE_STAFF", "PREFERENCE_UNSPECIFIED"),
  'GWS.APPS.2': perOrgUnit('apps.trust_internal_apps', false, false, true),
  'GWS.APPS.3': perOrgUnit('apps.less_secure_apps', false, false, true),
  'GWS.APPS.4': perOrgUnit('apps.marketplace_access', "ALLOW_LISTED_APPS", "ALLOW_NONE", "ALLOW_ALL"),
  'GWS.APPS.5': perOrgUnit('apps.marketplace_all_internal_apps', false, false, true),
  'GWS.SERVICES.1': perOrgUnit('services.restrict_services_without_individual_control', "ENABLED", "ENABLED", "DISABLED"),
  'GWS.SERVICES.2': perOrgUnit('services.early_access_apps', "DISABLED", "DISABLED", "ENABLED"),
  ...attestationFixtures([
    'GWS.ATTEST.DRIVEDOCS.1',
    'GWS.ATTEST.DRIVEDOCS.2',
    'GWS.ATTEST.COMMONCONTROLS.1',
    'GWS.ATTEST.COMMONCONTROLS.2',
  ]),
};
