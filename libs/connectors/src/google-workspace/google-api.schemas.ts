import { z } from 'zod';

/**
 * The parts of Google's answers the connector relies on. Only fields that are read are checked;
 * anything else may change without breaking a poll. A field we do read with the wrong type is a
 * `schema` failure, never a guess. Google leaves empty lists out of its JSON, so a missing list is
 * an empty one.
 */

const optionalText = z.string().nullish();
const optionalBool = z.boolean().nullish();

/** The service-account JSON key as Google Cloud hands it out (extra fields are Google's business). */
export const serviceAccountKeySchema = z.looseObject({
  type: z.literal('service_account', { error: 'type must be "service_account"' }),
  client_email: z.string().min(3).max(320).includes('@', { error: 'client_email must be an email address' }),
  private_key: z.string().min(1).max(16_384),
  private_key_id: z.string().min(1).max(128),
  token_uri: z.url({ error: 'token_uri must be an absolute URL' }).optional(),
});
export type ServiceAccountKey = z.output<typeof serviceAccountKeySchema>;

export const tokenResponseSchema = z.looseObject({
  access_token: z.string().min(1),
  expires_in: z.number().positive(),
  token_type: optionalText,
});

const policySchema = z.looseObject({
  name: z.string(),
  customer: optionalText,
  policyQuery: z.looseObject({
    orgUnit: optionalText,
    group: optionalText,
    query: optionalText,
    sortOrder: z.number().nullish(),
  }),
  setting: z.looseObject({ type: z.string().min(1), value: z.record(z.string(), z.unknown()) }),
  type: optionalText,
});
export type GooglePolicy = z.output<typeof policySchema>;

export const policiesPageSchema = z.looseObject({
  policies: z
    .array(policySchema)
    .nullish()
    .transform((v) => v ?? []),
  nextPageToken: optionalText,
});

/** Directory orgunits.list: ids come as `id:<id>`; the root has no parent. No paging (documented). */
const orgUnitSchema = z.looseObject({
  orgUnitId: z.string().min(1),
  orgUnitPath: optionalText,
  parentOrgUnitId: optionalText,
});

export const orgUnitsListSchema = z.looseObject({
  organizationUnits: z
    .array(orgUnitSchema)
    .nullish()
    .transform((v) => v ?? []),
});

const userSchema = z.looseObject({
  id: z.string().min(1),
  primaryEmail: z.string().min(1),
  customerId: optionalText,
  suspended: optionalBool,
});
export type GoogleUserSummary = z.output<typeof userSchema>;

export const usersPageSchema = z.looseObject({
  users: z
    .array(userSchema)
    .nullish()
    .transform((v) => v ?? []),
  nextPageToken: optionalText,
});

const tokenSchema = z.looseObject({
  clientId: z.string().min(1),
  displayText: optionalText,
  scopes: z
    .array(z.string())
    .nullish()
    .transform((v) => v ?? []),
  anonymous: optionalBool,
  nativeApp: optionalBool,
  userKey: optionalText,
});
export type GoogleUserToken = z.output<typeof tokenSchema>;

export const tokensListSchema = z.looseObject({
  items: z
    .array(tokenSchema)
    .nullish()
    .transform((v) => v ?? []),
});

/** Reports API parameters carry one typed field each; only `value` and `multiValue` are read. */
const activityParameterSchema = z.looseObject({
  name: z.string(),
  value: optionalText,
  multiValue: z.array(z.string()).nullish(),
});

const activitySchema = z.looseObject({
  id: z.looseObject({
    time: z.iso.datetime({ offset: true }),
    // An int64 in Google's discovery document, sent as a string; a number is taken as well.
    uniqueQualifier: z.union([z.string(), z.number()]).transform(String),
  }),
  actor: z
    .looseObject({ email: optionalText, profileId: optionalText })
    .nullish()
    .transform((v) => v ?? {}),
  events: z
    .array(
      z.looseObject({
        name: optionalText,
        parameters: z
          .array(activityParameterSchema)
          .nullish()
          .transform((v) => v ?? []),
      }),
    )
    .nullish()
    .transform((v) => v ?? []),
});
export type GoogleActivity = z.output<typeof activitySchema>;

export const activitiesPageSchema = z.looseObject({
  items: z
    .array(activitySchema)
    .nullish()
    .transform((v) => v ?? []),
  nextPageToken: optionalText,
});

// ---------------------------------------------------------------------------------------------
// setting values (`policies[].setting.value`), per setting type

export const driveExternalSharingSchema = z.looseObject({
  externalSharingMode: optionalText,
  allowReceivingExternalFiles: optionalBool,
  warnForSharingOutsideAllowlistedDomains: optionalBool,
  allowReceivingFilesOutsideAllowlistedDomains: optionalBool,
  allowNonGoogleInvitesInAllowlistedDomains: optionalBool,
  warnForExternalSharing: optionalBool,
  allowNonGoogleInvites: optionalBool,
  allowPublishingFiles: optionalBool,
  accessCheckerSuggestions: optionalText,
  allowedPartiesForDistributingContent: optionalText,
});

export const chatExternalChatSchema = z.looseObject({
  allowExternalChat: optionalBool,
  externalChatRestriction: optionalText,
});

export const chatFileSharingSchema = z.looseObject({
  externalFileSharing: optionalText,
  internalFileSharing: optionalText,
});

export const groupsSharingSchema = z.looseObject({
  collaborationCapability: optionalText,
  createGroupsAccessLevel: optionalText,
  ownersCanAllowExternalMembers: optionalBool,
  ownersCanAllowIncomingMailFromPublic: optionalBool,
  viewTopicsDefaultAccessLevel: optionalText,
  ownersCanHideGroups: optionalBool,
  newGroupsAreHidden: optionalBool,
});

