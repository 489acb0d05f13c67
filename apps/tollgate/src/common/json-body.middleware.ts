import { STATUS_CODES } from 'node:http';
import type { NextFunction, Request, Response } from 'express';

/** Deeper than anything Tollgate accepts (a Google key file is two levels); recursion in validation stays shallow. */
export const MAX_JSON_DEPTH = 32;

const WITH_BODY = new Set(['POST', 'PATCH', 'PUT']);

/**
 * Keys that reach an object's prototype. JSON.parse makes "__proto__" an own property that
 * validation never sees, so it would pass silently; "constructor" and "prototype" slip past the
 * unknown-field check the same way (class-validator treats them as inherited, not as fields).
 */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * What Postgres cannot store in text or jsonb: NUL (text refuses it, jsonb refuses `\u0000`) and
 * UTF-16 surrogates that are not part of a pair (jsonb refuses their `\uD800` escapes, and text
 * would silently get U+FFFD instead of what was sent).
 */
// eslint-disable-next-line no-control-regex -- NUL is exactly what is looked for.
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A field path as a message can show it: the characters refused are written as escapes. */
const shown = (path: string) =>
  // eslint-disable-next-line no-control-regex -- control characters are what gets escaped.
  path.replace(/[\u0000-\u001f\uD800-\uDFFF]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** Why a string cannot be stored, or undefined when it can. */
export function unstorable(text: string): string | undefined {
  const m = UNSTORABLE.exec(text);
  if (!m) return undefined;
  return m[0] === '\u0000' ? 'must not contain the NUL character (U+0000)' : 'must not contain an unpaired UTF-16 surrogate';
}

/** The first problem with a parsed body, walked without recursion so a hostile depth cannot overflow the stack. */
export function jsonBodyProblem(body: unknown): string | undefined {
  const stack: { value: unknown; depth: number; path: string }[] = [{ value: body, depth: 0, path: 'body' }];
  while (stack.length > 0) {
    const { value, depth, path } = stack.pop()!;
    if (typeof value === 'string') {
      const why = unstorable(value);
      if (why) return `${shown(path)} ${why}`;
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_JSON_DEPTH) return `${shown(path)} is nested deeper than ${MAX_JSON_DEPTH} levels`;
    for (const key of Object.keys(value)) {
      const at = path === 'body' ? key : `${path}.${key}`;
      if (PROTOTYPE_KEYS.has(key)) return `property ${shown(at)} should not exist`;
      const why = unstorable(key);
      if (why) return `property name ${shown(at)} ${why}`;
      stack.push({ value: (value as Record<string, unknown>)[key], depth: depth + 1, path: at });
    }
  }
  return undefined;
}

/** The first query parameter whose name or value cannot be stored (express gives strings, or arrays of them). */
export function queryProblem(query: unknown): string | undefined {
  if (query === null || typeof query !== 'object') return undefined;
  for (const [name, value] of Object.entries(query)) {
    const nameWhy = unstorable(name);
    if (nameWhy) return `query parameter name ${shown(name)} ${nameWhy}`;
    for (const v of ([] as unknown[]).concat(value)) {
      const why = typeof v === 'string' ? unstorable(v) : undefined;
      if (why) return `${shown(name)} ${why}`;
    }
  }
  return undefined;
}

/**
 * Runs after the JSON body parser. A body in another format would be dropped unparsed and the request
 * handled as if it had none (an empty PATCH succeeding, say): it is refused with 415 instead. Parsed
 * bodies too deep to validate safely, carrying prototype keys, or holding characters Postgres cannot
 * store are refused with 400 naming the field; query strings get the same character check. Done once
 * here so that no route can hand such a string to the database and answer 500.
 */
export function jsonBodyMiddleware(req: Request, res: Response, next: NextFunction): void {
  const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  if (WITH_BODY.has(req.method) && hasBody && !req.is('application/json')) {
    res.status(415).json({ statusCode: 415, error: 'Unsupported Media Type', message: 'request bodies must be JSON (Content-Type: application/json)' });
    return;
  }
  const problem = queryProblem(req.query) ?? jsonBodyProblem(req.body);
  if (problem) {
    res.status(400).json({ statusCode: 400, error: 'Bad Request', message: [problem] });
    return;
  }
  next();
}

/**
 * Answers the body parser's refusals (413 too large, 400 malformed JSON or a bad charset) itself.
 * Left to Nest they reached its catch-all, which logs every unknown error at error level with a
 * stack trace: a request anyone can send without a key made error lines. These are the client's
 * mistakes, so only the access line (at warn) records them. The parser's own message for bad JSON
 * quotes the body, which may hold a credential, so it is not passed on.
 */
export function bodyParserErrorHandler(err: unknown, _req: Request, res: Response, next: NextFunction): void {
  const e = err as { status?: unknown; expose?: unknown; type?: unknown; message?: unknown };
  if (typeof e?.status !== 'number' || e.status < 400 || e.status >= 500 || e.expose !== true || res.headersSent) {
    next(err);
    return;
  }
  const message =
    e.type === 'entity.too.large' ? 'request body is too large: at most 256 kB' : e.type === 'entity.parse.failed' ? 'request body is not valid JSON' : String(e.message);
  res.status(e.status).json({ statusCode: e.status, error: STATUS_CODES[e.status], message });
}
