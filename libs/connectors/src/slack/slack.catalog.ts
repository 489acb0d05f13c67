/**
 * The normalized Slack settings, one line each. Baselines name these keys; a key the connector
 * could not read is absent from the document (and evaluates to unknown).
 */
export const SLACK_SETTINGS_CATALOG = {
  'slack.workspace.discoverability': {
    resource: 'team:<workspace id>',
    description: "Who may find and join the workspace: 'open', 'invite_only', 'closed' (by request) or 'unlisted' (Slack's 'hidden').",
  },
  'slack.connect.external_organizations': {
    resource: 'tenant',
    description: 'Sorted team ids of external organizations with an active (CONNECTED) Slack Connect connection.',
  },
  'slack.connect.shared_channel_organizations': {
    resource: 'tenant',
    description: "Sorted team ids of external organizations in the org's externally shared channels.",
  },
  'slack.guests.multi_channel_count': {
    resource: 'tenant',
    description: 'Active multi-channel guests (is_restricted but not is_ultra_restricted) across the org.',
  },
  'slack.guests.single_channel_count': {
    resource: 'tenant',
    description: 'Active single-channel guests (is_ultra_restricted) across the org.',
  },
  'slack.guests.without_expiry_count': {
    resource: 'tenant',
    description:
      'Active guests (single- or multi-channel) with no expiration date (admin.users.list expiration_ts absent, null or 0). Enterprise Grid only.',
  },
} as const satisfies Record<string, { resource: string; description: string }>;

export type SlackSettingKey = keyof typeof SLACK_SETTINGS_CATALOG;