export const unconfiguredAppsSchema = z.looseObject({ accessLevel: optionalText });

export const dataAtRestRegionSchema = z.looseObject({ region: optionalText });

export const dataProcessingRegionSchema = z.looseObject({ limitToStorageRegion: optionalBool });

/** `<app>.service_status`: `serviceState` ENABLED or DISABLED (the app is on or off for the org unit). */
export const serviceStatusSchema = z.looseObject({ serviceState: optionalText });

/** The Policy API setting types read, each with the schema of its value. */
export const GOOGLE_SETTING_SCHEMAS = {
  'settings/drive_and_docs.external_sharing': driveExternalSharingSchema,
  'settings/chat.external_chat_restriction': chatExternalChatSchema,
  'settings/chat.chat_file_sharing': chatFileSharingSchema,
  'settings/groups_for_business.groups_sharing': groupsSharingSchema,
  'settings/api_controls.unconfigured_third_party_apps': unconfiguredAppsSchema,
  'settings/data_regions.data_at_rest_region': dataAtRestRegionSchema,
  'settings/data_regions.data_processing_region': dataProcessingRegionSchema,
  'settings/drive_and_docs.service_status': serviceStatusSchema,
  'settings/chat.service_status': serviceStatusSchema,
  'settings/groups_for_business.service_status': serviceStatusSchema,
  // Setting types and fields as ScubaGoggles reads them (policy_api.py `_expectedPolicySettings`), each a
  // Policy API setting type of Google's supported-settings list.
  'settings/drive_and_docs.general_access_default': z.looseObject({ defaultFileAccess: optionalText }),
  'settings/drive_and_docs.external_file_warning': z.looseObject({ highlightingEnabled: optionalBool }),
  'settings/drive_and_docs.shared_drive_creation': z.looseObject({
    allowManagersToOverrideSettings: optionalBool,
    allowNonMemberAccess: optionalBool,
    allowExternalUserAccess: optionalBool,
    allowSharedDriveCreation: optionalBool,
  }),
  'settings/drive_and_docs.file_security_update': z.looseObject({ securityUpdate: optionalText, allowUsersToManageUpdate: optionalBool }),
  'settings/drive_and_docs.drive_sdk': z.looseObject({ enableDriveSdkApiAccess: optionalBool }),
  'settings/drive_and_docs.drive_for_desktop': z.looseObject({ allowDriveForDesktop: optionalBool, restrictToAuthorizedDevices: optionalBool }),
  'settings/chat.chat_history': z.looseObject({ historyOnByDefault: optionalBool, allowUserModification: optionalBool }),
  'settings/chat.space_history': z.looseObject({ historyState: optionalText }),
  'settings/calendar.primary_calendar_max_allowed_external_sharing': z.looseObject({ maxAllowedExternalSharing: optionalText }),
  'settings/calendar.secondary_calendar_max_allowed_external_sharing': z.looseObject({ maxAllowedExternalSharing: optionalText }),
  'settings/calendar.external_invitations': z.looseObject({ warnOnInvite: optionalBool }),
  'settings/calendar.interoperability': z.looseObject({ enableInteroperability: optionalBool }),
  'settings/calendar.service_status': serviceStatusSchema,
  'settings/meet.meet_joining': z.looseObject({ allowedAudience: optionalText }),
  'settings/meet.safety_access': z.looseObject({ meetingsAllowedToJoin: optionalText }),
  'settings/meet.safety_external_participants': z.looseObject({ enableExternalLabel: optionalBool }),
  'settings/meet.service_status': serviceStatusSchema,
  'settings/sites.service_status': serviceStatusSchema,
  'settings/gmail.auto_forwarding': z.looseObject({ enableAutoForwarding: optionalBool }),
  'settings/gmail.per_user_outbound_gateway': z.looseObject({ allowUsersToUseExternalSmtpServers: optionalBool }),
  'settings/gmail.service_status': serviceStatusSchema,
  'settings/classroom.class_membership': z.looseObject({ whoCanJoinClasses: optionalText, whichClassesCanUsersJoin: optionalText }),
  'settings/classroom.api_data_access': z.looseObject({ enableApiAccess: optionalBool }),
  'settings/classroom.service_status': serviceStatusSchema,
  'settings/access_approval.axa_user_scoping': z.looseObject({ requiresCustomerApproval: optionalBool }),
  'settings/access_management.user_scoping': z.looseObject({ accessManagementRegime: optionalText }),
  'settings/api_controls.internal_apps': z.looseObject({ trustInternalApps: optionalBool }),
  'settings/security.less_secure_apps': z.looseObject({ allowLessSecureApps: optionalBool }),
  'settings/workspace_marketplace.apps_access_options': z.looseObject({ accessLevel: optionalText, allowAllInternalApps: optionalBool }),
  'settings/enterprise_service_restrictions.service_status': serviceStatusSchema,
  'settings/early_access_apps.service_status': serviceStatusSchema,
} as const;
export type GoogleSettingType = keyof typeof GOOGLE_SETTING_SCHEMAS;
export const GOOGLE_SETTING_TYPES = Object.keys(GOOGLE_SETTING_SCHEMAS) as GoogleSettingType[];

/** The app of a setting type: `settings/<app>.<setting>` → `<app>`. One policies.list per app reads all its types. */
export function settingApp(type: GoogleSettingType): string {
  return type.slice('settings/'.length, type.indexOf('.'));
}
