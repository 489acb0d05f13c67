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
  'google-workspace.groups.owners_can_hide_groups': {
    description: 'Group owners may hide their groups from the directory (ownersCanHideGroups); Google default false.',
  },
  'google-workspace.groups.new_groups_are_hidden': {
    description: 'New groups are hidden from the directory (newGroupsAreHidden); Google default false.',
  },
  'google-workspace.drive.default_file_access': {
    description: 'General access of new files (drive_and_docs.general_access_default defaultFileAccess), e.g. PRIVATE_TO_OWNER or PRIMARY_AUDIENCE_WITH_LINK.',
  },
  'google-workspace.drive.highlight_external_files': {
    description: 'Files owned outside the organization are highlighted in Drive (external_file_warning highlightingEnabled).',
  },
  'google-workspace.drive.shared_drive_managers_override': {
    description: 'Shared drive managers may override the shared drive settings (allowManagersToOverrideSettings).',
  },
  'google-workspace.drive.shared_drive_non_member_access': {
    description: 'People who are not shared drive members may be added to its files (allowNonMemberAccess).',
  },
  'google-workspace.drive.file_security_update': {
    description: 'The link-sharing security update for impacted files: APPLY_TO_IMPACTED_FILES or REMOVE_FROM_IMPACTED_FILES.',
  },
  'google-workspace.drive.users_manage_security_update': {
    description: 'Users may apply or remove the security update on files they own or manage (allowUsersToManageUpdate).',
  },
  'google-workspace.drive.drive_sdk_api_access': {
    description: "Drive SDK: apps may use the Drive API for users' files (enableDriveSdkApiAccess); Google default true.",
  },
  'google-workspace.drive.desktop_on_unapproved_devices': {
    description: 'Effective: Drive for desktop is on and not restricted to authorized devices (drive_for_desktop).',
  },
  'google-workspace.chat.history_on_by_default': {
    description: 'Chat history is on by default for conversations (chat_history historyOnByDefault); Google default false.',
  },
  'google-workspace.chat.users_change_history': {
    description: 'Users may change the history setting of their conversations (chat_history allowUserModification); Google default true.',
  },
  'google-workspace.chat.space_history': {
    description: 'History in spaces (space_history historyState), e.g. HISTORY_ALWAYS_ON or DEFAULT_HISTORY_OFF.',
  },
  'google-workspace.calendar.primary_external_sharing': {
    description: 'Most a primary calendar may share outside the organization, e.g. EXTERNAL_FREE_BUSY_ONLY (Google default).',
  },
  'google-workspace.calendar.secondary_external_sharing': {
    description: 'Most a secondary calendar may share outside the organization; Google default EXTERNAL_ALL_INFO_READ_ONLY.',
  },
  'google-workspace.calendar.warn_on_external_invitations': {
    description: 'Users are warned when inviting guests from outside the organization (warnOnInvite); Google default true.',
  },
  'google-workspace.calendar.exchange_interoperability': {
    description: 'Calendar interoperability with Microsoft Exchange is on (enableInteroperability).',
  },
  'google-workspace.meet.join_without_asking': {
    description: 'Who may join meetings without asking (meet_joining allowedAudience): OPEN, TRUSTED or RESTRICTED.',
  },
  'google-workspace.meet.meetings_users_can_join': {
    description: 'Which meetings users may join (safety_access meetingsAllowedToJoin): ALL, ANY_WORKSPACE_ORGANIZATION or SAME_ORGANIZATION_ONLY.',
  },
  'google-workspace.meet.label_external_participants': {
    description: 'External or unidentified participants are labeled in meetings (enableExternalLabel).',
  },
  'google-workspace.sites.service_state': {
    description: 'Google Sites service status: ENABLED or DISABLED.',
  },
  'google-workspace.gmail.auto_forwarding': {
    description: 'Users may forward incoming mail automatically to another address (enableAutoForwarding); Google default true.',
  },
  'google-workspace.gmail.per_user_outbound_gateways': {
    description: 'Users may send mail through an external SMTP server (allowUsersToUseExternalSmtpServers).',
  },
  'google-workspace.classroom.who_can_join_classes': {
    description: 'Who may join classes in the domain (whoCanJoinClasses), e.g. ANYONE_IN_DOMAIN.',
  },
  'google-workspace.classroom.which_classes_users_can_join': {
    description: 'Which classes users may join (whichClassesCanUsersJoin), e.g. CLASSES_IN_DOMAIN.',
  },
  'google-workspace.classroom.api_data_access': {
    description: 'Classroom data may be read and written through the Classroom API (enableApiAccess).',
  },
  'google-workspace.assured.access_approvals': {
    description: "Google staff need the customer's approval to access data (access_approval requiresCustomerApproval).",
  },
  'google-workspace.assured.access_management_regime': {
    description: 'Which Google staff may access data (access_management accessManagementRegime), e.g. US_GOOGLE_STAFF.',
  },
  'google-workspace.apps.trust_internal_apps': {
    description: 'Internal (domain-owned) apps are trusted with every Google service (api_controls internal_apps trustInternalApps).',
  },
  'google-workspace.apps.less_secure_apps': {
    description: 'Users may use less secure apps (security less_secure_apps allowLessSecureApps); Google default false.',
  },
  'google-workspace.apps.marketplace_access': {
    description: 'Which Marketplace apps users may install (apps_access_options accessLevel): ALLOW_ALL (Google default), ALLOW_LISTED_APPS or ALLOW_NONE.',
  },
  'google-workspace.apps.marketplace_all_internal_apps': {
    description: 'Users may install every internal app, even unlisted (allowAllInternalApps); Google default false.',
  },
  'google-workspace.services.restrict_services_without_individual_control': {
    description: 'Service status of enterprise_service_restrictions: ENABLED restricts the Google services that have no individual control.',
  },
  'google-workspace.services.early_access_apps': {
    description: 'Early access apps service status: ENABLED or DISABLED.',
  },
} as const satisfies Record<string, { description: string }>;

export type GoogleSettingKey = keyof typeof GOOGLE_SETTINGS_CATALOG;
