/**
 * The normalized, provider-agnostic view of one tenant at one moment. Connectors produce it;
 * the evaluator and the drift recorder consume it and know nothing of any provider.
 *
 * A setting the provider's API does not expose is simply absent: the evaluator turns an absent
 * setting into `unknown`, never into `pass`.
 */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export type PostureArea = 'sharing' | 'oauth' | 'residency';

export interface SettingObservation {
  /** Catalog key, `<provider>.<group>.<name>`, e.g. `slack.workspace.discoverability`. */
  key: string;
  /**
   * What the setting applies to: `tenant` for tenant-wide settings, otherwise a stable key such as
   * `team:T0123`, `channel:C0456`, `orgUnit:/Sales`. Drift episodes are tracked per resource.
   */
  resourceKey: string;
  value: JsonValue;
  /** `observed` from the API, or `default` when the provider documents a default for an absent value. */
  source: 'observed' | 'default';
}

export interface OAuthGrant {
  /** Provider's id of the app / OAuth client. */
  appId: string;
  appName: string;
  /** Granted scopes, each one scope name as the provider spells it. */
  scopes: string[];
  /**
   * How the app holds access: `approved` / `restricted` by an admin (Slack app management),
   * `installed` (seen in the integration log), `delegated` / `application` (Graph), `user` (Google tokens).
   */
  grantType: 'approved' | 'restricted' | 'installed' | 'requested' | 'delegated' | 'application' | 'user';
  /** Who granted it, when the provider says: a user id, `AllPrincipals`, ... */
  principal?: string;
  /** Scopes the provider itself flags as sensitive, when it does. */
  sensitiveScopes?: string[];
}

/**
 * The region of data that no policy pins to a region (Google `ANY_REGION`, or no data region policy
 * at all): the provider may store it wherever it likes. A residency control always fails it.
 */
export const NO_REGION = 'ANY';

export interface ResidencyObservation {
  /** `tenant`, or a narrower resource such as `site:...`, `user-distribution:EUR`. */
  resourceKey: string;
  /** Region code as the provider reports it, upper case: `EU`, `US`, `EUROPE`, `NAM`, ...; NO_REGION when unpinned. */
  region: string;
  /** `declared` when the API cannot show residency and the operator told us (Slack). */
  source: 'observed' | 'declared';
}

export interface PostureDocument {
  provider: string;
  tenant: { id: string; name?: string; domain?: string };
  settings: SettingObservation[];
  oauthGrants: OAuthGrant[];
  residency: ResidencyObservation[];
  /** Things the connector could not read (missing scope, plan without the API): reported, never fatal. */
  gaps: PostureGap[];
}

/**
 * What a connector could not read. The evaluator uses it to explain `unknown` and to refuse a pass
 * it cannot back: a gap in `oauth` keeps an OAuth rule with no failing app from passing.
 */
export interface PostureGap {
  area: PostureArea;
  /** For `sharing`: the setting key, or a dotted prefix naming a group of keys; otherwise the API read. */
  what: string;
  reason: string;
}

/**
 * Code-unit order, the same on every host whatever its locale: normalizers sort with it so that a
 * document, and so its content hash, does not depend on where it was built.
 */
export function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The distinct values in code-unit order. */
export function sortedUnique(values: Iterable<string>): string[] {
  return [...new Set(values)].sort(byCodeUnit);
}
