import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { AREAS, GRANT_TYPES, PROVIDERS, SEVERITIES } from '@tollgate/baseline';
import { POLL_FAILURE_REASONS } from '@tollgate/connector-sdk';
import { ANY_JSON } from '../common/api-docs';
import { CHANGE_STATUSES } from './dto/connection-change.dto';

// Shapes of what ConnectionsService returns, for the OpenAPI document only: the service builds plain objects.

export class ConnectionFailure {
  @ApiProperty({ description: 'Error class of the last failed poll (`internal`: a fault of Tollgate itself).', enum: POLL_FAILURE_REASONS, example: 'auth' })
  reason: string;

  @ApiProperty({ description: 'What the provider or connector said, credentials redacted.', nullable: true, type: 'string', example: 'invalid_auth' })
  message: string | null;
}

export class ConnectionStatus {
  @ApiProperty({ description: 'When the next poll is due.', format: 'date-time' })
  nextPollAt: string;

  @ApiProperty({ description: 'A poll holds the lease right now.', example: false })
  polling: boolean;

  @ApiProperty({ description: 'When the last poll finished, successful or not; null before the first.', format: 'date-time', nullable: true, type: 'string' })
  lastPollAt: string | null;

  @ApiProperty({ description: 'When the last successful poll finished; null before the first.', format: 'date-time', nullable: true, type: 'string' })
  lastSuccessAt: string | null;

  @ApiProperty({ description: 'When the current findings were last confirmed by a poll.', format: 'date-time', nullable: true, type: 'string' })
  evaluatedAt: string | null;

  @ApiProperty({ description: 'Failed polls since the last success.', type: 'integer', minimum: 0, example: 0 })
  consecutiveFailures: number;

  @ApiProperty({ description: 'Why the last poll failed; null when it succeeded.', type: ConnectionFailure, nullable: true })
  lastFailure: ConnectionFailure | null;
}

export class ConnectionCredentials {
  @ApiProperty({ description: 'Always true: credentials are stored, encrypted, and never returned.', example: true })
  configured: boolean;

  @ApiProperty({ description: 'Id of the encryption key that sealed them (rotation shows here).', example: '3f9a0c1d2e4b5a69' })
  keyId: string;
}

@ApiSchema({ description: 'A connection to one SaaS tenant, without its credentials.' })
export class ConnectionView {
  @ApiProperty({ description: 'Connection id.', format: 'uuid' })
  id: string;

  @ApiProperty({ description: 'The SaaS provider.', enum: PROVIDERS })
  provider: string;

  @ApiProperty({ description: 'Unique name.', example: 'Acme Slack' })
  name: string;

  @ApiProperty({ description: 'Baseline the tenant is evaluated against.', example: 'slack-locked-down' })
  baselineId: string;

  @ApiProperty({ description: "Overrides of the baseline's parameters.", type: 'object', additionalProperties: true })
  parameters: Record<string, unknown>;

  @ApiProperty({ description: 'Seconds between polls.', type: 'integer', example: 900 })
  pollIntervalSeconds: number;

  @ApiProperty({
    description: "Provider endpoints in use: the provider's defaults with the connection's overrides applied.",
    type: 'object',
    additionalProperties: { type: 'string', format: 'uri' },
    example: { api: 'https://slack.com/api' },
  })
  endpoints: Record<string, string>;

  @ApiPropertyOptional({ description: 'Provider cloud, when one was chosen (Microsoft 365 national clouds, GovSlack).', example: 'global' })
  cloud?: string;

  @ApiPropertyOptional({ description: 'Google Workspace: hours between full OAuth reconciliations, when set.', type: 'integer', example: 24 })
  fullReconcileHours?: number;

  @ApiProperty({ description: 'Region the operator declared, for providers that do not expose residency.', nullable: true, type: 'string', example: 'EU' })
  declaredResidency: string | null;

  @ApiProperty({ description: '`file` when managed by TOLLGATE_CONNECTIONS_FILE (the API may not change it), else `api`.', enum: ['api', 'file'] })
  source: 'api' | 'file';

  @ApiProperty({ description: 'Polled when true.' })
  enabled: boolean;

  @ApiProperty({ description: 'That credentials are stored, never what they are.', type: ConnectionCredentials })
  credentials: ConnectionCredentials;

  @ApiProperty({ description: 'When the connection was created.', format: 'date-time' })
  createdAt: string;

  @ApiProperty({ description: 'When the connection was last changed.', format: 'date-time' })
  updatedAt: string;

  @ApiProperty({ description: 'Polling state.', type: ConnectionStatus })
  status: ConnectionStatus;
}

export class ConnectionList {
  @ApiProperty({ description: 'Connections visible to the key, by name.', type: [ConnectionView] })
  items: ConnectionView[];
}

export class PollScheduled {
  @ApiProperty({ description: 'The connection.', format: 'uuid' })
  connectionId: string;

  @ApiProperty({ description: 'The poll is due now; a worker picks it up on its next tick.', enum: ['scheduled'] })
  status: 'scheduled';
}

