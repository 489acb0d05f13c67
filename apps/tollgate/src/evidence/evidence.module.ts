import { Logger, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { TollgateConfig } from '@tollgate/config';
import { CheckpointSigner, EvidenceStore, signingKeyFrom } from '@tollgate/evidence';
import { EvidenceCheckpointer } from './evidence-checkpoint.service';
import { EvidenceController } from './evidence.controller';

/** Reading, verifying and checkpointing the evidence ledger; appends go through the global EvidenceLedger. */
@Module({
  controllers: [EvidenceController],
  providers: [
    { provide: EvidenceStore, useFactory: (ds: DataSource) => new EvidenceStore(ds), inject: [DataSource] },
    {
      provide: CheckpointSigner,
      useFactory: (config: TollgateConfig) => {
        const { signer, source } = signingKeyFrom(config);
        new Logger('Evidence').log({ message: 'evidence checkpoint signing key', keyId: signer.keyId, source });
        return signer;
      },
      inject: [TollgateConfig],
    },
    EvidenceCheckpointer,
  ],
  exports: [EvidenceCheckpointer, EvidenceStore],
})
export class EvidenceModule {}
