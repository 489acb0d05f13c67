import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';

export const EXCEPTION_STATES = ['requested', 'approved', 'rejected', 'revoked', 'expired'] as const;
export type ExceptionState = (typeof EXCEPTION_STATES)[number];

@ApiSchema({ description: 'A request to accept the risk of one control (on one resource or all) until a date. Unknown fields are rejected.' })
export class CreateExceptionDto {
  @ApiProperty({ description: 'The connection the exception is for.', format: 'uuid' })
  @IsUUID('4')
  connectionId: string;

  @ApiProperty({
    description: "A control of the connection's baseline.",
    pattern: '^[A-Z0-9][A-Z0-9._-]{0,99}$',
    example: 'SLACK.SHARING.1',
  })
  @IsString() @Matches(/^[A-Z0-9][A-Z0-9._-]{0,99}$/, { message: 'controlId must be a control id such as SLACK.SHARING.1' })
  controlId: string;

  /** One resource (an app, a site, an org unit, e.g. `app:A0123`); absent: every resource of the control. */
  @ApiPropertyOptional({
    description: 'One resource (an app, a site, an org unit); absent: every resource of the control.',
    minLength: 1,
    maxLength: 300,
    example: 'app:A0123',
  })
  @IsOptional() @IsString() @MinLength(1) @MaxLength(300)
  resourceKey?: string;

  @ApiProperty({ description: 'Why the risk is accepted.', minLength: 10, maxLength: 4000, example: 'Vendor integration needed until the Q3 migration.' })
  @IsString() @MinLength(10, { message: 'justification must say why, in at least 10 characters' }) @MaxLength(4000)
  justification: string;

  /** When the exception ends; at most TOLLGATE_EXCEPTION_MAX_DAYS ahead. */
  @ApiProperty({ description: 'When the exception ends: in the future and at most TOLLGATE_EXCEPTION_MAX_DAYS ahead.', format: 'date-time', example: '2030-01-31T00:00:00Z' })
  @IsISO8601({ strict: true }, { message: 'expiresAt must be an ISO-8601 date-time' })
  expiresAt: string;

  /** A ticket in another system (Jira, ServiceNow). */
  @ApiPropertyOptional({ description: 'A ticket in another system (Jira, ServiceNow).', maxLength: 200, example: 'SEC-1234' })
  @IsOptional() @IsString() @MaxLength(200)
  externalRef?: string;
}

@ApiSchema({ description: 'The reason for a decision, recorded with it. Unknown fields are rejected.' })
export class DecisionDto {
  @ApiProperty({ description: 'Why: recorded in the exception history and the evidence ledger.', minLength: 3, maxLength: 2000, example: 'Reviewed with the app owner.' })
  @IsString() @MinLength(3) @MaxLength(2000)
  reason: string;
}

export class ListExceptionsQuery {
  @ApiPropertyOptional({ description: 'Only exceptions in this state.', enum: EXCEPTION_STATES })
  @IsOptional() @IsIn(EXCEPTION_STATES)
  state?: ExceptionState;

  @ApiPropertyOptional({ description: 'Only exceptions of this connection.', format: 'uuid' })
  @IsOptional() @IsUUID('4')
  connectionId?: string;

  @ApiPropertyOptional({ description: 'The `nextCursor` of the previous page.', maxLength: 200 })
  @IsOptional() @IsString() @MaxLength(200)
  cursor?: string;

  @ApiPropertyOptional({ description: 'Page size.', type: 'integer', minimum: 1, maximum: 500, default: 50 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500)
  limit?: number;
}
