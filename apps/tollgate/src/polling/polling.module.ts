import { Module } from '@nestjs/common';
import { BaselinesModule } from '../baselines/baselines.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { PollRunner } from './poll-runner.service';
import { PollScheduler } from './poll-scheduler.service';

@Module({ imports: [BaselinesModule, WebhooksModule], providers: [PollRunner, PollScheduler], exports: [PollScheduler] })
export class PollingModule {}
