import { ApiProperty } from '@nestjs/swagger';
import { WEBHOOK_EVENTS } from './webhook-outbox';

// Shapes of what WebhookDeliveriesController returns, for the OpenAPI document only.

// A list, not an enum: the log may still hold deliveries of event names an older version sent.
const EVENT_NAME = `Event name: ${WEBHOOK_EVENTS.map((e) => `\`${e}\``).join(', ')}.`;

export class WebhookPayload {
  @ApiProperty({ description: EVENT_NAME, example: 'connection_change.requested' })
  event: string;

  @ApiProperty({ description: 'When the event happened.', format: 'date-time' })
  occurredAt: string;

  @ApiProperty({
    description:
      'The facts of the event, always with the id of the connection it is about (`connectionId`); a transition of an exception, ' +
      'connection change or attestation carries those of its evidence ledger entry. Never credentials or endpoints. The README ' +
      '("Exceptions, evidence, webhooks") lists the fields of each event.',
    type: 'object',
    additionalProperties: true,
  })
  data: Record<string, unknown>;
}

export class WebhookDeliveryView {
  @ApiProperty({ description: 'Delivery id.', format: 'uuid' })
  id: string;

  @ApiProperty({ description: EVENT_NAME, example: 'connection_change.requested' })
  event: string;

  @ApiProperty({ description: 'The JSON body sent.', type: WebhookPayload })
  payload: WebhookPayload;

  @ApiProperty({ description: 'When the event was queued.', format: 'date-time' })
  createdAt: string;

  @ApiProperty({ description: '`failed` once the attempts are used up.', enum: ['pending', 'delivered', 'failed'] })
  state: string;

  @ApiProperty({ description: 'Attempts so far.', type: 'integer', minimum: 0 })
  attempts: number;

  @ApiProperty({ description: 'HTTP status of the last attempt; null before one or when no answer came.', type: 'integer', nullable: true })
  lastStatus: number | null;

  @ApiProperty({ description: 'Why the last attempt failed.', nullable: true, type: 'string' })
  lastError: string | null;

  @ApiProperty({ description: 'When it was delivered.', format: 'date-time', nullable: true, type: 'string' })
  deliveredAt: string | null;

  @ApiProperty({ description: 'When the next attempt is due; null unless pending.', format: 'date-time', nullable: true, type: 'string' })
  nextAttemptAt: string | null;
}

export class WebhookDeliveryList {
  @ApiProperty({ description: 'Deliveries, newest first.', type: [WebhookDeliveryView] })
  items: WebhookDeliveryView[];
}
