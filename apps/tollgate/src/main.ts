import 'reflect-metadata';
import { ConfigError, loadConfig } from '@tollgate/config';
import { createTollgateApp } from './bootstrap';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`tollgate: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const app = await createTollgateApp(config);
  await app.listen(config.PORT, config.HOST);
}

main().catch((err: Error) => {
  process.stderr.write(`tollgate: failed to start: ${err.message}\n`);
  process.exit(1);
});
