import { Controller, Get, Query } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { RequireRoles } from '@tollgate/auth';
import { CheckpointSigner, EvidenceStore, verifyLedger, type VerifyReport } from '@tollgate/evidence';
import { EvidenceCheckpointer } from './evidence-checkpoint.service';

export const MAX_LEDGER_PAGE = 1000;

export class LedgerPageQuery {
  /** Entries with a seq greater than this; 0 (the default) starts at the beginning. */
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(Number.MAX_SAFE_INTEGER)
  afterSeq?: number;

  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(MAX_LEDGER_PAGE)
  limit?: number;
}

/** The evidence ledger, for auditors: read it, check it, and take what is needed to check it offline. */
@Controller('evidence')
@RequireRoles('auditor')
export class EvidenceController {
  constructor(
    private readonly store: EvidenceStore,
    private readonly signer: CheckpointSigner,
    private readonly checkpointer: EvidenceCheckpointer,
  ) {}

  @Get('ledger')
  ledger(@Query() q: LedgerPageQuery) {
    return this.store.page(q.afterSeq ?? 0, q.limit ?? 100);
  }

  /**
   * Verifies the whole ledger against the stored checkpoints and this server's public key. Always
   * 200: the body says whether the chain holds. An auditor who does not trust this server runs the
   * same verifier offline (`npm run evidence:verify`) with a pinned key.
   */
  @Get('verify')
  async verify(): Promise<VerifyReport> {
    // Checkpoints first, then the head: every checkpoint read is then at or below the head read.
    const checkpoints = await this.store.checkpoints();
    const head = await this.store.head();
    const report = await verifyLedger(this.store.stream(0, head?.seq ?? 0), checkpoints, this.signer.publicKey);
    this.checkpointer.noteVerification(report);
    return report;
  }

  @Get('checkpoints')
  async checkpoints() {
    return { items: await this.store.checkpoints() };
  }

  @Get('public-key')
  publicKey() {
    return { algorithm: 'Ed25519', keyId: this.signer.keyId, publicKeyPem: this.signer.publicKeyPem };
  }
}
