import 'reflect-metadata';
import { ConfigError, loadConfig } from '@tollgate/config';
import { startTollgateApp } from './bootstrap';

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
  await startTollgateApp(config);
}

main().catch((err: Error) => {
  process.stderr.write(`tollgate: failed to start: ${err.message}\n`);
  process.exit(1);
});
