import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { ATTESTATION_STATES } from './dto/attestation.dto';

// Shapes of what AttestationsService returns, for the OpenAPI document only.

const dateTimeOrNull = (description: string) => ({ description, format: 'date-time', nullable: true, type: 'string' }) as const;
const textOrNull = (description: string) => ({ description, nullable: true, type: 'string' }) as const;

@ApiSchema({ description: 'An attestation: active until it expires or is revoked.' })
export class AttestationView {
  @ApiProperty({ description: 'Attestation id.', format: 'uuid' })
  id: string;

  @ApiProperty({ description: 'The connection.', format: 'uuid' })
  connectionId: string;

  @ApiProperty({ description: 'The attestation control.', example: 'M365.TEAMS.ATTEST.1' })
  controlId: string;

  @ApiProperty({ description: 'What was attested.' })
  statement: string;

  @ApiProperty({ description: 'Where the evidence is.' })
  evidenceRef: string;

  @ApiProperty({ description: '`active` while it counts; `expired` from its expiry on; `revoked` once an approver ended it.', enum: ATTESTATION_STATES })
  state: string;

  @ApiProperty({ description: 'Principal id of the approver who attested.' })
  attestedBy: string;

  @ApiProperty({ description: 'When it was recorded.', format: 'date-time' })
  attestedAt: string;

  @ApiProperty({ description: 'When it stops counting.', format: 'date-time' })
  expiresAt: string;

  @ApiProperty(textOrNull('Who ended it: a principal id, or `tollgate` on expiry.'))
  endedBy: string | null;

  @ApiProperty(dateTimeOrNull('When it was revoked or marked expired.'))
  endedAt: string | null;

  @ApiProperty(textOrNull('Why it ended.'))
  endReason: string | null;
}

export class AttestationPage {
  @ApiProperty({ description: 'Attestations, newest first.', type: [AttestationView] })
  items: AttestationView[];

  @ApiProperty(textOrNull('Pass as `cursor` for the next page; null on the last page.'))
  nextCursor: string | null;
}
