import { Module } from '@nestjs/common';
import { WebhookDispatcher } from './webhook-dispatcher.service';
import { WebhookOutbox } from './webhook-outbox';
import { WebhookDeliveriesController } from './webhook-deliveries.controller';

@Module({ controllers: [WebhookDeliveriesController], providers: [WebhookOutbox, WebhookDispatcher], exports: [WebhookOutbox, WebhookDispatcher] })
export class WebhooksModule {}
