import { Module } from '@nestjs/common';
import { BaselinesModule } from '../baselines/baselines.module';
import { PollRunner } from './poll-runner.service';
import { PollScheduler } from './poll-scheduler.service';

@Module({ imports: [BaselinesModule], providers: [PollRunner, PollScheduler], exports: [PollScheduler] })
export class PollingModule {}
