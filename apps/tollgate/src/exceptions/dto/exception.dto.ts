import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';

export const EXCEPTION_STATES = ['requested', 'approved', 'rejected', 'revoked', 'expired'] as const;
export type ExceptionState = (typeof EXCEPTION_STATES)[number];

export class CreateExceptionDto {
  @IsUUID('4')
  connectionId: string;

  @IsString() @Matches(/^[A-Z0-9][A-Z0-9._-]{0,99}$/, { message: 'controlId must be a control id such as SLACK.SHARING.1' })
  controlId: string;

  /** One resource (an app, a site, an org unit, e.g. `app:A0123`); absent: every resource of the control. */
  @IsOptional() @IsString() @MinLength(1) @MaxLength(300)
  resourceKey?: string;

  @IsString() @MinLength(10, { message: 'justification must say why, in at least 10 characters' }) @MaxLength(4000)
  justification: string;

  /** When the exception ends; at most TOLLGATE_EXCEPTION_MAX_DAYS ahead. */
  @IsISO8601({ strict: true }, { message: 'expiresAt must be an ISO-8601 date-time' })
  expiresAt: string;

  /** A ticket in another system (Jira, ServiceNow). */
  @IsOptional() @IsString() @MaxLength(200)
  externalRef?: string;
}

export class DecisionDto {
  @IsString() @MinLength(3) @MaxLength(2000)
  reason: string;
}

export class ListExceptionsQuery {
  @IsOptional() @IsIn(EXCEPTION_STATES)
  state?: ExceptionState;

  @IsOptional() @IsUUID('4')
  connectionId?: string;

  @IsOptional() @IsString() @MaxLength(200)
  cursor?: string;

  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500)
  limit?: number;
}
