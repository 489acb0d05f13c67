import { ConsoleLogger, RequestMethod, ValidationPipe, type INestApplication, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { TollgateConfig } from '@tollgate/config';
import { openDatabase } from '@tollgate/database';
import { AppModule } from './app.module';
import type { CoreOptions } from './core.module';
import { setUpOpenApi } from './openapi';
import { JsonLogger } from './logging/json.logger';
import { requestIdMiddleware } from './logging/request-id.middleware';
import { jsonBodyMiddleware } from './common/json-body.middleware';

const LEVELS: Record<TollgateConfig['TOLLGATE_LOG_LEVEL'], LogLevel[]> = {
  debug: ['fatal', 'error', 'warn', 'log', 'debug'],
  info: ['fatal', 'error', 'warn', 'log'],
  warn: ['fatal', 'error', 'warn'],
  error: ['fatal', 'error'],
};

/** Builds the app from validated configuration, without listening: main, the demo and e2e tests share it. */
export async function createTollgateApp(config: TollgateConfig, logger?: ConsoleLogger, options: CoreOptions = {}): Promise<INestApplication> {
  const log = logger ?? new JsonLogger({ json: true, logLevels: LEVELS[config.TOLLGATE_LOG_LEVEL] });
  // Opened before the module graph so that a start-up failure anywhere in it still closes the database.
  const db = await openDatabase(config, [], { log: (message) => log.log(message, 'Database') });
  let app: NestExpressApplication;
  try {
    app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, db, options), {
      logger: log,
      bodyParser: false,
      abortOnError: false,
    });
  } catch (err) {
    await db.close();
    throw err;
  }
  // First, so that every response (a 413 from the body parser too) carries a request id and an access line.
  app.use(requestIdMiddleware(log));
  // Small bodies only: nothing Tollgate accepts is large, and a bound keeps abuse cheap (413 past it).
  app.useBodyParser('json', { limit: '256kb' });
  app.use(jsonBodyMiddleware);
  app.disable('x-powered-by');
  app.setGlobalPrefix('api/v1', {
    exclude: [
      { path: 'healthz', method: RequestMethod.GET },
      { path: 'readyz', method: RequestMethod.GET },
      { path: 'metrics', method: RequestMethod.GET },
      // Sign-in for people: browser navigations, not API calls.
      { path: 'auth/login', method: RequestMethod.GET },
      { path: 'auth/callback', method: RequestMethod.GET },
      { path: 'auth/logout', method: RequestMethod.POST },
      { path: 'auth/session', method: RequestMethod.GET },
    ],
  });
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      forbidUnknownValues: true,
      stopAtFirstError: false,
    }),
  );
  setUpOpenApi(app);
  app.enableShutdownHooks();
  return app;
}

/** Creates and starts listening; if start-up hooks fail (a bad connections file), everything is closed. */
export async function startTollgateApp(
  config: TollgateConfig,
  logger?: ConsoleLogger,
  port = config.PORT,
  host = config.HOST,
  options: CoreOptions = {},
): Promise<INestApplication> {
  const app = await createTollgateApp(config, logger, options);
  try {
    await app.listen(port, host);
  } catch (err) {
    await app.close();
    throw err;
  }
  return app;
}
