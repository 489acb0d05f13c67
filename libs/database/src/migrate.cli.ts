// `npm run migration:run`: applies pending migrations to DATABASE_URL (or the embedded database).
import { loadConfig } from '@tollgate/config';
import { openDatabase } from './database';

async function main(): Promise<void> {
  const config = loadConfig();
  const db = await openDatabase(config, [], { log: (m) => process.stdout.write(`${m}\n`) });
  await db.close();
  process.stdout.write('migrations are up to date\n');
}

main().catch((err: Error) => {
  process.stderr.write(`${err.message}\n`);
  process.exit(1);
});
