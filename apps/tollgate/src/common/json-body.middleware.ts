import type { NextFunction, Request, Response } from 'express';

/** Deeper than anything Tollgate accepts (a Google key file is two levels); recursion in validation stays shallow. */
export const MAX_JSON_DEPTH = 32;

const WITH_BODY = new Set(['POST', 'PATCH', 'PUT']);

/** The first problem with a parsed body, walked without recursion so a hostile depth cannot overflow the stack. */
export function jsonBodyProblem(body: unknown): string | undefined {
  const stack: { value: unknown; depth: number; path: string }[] = [{ value: body, depth: 0, path: 'body' }];
  while (stack.length > 0) {
    const { value, depth, path } = stack.pop()!;
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_JSON_DEPTH) return `${path} is nested deeper than ${MAX_JSON_DEPTH} levels`;
    for (const key of Object.keys(value)) {
      // JSON.parse makes "__proto__" an own property; validation never sees it, so it would pass silently.
      if (key === '__proto__') return `property ${path === 'body' ? '' : `${path}.`}__proto__ should not exist`;
      stack.push({ value: (value as Record<string, unknown>)[key], depth: depth + 1, path: path === 'body' ? key : `${path}.${key}` });
    }
  }
  return undefined;
}

/**
 * Runs after the JSON body parser. A body in another format would be dropped unparsed and the request
 * handled as if it had none (an empty PATCH succeeding, say): it is refused with 415 instead. Parsed
 * bodies too deep to validate safely, or carrying `__proto__`, are refused with 400.
 */
export function jsonBodyMiddleware(req: Request, res: Response, next: NextFunction): void {
  const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  if (WITH_BODY.has(req.method) && hasBody && !req.is('application/json')) {
    res.status(415).json({ statusCode: 415, error: 'Unsupported Media Type', message: 'request bodies must be JSON (Content-Type: application/json)' });
    return;
  }
  const problem = jsonBodyProblem(req.body);
  if (problem) {
    res.status(400).json({ statusCode: 400, error: 'Bad Request', message: [problem] });
    return;
  }
  next();
}
