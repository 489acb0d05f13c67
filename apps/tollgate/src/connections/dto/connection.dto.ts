import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { PROVIDERS, type Provider } from '@tollgate/baseline';

/** Fields a connection shares between create and update. */
class ConnectionFieldsDto {
  @ApiPropertyOptional({
    description: "Baseline to evaluate against; it must be for the connection's provider. Absent on create: the provider's default preset.",
    example: 'slack-locked-down',
    pattern: '^[a-z0-9][a-z0-9._-]{0,99}$',
  })
  @IsOptional() @IsString() @Matches(/^[a-z0-9][a-z0-9._-]{0,99}$/, { message: 'baselineId must be a baseline id such as slack-locked-down' })
  baselineId?: string;

  @ApiPropertyOptional({
    description: 'Seconds between polls; at least TOLLGATE_MIN_POLL_INTERVAL_SECONDS.',
    type: 'integer',
    minimum: 1,
    maximum: 86_400,
    default: 900,
    example: 900,
  })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(86_400)
  pollIntervalSeconds?: number;

  /** Provider endpoints to override (simulators, egress proxies); see TOLLGATE_ALLOWED_ENDPOINT_HOSTS. */
  @ApiPropertyOptional({
    description:
      'Provider endpoints to override, by name (Slack `api`; Microsoft 365 `graph`, `login`; Google `admin`, `cloudidentity`, `token`). ' +
      'Hosts other than the official https ones must be listed in TOLLGATE_ALLOWED_ENDPOINT_HOSTS. ' +
      'Credentials are sealed with the endpoints: changing an endpoint requires `credentials` in the same request.',
    type: 'object',
    additionalProperties: { type: 'string', format: 'uri' },
    example: { api: 'https://slack.com/api' },
  })
  @IsOptional() @IsObject()
  endpoints?: Record<string, string>;

  /** Region the operator declares for providers whose API does not expose residency (Slack). */
  @ApiPropertyOptional({
    description: 'Region the operator declares for providers whose API does not expose residency (Slack).',
    example: 'EU',
    pattern: '^[A-Za-z][A-Za-z0-9_-]{1,31}$',
  })
  @IsOptional() @IsString() @Matches(/^[A-Za-z][A-Za-z0-9_-]{1,31}$/, { message: 'declaredResidency must be a region code such as EU or US' })
  declaredResidency?: string;

  /** Overrides of the baseline's parameters (allowed domains, regions, approved apps ...). */
  @ApiPropertyOptional({
    description: "Overrides of the baseline's parameters by name; each must be a parameter the baseline declares.",
    type: 'object',
    additionalProperties: true,
    example: { allowedDomains: ['example.com'] },
  })
  @IsOptional() @IsObject()
  parameters?: Record<string, unknown>;

  /** Google Workspace: hours between full OAuth reconciliations (incremental from the Reports API between them). */
  @ApiPropertyOptional({
    description: 'Google Workspace: hours between full OAuth reconciliations; incremental from the Reports API between them.',
    type: 'integer',
    minimum: 1,
    maximum: 168,
    example: 24,
  })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(168)
  fullReconcileHours?: number;
}

@ApiSchema({ description: 'A new connection to a SaaS tenant. Unknown fields are rejected.' })
export class CreateConnectionDto extends ConnectionFieldsDto {
  @ApiProperty({ description: 'The SaaS provider.', enum: PROVIDERS, example: 'slack' })
  @IsIn(PROVIDERS)
  provider: Provider;

  @ApiProperty({ description: 'A unique name for the connection.', minLength: 1, maxLength: 200, example: 'Acme Slack' })
  @IsString() @MinLength(1) @MaxLength(200)
  name: string;

  /** Write-only: never returned, logged or exported. */
  @ApiProperty({
    description:
      'Write-only, never returned, logged or exported. Slack `{token}`; Microsoft 365 `{tenantId, clientId, clientSecret}`; ' +
      'Google Workspace `{serviceAccountKey, adminEmail}`.',
    type: 'object',
    additionalProperties: true,
    example: { token: 'xoxp-…' },
  })
  @IsObject()
  credentials: Record<string, unknown>;

  /** Microsoft 365 cloud (global, usgov, usgovdod, china); Slack `gov` selects GovSlack. */
  @ApiPropertyOptional({
    description: 'Microsoft 365 cloud (`global`, `usgov`, `usgovdod`, `china`); for Slack, `gov` selects GovSlack.',
    pattern: '^[a-z]{1,20}$',
    example: 'global',
  })
  @IsOptional() @IsString() @Matches(/^[a-z]{1,20}$/)
  cloud?: string;
}

@ApiSchema({ description: 'Changes to a connection; absent fields keep their value. Unknown fields are rejected.' })
export class UpdateConnectionDto extends ConnectionFieldsDto {
  @ApiPropertyOptional({ description: 'A new unique name.', minLength: 1, maxLength: 200, example: 'Acme Slack (EU)' })
  @IsOptional() @IsString() @MinLength(1) @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({
    description: 'New credentials, replacing the stored ones; write-only, same shape as on create.',
    type: 'object',
    additionalProperties: true,
  })
  @IsOptional() @IsObject()
  credentials?: Record<string, unknown>;

  @ApiPropertyOptional({ description: 'false pauses polling; drift history stays.', example: true })
  @IsOptional() @IsBoolean()
  enabled?: boolean;
}
