import { DataSource, MigrationExecutor, type DataSourceOptions, type MixedList, type EntitySchema } from 'typeorm';
import { ALL_MIGRATIONS } from '../../../migrations';

// Entities are passed in by the app (libs never import apps); migrations are raw SQL and need none.
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export type EntityList = MixedList<Function | string | EntitySchema>;

export function createDataSource(url: string, poolSize: number, entities: EntityList = []): DataSource {
  const options: DataSourceOptions = {
    type: 'postgres',
    url,
    entities,
    migrations: ALL_MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    synchronize: false,
    migrationsRun: false,
    logging: false,
    extra: { max: poolSize, application_name: 'tollgate', connectionTimeoutMillis: 5000 },
  };
  return new DataSource(options);
}

export async function pendingMigrations(dataSource: DataSource): Promise<number> {
  const runner = dataSource.createQueryRunner();
  try {
    const executor = new MigrationExecutor(dataSource, runner);
    return (await executor.getPendingMigrations()).length;
  } finally {
    await runner.release();
  }
}

/**
 * Applies pending migrations under an advisory lock, so replicas starting together never race on
 * the schema; each migration runs in its own transaction.
 */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock(hashtext($1))', ['tollgate:migrations']);
    try {
      // The executor uses the runner that holds the lock: with the embedded database's single
      // pooled connection, a second connection would wait forever.
      const executor = new MigrationExecutor(dataSource, runner);
      executor.transaction = 'each';
      const applied = await executor.executePendingMigrations();
      return applied.map((m) => m.name);
    } finally {
      await runner.query('SELECT pg_advisory_unlock(hashtext($1))', ['tollgate:migrations']);
    }
  } finally {
    await runner.release();
  }
}
