import { ConsoleLogger, RequestMethod, ValidationPipe, type INestApplication, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { TollgateConfig } from '@tollgate/config';
import { AppModule } from './app.module';

const LEVELS: Record<TollgateConfig['TOLLGATE_LOG_LEVEL'], LogLevel[]> = {
  debug: ['fatal', 'error', 'warn', 'log', 'debug'],
  info: ['fatal', 'error', 'warn', 'log'],
  warn: ['fatal', 'error', 'warn'],
  error: ['fatal', 'error'],
};

/** Builds the app from validated configuration, without listening: main, the demo and e2e tests share it. */
export async function createTollgateApp(config: TollgateConfig, logger?: ConsoleLogger): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    logger: logger ?? new ConsoleLogger({ json: true, logLevels: LEVELS[config.TOLLGATE_LOG_LEVEL] }),
    bodyParser: false,
    abortOnError: false,
  });
  // Small bodies only: nothing Tollgate accepts is large, and a bound keeps abuse cheap (413 past it).
  app.useBodyParser('json', { limit: '256kb' });
  app.disable('x-powered-by');
  app.setGlobalPrefix('api/v1', {
    exclude: [
      { path: 'healthz', method: RequestMethod.GET },
      { path: 'readyz', method: RequestMethod.GET },
      { path: 'metrics', method: RequestMethod.GET },
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
  app.enableShutdownHooks();
  return app;
}
