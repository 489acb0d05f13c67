/**
 * The normalized Google Workspace settings, one line each. Every key is reported per org unit
 * (`orgUnit:<id>`) or group (`group:<id>`) that has its own policy; a child org unit without one
 * inherits its parent's and is not listed. "Effective" values fold Google's mode-dependent fields into
 * one answer, so a baseline can compare them whatever the sharing mode is.
 */
export const GOOGLE_SETTINGS_CATALOG = {
  'google-workspace.drive.external_sharing_mode': {
    description: 'Drive sharing outside the organization: ALLOWED, ALLOWLISTED_DOMAINS or DISALLOWED.',
  },
  'google-workspace.drive.receive_external_files': {
    description:
      'Effective: users may receive files from outside the allow-list (or from outside at all when sharing is off); true when sharing is ALLOWED.',
  },
  'google-workspace.drive.warn_on_external_sharing': {
    description:
      'Effective: users are warned before sharing outside the organization (or the allow-list); true when sharing is DISALLOWED.',
  },
  'google-workspace.drive.allow_non_google_invites': {
    description:
      'Effective: files may be shared with people without a Google account (allowNonGoogleInvites[InAllowlistedDomains]); false when sharing is DISALLOWED.',
  },
  'google-workspace.drive.allow_publishing_files': {
    description: 'Effective: files may be published on the web or made visible to anyone with the link; false when sharing is DISALLOWED.',
  },
  'google-workspace.drive.access_checker_suggestions': {
    description: 'What the access checker offers when recipients lack access, e.g. RECIPIENTS_ONLY.',
  },
  'google-workspace.drive.distribute_content_externally': {
    description:
      'Who may move content to shared drives owned by another organization (allowedPartiesForDistributingContent), e.g. NONE.',
  },
  'google-workspace.chat.external_chat': {
    description: 'Chat with people outside the organization: DISABLED, TRUSTED_DOMAINS (allow-listed only) or NO_RESTRICTION.',
  },
  'google-workspace.chat.external_file_sharing': {
    description: 'Files users may share in external Chat conversations: NO_FILES, IMAGES_ONLY or ALL_FILES.',
  },
  'google-workspace.groups.collaboration_capability': {
    description: 'Who outside the group can reach groups by default: DOMAIN_USERS_ONLY or ANYONE_CAN_ACCESS.',
  },
  'google-workspace.groups.owners_can_allow_external_members': {
    description: 'Group owners may add members from outside the organization.',
  },
  'google-workspace.groups.owners_can_allow_incoming_mail_from_public': {
    description: 'Group owners may let anyone on the internet post to their group.',
  },
  'google-workspace.groups.create_groups_access_level': {
    description: 'Who may create groups, e.g. ADMIN_ONLY or USERS_IN_DOMAIN.',
  },
  'google-workspace.groups.view_topics_default_access_level': {
    description: 'Default for who can see conversations of a new group, e.g. GROUP_MEMBERS.',
  },
  'google-workspace.apps.unconfigured_third_party_apps': {
    description:
      'What users may do with third-party apps an admin has not configured (accessLevel), e.g. BLOCK_ALL_SCOPES or ALLOW_SIGN_IN_SCOPES_ONLY.',
  },
  'google-workspace.residency.limit_processing_to_storage_region': {
    description: 'Data is processed only in the region it is stored in (data_processing_region.limitToStorageRegion).',
  },
} as const satisfies Record<string, { description: string }>;

export type GoogleSettingKey = keyof typeof GOOGLE_SETTINGS_CATALOG;
