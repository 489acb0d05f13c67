import { Module } from '@nestjs/common';
import { BaselinesModule } from '../baselines/baselines.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { ExceptionExpiry } from './exception-expiry.service';
import { ExceptionsController } from './exceptions.controller';
import { ExceptionsService } from './exceptions.service';

@Module({
  imports: [BaselinesModule, WebhooksModule],
  controllers: [ExceptionsController],
  providers: [ExceptionsService, ExceptionExpiry],
})
export class ExceptionsModule {}
