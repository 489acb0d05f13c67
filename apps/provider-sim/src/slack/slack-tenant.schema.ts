import { z } from 'zod';
import { slackScopeInfo } from './slack-scopes.catalog';

/**
 * The JSON a tenant is created from (`PUT /_sim/slack/tenants/:token`). Objects that the Web API
 * returns are kept in Slack's own wire shape (snake_case), loose so a scenario can add any real field
 * and see it come back unchanged. Fields in camelCase are simulator metadata and never sent.
 */

/**
 * The setter's values (admin.teams.settings.setDiscoverability), plus `hidden`, which
 * admin.teams.list's own example answers and the admin console calls the unlisted setting.
 */
const discoverability = z.enum(['open', 'invite_only', 'closed', 'unlisted', 'hidden']);

/** A scope may be given by name only; the catalog fills in sensitivity and token type. */
export const slackScopeSchema = z.union([
  z.string().min(1).transform((name) => slackScopeInfo(name)),
  z.looseObject({
    name: z.string().min(1),
    is_sensitive: z.boolean(),
    token_type: z.string(),
    description: z.string().optional(),
  }),
]);

export const slackWorkspaceSchema = z.looseObject({
  id: z.string().min(1),
  name: z.string(),
  domain: z.string(),
  discoverability,
  email_domain: z.string().optional(),
  default_channels: z.array(z.string()).default([]),
  team_url: z.string().optional(),
  primary_owner: z.looseObject({ user_id: z.string(), email: z.string() }).optional(),
  /**
   * Whether the org owner behind the token is a member of this workspace. When not, Slack answers
   * team.integrationLogs with team_id for it with invalid_auth.
   */
  orgOwnerIsMember: z.boolean().default(true),
});

export const slackExternalOrganizationSchema = z.looseObject({
  team_id: z.string().min(1),
  team_name: z.string(),
  team_domain: z.string().optional(),
  public_url: z.string().optional(),
  connection_status: z.enum(['CONNECTED', 'DISCONNECTED', 'BLOCKED', 'IN_REVIEW']).default('CONNECTED'),
  slack_connect_prefs: z.record(z.string(), z.unknown()).optional(),
  connected_workspaces: z.array(z.looseObject({ workspace_id: z.string(), workspace_name: z.string() })).optional(),
  last_active_timestamp: z.number().optional(),
  is_sponsored: z.boolean().optional(),
});

export const slackConversationSchema = z.looseObject({
  id: z.string().min(1),
  name: z.string(),
  is_ext_shared: z.boolean().default(true),
  is_private: z.boolean().default(false),
  is_archived: z.boolean().default(false),
  connected_team_ids: z.array(z.string()).default([]),
  external_user_count: z.number().int().nonnegative().default(0),
  member_count: z.number().int().nonnegative().default(0),
  created: z.number().optional(),
});

export const slackUserSchema = z.looseObject({
  id: z.string().min(1),
  email: z.string().optional(),
  full_name: z.string().optional(),
  username: z.string().optional(),
  is_admin: z.boolean().default(false),
  is_owner: z.boolean().default(false),
  is_primary_owner: z.boolean().default(false),
  is_restricted: z.boolean().default(false),
  is_ultra_restricted: z.boolean().default(false),
  is_bot: z.boolean().default(false),
  is_active: z.boolean().default(true),
  workspaces: z.array(z.string()).optional(),
  /** Unix seconds the guest account is disabled; absent for no expiry (Slack documents no "none" value). */
  expiration_ts: z.number().optional(),
  /**
   * Per-workspace expiry, which admin.users.setExpiration sets with team_id: admin.users.list for
   * that team_id answers this instead of `expiration_ts`.
   */
  expirationByTeam: z.record(z.string(), z.number()).optional(),
});

export const slackAppSchema = z.looseObject({
  id: z.string().min(1),
  name: z.string(),
  description: z.string().optional(),
  is_app_directory_approved: z.boolean().default(false),
  is_internal: z.boolean().default(false),
  app_homepage_url: z.string().optional(),
  privacy_policy_url: z.string().optional(),
});

export const slackAppEntrySchema = z.looseObject({
  app: slackAppSchema,
  scopes: z.array(slackScopeSchema).default([]),
  date_updated: z.number().int().default(0),
  last_resolved_by: z.looseObject({ actor_id: z.string(), actor_type: z.string() }).optional(),
  /** Workspace-level decision for that team; absent means org-wide. */
  teamId: z.string().optional(),
  /** A Slack-certified app: listed only when the request says certified=true. */
  isCertified: z.boolean().default(false),
});

