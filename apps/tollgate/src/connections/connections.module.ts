import { Module } from '@nestjs/common';
import { BaselinesModule } from '../baselines/baselines.module';
import { ConnectionsController } from './connections.controller';
import { ConnectionsFileReconciler } from './connections-file';
import { ConnectionsService } from './connections.service';
import { EncryptionKeyCheck } from './encryption-key-check';

@Module({
  imports: [BaselinesModule],
  controllers: [ConnectionsController],
  providers: [ConnectionsService, ConnectionsFileReconciler, EncryptionKeyCheck],
  exports: [ConnectionsService],
})
export class ConnectionsModule {}
