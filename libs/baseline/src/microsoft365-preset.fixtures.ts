import type { JsonValue, OAuthGrant, PostureDocument, SettingObservation } from '@tollgate/connector-sdk';
import { attestationFixtures } from './attestation-preset.fixtures';
import type { EvaluationContext } from './baseline.types';

/**
 * Passing and failing fixtures for every control of presets/microsoft365-locked-down.yaml, used by
 * presets.spec.ts. Kept in their own file so each provider's fixtures change independently.
 */
export interface PresetFixture {
  doc: Partial<PostureDocument>;
  overrides?: Record<string, JsonValue>;
  /** The connection's attestations and the instant to judge them at (attestation controls). */
  context?: EvaluationContext;
}
export type PresetFixtureTable = Record<string, { pass: PresetFixture; fail: PresetFixture }>;

const tenant = (key: string, value: JsonValue): SettingObservation => ({ key, resourceKey: 'tenant', value, source: 'observed' });
const settings = (key: string, value: JsonValue): PresetFixture => ({ doc: { settings: [tenant(key, value)] } });
const grant = (
  appId: string,
  appName: string,
  scopes: string[],
  grantType: OAuthGrant['grantType'],
  principal?: string,
): OAuthGrant => ({ appId, appName, scopes, grantType, ...(principal ? { principal } : {}) });

