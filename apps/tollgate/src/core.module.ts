import { Global, Logger, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { roleMappingDigest, TollgateConfig } from '@tollgate/config';
import type { Database } from '@tollgate/database';
import { ApiKeyService, AuditLog, SessionService } from '@tollgate/auth';
import { DriftQuery } from '@tollgate/drift';
import { EvidenceLedger } from '@tollgate/evidence';
import { TollgateMetrics } from '@tollgate/metrics';
import { createConnectGuard, type Resolver } from '@tollgate/connector-sdk';
import { CredentialCipher } from './connections/credential-cipher';
import { LeaseRepository } from './polling/lease.repository';
import { VERSION } from './version';

export const DATABASE = Symbol('DATABASE');
/** The ConnectGuard every provider request connects through (TOLLGATE_ALLOWED_ENDPOINT_HOSTS). */
export const CONNECT_GUARD = Symbol('CONNECT_GUARD');

export interface CoreOptions {
  /** Name resolution for provider requests; the system's unless a test resolves names without DNS. */
  resolve?: Resolver;
}

class DatabaseCloser implements OnApplicationShutdown {
  constructor(private readonly db: Database) {}
  async onApplicationShutdown(signal?: string): Promise<void> {
    await this.db.close();
    // The database closes last: after this line the process only exits.
    new Logger('Lifecycle').log({ message: 'stopped', ...(signal ? { signal } : {}) });
  }
}

/** Process-wide singletons: configuration, the database, the credential cipher, metrics, keys. */
@Global()
@Module({})
export class CoreModule {
  static forRoot(config: TollgateConfig, db: Database, options: CoreOptions = {}): DynamicModule {
    const providers = [
      { provide: TollgateConfig, useValue: config },
      { provide: DATABASE, useValue: db },
      { provide: DataSource, useFactory: (db: Database) => db.dataSource, inject: [DATABASE] },
      { provide: DatabaseCloser, useFactory: (db: Database) => new DatabaseCloser(db), inject: [DATABASE] },
      { provide: CredentialCipher, useFactory: () => CredentialCipher.fromConfig(config) },
      { provide: CONNECT_GUARD, useFactory: () => createConnectGuard({ allowedHosts: config.allowedEndpointHosts, resolve: options.resolve }) },
      { provide: TollgateMetrics, useFactory: () => new TollgateMetrics(VERSION) },
      { provide: ApiKeyService, useFactory: (ds: DataSource) => new ApiKeyService(ds, config.TOLLGATE_BOOTSTRAP_ADMIN_KEY), inject: [DataSource] },
      { provide: LeaseRepository, useFactory: (ds: DataSource) => new LeaseRepository(ds, config.TOLLGATE_LEASE_SECONDS), inject: [DataSource] },
      { provide: DriftQuery, useFactory: (ds: DataSource) => new DriftQuery(ds), inject: [DataSource] },
      { provide: EvidenceLedger, useValue: new EvidenceLedger() },
      { provide: AuditLog, useFactory: (ds: DataSource) => new AuditLog(ds), inject: [DataSource] },
      {
        provide: SessionService,
        useFactory: (ds: DataSource) =>
          new SessionService(ds, {
            enabled: config.oidcEnabled,
            idleMinutes: config.TOLLGATE_SESSION_IDLE_MINUTES,
            absoluteHours: config.TOLLGATE_SESSION_ABSOLUTE_HOURS,
            secure: config.sessionCookieSecure,
            origin: config.TOLLGATE_PUBLIC_URL ? new URL(config.TOLLGATE_PUBLIC_URL).origin : undefined,
            roleMappingDigest: roleMappingDigest(config.oidcRoleMapping),
          }),
        inject: [DataSource],
      },
    ];
    return {
      module: CoreModule,
      providers,
      exports: [TollgateConfig, DATABASE, DataSource, CredentialCipher, CONNECT_GUARD, TollgateMetrics, ApiKeyService, LeaseRepository, DriftQuery, EvidenceLedger, AuditLog, SessionService],
    };
  }
}
