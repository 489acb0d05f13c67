import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';

export const ATTESTATION_STATES = ['active', 'revoked', 'expired'] as const;
export type AttestationState = (typeof ATTESTATION_STATES)[number];

@ApiSchema({ description: 'An approver attests a control no provider API shows, until a date. Unknown fields are rejected.' })
export class CreateAttestationDto {
  @ApiProperty({ description: 'The connection the attestation is for.', format: 'uuid' })
  @IsUUID('4')
  connectionId: string;

  @ApiProperty({
    description: "An attestation control (`check.type: attestation`) of the connection's baseline.",
    pattern: '^[A-Z0-9][A-Z0-9._-]{0,99}$',
    example: 'M365.TEAMS.ATTEST.1',
  })
  @IsString() @Matches(/^[A-Z0-9][A-Z0-9._-]{0,99}$/, { message: 'controlId must be a control id such as M365.TEAMS.ATTEST.1' })
  controlId: string;

  @ApiProperty({ description: 'What the approver attests, in their words.', minLength: 10, maxLength: 4000, example: 'Checked in the Teams admin center: anonymous users cannot join meetings.' })
  @IsString() @MinLength(10, { message: 'statement must say what is attested, in at least 10 characters' }) @MaxLength(4000)
  statement: string;

  @ApiProperty({ description: 'Where the evidence is: a ticket, a document, a screenshot archive.', minLength: 1, maxLength: 500, example: 'SEC-1234' })
  @IsString() @MinLength(1) @MaxLength(500)
  evidenceRef: string;

  @ApiProperty({ description: 'When the attestation stops counting: in the future and at most one year ahead.', format: 'date-time', example: '2030-01-31T00:00:00Z' })
  @IsISO8601({ strict: true }, { message: 'expiresAt must be an ISO-8601 date-time' })
  expiresAt: string;
}

@ApiSchema({ description: 'Why an attestation is revoked, recorded with it. Unknown fields are rejected.' })
export class RevokeAttestationDto {
  @ApiProperty({ description: 'Why: recorded with the attestation and in the evidence ledger.', minLength: 3, maxLength: 2000, example: 'The setting was changed back.' })
  @IsString() @MinLength(3) @MaxLength(2000)
  reason: string;
}

export class ListAttestationsQuery {
  @ApiPropertyOptional({ description: 'Only attestations of this connection.', format: 'uuid' })
  @IsOptional() @IsUUID('4')
  connectionId?: string;

  @ApiPropertyOptional({ description: 'Only attestations of this control.', pattern: '^[A-Z0-9][A-Z0-9._-]{0,99}$' })
  @IsOptional() @IsString() @Matches(/^[A-Z0-9][A-Z0-9._-]{0,99}$/, { message: 'controlId must be a control id such as M365.TEAMS.ATTEST.1' })
  controlId?: string;

  @ApiPropertyOptional({ description: '`true`: only attestations that count now (not revoked, not expired); `false`: only ended ones.', enum: ['true', 'false'] })
  @IsOptional() @IsIn(['true', 'false'], { message: 'active must be true or false' })
  active?: 'true' | 'false';

  @ApiPropertyOptional({ description: 'The `nextCursor` of the previous page.', maxLength: 200 })
  @IsOptional() @IsString() @MaxLength(200)
  cursor?: string;

  @ApiPropertyOptional({ description: 'Page size.', type: 'integer', minimum: 1, maximum: 500, default: 50 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500)
  limit?: number;
}
