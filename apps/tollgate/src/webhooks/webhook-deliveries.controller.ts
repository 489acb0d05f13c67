import { Controller, Get, Query, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { DataSource } from 'typeorm';
import { RequireRoles, type AuthenticatedRequest } from '@tollgate/auth';
import { ApiErrors } from '../common/api-errors';
import { WebhookDeliveryList } from './webhooks.response';

export class ListDeliveriesQuery {
  @ApiPropertyOptional({ description: 'Only deliveries in this state.', enum: ['pending', 'delivered', 'failed'] })
  @IsOptional() @IsIn(['pending', 'delivered', 'failed'])
  state?: string;

  @ApiPropertyOptional({ description: 'How many, newest first.', type: 'integer', minimum: 1, maximum: 500, default: 100 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500)
  limit?: number;
}

/**
 * The delivery log: what was sent, how often, with which outcome (admin only). A key scoped to
 * connections sees only the deliveries about its connections (`data.connectionId` of the payload):
 * every event Tollgate announces is about one connection, and the payload shows its facts.
 */
@ApiTags('webhooks')
@Controller('webhooks/deliveries')
@RequireRoles()
export class WebhookDeliveriesController {
  constructor(private readonly ds: DataSource) {}

  @Get()
  @ApiOperation({
    summary: 'List webhook deliveries',
    description:
      'What was sent, how often, with which outcome; newest first. A key scoped to connections sees only the deliveries about its ' +
      'connections. Roles: admin.',
  })
  @ApiOkResponse({ description: 'The deliveries.', type: WebhookDeliveryList })
  @ApiErrors(400, 401, 403, 429)
  async list(@Query() q: ListDeliveriesQuery, @Req() req: AuthenticatedRequest) {
    const rows: { id: string; event: string; payload: unknown; created_at: Date; state: string; attempts: number; last_status: number | null; last_error: string | null; delivered_at: Date | null; next_attempt_at: Date }[] =
      await this.ds.query(
        `SELECT id, event, payload, created_at, state, attempts, last_status, last_error, delivered_at, next_attempt_at
         FROM webhook_deliveries
         WHERE ($1::text IS NULL OR state = $1) AND ($3::text[] IS NULL OR payload->'data'->>'connectionId' = ANY($3::text[]))
         ORDER BY created_at DESC, id DESC LIMIT $2`,
        [q.state ?? null, q.limit ?? 100, req.principal!.connectionIds ?? null],
      );
    return {
      items: rows.map((r) => ({
        id: r.id,
        event: r.event,
        payload: r.payload,
        createdAt: r.created_at.toISOString(),
        state: r.state,
        attempts: r.attempts,
        lastStatus: r.last_status,
        lastError: r.last_error,
        deliveredAt: r.delivered_at?.toISOString() ?? null,
        nextAttemptAt: r.state === 'pending' ? r.next_attempt_at.toISOString() : null,
      })),
    };
  }
}
