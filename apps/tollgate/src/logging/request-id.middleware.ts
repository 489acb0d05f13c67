import type { LoggerService } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { logContext } from './request-context';

export const REQUEST_ID_HEADER = 'x-request-id';

// Callers may bring their own id (a gateway's trace id); anything else is replaced, so log lines
// never carry arbitrary client text.
const SANE_REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

// Probes and scrapes arrive every few seconds; their access lines are debug-level noise.
const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * Gives every request an id (echoed in `x-request-id`), runs the rest of the request inside that
 * context so its log lines carry it, and writes one access line when the response ends: method,
 * path without the query string, status, duration and requestId — never headers or bodies. Its level
 * follows the status: log, warn for a refusal (4xx), error for a failure (5xx).
 */
export function requestIdMiddleware(logger: LoggerService) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const offered = req.headers[REQUEST_ID_HEADER];
    const requestId = typeof offered === 'string' && SANE_REQUEST_ID.test(offered) ? offered : randomUUID();
    const started = process.hrtime.bigint();
    res.setHeader(REQUEST_ID_HEADER, requestId);
    let logged = false;
    const done = () => {
      if (logged) return;
      logged = true;
      const path = (req.originalUrl ?? req.url).split('?')[0].slice(0, 512);
      const line = {
        message: 'request',
        method: req.method,
        path,
        status: res.writableFinished ? res.statusCode : 499,
        durationMs: Math.round(Number(process.hrtime.bigint() - started) / 1e4) / 100,
        requestId,
      };
      // A refusal (4xx) is the client's doing: a warn line, never an error with a stack. 5xx is ours.
      if (line.status >= 500) logger.error(line, 'HttpAccess');
      else if (line.status >= 400) logger.warn(line, 'HttpAccess');
      else if (QUIET_PATHS.has(path)) logger.debug?.(line, 'HttpAccess');
      else logger.log(line, 'HttpAccess');
    };
    res.once('finish', done);
    res.once('close', done);
    logContext.run({ requestId }, next);
  };
}
