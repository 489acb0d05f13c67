import { Module } from '@nestjs/common';
import { HistoryRetention } from './history-retention.service';

@Module({ providers: [HistoryRetention] })
export class RetentionModule {}
