import { z } from 'zod';

/**
 * The JSON a Google Workspace tenant is created from (`PUT /_sim/google/tenants/:customerId`).
 * Objects the APIs return (policies, users, tokens) keep Google's wire shape (camelCase JSON);
 * fields the APIs never send (the service account's public key, rate limits) are simulator metadata.
 */

export const GOOGLE_SETTING_TYPES = [
  'drive_and_docs.external_sharing',
  'chat.external_chat_restriction',
  'chat.chat_file_sharing',
  'groups_for_business.groups_sharing',
  'api_controls.unconfigured_third_party_apps',
  'data_regions.data_at_rest_region',
  'data_regions.data_processing_region',
] as const;

export const googlePolicySchema = z.strictObject({
  /** Org unit id without the `orgUnits/` prefix. */
  orgUnitId: z.string().min(1),
  /** A group-scoped policy (`groups/<id>`), instead of one for the whole org unit. */
  groupId: z.string().min(1).optional(),
  /** Without the `settings/` prefix, e.g. `drive_and_docs.external_sharing`. */
  settingType: z.string().regex(/^[a-z0-9_]+\.[a-z0-9_]+$/),
  value: z.record(z.string(), z.unknown()),
  /** ADMIN: set by an administrator; SYSTEM: Google's default, reported as a policy. */
  type: z.enum(['ADMIN', 'SYSTEM']).default('ADMIN'),
  /**
   * Google's decimal sort order; by default the simulator derives one as Google orders policies:
   * deeper org units after their parents, group policies after org unit policies.
   */
  sortOrder: z.number().optional(),
});
export type GooglePolicy = z.output<typeof googlePolicySchema>;

export const googleUserTokenSchema = z.looseObject({
  clientId: z.string().min(1),
  displayText: z.string().default(''),
  scopes: z.array(z.string().min(1)).default([]),
  anonymous: z.boolean().default(false),
  nativeApp: z.boolean().default(false),
});
export type GoogleUserToken = z.output<typeof googleUserTokenSchema>;

export const googleUserSchema = z.looseObject({
  id: z.string().min(1),
  primaryEmail: z.string().min(3),
  orgUnitPath: z.string().default('/'),
  suspended: z.boolean().default(false),
  isAdmin: z.boolean().default(false),
  tokens: z.array(googleUserTokenSchema).default([]),
});
export type GoogleUser = z.output<typeof googleUserSchema>;

export const googleRateLimitSettingsSchema = z.strictObject({
  enabled: z.boolean().default(false),
  /** API requests per window across all operations of the tenant (the token endpoint is exempt). */
  limit: z.number().int().positive().default(2400),
  windowMs: z.number().int().positive().default(60_000),
  /** How an over-limit request is answered: 429 RESOURCE_EXHAUSTED or 403 userRateLimitExceeded. */
  answer: z.enum(['429', '403']).default('429'),
  /** Retry-After seconds sent with the answer; none when absent. */
  retryAfterSeconds: z.number().int().nonnegative().optional(),
});
export type GoogleRateLimitSettings = z.output<typeof googleRateLimitSettingsSchema>;

export const googleTenantSpecSchema = z.strictObject({
  customerId: z.string().regex(/^C[0-9a-z]{4,}$/, 'a customer id looks like C01abc234'),
  domain: z.string().min(1),
  /** Id of the top-level org unit: where customer-wide policies live. */
  rootOrgUnitId: z.string().min(1),
  /** Admins a service account may impersonate (the JWT's `sub`). */
  adminEmails: z.array(z.string().min(3)).min(1),
  /**
   * Scopes the tenant's domain-wide delegation grants the service account (full scope URLs).
   * Absent: every scope the connector asks for. Google refuses the whole token request
   * (`unauthorized_client`) when any requested scope is not among them.
   */
  delegatedScopes: z.array(z.string().min(1)).optional(),
  serviceAccount: z.strictObject({
    clientEmail: z.string().min(3),
    privateKeyId: z.string().min(1),
    /** SPKI PEM the token endpoint verifies assertions with. */
    publicKeyPem: z.string().includes('BEGIN PUBLIC KEY'),
  }),
  /**
   * Org units below the root (the root is `rootOrgUnitId`, path `/`). An org unit a policy names
   * but this list does not is taken as a child of the root.
   */
  orgUnits: z
    .array(z.strictObject({ id: z.string().min(1), path: z.string().startsWith('/'), parentId: z.string().min(1).optional() }))
    .default([]),
  policies: z.array(googlePolicySchema).default([]),
  users: z.array(googleUserSchema).default([]),
  /** Caps every page below the API's own maximum, so tests page with few items. */
  maxPageSize: z.number().int().positive().optional(),
  /** Lifetime of issued access tokens. */
  tokenTtlSeconds: z.number().int().positive().max(3600).default(3600),
  rateLimits: googleRateLimitSettingsSchema.default({ enabled: false, limit: 2400, windowMs: 60_000, answer: '429' }),
});
export type GoogleTenantSpec = z.input<typeof googleTenantSpecSchema>;
export type GoogleTenantData = z.output<typeof googleTenantSpecSchema>;

export const googleDataRegionPatchSchema = z
  .strictObject({
    orgUnitId: z.string().min(1).optional(),
    region: z.enum(['REGION_UNSPECIFIED', 'ANY_REGION', 'US', 'EUROPE']).optional(),
    limitToStorageRegion: z.boolean().optional(),
  })
  .refine((p) => p.region !== undefined || p.limitToStorageRegion !== undefined, {
    message: 'give region, limitToStorageRegion or both',
  });
