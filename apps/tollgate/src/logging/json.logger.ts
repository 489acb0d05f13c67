import { ConsoleLogger } from '@nestjs/common';
import { redact } from './log-redactor';
import { requestContext } from './request-context';

/**
 * Nest's JSON console logger with every message redacted before it is formatted, and object
 * messages written while serving a request stamped with its requestId. Redaction happens in the
 * public methods so that subclasses that only change where lines go (tests capture them) keep it.
 */
export class JsonLogger extends ConsoleLogger {
  override log(message: unknown, ...optionalParams: unknown[]): void {
    super.log(this.prepare(message), ...optionalParams.map(redact));
  }

  override error(message: unknown, ...optionalParams: unknown[]): void {
    super.error(this.prepare(message), ...optionalParams.map(redact));
  }

  override warn(message: unknown, ...optionalParams: unknown[]): void {
    super.warn(this.prepare(message), ...optionalParams.map(redact));
  }

  override debug(message: unknown, ...optionalParams: unknown[]): void {
    super.debug(this.prepare(message), ...optionalParams.map(redact));
  }

  override verbose(message: unknown, ...optionalParams: unknown[]): void {
    super.verbose(this.prepare(message), ...optionalParams.map(redact));
  }

  override fatal(message: unknown, ...optionalParams: unknown[]): void {
    super.fatal(this.prepare(message), ...optionalParams.map(redact));
  }

  private prepare(message: unknown): unknown {
    const clean = redact(message);
    const requestId = requestContext.getStore()?.requestId;
    if (requestId && isPlainObject(clean) && clean.requestId === undefined) return { ...clean, requestId };
    return clean;
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;
}
