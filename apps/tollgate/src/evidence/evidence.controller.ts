import { ConflictException, Controller, Get, Query, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { RequireRoles, type AuthenticatedRequest } from '@tollgate/auth';
import { CheckpointSigner, EvidenceStore, type VerifyReport } from '@tollgate/evidence';
import { ApiErrors } from '../common/api-errors';
import { EvidenceCheckpointer } from './evidence-checkpoint.service';
import { CheckpointList, EvidencePublicKey, LedgerPage, SignedHeadView, VerifyReportView } from './evidence.response';

export const MAX_LEDGER_PAGE = 1000;

export class LedgerPageQuery {
  /** Entries with a seq greater than this; 0 (the default) starts at the beginning. */
  @ApiPropertyOptional({
    description: 'Entries with a seq greater than this (the `nextAfterSeq` of the previous page); 0 starts at the beginning.',
    type: 'integer',
    minimum: 0,
    maximum: Number.MAX_SAFE_INTEGER,
    default: 0,
  })
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(Number.MAX_SAFE_INTEGER)
  afterSeq?: number;

  @ApiPropertyOptional({ description: 'Page size.', type: 'integer', minimum: 1, maximum: MAX_LEDGER_PAGE, default: 100 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(MAX_LEDGER_PAGE)
  limit?: number;
}

/** The evidence ledger, for auditors: read it, check it, and take what is needed to check it offline. */
@ApiTags('evidence')
@Controller('evidence')
@RequireRoles('auditor')
export class EvidenceController {
  constructor(
    private readonly store: EvidenceStore,
    private readonly signer: CheckpointSigner,
    private readonly checkpointer: EvidenceCheckpointer,
  ) {}

  @Get('ledger')
  @ApiOperation({
    summary: 'Read the evidence ledger',
    description:
      'Hash-chained entries in seq order, one page at a time, with the latest signed checkpoint. A key scoped to connections reads ' +
      'only the entries about its connections (seqs then have gaps; each entry keeps its prevHash and hash). Roles: auditor, admin.',
  })
  @ApiOkResponse({ description: 'One page of entries.', type: LedgerPage })
  @ApiErrors(400, 401, 403, 429)
  async ledger(@Query() q: LedgerPageQuery, @Req() req: AuthenticatedRequest) {
    const connectionIds = req.principal!.connectionIds;
    const [page, signedHead] = await Promise.all([this.store.page(q.afterSeq ?? 0, q.limit ?? 100, connectionIds), this.store.lastCheckpoint()]);
    return { ...page, connectionIds: connectionIds ?? null, signedHead };
  }

  /**
   * Verifies the whole ledger against the stored checkpoints and this server's public key. Always
   * 200: the body says whether the chain holds. An auditor who does not trust this server runs the
   * same verifier offline (`npm run evidence:verify`) with a pinned key.
   */
  @Get('verify')
  @ApiOperation({
    summary: 'Verify the evidence ledger',
    description:
      "Checks the whole chain against the stored checkpoints and this server's public key. Always 200: the body says whether it holds. " +
      'To trust no server, run `npm run evidence:verify` offline with a pinned key. A key scoped to connections gets the same ' +
      'report: it names seqs and hashes, never the contents of an entry. Roles: auditor, admin.',
  })
  @ApiOkResponse({ description: 'The verification result.', type: VerifyReportView })
  @ApiErrors(401, 403, 429)
  verify(): Promise<VerifyReport> {
    return this.checkpointer.verifyAll();
  }

  @Get('head')
  @ApiOperation({
    summary: 'The ledger head, signed now',
    description:
      'The seq and hash of the newest entry, signed with the checkpoint key at the time of the request (not stored as a checkpoint). ' +
      'Check a copy of the ledger against it: a copy that lacks entries up to this seq was cut short. Fetch the head before the ' +
      'ledger pages. seq 0 and 64 zeros for an empty ledger. 409 when the entries since the last checkpoint do not verify: ' +
      'the server will not vouch for them. The head holds no connection data, so scoped keys read it too. Roles: auditor, admin.',
  })
  @ApiOkResponse({ description: 'The signed head.', type: SignedHeadView })
  @ApiErrors(401, 403, [409, 'The entries since the last checkpoint do not verify (`message` names the first bad seq); nothing is signed.'], 429)
  async head() {
    const outcome = await this.checkpointer.signedHead();
    if (outcome.status === 'refused') {
      throw new ConflictException({ statusCode: 409, error: 'Conflict', message: `the ledger does not verify at seq ${outcome.firstBadSeq ?? '?'}: ${outcome.problem}` });
    }
    return outcome.head;
  }

  @Get('checkpoints')
  @ApiOperation({
    summary: 'List signed checkpoints',
    description:
      'Every Ed25519-signed checkpoint of the ledger head, by seq. Checkpoints hold no connection data, so scoped keys see them all. ' +
      'Roles: auditor, admin.',
  })
  @ApiOkResponse({ description: 'The checkpoints.', type: CheckpointList })
  @ApiErrors(401, 403, 429)
  async checkpoints() {
    return { items: await this.store.checkpoints() };
  }

  @Get('public-key')
  @ApiOperation({ summary: 'Checkpoint public key', description: 'The Ed25519 key that signs checkpoints, to verify offline. Roles: auditor, admin.' })
  @ApiOkResponse({ description: 'The public key.', type: EvidencePublicKey })
  @ApiErrors(401, 403, 429)
  publicKey() {
    return { algorithm: 'Ed25519', keyId: this.signer.keyId, publicKeyPem: this.signer.publicKeyPem };
  }
}
