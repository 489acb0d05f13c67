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

export const PROVIDERS = ['slack', 'microsoft365', 'google-workspace'] as const;

/** Fields a connection shares between create and update. */
class ConnectionFieldsDto {
  @IsOptional() @IsString() @Matches(/^[a-z0-9][a-z0-9._-]{0,99}$/, { message: 'baselineId must be a baseline id such as slack-locked-down' })
  baselineId?: string;

  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(86_400)
  pollIntervalSeconds?: number;

  /** Provider endpoints to override (simulators, egress proxies); see TOLLGATE_ALLOW_CUSTOM_ENDPOINTS. */
  @IsOptional() @IsObject()
  endpoints?: Record<string, string>;

  /** Region the operator declares for providers whose API does not expose residency (Slack). */
  @IsOptional() @IsString() @Matches(/^[A-Za-z][A-Za-z0-9_-]{1,31}$/, { message: 'declaredResidency must be a region code such as EU or US' })
  declaredResidency?: string;

  /** Overrides of the baseline's parameters (allowed domains, regions, approved apps ...). */
  @IsOptional() @IsObject()
  parameters?: Record<string, unknown>;

  /** Google Workspace: hours between full OAuth reconciliations (incremental from the Reports API between them). */
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(168)
  fullReconcileHours?: number;
}

export class CreateConnectionDto extends ConnectionFieldsDto {
  @IsIn(PROVIDERS)
  provider: (typeof PROVIDERS)[number];

  @IsString() @MinLength(1) @MaxLength(200)
  name: string;

  /** Write-only: never returned, logged or exported. */
  @IsObject()
  credentials: Record<string, unknown>;

  /** Microsoft 365 cloud (global, usgov, usgovdod, china); Slack `gov` selects GovSlack. */
  @IsOptional() @IsString() @Matches(/^[a-z]{1,20}$/)
  cloud?: string;
}

export class UpdateConnectionDto extends ConnectionFieldsDto {
  @IsOptional() @IsString() @MinLength(1) @MaxLength(200)
  name?: string;

  @IsOptional() @IsObject()
  credentials?: Record<string, unknown>;

  @IsOptional() @IsBoolean()
  enabled?: boolean;
}
