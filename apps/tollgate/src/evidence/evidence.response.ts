import { ApiProperty, ApiSchema } from '@nestjs/swagger';

// Shapes of what the evidence store and verifier return, for the OpenAPI document only.

const HASH = { description: '', example: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', pattern: '^[0-9a-f]{64}$' };

@ApiSchema({ description: 'One ledger entry. `hash` = hex(SHA-256(prevHash + "\\n" + JCS({seq, occurredAt, kind, data}))).' })
export class LedgerEntryView {
  @ApiProperty({ description: 'Position in the ledger, from 1, without gaps.', type: 'integer', minimum: 1, example: 1 })
  seq: number;

  @ApiProperty({ description: 'When the recorded event happened (UTC, milliseconds).', format: 'date-time' })
  occurredAt: string;

  @ApiProperty({ description: 'What was recorded: `drift.<opened|changed|resolved|excepted|reopened>` or `exception.<state>`.', example: 'drift.opened' })
  kind: string;

  @ApiProperty({ description: 'The recorded facts.', type: 'object', additionalProperties: true })
  data: Record<string, unknown>;

  @ApiProperty({ ...HASH, description: 'Hash of the previous entry; 64 zeros for the first.' })
  prevHash: string;

  @ApiProperty({ ...HASH, description: 'Hash of this entry.' })
  hash: string;
}

export class LedgerPage {
  @ApiProperty({ description: 'Entries in seq order.', type: [LedgerEntryView] })
  items: LedgerEntryView[];

  @ApiProperty({ description: 'Pass as `afterSeq` for the next page; null on the last page.', type: 'integer', nullable: true })
  nextAfterSeq: number | null;

  @ApiProperty({
    description:
      'The connections the page is limited to (the key is scoped to them: only entries whose `data.connectionId` is one of them); ' +
      'null: the whole ledger.',
    type: [String],
    format: 'uuid',
    nullable: true,
  })
  connectionIds: string[] | null;

  @ApiProperty({
    description: 'The latest signed checkpoint of the whole ledger, to check these entries against a full copy; null before the first.',
    type: () => CheckpointView,
    nullable: true,
  })
  signedHead: CheckpointView | null;
}

@ApiSchema({ description: "Whether the ledger's hash chain and signed checkpoints hold." })
export class VerifyReportView {
  @ApiProperty({ description: 'The whole chain and every checkpoint check out.' })
  ok: boolean;

  @ApiProperty({ description: 'Entries whose seq, link and hash were found good.', type: 'integer', minimum: 0 })
  entriesChecked: number;

  @ApiProperty({ description: 'The last good entry (on success: the head); 0 for an empty ledger.', type: 'integer', minimum: 0 })
  headSeq: number;

  @ApiProperty({ ...HASH, description: 'Hash of the last good entry; null for an empty ledger.', nullable: true, type: 'string' })
  headHash: string | null;

  @ApiProperty({ description: 'The first seq that is missing, out of place or altered; null when ok.', type: 'integer', nullable: true })
  firstBadSeq: number | null;

  @ApiProperty({ description: 'What is wrong; null when ok.', nullable: true, type: 'string' })
  problem: string | null;

  @ApiProperty({ description: 'Checkpoints whose signature and hash were found good.', type: 'integer', minimum: 0 })
  checkpointsChecked: number;

  @ApiProperty({ description: 'Seq of the last good checkpoint; null without one.', type: 'integer', nullable: true })
  lastCheckpointSeq: number | null;
}

export class CheckpointView {
  @ApiProperty({ description: 'Seq of the entry the checkpoint signs.', type: 'integer', minimum: 1 })
  seq: number;

  @ApiProperty({ ...HASH, description: 'Hash of that entry.' })
  hash: string;

  @ApiProperty({ description: 'When it was signed (UTC, milliseconds).', format: 'date-time' })
  signedAt: string;

  @ApiProperty({ description: 'First 16 hex digits of SHA-256 of the raw Ed25519 public key.', example: '9a3c5e7f0b1d2f46' })
  keyId: string;

  @ApiProperty({ description: 'base64 of the Ed25519 signature over JCS({seq, hash, signedAt}).', format: 'byte' })
  signature: string;
}

@ApiSchema({ description: 'The ledger head signed at request time, in the shape of a checkpoint; seq 0 for an empty ledger.' })
export class SignedHeadView extends CheckpointView {
  @ApiProperty({ description: 'Seq of the newest entry; 0 for an empty ledger.', type: 'integer', minimum: 0 })
  declare seq: number;
}

export class CheckpointList {
  @ApiProperty({ description: 'Every checkpoint, by seq.', type: [CheckpointView] })
  items: CheckpointView[];
}

export class EvidencePublicKey {
  @ApiProperty({ description: 'Signature algorithm.', enum: ['Ed25519'] })
  algorithm: 'Ed25519';

  @ApiProperty({ description: 'Key id, as in checkpoints.', example: '9a3c5e7f0b1d2f46' })
  keyId: string;

  @ApiProperty({ description: 'The public key, SPKI PEM: pin it to verify offline.', example: '-----BEGIN PUBLIC KEY-----\n...\n-----END PUBLIC KEY-----\n' })
  publicKeyPem: string;
}
