import { ApiProperty } from '@nestjs/swagger';
import { ROLES } from '@tollgate/auth';

// Shapes of what AuditEventsController returns, for the OpenAPI document only.

export class AuditEventView {
  @ApiProperty({ description: 'Event id (a decimal integer, increasing).', example: '1042' })
  id: string;

  @ApiProperty({ description: 'When it happened.', format: 'date-time' })
  occurredAt: string;

  @ApiProperty({ description: 'Id of the API key that acted (`bootstrap` for the bootstrap admin key).', example: 'bootstrap' })
  actorKeyId: string;

  @ApiProperty({
    description: 'The principal (person or service) the key belongs to; `bootstrap` for the bootstrap admin key.',
    example: 'alice@example.com',
  })
  principal: string;

  @ApiProperty({ description: 'Name of that key.', example: 'bootstrap admin key' })
  actor: string;

  @ApiProperty({ description: 'Role of that key.', enum: ROLES })
  role: string;

  @ApiProperty({ description: 'Method and route.', example: 'POST /api/v1/connections' })
  action: string;

  @ApiProperty({ description: 'The id acted on: from the path, or of the resource created; null otherwise.', nullable: true, type: 'string' })
  target: string | null;

  @ApiProperty({
    description: 'The connection the target belongs to (the connection, or that of an exception or drift); null when it is none.',
    format: 'uuid',
    nullable: true,
    type: 'string',
  })
  connectionId: string | null;

  @ApiProperty({ description: 'Outcome.', enum: ['success', 'denied', 'failed'] })
  outcome: string;

  @ApiProperty({ description: 'HTTP status of the answer.', type: 'integer', example: 201 })
  status: number;

  @ApiProperty({ description: 'X-Request-Id of the request.', nullable: true, type: 'string' })
  requestId: string | null;
}

export class AuditEventPage {
  @ApiProperty({ description: 'Events, newest first.', type: [AuditEventView] })
  items: AuditEventView[];

  @ApiProperty({ description: 'Pass as `before` for the next page; null on the last page.', nullable: true, type: 'string' })
  nextBefore: string | null;
}
