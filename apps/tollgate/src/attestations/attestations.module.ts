import { Module } from '@nestjs/common';
import { BaselinesModule } from '../baselines/baselines.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { AttestationExpiry } from './attestation-expiry.service';
import { AttestationsController } from './attestations.controller';
import { AttestationsService } from './attestations.service';

@Module({
  imports: [BaselinesModule, WebhooksModule],
  controllers: [AttestationsController],
  providers: [AttestationsService, AttestationExpiry],
})
export class AttestationsModule {}
