import { BadRequestException, Controller, Get, Query, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { DataSource } from 'typeorm';
import { RequireRoles, type AuthenticatedRequest } from '@tollgate/auth';
import { ApiErrors } from '../common/api-errors';
import { AuditEventPage } from './audit.response';

export class ListAuditEventsQuery {
  /** Events older than this id (the `nextBefore` of the previous page). */
  @ApiPropertyOptional({ description: 'Events older than this id (the `nextBefore` of the previous page).', pattern: '^[1-9][0-9]{0,18}$', example: '1042' })
  @IsOptional() @IsString() @Matches(/^[1-9][0-9]{0,18}$/, { message: 'before must be an event id' })
  before?: string;

  @ApiPropertyOptional({ description: 'Page size.', type: 'integer', minimum: 1, maximum: 500, default: 100 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500)
  limit?: number;
}

interface AuditEventRow {
  id: string;
  occurred_at: Date;
  actor_key: string;
  actor_principal: string;
  actor: string;
  role: string;
  action: string;
  target: string | null;
  connection_id: string | null;
  outcome: string;
  status: number;
  request_id: string | null;
}

@ApiTags('audit')
@Controller('audit-events')
@RequireRoles('auditor')
export class AuditEventsController {
  constructor(private readonly ds: DataSource) {}

  @Get()
  @ApiOperation({
    summary: 'Read the audit log',
    description:
      'Every authenticated mutation through the API, successful, failed or denied, with who did it; newest first. A key scoped to ' +
      'connections reads only the events whose target is one of its connections or an exception or drift of one. Roles: auditor, admin.',
  })
  @ApiOkResponse({ description: 'One page of audit events.', type: AuditEventPage })
  @ApiErrors(400, 401, 403, 429)
  async list(@Query() q: ListAuditEventsQuery, @Req() req: AuthenticatedRequest) {
    const limit = q.limit ?? 100;
    if (q.before && BigInt(q.before) > 9223372036854775807n) throw new BadRequestException('before must be an event id');
    const rows: AuditEventRow[] = await this.ds.query(
      `SELECT id, occurred_at, actor_key, actor_principal, actor, role, action, target, connection_id, outcome, status, request_id
       FROM audit_events
       WHERE ($1::bigint IS NULL OR id < $1) AND ($3::uuid[] IS NULL OR connection_id = ANY($3::uuid[]))
       ORDER BY id DESC LIMIT $2`,
      [q.before ?? null, limit + 1, req.principal!.connectionIds ?? null],
    );
    const items = rows.slice(0, limit).map((r) => ({
      id: String(r.id),
      occurredAt: r.occurred_at.toISOString(),
      actorKeyId: r.actor_key,
      principal: r.actor_principal,
      actor: r.actor,
      role: r.role,
      action: r.action,
      target: r.target,
      connectionId: r.connection_id,
      outcome: r.outcome,
      status: r.status,
      requestId: r.request_id,
    }));
    return { items, nextBefore: rows.length > limit ? items[items.length - 1].id : null };
  }
}
