import { BadRequestException, Controller, Get, NotFoundException, Param, Query, Req } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';
import { READERS, RequireRoles, type AuthenticatedRequest } from '@tollgate/auth';
import { DriftQuery, InvalidCursorError } from '@tollgate/drift';
import { PROVIDERS } from '../connections/dto/connection.dto';
import { uuidParam } from '../common/uuid.pipe';

export const MAX_PAGE_SIZE = 500;

export class ListDriftsQuery {
  @IsOptional() @IsIn(['open', 'resolved', 'excepted'])
  status?: string;

  @IsOptional() @IsUUID('4')
  connectionId?: string;

  @IsOptional() @IsIn(PROVIDERS)
  provider?: string;

  @IsOptional() @IsString() @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, { message: 'controlId must be a control id such as SLACK.SHARING.1' })
  controlId?: string;

  @IsOptional() @IsIn(['critical', 'high', 'medium', 'low', 'info'])
  severity?: string;

  @IsOptional() @IsISO8601({ strict: true }, { message: 'since must be an ISO-8601 date-time' })
  since?: string;

  @IsOptional() @IsISO8601({ strict: true }, { message: 'until must be an ISO-8601 date-time' })
  until?: string;

  @IsOptional() @IsString() @MaxLength(200)
  cursor?: string;

  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(MAX_PAGE_SIZE)
  limit?: number;
}

@Controller('drifts')
export class DriftsController {
  constructor(private readonly drifts: DriftQuery) {}

  @Get()
  @RequireRoles(...READERS)
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
  async get(@Param('id', uuidParam()) id: string, @Req() req: AuthenticatedRequest) {
    const drift = await this.drifts.get(id, req.principal?.connectionIds);
    if (!drift) throw new NotFoundException(`drift ${id} does not exist`);
    return drift;
  }
}
