import { BadRequestException, Controller, Get, NotFoundException, Param, Query, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';
import { READERS, RequireRoles, type AuthenticatedRequest } from '@tollgate/auth';
import { PROVIDERS, SEVERITIES } from '@tollgate/baseline';
import { DriftQuery, InvalidCursorError } from '@tollgate/drift';
import { uuidParam } from '../common/uuid.pipe';
import { ApiUuidParam } from '../common/api-docs';
import { ApiErrors } from '../common/api-errors';
import { DriftDetail, DriftPage } from './drifts.response';

export const MAX_PAGE_SIZE = 500;

export class ListDriftsQuery {
  @ApiPropertyOptional({ description: 'Only drifts in this status.', enum: ['open', 'resolved', 'excepted'] })
  @IsOptional() @IsIn(['open', 'resolved', 'excepted'])
  status?: string;

  @ApiPropertyOptional({ description: 'Only drifts of this connection.', format: 'uuid' })
  @IsOptional() @IsUUID('4')
  connectionId?: string;

  @ApiPropertyOptional({ description: 'Only drifts of this provider.', enum: PROVIDERS })
  @IsOptional() @IsIn(PROVIDERS)
  provider?: string;

  @ApiPropertyOptional({ description: 'Only drifts of this control.', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$', example: 'SLACK.SHARING.1' })
  @IsOptional() @IsString() @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, { message: 'controlId must be a control id such as SLACK.SHARING.1' })
  controlId?: string;

  @ApiPropertyOptional({ description: 'Only drifts of this severity.', enum: SEVERITIES })
  @IsOptional() @IsIn(SEVERITIES)
  severity?: string;

  @ApiPropertyOptional({ description: 'Only drifts opened at or after this time.', format: 'date-time', example: '2025-01-01T00:00:00Z' })
  @IsOptional() @IsISO8601({ strict: true }, { message: 'since must be an ISO-8601 date-time' })
  since?: string;

  @ApiPropertyOptional({ description: 'Only drifts opened before this time; after `since` when both are given.', format: 'date-time' })
  @IsOptional() @IsISO8601({ strict: true }, { message: 'until must be an ISO-8601 date-time' })
  until?: string;

  @ApiPropertyOptional({ description: 'The `nextCursor` of the previous page.', maxLength: 200 })
  @IsOptional() @IsString() @MaxLength(200)
  cursor?: string;

  @ApiPropertyOptional({ description: 'Page size.', type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: 50 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(MAX_PAGE_SIZE)
  limit?: number;
}

@ApiTags('drifts')
@Controller('drifts')
export class DriftsController {
  constructor(private readonly drifts: DriftQuery) {}

  @Get()
  @RequireRoles(...READERS)
  @ApiOperation({ summary: 'List drifts', description: 'Drift episodes matching the filters, newest first, one page at a time. Roles: every role.' })
  @ApiOkResponse({ description: 'One page of drifts.', type: DriftPage })
  @ApiErrors([400, 'A query value is invalid, `since` is not before `until`, or the cursor is not one this API returned.'], 401, 403, 429)
  async list(@Query() q: ListDriftsQuery, @Req() req: AuthenticatedRequest) {
    const since = q.since ? new Date(q.since) : undefined;
    const until = q.until ? new Date(q.until) : undefined;
    if (since && until && since >= until) throw new BadRequestException('since must be before until');
    try {
      return await this.drifts.list(
        { ...q, since, until, connectionIds: req.principal?.connectionIds },
        q.limit ?? 50,
        q.cursor,
      );
    } catch (err) {
      if (err instanceof InvalidCursorError) throw new BadRequestException(err.message);
      throw err;
    }
  }

  @Get(':id')
  @RequireRoles(...READERS)
  @ApiOperation({ summary: 'Get a drift', description: 'One drift episode with every event of it. Roles: every role.' })
  @ApiUuidParam('Drift id.')
  @ApiOkResponse({ description: 'The drift with its history.', type: DriftDetail })
  @ApiErrors([400, 'The id is not a UUID.'], 401, 403, 404, 429)
  async get(@Param('id', uuidParam()) id: string, @Req() req: AuthenticatedRequest) {
    const drift = await this.drifts.get(id, req.principal?.connectionIds);
    if (!drift) throw new NotFoundException(`drift ${id} does not exist`);
    return drift;
  }
}
