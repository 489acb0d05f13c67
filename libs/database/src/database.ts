import type { DataSource } from 'typeorm';
import type { TollgateConfig } from '@tollgate/config';
import { createDataSource, runMigrations, type EntityList } from './data-source';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres';

export interface Database {
  dataSource: DataSource;
  close(): Promise<void>;
}

export interface DatabaseLogger {
  log(message: string): void;
}

/**
 * Connects to DATABASE_URL, or starts the embedded PGlite when it is unset, and applies pending
 * migrations before anything else touches the schema.
 */
export async function openDatabase(config: TollgateConfig, entities: EntityList, logger: DatabaseLogger): Promise<Database> {
  let embedded: EmbeddedPostgres | undefined;
  let url = config.DATABASE_URL;
  let poolSize = config.TOLLGATE_DATABASE_POOL_SIZE;
  if (!url) {
    embedded = await startEmbeddedPostgres(config.TOLLGATE_DATA_DIR);
    url = embedded.url;
    poolSize = 1;
    logger.log(
      `embedded database (PGlite) under ${config.TOLLGATE_DATA_DIR}: single process, pool size 1; set DATABASE_URL for production or replicas`,
    );
  }
  const dataSource = createDataSource(url, poolSize, entities);
  try {
    await dataSource.initialize();
    const applied = await runMigrations(dataSource);
    if (applied.length > 0) logger.log(`applied migrations: ${applied.join(', ')}`);
  } catch (err) {
    if (dataSource.isInitialized) await dataSource.destroy();
    await embedded?.stop();
    throw err;
  }
  return {
    dataSource,
    async close() {
      if (dataSource.isInitialized) await dataSource.destroy();
      await embedded?.stop();
    },
  };
}