export const MICROSOFT365_PRESET_FIXTURES: PresetFixtureTable = {
  'M365.SHAREPOINT.1': {
    pass: settings('microsoft365.sharepoint.sharing_capability', 'existingExternalUserSharingOnly'),
    fail: settings('microsoft365.sharepoint.sharing_capability', 'externalUserSharingOnly'),
  },
  'M365.SHAREPOINT.2': {
    pass: settings('microsoft365.sharepoint.sharing_capability', 'externalUserSharingOnly'),
    fail: settings('microsoft365.sharepoint.sharing_capability', 'externalUserAndGuestSharing'),
  },
  'M365.SHAREPOINT.3': {
    pass: settings('microsoft365.sharepoint.external_domain_restriction', 'allowList'),
    fail: settings('microsoft365.sharepoint.external_domain_restriction', 'blockList'),
  },
  'M365.SHAREPOINT.4': {
    pass: {
      doc: { settings: [tenant('microsoft365.sharepoint.allowed_domains', ['partner.example'])] },
      overrides: { allowedDomains: ['partner.example', 'supplier.example'] },
    },
    fail: {
      doc: { settings: [tenant('microsoft365.sharepoint.allowed_domains', ['partner.example', 'gmail.com'])] },
      overrides: { allowedDomains: ['partner.example'] },
    },
  },
  'M365.SHAREPOINT.5': {
    pass: settings('microsoft365.sharepoint.resharing_by_external_users', false),
    fail: settings('microsoft365.sharepoint.resharing_by_external_users', true),
  },
  'M365.ENTRA.1': {
    pass: settings('microsoft365.entra.users_can_register_apps', false),
    fail: settings('microsoft365.entra.users_can_register_apps', true),
  },
  'M365.ENTRA.2': {
    pass: settings('microsoft365.entra.user_consent_scope', 'lowRiskPermissionsOnly'),
    fail: settings('microsoft365.entra.user_consent_scope', 'riskyPermissionsClassifiedLow'),
  },
  'M365.ENTRA.3': {
    pass: settings('microsoft365.entra.guest_user_role', 'restricted'),
    fail: settings('microsoft365.entra.guest_user_role', 'member'),
  },
  'M365.ENTRA.4': {
    pass: settings('microsoft365.entra.allow_invites_from', 'adminsAndGuestInviters'),
    fail: settings('microsoft365.entra.allow_invites_from', 'adminsGuestInvitersAndAllMembers'),
  },
  'M365.ENTRA.5': {
    pass: settings('microsoft365.entra.admin_consent_workflow', 'enabled'),
    fail: settings('microsoft365.entra.admin_consent_workflow', 'enabledWithoutReviewers'),
  },
  'M365.ENTRA.6': {
    pass: settings('microsoft365.entra.app_management.password_addition', 'blocked'),
    fail: settings('microsoft365.entra.app_management.password_addition', 'blockedForNewAppsOnly'),
  },
  'M365.ENTRA.7': {
    pass: settings('microsoft365.entra.app_management.password_lifetime', 'passwordsBlocked'),
    fail: settings('microsoft365.entra.app_management.password_lifetime', 'notRestricted'),
  },
  'M365.ENTRA.8': {
    pass: settings('microsoft365.entra.app_management.password_max_lifetime_days', 181),
    fail: settings('microsoft365.entra.app_management.password_max_lifetime_days', 182),
  },
  'M365.ENTRA.9': {
    pass: settings('microsoft365.entra.app_management.certificate_lifetime', 'allApps'),
    fail: settings('microsoft365.entra.app_management.certificate_lifetime', 'newAppsOnly'),
  },
  'M365.ENTRA.10': {
    pass: settings('microsoft365.entra.app_management.certificate_max_lifetime_days', 366),
    fail: settings('microsoft365.entra.app_management.certificate_max_lifetime_days', 730),
  },
  'M365.CROSSTENANT.1': {
    pass: settings('microsoft365.crosstenant.b2b_direct_connect_inbound_users', 'blocked'),
    fail: settings('microsoft365.crosstenant.b2b_direct_connect_inbound_users', 'allowed'),
  },
  'M365.CROSSTENANT.2': {
    pass: settings('microsoft365.crosstenant.b2b_direct_connect_outbound_users', 'blocked'),
    fail: settings('microsoft365.crosstenant.b2b_direct_connect_outbound_users', 'allowed'),
  },
  'M365.CROSSTENANT.3': {
    pass: settings('microsoft365.crosstenant.b2b_collaboration_inbound_users', 'blocked'),
    fail: settings('microsoft365.crosstenant.b2b_collaboration_inbound_users', 'allowed'),
  },
  'M365.CROSSTENANT.4': {
    pass: {
      doc: {
        settings: [
          { key: 'microsoft365.crosstenant.partner_tenants_opening_default', resourceKey: 'partner:a1b2c3d4-0000-4000-8000-000000000001', value: [], source: 'observed' },
          { key: 'microsoft365.crosstenant.partner_tenants_opening_default', resourceKey: 'partner:a1b2c3d4-0000-4000-8000-000000000002', value: ['a1b2c3d4-0000-4000-8000-000000000002'], source: 'observed' },
        ],
      },
      overrides: { allowedPartnerTenants: ['a1b2c3d4-0000-4000-8000-000000000002'] },
    },
    fail: {
      doc: {
        settings: [
          { key: 'microsoft365.crosstenant.partner_tenants_opening_default', resourceKey: 'partner:a1b2c3d4-0000-4000-8000-000000000002', value: ['a1b2c3d4-0000-4000-8000-000000000002'], source: 'observed' },
        ],
      },
    },
  },
  'M365.OAUTH.1': {
    pass: {
      doc: {
        oauthGrants: [
          grant('app-reporter', 'License Reporter', ['Organization.Read.All', 'User.Read.All'], 'application'),
          // Delegated scopes are M365.OAUTH.2's business.
          grant('app-mail', 'Mail client', ['Mail.ReadWrite'], 'delegated', 'AllPrincipals'),
          // Reviewed and approved through the connection's parameters.
          grant('app-backup', 'Backup', ['Files.Read.All', 'Sites.Read.All', 'Mail.Read'], 'application'),
        ],
      },
      overrides: { approvedApps: ['app-backup'] },
    },
    fail: {
      doc: {
        oauthGrants: [
          grant('app-reporter', 'License Reporter', ['Organization.Read.All'], 'application'),
          grant('app-sync', 'File Sync', ['Files.Read.All'], 'application'),
          grant('app-admin', 'Tenant Admin Tool', ['RoleManagement.ReadWrite.Directory', 'application.readwrite.all'], 'application'),
        ],
      },
    },
  },
  'M365.OAUTH.2': {
    pass: {
      doc: {
        oauthGrants: [
          grant('app-expenses', 'Expenses', ['User.Read', 'openid', 'profile'], 'delegated', 'AllPrincipals'),
          grant('app-calendar', 'Calendar', ['Calendars.Read', 'offline_access'], 'delegated', 'user-1'),
          grant('app-backup', 'Backup', ['Files.Read.All'], 'application'),
        ],
      },
    },
    fail: {
      doc: {
        oauthGrants: [
          grant('app-expenses', 'Expenses', ['User.Read'], 'delegated', 'AllPrincipals'),
          grant('app-phish', 'Free PDF Tool', ['Mail.Read', 'offline_access'], 'delegated', 'user-7'),
        ],
      },
    },
  },
  'M365.RESIDENCY.1': {
    pass: {
      doc: {
        residency: [
          { resourceKey: 'tenant', region: 'EU', source: 'observed' },
          { resourceKey: 'users:EUR', region: 'EU', source: 'observed' },
        ],
      },
      overrides: { allowedRegions: ['EU'] },
    },
    fail: {
      doc: {
        residency: [
          { resourceKey: 'tenant', region: 'EU', source: 'observed' },
          { resourceKey: 'users:NAM', region: 'US', source: 'observed' },
        ],
      },
      // No allowedRegions: a tenant spread over two regions fails by default.
    },
  },
  ...attestationFixtures([
    'M365.ATTEST.TEAMS.1',
    'M365.ATTEST.TEAMS.2',
    'M365.ATTEST.TEAMS.3',
    'M365.ATTEST.TEAMS.4',
    'M365.ATTEST.TEAMS.5',
    'M365.ATTEST.EXO.1',
    'M365.ATTEST.EXO.2',
    'M365.ATTEST.EXO.3',
    'M365.ATTEST.SHAREPOINT.1',
    'M365.ATTEST.SHAREPOINT.2',
    'M365.ATTEST.SHAREPOINT.3',
    'M365.ATTEST.SHAREPOINT.4',
    'M365.ATTEST.SHAREPOINT.5',
    'M365.ATTEST.ENTRA.1',
  ]),
};
