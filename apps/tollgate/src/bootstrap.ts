import { Logger, RequestMethod, type INestApplication, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { TollgateConfig } from '@tollgate/config';
import { openDatabase } from '@tollgate/database';
import { AppModule } from './app.module';
import type { CoreOptions } from './core.module';
import { setUpOpenApi } from './openapi';
import { DataSource } from 'typeorm';
import { BaselinesService } from './baselines/baselines.service';
import { createTollgateLogger } from './logging/tollgate-logger';
import { requestIdMiddleware } from './logging/request-id.middleware';
import { bodyParserErrorHandler, jsonBodyMiddleware } from './common/json-body.middleware';
import { FieldOrderValidationPipe } from './common/validation.pipe';
import { VERSION } from './version';
import { consoleDirectory, consoleMiddleware } from './console/console-assets';

/** Builds the app from validated configuration, without listening: main, the demo and e2e tests share it. */
export async function createTollgateApp(config: TollgateConfig, logger?: LoggerService, options: CoreOptions = {}): Promise<INestApplication> {
  const log = logger ?? createTollgateLogger(config.TOLLGATE_LOG_LEVEL);
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
  app.use(bodyParserErrorHandler);
  app.use(jsonBodyMiddleware);
  app.disable('x-powered-by');
  // The console for people: static files at `/` and its pages, outside /api/v1.
  app.use(consoleMiddleware(consoleDirectory()));
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
  app.useGlobalPipes(new FieldOrderValidationPipe());
  setUpOpenApi(app);
  app.enableShutdownHooks();
  return app;
}

/** Creates and starts listening; if start-up hooks fail (a bad connections file), everything is closed. */
export async function startTollgateApp(
  config: TollgateConfig,
  logger?: LoggerService,
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
  await logStartSummary(app, config);
  return app;
}

/** One line that says what started: an operator reads this instead of Nest's start-up chatter. */
async function logStartSummary(app: INestApplication, config: TollgateConfig): Promise<void> {
  const [{ count }] = (await app.get(DataSource).query('SELECT count(*)::int AS count FROM connections')) as { count: number }[];
  const address = app.getHttpServer().address() as { port: number } | null;
  new Logger('Lifecycle').log({
    message: 'tollgate started',
    role: config.TOLLGATE_ROLE,
    database: config.DATABASE_URL ? 'postgres' : 'embedded',
    connections: count,
    baselines: app.get(BaselinesService).list().length,
    port: address?.port ?? config.PORT,
    version: VERSION,
  });
}
