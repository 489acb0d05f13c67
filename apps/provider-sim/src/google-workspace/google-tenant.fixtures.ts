import { generateKeyPairSync } from 'node:crypto';
import type { GoogleTenantSpec } from './google-tenant.schema';

/**
 * One RSA key pair for every simulated service account, made once per process: generating RSA
 * keys is slow, and tenants tell their service accounts apart by client_email anyway.
 */
const KEY_PAIR = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
});

export const GOOGLE_SIM_PRIVATE_KEY_ID = 'sim0key0000000000000000000000000000001';

export const COMPLIANT_GOOGLE_IDS = {
  rootOrgUnitId: '03ph8a2z0root',
  /** A child org unit with its own, stricter, Drive policy. */
  salesOrgUnitId: '03ph8a2z1sales',
  adminEmail: 'admin@acme.example',
  userEmails: ['admin@acme.example', 'ada@acme.example', 'bob@acme.example'],
  /** A harmless "Sign in with Google" app every user has authorized. */
  harmlessClientId: '100000000001-sim.apps.googleusercontent.com',
} as const;

/** Scopes of "Sign in with Google": identity only, no access to Workspace data. */
export const SIGN_IN_SCOPES = [
  'openid',
  'https://www.googleapis.com/auth/userinfo.email',
  'https://www.googleapis.com/auth/userinfo.profile',
];

function serviceAccountEmail(customerId: string): string {
  return `tollgate-reader@${customerId.toLowerCase()}-sim.iam.gserviceaccount.com`;
}

/** The policy values of a locked-down tenant, by setting type (without the `settings/` prefix). */
export const COMPLIANT_GOOGLE_SETTINGS = {
  'drive_and_docs.external_sharing': {
    externalSharingMode: 'ALLOWLISTED_DOMAINS',
    allowReceivingExternalFiles: false,
    warnForSharingOutsideAllowlistedDomains: true,
    allowReceivingFilesOutsideAllowlistedDomains: false,
    allowNonGoogleInvitesInAllowlistedDomains: false,
    warnForExternalSharing: true,
    allowNonGoogleInvites: false,
    allowPublishingFiles: false,
    accessCheckerSuggestions: 'RECIPIENTS_ONLY',
    allowedPartiesForDistributingContent: 'NONE',
  },
  'chat.external_chat_restriction': { allowExternalChat: false, externalChatRestriction: 'NO_RESTRICTION' },
  'chat.chat_file_sharing': { externalFileSharing: 'NO_FILES', internalFileSharing: 'ALL_FILES' },
  'groups_for_business.groups_sharing': {
    collaborationCapability: 'DOMAIN_USERS_ONLY',
    createGroupsAccessLevel: 'ADMIN_ONLY',
    ownersCanAllowExternalMembers: false,
    ownersCanAllowIncomingMailFromPublic: false,
    viewTopicsDefaultAccessLevel: 'GROUP_MEMBERS',
    ownersCanHideGroups: false,
    newGroupsAreHidden: false,
  },
  'api_controls.unconfigured_third_party_apps': { accessLevel: 'BLOCK_ALL_SCOPES' },
  'data_regions.data_at_rest_region': { region: 'EUROPE' },
  'data_regions.data_processing_region': { limitToStorageRegion: true },
  // Setting types and fields as Google's supported-settings list names them (and ScubaGoggles reads them).
  'drive_and_docs.general_access_default': { defaultFileAccess: 'PRIVATE_TO_OWNER' },
  'drive_and_docs.external_file_warning': { highlightingEnabled: true },
  'drive_and_docs.shared_drive_creation': {
    allowSharedDriveCreation: true,
    allowManagersToOverrideSettings: false,
    allowExternalUserAccess: false,
    allowNonMemberAccess: true,
  },
  'drive_and_docs.file_security_update': { securityUpdate: 'APPLY_TO_IMPACTED_FILES', allowUsersToManageUpdate: false },
  'drive_and_docs.drive_sdk': { enableDriveSdkApiAccess: false },
  'drive_and_docs.drive_for_desktop': { allowDriveForDesktop: true, restrictToAuthorizedDevices: true },
  'chat.chat_history': { historyOnByDefault: true, allowUserModification: false },
  'chat.space_history': { historyState: 'HISTORY_ALWAYS_ON' },
  'calendar.primary_calendar_max_allowed_external_sharing': { maxAllowedExternalSharing: 'EXTERNAL_FREE_BUSY_ONLY' },
  'calendar.secondary_calendar_max_allowed_external_sharing': { maxAllowedExternalSharing: 'EXTERNAL_FREE_BUSY_ONLY' },
  'calendar.external_invitations': { warnOnInvite: true },
  'calendar.interoperability': { enableInteroperability: false },
  'meet.meet_joining': { allowedAudience: 'TRUSTED' },
  'meet.safety_access': { meetingsAllowedToJoin: 'SAME_ORGANIZATION_ONLY' },
  'meet.safety_external_participants': { enableExternalLabel: true },
  'sites.service_status': { serviceState: 'DISABLED' },
  'gmail.auto_forwarding': { enableAutoForwarding: false },
  'gmail.per_user_outbound_gateway': { allowUsersToUseExternalSmtpServers: false },
  'classroom.class_membership': { whoCanJoinClasses: 'ANYONE_IN_DOMAIN', whichClassesCanUsersJoin: 'CLASSES_IN_DOMAIN' },
  'classroom.api_data_access': { enableApiAccess: false },
  'access_approval.axa_user_scoping': { requiresCustomerApproval: true },
  'access_management.user_scoping': { accessManagementRegime: 'US_GOOGLE_STAFF' },
  'api_controls.internal_apps': { trustInternalApps: false },
  'security.less_secure_apps': { allowLessSecureApps: false },
  'workspace_marketplace.apps_access_options': { accessLevel: 'ALLOW_LISTED_APPS', allowAllInternalApps: false },
  'enterprise_service_restrictions.service_status': { serviceState: 'ENABLED' },
  'early_access_apps.service_status': { serviceState: 'DISABLED' },
} as const satisfies Record<string, Record<string, unknown>>;

