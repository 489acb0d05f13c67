import { BadRequestException, Controller, Get, Query } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { DataSource } from 'typeorm';
import { RequireRoles } from '@tollgate/auth';

export class ListAuditEventsQuery {
  /** Events older than this id (the `nextBefore` of the previous page). */
  @IsOptional() @IsString() @Matches(/^[1-9][0-9]{0,18}$/, { message: 'before must be an event id' })
  before?: string;

  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500)
  limit?: number;
}

@Controller('audit-events')
@RequireRoles('auditor')
export class AuditEventsController {
  constructor(private readonly ds: DataSource) {}

  @Get()
  async list(@Query() q: ListAuditEventsQuery) {
    const limit = q.limit ?? 100;
    if (q.before && BigInt(q.before) > 9223372036854775807n) throw new BadRequestException('before must be an event id');
    const rows: { id: string; occurred_at: Date; actor_key: string; actor: string; role: string; action: string; target: string | null; outcome: string; status: number; request_id: string | null }[] =
      await this.ds.query(
        `SELECT id, occurred_at, actor_key, actor, role, action, target, outcome, status, request_id FROM audit_events
         WHERE ($1::bigint IS NULL OR id < $1) ORDER BY id DESC LIMIT $2`,
        [q.before ?? null, limit + 1],
      );
    const items = rows.slice(0, limit).map((r) => ({
      id: String(r.id),
      occurredAt: r.occurred_at.toISOString(),
      actorKeyId: r.actor_key,
      actor: r.actor,
      role: r.role,
      action: r.action,
      target: r.target,
      outcome: r.outcome,
      status: r.status,
      requestId: r.request_id,
    }));
    return { items, nextBefore: rows.length > limit ? items[items.length - 1].id : null };
  }
}