export const slackAppRequestSchema = z.looseObject({
  id: z.string().min(1),
  app: slackAppSchema,
  user: z.looseObject({ id: z.string(), name: z.string().optional(), email: z.string().optional() }),
  team: z.looseObject({ id: z.string(), name: z.string().optional(), domain: z.string().optional() }),
  scopes: z.array(slackScopeSchema).default([]),
  message: z.string().optional(),
  date_created: z.number().int().default(0),
  is_user_app_collaborator: z.boolean().default(false),
  /** A request for a Slack-certified app: listed only when the request says certified=true. */
  isCertified: z.boolean().default(false),
});

export const slackIntegrationLogSchema = z.looseObject({
  app_id: z.string().optional(),
  app_type: z.string().optional(),
  service_id: z.union([z.string(), z.number()]).optional(),
  service_type: z.string().optional(),
  user_id: z.string(),
  user_name: z.string(),
  /** Unix seconds as a string, as Slack sends it. */
  date: z.string().regex(/^\d+$/),
  change_type: z.string(),
  scope: z.string().optional(),
  reason: z.string().optional(),
  channel: z.string().optional(),
  /** Workspace the entry belongs to; absent means it shows in every workspace's log. */
  teamId: z.string().optional(),
});

export const slackRateLimitSettingsSchema = z.strictObject({
  enabled: z.boolean(),
  /** How much faster than real time the per-minute windows run (60 = one-second "minutes"). */
  timeScale: z.number().positive().max(100_000).default(1),
});

export const slackTenantSpecSchema = z.strictObject({
  team: z.looseObject({
    id: z.string().min(1),
    name: z.string(),
    domain: z.string(),
    email_domain: z.string().optional(),
    enterprise_id: z.string().optional(),
    enterprise_name: z.string().optional(),
  }),
  /** Enterprise Grid org: admin.* methods answer; otherwise they say not_an_enterprise. */
  isEnterprise: z.boolean().default(false),
  workspaces: z.array(slackWorkspaceSchema).default([]),
  externalOrganizations: z.array(slackExternalOrganizationSchema).default([]),
  sharedChannels: z.array(slackConversationSchema).default([]),
  users: z.array(slackUserSchema).default([]),
  approvedApps: z.array(slackAppEntrySchema).default([]),
  restrictedApps: z.array(slackAppEntrySchema).default([]),
  appRequests: z.array(slackAppRequestSchema).default([]),
  integrationLogs: z.array(slackIntegrationLogSchema).default([]),
  /** Scopes the token lacks: methods needing them answer missing_scope. */
  missingScopes: z.array(z.string()).default([]),
  /** Caps every `limit`/`count`, so paging can be exercised with a handful of items. */
  maxPageSize: z.number().int().positive().optional(),
  rateLimits: slackRateLimitSettingsSchema.default({ enabled: false, timeScale: 1 }),
});

/** What callers write (scopes may be plain names, defaults may be omitted). */
export type SlackTenantSpec = z.input<typeof slackTenantSpecSchema>;
/** What the simulator keeps. */
export type SlackTenantData = z.output<typeof slackTenantSpecSchema>;
export type SlackWorkspace = z.output<typeof slackWorkspaceSchema>;
export type SlackExternalOrganization = z.output<typeof slackExternalOrganizationSchema>;
export type SlackConversation = z.output<typeof slackConversationSchema>;
export type SlackUser = z.output<typeof slackUserSchema>;
export type SlackAppEntry = z.output<typeof slackAppEntrySchema>;
export type SlackAppRequest = z.output<typeof slackAppRequestSchema>;
export type SlackIntegrationLog = z.output<typeof slackIntegrationLogSchema>;
export type SlackRateLimitSettings = z.output<typeof slackRateLimitSettingsSchema>;
export type SlackDiscoverability = z.output<typeof discoverability>;
export const slackDiscoverabilitySchema = discoverability;

/** Body of `POST /_sim/slack/tenants/:token/apps`. */
export const addSlackAppSchema = z.strictObject({
  id: z.string().min(1),
  name: z.string().min(1),
  scopes: z.array(slackScopeSchema).default([]),
  list: z.enum(['approved', 'restricted']).default('approved'),
  is_internal: z.boolean().default(false),
  is_app_directory_approved: z.boolean().default(true),
  /** Slack-certified: the lists show it only to a request with certified=true. */
  certified: z.boolean().default(false),
  teamId: z.string().optional(),
  /** Who installed it, for the integration log entry. */
  userId: z.string().default('U0SIMADM01'),
  userName: z.string().default('sim-admin'),
});
export type AddSlackAppInput = z.input<typeof addSlackAppSchema>;
