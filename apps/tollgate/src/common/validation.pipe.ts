import { AsyncLocalStorage } from 'node:async_hooks';
import { ValidationPipe, type ArgumentMetadata, type ValidationError } from '@nestjs/common';

/**
 * Constraints that check what kind of value a field holds. When one fails, the field's other
 * constraints (length, range, pattern) fail only because of it: "name must be a string" says it
 * all, and "name must be shorter than or equal to 200 characters" beside it would mislead.
 */
const KIND_CHECKS = new Set(['isDefined', 'isString', 'isInt', 'isNumber', 'isBoolean', 'isObject', 'isArray', 'isDate', 'isDateString', 'isUuid', 'isEnum']);

/** Where each key stands in the object as sent (JSON.parse keeps key order). */
function keyOrder(sent: unknown): Map<string, number> {
  return new Map(sent !== null && typeof sent === 'object' ? Object.keys(sent).map((key, i) => [key, i]) : []);
}

/**
 * The problems of one body in the order its fields were sent (fields missing from it after those,
 * in the order the DTO declares them), each field's messages in the order its decorators are
 * written, and only the kind check when the value is of the wrong kind.
 */
export function inFieldOrder(errors: ValidationError[], sent: unknown): ValidationError[] {
  // The validated instance cannot tell: its declared fields come first, in declaration order.
  const order = keyOrder(sent);
  const rank = (e: ValidationError) => order.get(e.property) ?? Number.MAX_SAFE_INTEGER;
  return errors
    .map((e, i) => ({ e, i }))
    .sort((a, b) => rank(a.e) - rank(b.e) || a.i - b.i)
    .map(({ e }) => ({
      ...e,
      constraints: e.constraints && writtenOrder(e.constraints),
      children: e.children && inFieldOrder(e.children, order.has(e.property) ? (sent as Record<string, unknown>)[e.property] : undefined),
    }));
}

/** The value as sent, for the validation of the request being transformed. */
const sentValue = new AsyncLocalStorage<unknown>();

function writtenOrder(constraints: Record<string, string>): Record<string, string> {
  // class-validator runs a property's decorators bottom-up (the last written first); reversed, they read as written.
  const entries = Object.entries(constraints).reverse();
  const kind = entries.filter(([name]) => KIND_CHECKS.has(name));
  return Object.fromEntries(kind.length > 0 ? kind : entries);
}

/**
 * The app's one validation pipe: every problem of a request at once (stopAtFirstError off), in
 * field order, so a client fixes a refused body in one round trip.
 */
export class FieldOrderValidationPipe extends ValidationPipe {
  constructor() {
    super({ whitelist: true, forbidNonWhitelisted: true, transform: true, forbidUnknownValues: true, stopAtFirstError: false });
  }

  override transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    return sentValue.run(value, () => super.transform(value, metadata));
  }

  protected override flattenValidationErrors(errors: ValidationError[]): string[] {
    return super.flattenValidationErrors(inFieldOrder(errors, sentValue.getStore()));
  }
}
