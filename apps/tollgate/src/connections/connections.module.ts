import { Module } from '@nestjs/common';
import { BaselinesModule } from '../baselines/baselines.module';
import { ConnectionsController } from './connections.controller';
import { ConnectionsFileReconciler } from './connections-file';
import { ConnectionsService } from './connections.service';

@Module({
  imports: [BaselinesModule],
  controllers: [ConnectionsController],
  providers: [ConnectionsService, ConnectionsFileReconciler],
  exports: [ConnectionsService],
})
export class ConnectionsModule {}