/**
 * A locked-down tenant: Drive shares only with allow-listed domains (and not at all from Sales),
 * nothing published, Chat external off, groups private, unconfigured third-party apps blocked, data
 * at rest in Europe with processing limited to it, and three users who only signed in with Google
 * somewhere. Overrides replace whole top-level fields.
 */
export function compliantGoogleTenant(customerId: string, overrides: Partial<GoogleTenantSpec> = {}): GoogleTenantSpec {
  const ids = COMPLIANT_GOOGLE_IDS;
  const rootPolicies = Object.entries(COMPLIANT_GOOGLE_SETTINGS).map(([settingType, value]) => ({
    orgUnitId: ids.rootOrgUnitId,
    settingType,
    value: { ...value },
    type: 'ADMIN' as const,
  }));
  return {
    customerId,
    domain: 'acme.example',
    rootOrgUnitId: ids.rootOrgUnitId,
    orgUnits: [{ id: ids.salesOrgUnitId, path: '/Sales' }],
    adminEmails: [ids.adminEmail],
    serviceAccount: {
      clientEmail: serviceAccountEmail(customerId),
      privateKeyId: GOOGLE_SIM_PRIVATE_KEY_ID,
      publicKeyPem: KEY_PAIR.publicKey,
    },
    policies: [
      ...rootPolicies,
      {
        orgUnitId: ids.salesOrgUnitId,
        settingType: 'drive_and_docs.external_sharing',
        value: { ...COMPLIANT_GOOGLE_SETTINGS['drive_and_docs.external_sharing'], externalSharingMode: 'DISALLOWED' },
        type: 'ADMIN',
      },
    ],
    users: ids.userEmails.map((email, i) => ({
      id: `10000000000000000000${i + 1}`,
      primaryEmail: email,
      orgUnitPath: i === 2 ? '/Sales' : '/',
      isAdmin: email === ids.adminEmail,
      tokens: [
        {
          clientId: ids.harmlessClientId,
          displayText: 'Team Lunch Planner',
          scopes: [...SIGN_IN_SCOPES],
          anonymous: false,
          nativeApp: false,
        },
      ],
    })),
    ...overrides,
  };
}

/**
 * The service-account JSON key an operator would download from Google Cloud, for the simulated
 * tenant: the private key matches the tenant's public key and `token_uri` points at the simulator.
 */
export function googleServiceAccountKey(sim: { url: string }, customerId: string) {
  const clientEmail = serviceAccountEmail(customerId);
  return {
    type: 'service_account',
    project_id: `${customerId.toLowerCase()}-sim`,
    private_key_id: GOOGLE_SIM_PRIVATE_KEY_ID,
    private_key: KEY_PAIR.privateKey,
    client_email: clientEmail,
    client_id: '100000000000000000001',
    auth_uri: 'https://accounts.google.com/o/oauth2/auth',
    token_uri: `${sim.url}/google/token`,
    auth_provider_x509_cert_url: 'https://www.googleapis.com/oauth2/v1/certs',
    client_x509_cert_url: `https://www.googleapis.com/robot/v1/metadata/x509/${encodeURIComponent(clientEmail)}`,
    universe_domain: 'googleapis.com',
  };
}
