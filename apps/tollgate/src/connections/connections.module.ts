import { Module } from '@nestjs/common';
import { BaselinesModule } from '../baselines/baselines.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { ConnectionChangeExpiry } from './connection-change-expiry.service';
import { ConnectionChangesController } from './connection-changes.controller';
import { ConnectionChangesService } from './connection-changes.service';
import { ConnectionsController } from './connections.controller';
import { ConnectionsFileReconciler } from './connections-file';
import { ConnectionsService } from './connections.service';
import { EncryptionKeyCheck } from './encryption-key-check';

@Module({
  imports: [BaselinesModule, WebhooksModule],
  controllers: [ConnectionsController, ConnectionChangesController],
  providers: [ConnectionsService, ConnectionChangesService, ConnectionChangeExpiry, ConnectionsFileReconciler, EncryptionKeyCheck],
  exports: [ConnectionsService],
})
export class ConnectionsModule {}