export class FindingAttestationView {
  @ApiProperty({ description: 'The attestation.', format: 'uuid' })
  id: string;

  @ApiProperty({ description: 'Principal id of the approver who attested.' })
  attestedBy: string;

  @ApiProperty({ description: 'When the attestation stops counting.', format: 'date-time' })
  expiresAt: string;
}

export class FindingView {
  @ApiProperty({ description: 'Control of the baseline.', example: 'SLACK.SHARING.1' })
  controlId: string;

  @ApiProperty({ description: 'Title of the control.' })
  title: string;

  @ApiProperty({ description: 'Posture area.', enum: AREAS })
  area: string;

  @ApiProperty({ description: 'Severity of the control.', enum: SEVERITIES })
  severity: string;

  @ApiProperty({ description: 'Benchmark references (CIS ...).', type: [String] })
  references: string[];

  @ApiProperty({ description: '`tenant`, or the resource the finding is about (`app:A0123`, `orgUnit:/Sales` ...).', example: 'tenant' })
  resourceKey: string;

  @ApiProperty({ description: '`unknown` when the setting could not be read.', enum: ['pass', 'fail', 'unknown'] })
  status: string;

  @ApiProperty({ ...ANY_JSON, description: 'What the control requires.' })
  expected: unknown;

  @ApiProperty({ ...ANY_JSON, description: 'What was observed; null when unknown.' })
  observed: unknown;

  @ApiProperty({ description: 'One sentence explaining the result.' })
  message: string;

  @ApiPropertyOptional({ description: 'Present when the finding passes on an attestation (POST /attestations): who attested, until when.', type: FindingAttestationView })
  attestation?: FindingAttestationView;
}

export class FindingCounts {
  @ApiProperty({ description: 'Findings that pass.', type: 'integer', minimum: 0 })
  pass: number;

  @ApiProperty({ description: 'Findings that fail.', type: 'integer', minimum: 0 })
  fail: number;

  @ApiProperty({ description: 'Findings that could not be decided.', type: 'integer', minimum: 0 })
  unknown: number;

  @ApiPropertyOptional({ description: 'Of the passing findings, those that pass on an attestation rather than on what the API showed.', type: 'integer', minimum: 0 })
  attested?: number;
}

@ApiSchema({ description: 'The findings of the last successful evaluation of a connection.' })
export class ConnectionFindings {
  @ApiProperty({ description: 'The connection.', format: 'uuid' })
  connectionId: string;

  @ApiProperty({ description: 'Baseline the findings were evaluated against.' })
  baselineId: string;

  @ApiProperty({ description: 'When a poll last confirmed these findings; null before the first success.', format: 'date-time', nullable: true, type: 'string' })
  evaluatedAt: string | null;

  @ApiProperty({ description: 'When the findings last changed.', format: 'date-time', nullable: true, type: 'string' })
  changedAt: string | null;

  @ApiProperty({ description: 'Findings by status.', type: FindingCounts })
  summary: FindingCounts;

  @ApiProperty({ description: 'One finding per control and resource, by control id.', type: [FindingView] })
  findings: FindingView[];
}

export class PostureTenant {
  @ApiProperty({ description: "Provider's tenant id (Slack team, Entra tenant, Google customer)." })
  id: string;

  @ApiPropertyOptional({ description: 'Tenant display name, when the provider gives one.' })
  name?: string;

  @ApiPropertyOptional({ description: 'Primary domain, when the provider gives one.' })
  domain?: string;
}

export class SettingObservationView {
  @ApiProperty({ description: 'Catalog key `<provider>.<group>.<name>`.', example: 'slack.workspace.discoverability' })
  key: string;

  @ApiProperty({ description: '`tenant`, or the resource the setting applies to.', example: 'tenant' })
  resourceKey: string;

  @ApiProperty({ ...ANY_JSON, description: 'The value.' })
  value: unknown;

  @ApiProperty({ description: '`default` when the provider documents a default for an absent value.', enum: ['observed', 'default'] })
  source: string;
}

export class OAuthGrantView {
  @ApiProperty({ description: "Provider's id of the app or OAuth client." })
  appId: string;

  @ApiProperty({ description: 'App name.' })
  appName: string;

  @ApiProperty({ description: 'Granted scopes as the provider spells them.', type: [String] })
  scopes: string[];

  @ApiProperty({ description: 'How the app holds access.', enum: GRANT_TYPES })
  grantType: string;

  @ApiPropertyOptional({ description: 'Who granted it, when the provider says.' })
  principal?: string;

  @ApiPropertyOptional({ description: 'Scopes the provider flags as sensitive, when it does.', type: [String] })
  sensitiveScopes?: string[];
}

export class ResidencyObservationView {
  @ApiProperty({ description: '`tenant`, or a narrower resource.', example: 'tenant' })
  resourceKey: string;

  @ApiProperty({ description: 'Region code, upper case.', example: 'EU' })
  region: string;

  @ApiProperty({ description: '`declared` when the operator declared it.', enum: ['observed', 'declared'] })
  source: string;
}

