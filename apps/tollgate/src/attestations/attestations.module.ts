import { Module } from '@nestjs/common';
import { BaselinesModule } from '../baselines/baselines.module';
import { AttestationExpiry } from './attestation-expiry.service';
import { AttestationsController } from './attestations.controller';
import { AttestationsService } from './attestations.service';

@Module({
  imports: [BaselinesModule],
  controllers: [AttestationsController],
  providers: [AttestationsService, AttestationExpiry],
})
export class AttestationsModule {}
