import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import type { TollgateConfig } from '@tollgate/config';
import type { Database } from '@tollgate/database';
import { ApiKeyGuard } from '@tollgate/auth';
import { ApiKeysController } from './api-keys/api-keys.controller';
import { BaselinesModule } from './baselines/baselines.module';
import { ConnectionsModule } from './connections/connections.module';
import { CoreModule } from './core.module';
import { DriftsModule } from './drifts/drifts.module';
import { HealthController } from './health/health.controller';
import { MetricsController } from './metrics/metrics.controller';
import { PollingModule } from './polling/polling.module';

@Module({})
export class AppModule {
  static forRoot(config: TollgateConfig, db: Database): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(config, db),
        ScheduleModule.forRoot(),
        BaselinesModule,
        ConnectionsModule,
        DriftsModule,
        PollingModule,
      ],
      controllers: [HealthController, MetricsController, ApiKeysController],
      providers: [{ provide: APP_GUARD, useClass: ApiKeyGuard }],
    };
  }
}