export class PostureGapView {
  @ApiProperty({ description: 'Posture area.', enum: AREAS })
  area: string;

  @ApiProperty({ description: 'The setting key or key prefix, or the API read that failed.' })
  what: string;

  @ApiProperty({ description: 'Why it could not be read (missing scope, plan without the API ...).' })
  reason: string;
}

@ApiSchema({ description: 'The normalized, provider-agnostic posture of one tenant.' })
export class PostureDocumentView {
  @ApiProperty({ description: 'The provider.', enum: PROVIDERS })
  provider: string;

  @ApiProperty({ description: 'The tenant.', type: PostureTenant })
  tenant: PostureTenant;

  @ApiProperty({ description: 'Observed settings.', type: [SettingObservationView] })
  settings: SettingObservationView[];

  @ApiProperty({ description: 'Apps holding OAuth access.', type: [OAuthGrantView] })
  oauthGrants: OAuthGrantView[];

  @ApiProperty({ description: 'Data residency.', type: [ResidencyObservationView] })
  residency: ResidencyObservationView[];

  @ApiProperty({ description: 'What the connector could not read; reported, never fatal.', type: [PostureGapView] })
  gaps: PostureGapView[];
}

@ApiSchema({ description: 'The posture document of the last successful poll; unchanged polls confirm the same snapshot.' })
export class SnapshotView {
  @ApiProperty({ description: 'Snapshot id.', format: 'uuid' })
  id: string;

  @ApiProperty({ description: 'sha256 hex of the canonical document.', example: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08' })
  contentHash: string;

  @ApiProperty({ description: 'First poll that produced this document.', format: 'date-time' })
  firstSeenAt: string;

  @ApiProperty({ description: 'Last poll that confirmed it.', format: 'date-time' })
  lastSeenAt: string;

  @ApiProperty({ description: 'The document.', type: PostureDocumentView })
  document: PostureDocumentView;
}

export class HeldToView {
  @ApiProperty({ description: 'Baseline.', example: 'slack-locked-down' })
  baselineId: string;

  @ApiProperty({ description: "Overrides of the baseline's parameters.", type: 'object', additionalProperties: true })
  parameters: Record<string, unknown>;

  @ApiProperty({ description: 'Declared residency region.', nullable: true, type: 'string', example: 'EU' })
  declaredResidency: string | null;
}

@ApiSchema({ description: 'A change to what a connection is held to (baseline, parameters, declared residency), with who asked and who decided.' })
export class ConnectionChange {
  @ApiProperty({ description: 'Change id.', format: 'uuid' })
  id: string;

  @ApiProperty({ description: 'The connection.', format: 'uuid' })
  connectionId: string;

  @ApiProperty({
    description:
      '`applied`: tightening or neutral, applied when asked (or from the connections file). `pending`: loosening, waiting for an ' +
      'approver. `approved` (and applied), `rejected`, or `expired` when nobody decided within 7 days.',
    enum: CHANGE_STATUSES,
  })
  status: string;

  @ApiProperty({ description: '`file` when it came from TOLLGATE_CONNECTIONS_FILE.', enum: ['api', 'file'] })
  source: string;

  @ApiProperty({ description: 'Whether it loosens what the connection is held to.' })
  loosening: boolean;

  @ApiProperty({ description: 'Why it loosens, one line per parameter and control; empty when it does not.', type: [String] })
  reasons: string[];

  @ApiProperty({ description: 'What the connection was held to when the change was asked for.', type: HeldToView })
  before: HeldToView;

  @ApiProperty({ description: 'What it is (or would be) held to after the change.', type: HeldToView })
  after: HeldToView;

  @ApiProperty({ description: 'Principal who asked (`file:<path>` for the connections file).', example: 'alice@example.com' })
  requestedBy: string;

  @ApiProperty({ description: 'API key that asked; null for the connections file.', nullable: true, type: 'string' })
  requestedByKeyId: string | null;

  @ApiProperty({ description: 'When it was asked for.', format: 'date-time' })
  requestedAt: string;

  @ApiProperty({ description: 'When a pending change lapses; null for changes applied at once.', format: 'date-time', nullable: true, type: 'string' })
  expiresAt: string | null;

  @ApiProperty({ description: 'Principal who approved or rejected it.', nullable: true, type: 'string' })
  decidedBy: string | null;

  @ApiProperty({ description: 'API key that approved or rejected it.', nullable: true, type: 'string' })
  decidedByKeyId: string | null;

  @ApiProperty({ description: 'When it was decided.', format: 'date-time', nullable: true, type: 'string' })
  decidedAt: string | null;

  @ApiProperty({ description: 'Why it was decided so.', nullable: true, type: 'string' })
  decisionReason: string | null;
}

export class ConnectionChangePage {
  @ApiProperty({ description: 'Changes, newest first.', type: [ConnectionChange] })
  items: ConnectionChange[];

  @ApiProperty({ description: 'Pass as `cursor` for the next page; null on the last page.', nullable: true, type: 'string' })
  nextCursor: string | null;
}
