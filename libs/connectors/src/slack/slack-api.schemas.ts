import { z } from 'zod';

/**
 * The parts of Slack's answers the connector relies on. Only fields that are read are checked, and
 * loosely where Slack itself is inconsistent (ids and dates sometimes numbers, sometimes strings);
 * anything else may change without breaking a poll. A field we do read with the wrong type is a
 * `schema` failure, never a guess.
 */

const idLike = z.union([z.string(), z.number()]).transform(String);
const optionalText = z.string().nullish();
const stringList = z
  .array(z.string())
  .nullish()
  .transform((v) => v ?? []);

/** Slack's cursor: `response_metadata.next_cursor`, "" (or absent) on the last page. */
export const responseMetadataSchema = z
  .looseObject({ next_cursor: z.string().nullish() })
  .nullish()
  .transform((v) => v?.next_cursor ?? '');

export const teamInfoSchema = z.looseObject({
  team: z.looseObject({
    id: z.string().min(1),
    name: optionalText,
    domain: optionalText,
    enterprise_id: optionalText,
    enterprise_name: optionalText,
  }),
});
export type SlackTeamInfo = z.output<typeof teamInfoSchema>['team'];

export const teamsListSchema = z.looseObject({
  teams: z.array(z.looseObject({ id: z.string().min(1), name: optionalText, discoverability: optionalText })),
  response_metadata: responseMetadataSchema,
});
export type SlackWorkspaceSummary = z.output<typeof teamsListSchema>['teams'][number];

const scopeSchema = z.looseObject({
  name: z.string().min(1),
  is_sensitive: z.boolean().nullish().transform((v) => v ?? false),
  token_type: optionalText,
});
export type SlackScope = z.output<typeof scopeSchema>;

const appSchema = z.looseObject({ id: idLike, name: optionalText });

const appEntrySchema = z.looseObject({
  app: appSchema,
  scopes: z
    .array(scopeSchema)
    .nullish()
    .transform((v) => v ?? []),
  last_resolved_by: z.looseObject({ actor_id: optionalText }).nullish(),
});
export type SlackAppEntry = z.output<typeof appEntrySchema>;

export const approvedAppsSchema = z.looseObject({
  approved_apps: z.array(appEntrySchema),
  response_metadata: responseMetadataSchema,
});

export const restrictedAppsSchema = z.looseObject({
  restricted_apps: z.array(appEntrySchema),
  response_metadata: responseMetadataSchema,
});

const appRequestSchema = z.looseObject({
  id: idLike,
  app: appSchema,
  user: z.looseObject({ id: optionalText }).nullish(),
  scopes: z
    .array(scopeSchema)
    .nullish()
    .transform((v) => v ?? []),
});
export type SlackAppRequest = z.output<typeof appRequestSchema>;

export const appRequestsSchema = z.looseObject({
  app_requests: z.array(appRequestSchema),
  response_metadata: responseMetadataSchema,
});

const integrationLogSchema = z.looseObject({
  app_id: idLike.nullish(),
  app_type: optionalText,
  service_id: idLike.nullish(),
  service_type: optionalText,
  user_id: optionalText,
  date: idLike,
  change_type: z.string(),
  scope: optionalText,
});
export type SlackIntegrationLog = z.output<typeof integrationLogSchema>;

export const integrationLogsSchema = z.looseObject({
  logs: z.array(integrationLogSchema),
  paging: z.looseObject({ page: z.number().int(), pages: z.number().int() }).nullish(),
});

export const externalTeamsSchema = z.looseObject({
  organizations: z.array(z.looseObject({ team_id: z.string().min(1), team_name: optionalText, connection_status: optionalText })),
  response_metadata: responseMetadataSchema,
});
export type SlackExternalOrganization = z.output<typeof externalTeamsSchema>['organizations'][number];

export const conversationsSearchSchema = z.looseObject({
  conversations: z.array(
    z.looseObject({
      id: z.string().min(1),
      is_ext_shared: z.boolean().nullish().transform((v) => v ?? false),
      connected_team_ids: stringList,
    }),
  ),
  // This method reports its cursor at top level; response_metadata is read too in case Slack aligns it.
  next_cursor: z.string().nullish(),
  response_metadata: responseMetadataSchema,
});
export type SlackConversation = z.output<typeof conversationsSearchSchema>['conversations'][number];

const userFlags = {
  id: z.string().min(1),
  is_restricted: z.boolean().nullish().transform((v) => v ?? false),
  is_ultra_restricted: z.boolean().nullish().transform((v) => v ?? false),
  is_bot: z.boolean().nullish().transform((v) => v ?? false),
};

export const adminUsersSchema = z.looseObject({
  users: z.array(
    z.looseObject({
      ...userFlags,
      is_active: z.boolean().nullish(),
      // Unix seconds when a guest account is disabled; "only_guests … returns only guests and their
      // expiration dates". What Slack sends for a guest without one is undocumented: absent, null
      // and 0 all read as "no expiry".
      expiration_ts: z.number().nullish(),
    }),
  ),
  response_metadata: responseMetadataSchema,
});

export const usersListSchema = z.looseObject({
  members: z.array(z.looseObject({ ...userFlags, deleted: z.boolean().nullish() })),
  response_metadata: responseMetadataSchema,
});

/** One person as far as guest counting goes, whichever listing it came from. */
export interface SlackUserFlags {
  id: string;
  is_restricted: boolean;
  is_ultra_restricted: boolean;
  is_bot: boolean;
  active: boolean;
  /** Unix seconds the guest account expires; only admin.users.list reports it. */
  expiration_ts?: number | null;
}

/** A guest Slack will disable at a set time. 0 reads as "none": see admin.users.list's expiration_ts. */
export function hasExpiry(user: Pick<SlackUserFlags, 'expiration_ts'>): boolean {
  return typeof user.expiration_ts === 'number' && user.expiration_ts > 0;
}
