import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { PROVIDERS } from '@tollgate/baseline';
import { FindingCounts } from '../connections/connections.response';
import { DriftView } from '../drifts/drifts.response';

// Shapes of what ReportsController writes, for the OpenAPI document only.

@ApiSchema({ description: 'Drift episodes overlapping [since, until), oldest first.' })
export class DriftReport {
  @ApiProperty({ description: 'Start of the range; null when not given (all history).', format: 'date-time', nullable: true, type: 'string' })
  since: string | null;

  @ApiProperty({ description: 'End of the range (exclusive); now when not given.', format: 'date-time' })
  until: string;

  @ApiProperty({ description: 'Every episode opened before `until` and not resolved before `since`.', type: [DriftView] })
  items: DriftView[];
}

export class OpenDriftCounts {
  @ApiProperty({ description: 'Open critical drifts.', type: 'integer', minimum: 0 })
  critical: number;

  @ApiProperty({ description: 'Open high drifts.', type: 'integer', minimum: 0 })
  high: number;

  @ApiProperty({ description: 'Open medium drifts.', type: 'integer', minimum: 0 })
  medium: number;

  @ApiProperty({ description: 'Open low drifts.', type: 'integer', minimum: 0 })
  low: number;

  @ApiProperty({ description: 'Open info drifts.', type: 'integer', minimum: 0 })
  info: number;
}

export class AttestedControl {
  @ApiProperty({ description: 'The attestation control.', example: 'M365.TEAMS.ATTEST.1' })
  controlId: string;

  @ApiProperty({ description: 'Principal id of the approver who attested.' })
  attestedBy: string;

  @ApiProperty({ description: 'When the attestation stops counting.', format: 'date-time' })
  expiresAt: string;
}

export class ConnectionPosture {
  @ApiProperty({ description: 'The connection.', format: 'uuid' })
  connectionId: string;

  @ApiProperty({ description: 'Connection name.' })
  name: string;

  @ApiProperty({ description: 'The provider.', enum: PROVIDERS })
  provider: string;

  @ApiProperty({ description: 'Baseline in force.' })
  baselineId: string;

  @ApiProperty({
    description:
      'pass / (pass + fail) of the current findings; unknown findings do not count. Null without decided findings, and null while the ' +
      'connection is `stale`: a score from old findings would pass for the current posture.',
    type: 'number',
    minimum: 0,
    maximum: 1,
    nullable: true,
    example: 0.85,
  })
  score: number | null;

  @ApiProperty({
    description:
      'The findings may no longer describe the tenant: the last poll failed, no poll succeeded within two poll intervals, or none ever did.',
  })
  stale: boolean;

  @ApiProperty({
    description: 'Why the connection is stale, in words; null when it is not.',
    type: 'string',
    nullable: true,
    example: 'the last 3 polls failed: auth; no successful poll for 47 min (interval 15 min)',
  })
  staleReason: string | null;

  @ApiProperty({ description: 'Current findings by status.', type: FindingCounts })
  findings: FindingCounts;

  @ApiProperty({ description: 'Controls that pass on an attestation (not on what the API showed), by control id.', type: [AttestedControl] })
  attestedControls: AttestedControl[];

  @ApiProperty({ description: 'Open drifts by severity.', type: OpenDriftCounts })
  openDrifts: OpenDriftCounts;

  @ApiProperty({ description: 'Drifts covered by an approved exception.', type: 'integer', minimum: 0 })
  exceptedDrifts: number;

  @ApiProperty({ description: 'When a poll last confirmed the findings (for a stale connection: how old they are).', format: 'date-time', nullable: true, type: 'string' })
  evaluatedAt: string | null;

  @ApiProperty({ description: 'When the last successful poll finished.', format: 'date-time', nullable: true, type: 'string' })
  lastSuccessAt: string | null;

  @ApiProperty({ description: 'The last poll succeeded.' })
  up: boolean;
}

@ApiSchema({ description: 'The posture of every connection the key may see, by name.' })
export class PostureReport {
  @ApiProperty({ description: 'When the report was computed.', format: 'date-time' })
  generatedAt: string;

  @ApiProperty({ description: 'One entry per connection.', type: [ConnectionPosture] })
  items: ConnectionPosture[];
}

export class ConnectionOverview {
  @ApiProperty({ description: 'The connection.', format: 'uuid' })
  connectionId: string;

  @ApiProperty({ description: 'Connection name.' })
  name: string;

  @ApiProperty({ description: 'The provider.', enum: PROVIDERS })
  provider: string;

