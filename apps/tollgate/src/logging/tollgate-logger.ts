import type { PinoLogger } from 'nestjs-pino';
import { Logger as NestPinoLogger } from 'nestjs-pino';
import pino, { type DestinationStream, type Logger as Pino } from 'pino';
import { redact, redactString } from './log-redactor';
import { logContext } from './request-context';

export type TollgateLogLevel = 'debug' | 'info' | 'warn' | 'error';

/**
 * Nest's start-up chatter (a line per module and per route, ~40 at info) tells an operator nothing
 * they need; it stays available at debug.
 */
const START_UP_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory', 'NestApplication']);

/**
 * The pino instance behind every Tollgate log line: one JSON object per line with an ISO-8601
 * `time`, a level name, `msg` as a string, and the context of the request or poll being served
 * (requestId; pollId, connectionId, connectionName) as fields. Everything is redacted before it is
 * written — the fields, the message and any error's message and stack.
 */
export function createPino(level: TollgateLogLevel, destination?: DestinationStream): Pino {
  return pino(
    {
      level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        log: (fields) => redact(fields) as Record<string, unknown>,
      },
      mixin: () => ({ ...logContext.getStore() }),
      hooks: { logMethod: normalizeMessage },
    },
    destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

/**
 * Nest hands over `{message, ...fields}` objects and plain strings; pino wants fields first and the
 * text as a separate string. The text (or an error's message) becomes `msg`, never an object.
 */
function normalizeMessage(this: Pino, args: unknown[], method: (...a: unknown[]) => void): void {
  const [first, ...rest] = args;
  if (typeof first === 'string') return method.apply(this, [redactString(first), ...rest.map(redact)]);
  if (typeof first !== 'object' || first === null) return method.apply(this, args);
  const { message, ...fields } = first as Record<string, unknown>;
  const text = typeof rest[0] === 'string' ? rest[0] : message !== undefined ? message : fields.err instanceof Error ? fields.err.message : undefined;
  if (text === undefined) return method.apply(this, [fields]);
  method.apply(this, [fields, redactString(typeof text === 'string' ? text : JSON.stringify(redact(text)))]);
}

/**
 * The Nest logger: nestjs-pino's adapter (Nest's `log(message, context)` contract → pino) over a
 * pino instance of this app's own, so that several apps in one process (tests, replicas) each keep
 * their own destination. Nest's start-up lines are demoted to debug.
 */
export class TollgateLogger extends NestPinoLogger {
  constructor(readonly pino: Pino) {
    // The adapter only calls the level methods, which a pino instance has.
    super(pino as unknown as PinoLogger, {});
  }

  override log(message: unknown, ...optionalParams: unknown[]): void {
    const context = optionalParams[optionalParams.length - 1];
    if (typeof context === 'string' && START_UP_CONTEXTS.has(context)) return super.debug(message, ...optionalParams);
    super.log(message, ...optionalParams);
  }
}

export function createTollgateLogger(level: TollgateLogLevel, destination?: DestinationStream): TollgateLogger {
  return new TollgateLogger(createPino(level, destination));
}
