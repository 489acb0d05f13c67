import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { AREAS, PROVIDERS, SEVERITIES } from '@tollgate/baseline';
import { DRIFT_RESOLUTIONS } from '@tollgate/drift';
import { ANY_JSON } from '../common/api-docs';

// Shapes of what DriftQuery (@tollgate/drift) returns, for the OpenAPI document only.

@ApiSchema({ description: 'A drift episode: one control failing on one resource, from when it started failing until it passed again.' })
export class DriftView {
  @ApiProperty({ description: 'Drift id.', format: 'uuid' })
  id: string;

  @ApiProperty({ description: 'The connection.', format: 'uuid' })
  connectionId: string;

  @ApiProperty({ description: 'The provider.', enum: PROVIDERS })
  provider: string;

  @ApiProperty({ description: 'Baseline the control belongs to.', example: 'slack-locked-down' })
  baselineId: string;

  @ApiProperty({ description: 'The control.', example: 'SLACK.SHARING.1' })
  controlId: string;

  @ApiProperty({ description: 'Title of the control.' })
  title: string;

  @ApiProperty({ description: 'Benchmark references (CIS ...).', type: [String] })
  references: string[];

  @ApiProperty({ description: 'Posture area.', enum: AREAS })
  area: string;

  @ApiProperty({ description: 'Severity of the control.', enum: SEVERITIES })
  severity: string;

  @ApiProperty({ description: '`tenant`, or the resource that drifted.', example: 'tenant' })
  resourceKey: string;

  @ApiProperty({ description: '`excepted` while an approved exception covers it.', enum: ['open', 'resolved', 'excepted'] })
  status: string;

  @ApiProperty({ ...ANY_JSON, description: 'What the control requires.' })
  expected: unknown;

  @ApiProperty({ ...ANY_JSON, description: 'What was last observed.' })
  observed: unknown;

  @ApiProperty({ description: 'When the failure was first seen.', format: 'date-time' })
  openedAt: string;

  @ApiProperty({ description: 'When a poll last saw it failing (or last saw it, once resolved).', format: 'date-time' })
  lastSeenAt: string;

  @ApiProperty({ description: 'When a poll saw it pass again; null while open or excepted.', format: 'date-time', nullable: true, type: 'string' })
  resolvedAt: string | null;

  @ApiProperty({ description: 'The approved exception covering it, while excepted.', format: 'uuid', nullable: true, type: 'string' })
  exceptionId: string | null;

  @ApiProperty({
    description:
      'Why it closed: `remediated` when a poll saw the tenant pass again, `baseline_changed` when the baseline or parameters the ' +
      'connection is held to changed (nobody fixed anything); null while open or excepted.',
    enum: DRIFT_RESOLUTIONS,
    nullable: true,
    type: 'string',
  })
  resolution: string | null;
}

export class DriftEvent {
  @ApiProperty({ description: 'Event id (a decimal integer).', example: '42' })
  id: string;

  @ApiProperty({ description: 'What happened.', enum: ['opened', 'changed', 'resolved', 'excepted', 'reopened'] })
  kind: string;

  @ApiProperty({ description: 'When it happened.', format: 'date-time' })
  occurredAt: string;

  @ApiProperty({ description: 'The poll that saw it; null for exception transitions and closures by a connection change.', format: 'uuid', nullable: true, type: 'string' })
  pollId: string | null;

  @ApiProperty({ ...ANY_JSON, description: 'Expected value at the time; null for exception transitions.' })
  expected: unknown;

  @ApiProperty({ ...ANY_JSON, description: 'Observed value at the time; null for exception transitions.' })
  observed: unknown;

  @ApiProperty({ description: 'Why, for transitions not caused by a poll.', nullable: true, type: 'string' })
  note: string | null;

  @ApiProperty({ description: 'On a `resolved` event, why the episode closed; null on the others.', enum: DRIFT_RESOLUTIONS, nullable: true, type: 'string' })
  resolution: string | null;
}

@ApiSchema({ description: 'A drift episode with its history.' })
export class DriftDetail extends DriftView {
  @ApiProperty({ description: 'Every event of the episode, oldest first.', type: [DriftEvent] })
  events: DriftEvent[];
}

export class DriftPage {
  @ApiProperty({ description: 'Drifts, newest first.', type: [DriftView] })
  items: DriftView[];

  @ApiProperty({ description: 'Pass as `cursor` for the next page; null on the last page.', nullable: true, type: 'string' })
  nextCursor: string | null;
}