  @ApiProperty({ description: 'pass / (pass + fail) of the current findings, as in the posture report; null without decided findings.', type: 'number', nullable: true, minimum: 0, maximum: 1 })
  score: number | null;

  @ApiProperty({
    description:
      'The score at the end of the UTC day 30 days ago, from drift history: 1 − (drift episodes active then ÷ (pass + fail now)). ' +
      'Null without decided findings.',
    type: 'number',
    nullable: true,
    minimum: 0,
    maximum: 1,
  })
  score30dAgo: number | null;

  @ApiProperty({ description: 'The same, 90 days ago.', type: 'number', nullable: true, minimum: 0, maximum: 1 })
  score90dAgo: number | null;

  @ApiProperty({ description: 'Open drifts by severity.', type: OpenDriftCounts })
  openDrifts: OpenDriftCounts;

  @ApiProperty({ description: 'The last poll succeeded.' })
  up: boolean;

  @ApiProperty({ description: 'Enabled, and no successful poll for more than two poll intervals (or none yet after two intervals).' })
  stale: boolean;

  @ApiProperty({ description: 'Failed polls in a row.', type: 'integer', minimum: 0 })
  consecutiveFailures: number;

  @ApiProperty({ description: 'When the last successful poll finished.', format: 'date-time', nullable: true, type: 'string' })
  lastSuccessAt: string | null;
}

export class TrendPoint {
  @ApiProperty({ description: 'The UTC day.', format: 'date', example: '2026-01-31' })
  day: string;

  @ApiProperty({ description: 'Mean of the connections\' scores at the end of that day (see `score30dAgo`); null when no connection has a score.', type: 'number', nullable: true, minimum: 0, maximum: 1 })
  score: number | null;

  @ApiProperty({ description: 'Drift episodes (open or excepted) active at the end of that day, all connections.', type: 'integer', minimum: 0 })
  activeDrifts: number;
}

export class ResolvedCounts {
  @ApiProperty({ description: 'Closed because a poll saw the tenant pass again.', type: 'integer', minimum: 0 })
  remediated: number;

  @ApiProperty({ description: 'Closed because an approved change of baseline or parameters no longer fails them.', type: 'integer', minimum: 0 })
  baselineChanged: number;
}

export class WeekChanges {
  @ApiProperty({ description: 'Start of the window (7 days before `generatedAt`).', format: 'date-time' })
  since: string;

  @ApiProperty({ description: 'Drift episodes opened in the window.', type: 'integer', minimum: 0 })
  opened: number;

  @ApiProperty({ description: 'Drift episodes resolved in the window, by why.', type: ResolvedCounts })
  resolved: ResolvedCounts;

  @ApiProperty({ description: 'Drift episodes an approved exception covered in the window.', type: 'integer', minimum: 0 })
  excepted: number;
}

export class ExpiringException {
  @ApiProperty({ description: 'The exception.', format: 'uuid' })
  id: string;

  @ApiProperty({ description: 'Its connection.', format: 'uuid' })
  connectionId: string;

  @ApiProperty({ description: 'Connection name.' })
  connectionName: string;

  @ApiProperty({ description: 'The control it excepts.' })
  controlId: string;

  @ApiProperty({ description: 'The resource it excepts; null for every resource of the control.', nullable: true, type: 'string' })
  resourceKey: string | null;

  @ApiProperty({ description: 'When it expires.', format: 'date-time' })
  expiresAt: string;
}

@ApiSchema({ description: 'What the console overview shows, in one read: scores with their trend, open drifts, the week, stale connections, expiring exceptions.' })
export class OverviewReport {
  @ApiProperty({ description: 'When the report was computed.', format: 'date-time' })
  generatedAt: string;

  @ApiProperty({ description: 'Open drifts by severity, all connections.', type: OpenDriftCounts })
  openDrifts: OpenDriftCounts;

  @ApiProperty({ description: 'Every UTC day from 90 days ago to today (91 points), oldest first.', type: [TrendPoint] })
  trend: TrendPoint[];

  @ApiProperty({ description: 'What changed in the last 7 days.', type: WeekChanges })
  week: WeekChanges;

  @ApiProperty({ description: 'Approved exceptions that expire within 7 days, soonest first.', type: [ExpiringException] })
  expiringExceptions: ExpiringException[];

  @ApiProperty({ description: 'One entry per connection, lowest score first.', type: [ConnectionOverview] })
  connections: ConnectionOverview[];
}
