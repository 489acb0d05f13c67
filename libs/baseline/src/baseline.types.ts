import type { JsonValue, OAuthGrant, PostureArea, ProviderId } from '@tollgate/connector-sdk';

export type { JsonValue } from '@tollgate/connector-sdk';

export const PROVIDERS = ['slack', 'microsoft365', 'google-workspace'] as const satisfies readonly ProviderId[];
export type Provider = (typeof PROVIDERS)[number];

export const AREAS = ['sharing', 'oauth', 'residency'] as const satisfies readonly PostureArea[];
export type Area = (typeof AREAS)[number];

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const SETTING_OPERATORS = [
  'equals',
  'notEquals',
  'in',
  'notIn',
  'lte',
  'gte',
  'subsetOf',
  'isEmpty',
  'isTrue',
  'isFalse',
] as const;
export type SettingOperator = (typeof SETTING_OPERATORS)[number];

export type GrantType = OAuthGrant['grantType'];
export const GRANT_TYPES = [
  'approved',
  'restricted',
  'installed',
  'requested',
  'delegated',
  'application',
  'user',
] as const satisfies readonly GrantType[];

/**
 * An admin has blocked a `restricted` app and a `requested` one is only asking, so neither holds
 * access; an OAuth rule looks at the others unless it says otherwise.
 */
export const DEFAULT_GRANT_TYPES: readonly GrantType[] = GRANT_TYPES.filter(
  (t) => t !== 'restricted' && t !== 'requested',
);

/** A value taken from the baseline's parameters, so a connection can override it. */
export interface ParamRef {
  param: string;
}

export interface SettingCheck {
  type: 'setting';
  /** Catalog key of the normalized setting, e.g. `slack.workspace.discoverability`. */
  key: string;
  op: SettingOperator;
  value?: JsonValue | ParamRef;
}

export interface OAuthCheck {
  type: 'oauth';
  /** Scope names or `*` wildcard patterns, matched case-insensitively against the whole scope. */
  forbiddenScopes?: string[] | ParamRef;
  /** Also forbid every scope the provider itself flags as sensitive. */
  forbidSensitiveScopes?: boolean;
  /** App ids exempt from the rule (reviewed and approved by the security team). */
  allowedApps?: string[] | ParamRef;
  /** Grants the rule looks at; {@link DEFAULT_GRANT_TYPES} when absent. */
  grantTypes?: GrantType[];
}

export interface ResidencyCheck {
  type: 'residency';
  allowedRegions: string[] | ParamRef;
}

/**
 * For what no provider API shows: the control passes only while an approver's attestation for it is
 * recorded and unexpired (POST /attestations); otherwise it is `unknown`, never `pass` by default.
 */
export interface AttestationCheck {
  type: 'attestation';
  /** What the approver has to attest, shown to them; the recorded statement is their own words. */
  statement?: string;
}

export type Check = SettingCheck | OAuthCheck | ResidencyCheck | AttestationCheck;
export type CheckType = Check['type'];

export interface Control {
  id: string;
  title: string;
  area: Area;
  severity: Severity;
  references: string[];
  rationale: string;
  remediation: string;
  check: Check;
}

export interface BaselineParameter {
  description: string;
  default: JsonValue;
}

export interface Baseline {
  id: string;
  version: number;
  provider: Provider;
  title: string;
  description?: string;
  parameters: Record<string, BaselineParameter>;
  controls: Control[];
  /** The file it was loaded from. */
  source: string;
  /** sha256 hex of the RFC 8785 canonical JSON of the parsed content, without `source` and `hash`. */
  hash: string;
}

export type FindingStatus = 'pass' | 'fail' | 'unknown';

/** A connection's current attestation of one control, as the evaluator is given it. */
export interface Attestation {
  id: string;
  statement: string;
  evidenceRef: string;
  /** The principal id of the approver who attested. */
  attestedBy: string;
  /** ISO-8601; at or after this instant the attestation no longer counts. */
  expiresAt: string;
}

/** What the evaluator needs besides the document: kept as input so that it stays pure. */
export interface EvaluationContext {
  /** The connection's latest unrevoked attestation per control id (expired ones included, to say so). */
  attestations?: Readonly<Record<string, Attestation>>;
  /** The instant attestation expiry is judged against. */
  now: Date;
}

/** On a finding an attestation decided: who attested, until when. */
export interface FindingAttestation {
  id: string;
  attestedBy: string;
  expiresAt: string;
}

export interface Finding {
  controlId: string;
  title: string;
  area: Area;
  severity: Severity;
  references: string[];
  resourceKey: string;
  status: FindingStatus;
  expected: JsonValue;
  observed: JsonValue;
  message: string;
  /** Present when the finding passes on an attestation rather than on what the API showed. */
  attestation?: FindingAttestation;
}
