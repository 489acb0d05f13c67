import type { SlackTenantSpec } from './slack-tenant.schema';

export const COMPLIANT_SLACK_IDS = {
  enterpriseId: 'E0SIMGRID01',
  /** Workspaces of the grid; the first is the one team.info describes. */
  teamIds: ['T0SIMHQ001', 'T0SIMENG01'],
  partnerOrgId: 'T0PARTNER1',
  sharedChannelId: 'C0SIMSHR01',
  adminUserId: 'U0SIMADM01',
  approvedAppIds: ['A0SIMSTND1', 'A0SIMPOLL1'],
} as const;

// Fixed instants, so documents built from the fixture are identical from run to run.
const INSTALLED_AT = 1_704_067_200; // 2024-01-01T00:00:00Z
const APPROVED_AT = 1_704_153_600; // 2024-01-02T00:00:00Z

/**
 * A locked-down Enterprise Grid org: both workspaces invite-only, Slack Connect with one
 * allow-listed partner (and one channel shared with it), no guests, two harmless approved apps whose
 * installs the integration log agrees with. Overrides replace whole top-level fields.
 */
export function compliantSlackTenant(_token: string, overrides: Partial<SlackTenantSpec> = {}): SlackTenantSpec {
  const ids = COMPLIANT_SLACK_IDS;
  const [hq, eng] = ids.teamIds;
  const [standup, poll] = ids.approvedAppIds;
  return {
    team: {
      id: hq,
      name: 'Acme HQ',
      domain: 'acme-hq',
      email_domain: 'acme.example',
      enterprise_id: ids.enterpriseId,
      enterprise_name: 'Acme Corp',
    },
    isEnterprise: true,
    workspaces: [
      { id: hq, name: 'Acme HQ', domain: 'acme-hq', discoverability: 'invite_only', default_channels: ['C0SIMGEN01'] },
      { id: eng, name: 'Acme Engineering', domain: 'acme-eng', discoverability: 'invite_only', default_channels: [] },
    ],
    externalOrganizations: [
      {
        team_id: ids.partnerOrgId,
        team_name: 'Partner Co',
        team_domain: 'partnerco',
        public_url: 'https://partnerco.slack.com/',
        connection_status: 'CONNECTED',
        is_sponsored: false,
        last_active_timestamp: APPROVED_AT,
        connected_workspaces: [{ workspace_id: hq, workspace_name: 'Acme HQ' }],
        slack_connect_prefs: {
          approved_orgs_only: { value: true },
          allow_sc_file_uploads: { value: false },
          profile_visibility: { value: 'limited' },
        },
      },
    ],
    sharedChannels: [
      {
        id: ids.sharedChannelId,
        name: 'ext-partnerco',
        is_ext_shared: true,
        is_private: true,
        is_archived: false,
        connected_team_ids: [ids.enterpriseId, ids.partnerOrgId],
        external_user_count: 3,
        member_count: 8,
        created: APPROVED_AT,
        context_team_id: hq,
        conversation_host_id: ids.enterpriseId,
      },
    ],
    users: [
      {
        id: ids.adminUserId,
        email: 'admin@acme.example',
        full_name: 'Ada Admin',
        is_admin: true,
        is_owner: true,
        is_primary_owner: true,
        workspaces: [hq, eng],
      },
      { id: 'U0SIMUSR01', email: 'bob@acme.example', full_name: 'Bob Builder', workspaces: [hq, eng] },
      { id: 'U0SIMUSR02', email: 'cy@acme.example', full_name: 'Cy Coder', workspaces: [eng] },
      // Deactivated: a former contractor who was a multi-channel guest; must not count as one.
      {
        id: 'U0SIMEXG01',
        email: 'former@contractor.example',
        full_name: 'Former Contractor',
        is_restricted: true,
        is_active: false,
        workspaces: [eng],
      },
    ],
    approvedApps: [
      {
        app: {
          id: standup,
          name: 'Standup Helper',
          description: 'Asks for daily updates',
          is_app_directory_approved: true,
          is_internal: false,
        },
        scopes: ['commands', 'chat:write', 'users:read'],
        date_updated: APPROVED_AT,
        last_resolved_by: { actor_id: ids.adminUserId, actor_type: 'user' },
      },
      {
        app: {
          id: poll,
          name: 'Lunch Poll',
          description: 'Runs quick polls',
          is_app_directory_approved: true,
          is_internal: false,
        },
        scopes: ['commands', 'chat:write', 'reactions:read'],
        date_updated: APPROVED_AT,
        last_resolved_by: { actor_id: ids.adminUserId, actor_type: 'user' },
      },
    ],
    restrictedApps: [],
    appRequests: [],
    integrationLogs: [
      {
        app_id: standup,
        app_type: 'Standup Helper',
        user_id: ids.adminUserId,
        user_name: 'ada',
        date: String(INSTALLED_AT),
        change_type: 'added',
        scope: 'commands,chat:write,users:read',
      },
      {
        app_id: poll,
        app_type: 'Lunch Poll',
        user_id: ids.adminUserId,
        user_name: 'ada',
        date: String(INSTALLED_AT + 60),
        change_type: 'added',
        scope: 'commands,chat:write,reactions:read',
      },
    ],
    ...overrides,
  };
}
