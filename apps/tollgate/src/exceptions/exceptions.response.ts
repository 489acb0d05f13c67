import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { EXCEPTION_STATES } from './dto/exception.dto';

// Shapes of what ExceptionsService returns, for the OpenAPI document only.

const dateTimeOrNull = (description: string) => ({ description, format: 'date-time', nullable: true, type: 'string' }) as const;
const textOrNull = (description: string) => ({ description, nullable: true, type: 'string' }) as const;

@ApiSchema({ description: 'An exception ticket: requested -> approved | rejected; approved -> revoked | expired.' })
export class ExceptionView {
  @ApiProperty({ description: 'Exception id.', format: 'uuid' })
  id: string;

  @ApiProperty({ description: 'The connection.', format: 'uuid' })
  connectionId: string;

  @ApiProperty({ description: 'The control.', example: 'SLACK.SHARING.1' })
  controlId: string;

  @ApiProperty(textOrNull('The one resource it covers; null: every resource of the control.'))
  resourceKey: string | null;

  @ApiProperty({ description: 'Why the risk is accepted.' })
  justification: string;

  @ApiProperty(textOrNull('A ticket in another system.'))
  externalRef: string | null;

  @ApiProperty({ description: 'Current state.', enum: EXCEPTION_STATES })
  state: string;

  @ApiProperty({ description: 'Principal (person or service) that asked.', example: 'bob@example.com' })
  requestedBy: string;

  @ApiProperty({ description: 'Id of the API key it asked with (`bootstrap` for the bootstrap admin key).' })
  requestedByKeyId: string;

  @ApiProperty({ description: 'When it was asked for.', format: 'date-time' })
  requestedAt: string;

  @ApiProperty({ description: 'When it ends.', format: 'date-time' })
  expiresAt: string;

  @ApiProperty(textOrNull('Principal that approved or rejected it: never the requester.'))
  decidedBy: string | null;

  @ApiProperty(textOrNull('Id of the API key it was decided with.'))
  decidedByKeyId: string | null;

  @ApiProperty(dateTimeOrNull('When it was approved or rejected.'))
  decidedAt: string | null;

  @ApiProperty(textOrNull('The reason given with the decision.'))
  decisionReason: string | null;

  @ApiProperty(textOrNull('Who ended an approved exception: a principal, or `tollgate` on expiry.'))
  endedBy: string | null;

  @ApiProperty(textOrNull('Id of the API key it was revoked with; null on expiry.'))
  endedByKeyId: string | null;

  @ApiProperty(dateTimeOrNull('When it was revoked or expired.'))
  endedAt: string | null;

  @ApiProperty(textOrNull('Why it ended.'))
  endReason: string | null;
}

export class ExceptionEvent {
  @ApiProperty({ description: 'The transition.', enum: EXCEPTION_STATES })
  kind: string;

  @ApiProperty({ description: 'Principal that made the transition, or `tollgate` for an expiry.' })
  actor: string;

  @ApiProperty(textOrNull('Id of the API key it used; null for an expiry.'))
  actorKeyId: string | null;

  @ApiProperty({ description: 'When it happened.', format: 'date-time' })
  occurredAt: string;

  @ApiProperty(textOrNull('The reason given.'))
  reason: string | null;
}

@ApiSchema({ description: 'An exception ticket with its history.' })
export class ExceptionDetail extends ExceptionView {
  @ApiProperty({ description: 'Every transition, oldest first.', type: [ExceptionEvent] })
  events: ExceptionEvent[];
}

export class ExceptionPage {
  @ApiProperty({ description: 'Exceptions, newest request first.', type: [ExceptionView] })
  items: ExceptionView[];

  @ApiProperty(textOrNull('Pass as `cursor` for the next page; null on the last page.'))
  nextCursor: string | null;
}
