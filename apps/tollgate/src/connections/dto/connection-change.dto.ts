import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

export const CHANGE_STATUSES = ['applied', 'pending', 'approved', 'rejected', 'expired'] as const;
export type ChangeStatus = (typeof CHANGE_STATUSES)[number];

export class ListChangesQuery {
  @ApiPropertyOptional({ description: 'Only changes in this status.', enum: CHANGE_STATUSES })
  @IsOptional() @IsIn(CHANGE_STATUSES)
  status?: ChangeStatus;

  @ApiPropertyOptional({ description: 'The `nextCursor` of the previous page.', maxLength: 200 })
  @IsOptional() @IsString() @MaxLength(200)
  cursor?: string;

  @ApiPropertyOptional({ description: 'Page size.', type: 'integer', minimum: 1, maximum: 500, default: 50 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500)
  limit?: number;
}
