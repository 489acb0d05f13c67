import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import type { TollgateConfig } from '@tollgate/config';
import type { Database } from '@tollgate/database';
import { ApiKeyGuard } from '@tollgate/auth';
import { ApiKeysController } from './api-keys/api-keys.controller';
import { AttestationsModule } from './attestations/attestations.module';
import { AuditEventsController } from './audit/audit-events.controller';
import { AuthController } from './auth/auth.controller';
import { OidcClient } from './auth/oidc-client';
import { AuditInterceptor } from './audit/audit.interceptor';
import { BaselinesModule } from './baselines/baselines.module';
import { ConnectionsModule } from './connections/connections.module';
import { rateLimits } from './common/rate-limit';
import { CoreModule, type CoreOptions } from './core.module';
import { DriftsModule } from './drifts/drifts.module';
import { EvidenceModule } from './evidence/evidence.module';
import { ExceptionsModule } from './exceptions/exceptions.module';
import { HealthController } from './health/health.controller';
import { MetricsController } from './metrics/metrics.controller';
import { PollingModule } from './polling/polling.module';
import { ReportsController } from './reports/reports.controller';
import { ExportSlots } from './reports/export-slots';
import { RetentionModule } from './retention/retention.module';

@Module({})
export class AppModule {
  static forRoot(config: TollgateConfig, db: Database, options: CoreOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(config, db, options),
        ScheduleModule.forRoot(),
        ThrottlerModule.forRoot(rateLimits(config)),
        BaselinesModule,
        ConnectionsModule,
        DriftsModule,
        PollingModule,
        ExceptionsModule,
        EvidenceModule,
        RetentionModule,
        AttestationsModule,
      ],
      controllers: [HealthController, MetricsController, ApiKeysController, AuditEventsController, ReportsController, AuthController],
      providers: [
        ExportSlots,
        OidcClient,
        // Order matters: the rate limit applies before any key is looked up.
        { provide: APP_GUARD, useClass: ThrottlerGuard },
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        { provide: APP_INTERCEPTOR, useClass: AuditInterceptor },
      ],
    };
  }
}
