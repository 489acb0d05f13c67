import { ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiSchema, getSchemaPath, OmitType } from '@nestjs/swagger';
import { AREAS, GRANT_TYPES, PROVIDERS, SETTING_OPERATORS, SEVERITIES } from '@tollgate/baseline';
import { ANY_JSON } from '../common/api-docs';
import { ErrorResponse } from '../common/api-errors';

// Shapes of baselines as the controller serves them (the loaded Baseline without `source`), for the OpenAPI document only.

export class BaselineSummary {
  @ApiProperty({ description: 'Baseline id.', example: 'slack-locked-down' })
  id: string;

  @ApiProperty({ description: 'Version of the baseline file.', type: 'integer', example: 1 })
  version: number;

  @ApiProperty({ description: 'The provider it is for.', enum: PROVIDERS })
  provider: string;

  @ApiProperty({ description: 'Title.' })
  title: string;

  @ApiProperty({ description: 'sha256 hex of the canonical content: changes whenever the baseline does.' })
  hash: string;

  @ApiProperty({ description: 'Number of controls.', type: 'integer', minimum: 0 })
  controls: number;
}

export class BaselineList {
  @ApiProperty({ description: 'Baselines in force: the shipped presets and those of TOLLGATE_BASELINES_DIR.', type: [BaselineSummary] })
  items: BaselineSummary[];
}

export class BaselinesReloaded {
  @ApiProperty({ description: 'Always true: a refused reload answers 422.', enum: [true] })
  reloaded: true;

  @ApiProperty({ description: 'The baselines now in force on this replica.', type: [BaselineSummary] })
  items: BaselineSummary[];
}

@ApiSchema({ description: 'The baseline is valid.' })
export class BaselineValidation extends BaselineSummary {
  @ApiProperty({ description: 'Always true: an invalid baseline answers 422.', enum: [true] })
  valid: true;
}

@ApiSchema({ description: 'Where and why a baseline file is invalid.' })
export class BaselineErrorResponse extends ErrorResponse {
  @ApiProperty({ description: 'The file name given (or `baseline.yaml`).', example: 'baseline.yaml' })
  file: string;

  @ApiProperty({ description: 'Line of the problem, from 1.', type: 'integer', example: 12 })
  line: number;

  @ApiProperty({ description: 'Column of the problem, from 1.', type: 'integer', example: 5 })
  column: number;

  @ApiProperty({ description: 'What is wrong there.' })
  reason: string;
}

/**
 * A refused reload: where and why when a file is invalid, the plain error otherwise. One schema with
 * optional location fields, not a `oneOf` of two overlapping ones (every located error is also a
 * plain one, so no answer could match exactly one branch).
 */
@ApiSchema({ description: 'Why a reload was refused; `file`, `line`, `column` and `reason` when a baseline file is invalid.' })
export class BaselineReloadErrorResponse extends ErrorResponse {
  @ApiPropertyOptional({ description: 'The invalid file.', example: 'acme-slack.yaml' })
  file?: string;

  @ApiPropertyOptional({ description: 'Line of the problem, from 1.', type: 'integer', example: 12 })
  line?: number;

  @ApiPropertyOptional({ description: 'Column of the problem, from 1.', type: 'integer', example: 5 })
  column?: number;

  @ApiPropertyOptional({ description: 'What is wrong there.' })
  reason?: string;
}

export class ParamRef {
  @ApiProperty({ description: 'Name of a baseline parameter the value is taken from.', example: 'allowedDomains' })
  param: string;
}

const valueOrParam = (items: boolean) => ({
  oneOf: [items ? { type: 'array', items: { type: 'string' } } : ANY_JSON, { $ref: getSchemaPath(ParamRef) }],
});

export class SettingCheckView {
  @ApiProperty({ description: 'Check type.', enum: ['setting'] })
  type: 'setting';

  @ApiProperty({ description: 'Catalog key of the normalized setting.', example: 'slack.workspace.discoverability' })
  key: string;

  @ApiProperty({ description: 'Comparison.', enum: SETTING_OPERATORS })
  op: string;

  @ApiPropertyOptional({ ...valueOrParam(false), description: 'Value compared against, or a parameter reference.' })
  value?: unknown;
}

export class OAuthCheckView {
  @ApiProperty({ description: 'Check type.', enum: ['oauth'] })
  type: 'oauth';

  @ApiPropertyOptional({ ...valueOrParam(true), description: 'Forbidden scope names or `*` patterns, or a parameter reference.' })
  forbiddenScopes?: unknown;

  @ApiPropertyOptional({ description: 'Also forbid every scope the provider flags as sensitive.' })
  forbidSensitiveScopes?: boolean;

  @ApiPropertyOptional({ ...valueOrParam(true), description: 'App ids exempt from the rule, or a parameter reference.' })
  allowedApps?: unknown;

  @ApiPropertyOptional({ description: 'Grant types the rule looks at; absent: all but `restricted` and `requested`.', enum: GRANT_TYPES, isArray: true })
  grantTypes?: string[];
}

export class ResidencyCheckView {
  @ApiProperty({ description: 'Check type.', enum: ['residency'] })
  type: 'residency';

  @ApiProperty({ ...valueOrParam(true), description: 'Allowed region codes, or a parameter reference.' })
  allowedRegions: unknown;
}

@ApiExtraModels(SettingCheckView, OAuthCheckView, ResidencyCheckView, ParamRef)
export class ControlView {
  @ApiProperty({ description: 'Control id.', example: 'SLACK.SHARING.1' })
  id: string;

  @ApiProperty({ description: 'Title.' })
  title: string;

  @ApiProperty({ description: 'Posture area.', enum: AREAS })
  area: string;

  @ApiProperty({ description: 'Severity.', enum: SEVERITIES })
  severity: string;

  @ApiProperty({ description: 'Benchmark references (CIS ...).', type: [String] })
  references: string[];

  @ApiProperty({ description: 'Why the control matters.' })
  rationale: string;

  @ApiProperty({ description: 'How to fix a failure.' })
  remediation: string;

  @ApiProperty({
    description: 'The declarative check, by `type`.',
    oneOf: [{ $ref: getSchemaPath(SettingCheckView) }, { $ref: getSchemaPath(OAuthCheckView) }, { $ref: getSchemaPath(ResidencyCheckView) }],
    discriminator: {
      propertyName: 'type',
      mapping: { setting: getSchemaPath(SettingCheckView), oauth: getSchemaPath(OAuthCheckView), residency: getSchemaPath(ResidencyCheckView) },
    },
  })
  check: SettingCheckView | OAuthCheckView | ResidencyCheckView;
}

export class BaselineParameterView {
  @ApiProperty({ description: 'What the parameter is for.' })
  description: string;

  @ApiProperty({ ...ANY_JSON, description: 'Value unless a connection overrides it.' })
  default: unknown;
}

@ApiSchema({ description: 'A baseline: its parameters and controls.' })
@ApiExtraModels(BaselineParameterView)
export class BaselineView extends OmitType(BaselineSummary, ['controls'] as const) {
  @ApiPropertyOptional({ description: 'Longer description, when the file has one.' })
  description?: string;

  @ApiProperty({
    description: 'Parameters connections may override, by name.',
    type: 'object',
    additionalProperties: { $ref: getSchemaPath(BaselineParameterView) },
  })
  parameters: Record<string, BaselineParameterView>;

  @ApiProperty({ description: 'Controls, in file order.', type: [ControlView] })
  controls: ControlView[];
}
