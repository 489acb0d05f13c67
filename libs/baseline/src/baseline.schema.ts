import { z } from 'zod';
import {
  AREAS,
  GRANT_TYPES,
  PROVIDERS,
  SETTING_OPERATORS,
  SEVERITIES,
  type Baseline,
  type Check,
  type Control,
} from './baseline.types';

// Ids end up in URLs, drift rows and auditor reports, so keep them plain.
export const BASELINE_ID_PATTERN = /^[a-z0-9][a-z0-9._-]*$/;
export const CONTROL_ID_PATTERN = /^[A-Z0-9][A-Z0-9._-]*$/;
export const PARAMETER_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_]*$/;
const SETTING_KEY_PATTERN = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)+$/;

const text = z.string().regex(/\S/, { error: 'must not be empty' });

export const ParamRefSchema = z.strictObject({
  param: z.string().regex(PARAMETER_NAME_PATTERN, { error: `must match ${PARAMETER_NAME_PATTERN.source}` }),
});

const stringListOrParam = z.union([z.array(text), ParamRefSchema]);

export const SettingCheckSchema = z.strictObject({
  type: z.literal('setting'),
  key: z.string().regex(SETTING_KEY_PATTERN, {
    error: 'must be a dotted catalog key such as slack.workspace.discoverability',
  }),
  op: z.enum(SETTING_OPERATORS),
  // A literal JSON value or a {param} reference; told apart (and checked against the operator)
  // after parsing, because an object literal and a mistyped reference look alike to a union.
  value: z.json().optional(),
});

export const OAuthCheckSchema = z.strictObject({
  type: z.literal('oauth'),
  forbiddenScopes: stringListOrParam.optional(),
  forbidSensitiveScopes: z.boolean().optional(),
  allowedApps: stringListOrParam.optional(),
  grantTypes: z.array(z.enum(GRANT_TYPES)).min(1, { error: 'must not be empty' }).optional(),
});

export const ResidencyCheckSchema = z.strictObject({
  type: z.literal('residency'),
  allowedRegions: stringListOrParam,
});

export const AttestationCheckSchema = z.strictObject({
  type: z.literal('attestation'),
  statement: text.optional(),
});

export const CheckSchema = z.discriminatedUnion('type', [
  SettingCheckSchema,
  OAuthCheckSchema,
  ResidencyCheckSchema,
  AttestationCheckSchema,
]);

export const ControlSchema = z.strictObject({
  id: z.string().regex(CONTROL_ID_PATTERN, { error: `must match ${CONTROL_ID_PATTERN.source}` }),
  title: text,
  area: z.enum(AREAS),
  severity: z.enum(SEVERITIES),
  references: z.array(text).min(1, { error: 'needs at least one reference (a benchmark id or an internal policy)' }),
  rationale: text,
  remediation: text,
  check: CheckSchema,
});

export const ParameterSchema = z.strictObject({
  description: text,
  default: z.json(),
});

export const BaselineFileSchema = z.strictObject({
  id: z.string().regex(BASELINE_ID_PATTERN, { error: `must match ${BASELINE_ID_PATTERN.source}` }),
  version: z.number().int().positive({ error: 'must be a positive whole number' }),
  provider: z.enum(PROVIDERS),
  title: text,
  description: text.optional(),
  parameters: z
    .record(
      z.string().regex(PARAMETER_NAME_PATTERN, { error: `must match ${PARAMETER_NAME_PATTERN.source}` }),
      ParameterSchema,
    )
    .default({}),
  controls: z.array(ControlSchema).min(1, { error: 'a baseline needs at least one control' }),
});

export type BaselineFile = z.output<typeof BaselineFileSchema>;

/** Fields each strict object accepts, to suggest the nearest one when a field is misspelled. */
export const KNOWN_FIELDS = {
  baseline: BaselineFileSchema.keyof().options as readonly string[],
  parameter: ParameterSchema.keyof().options as readonly string[],
  control: ControlSchema.keyof().options as readonly string[],
  paramRef: ParamRefSchema.keyof().options as readonly string[],
  check: {
    setting: SettingCheckSchema.keyof().options as readonly string[],
    oauth: OAuthCheckSchema.keyof().options as readonly string[],
    residency: ResidencyCheckSchema.keyof().options as readonly string[],
    attestation: AttestationCheckSchema.keyof().options as readonly string[],
  } satisfies Record<Check['type'], readonly string[]>,
};

// The hand-written types are the public contract; fail the build if the schema drifts from them.
type Assert<T extends true> = T;
type Extends<A, B> = [A] extends [B] ? true : false;
export type SchemaMatchesTypes = [
  Assert<Extends<BaselineFile, Omit<Baseline, 'source' | 'hash'>>>,
  Assert<Extends<z.output<typeof ControlSchema>, Control>>,
];
