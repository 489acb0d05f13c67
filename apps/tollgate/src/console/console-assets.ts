import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { NextFunction, Request, Response } from 'express';

/**
 * The console's responses may run only the console's own script and styles: nothing inline, nothing
 * from elsewhere, never inside a frame. The API answers JSON and needs none of this.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** The pages the console routes in the browser; each answers the same index.html. */
const PAGE = /^\/(?:|connections\/[0-9a-fA-F-]{36}|drifts\/[0-9a-fA-F-]{36}|exceptions|audit)$/;

/**
 * Where `npm run build` put the console: beside the compiled server (dist/apps/console/public), or,
 * when the server runs from its TypeScript sources (tests), in the repository's dist/. Null when the
 * console was never built: `/` then answers 404 as any unknown path.
 */
export function consoleDirectory(): string | null {
  for (const dir of [join(__dirname, '../../../console/public'), join(__dirname, '../../../../dist/apps/console/public')]) {
    if (existsSync(join(dir, 'index.html')) && existsSync(join(dir, 'app.js'))) return dir;
  }
  return null;
}

/** Serves the built console at `/` and its pages; every other path goes on to Nest. */
export function consoleMiddleware(dir: string | null) {
  // The file list is read once: a request can only ever name a file that was built, never a path.
  const assets = new Map<string, string>();
  if (dir) for (const name of readdirSync(dir)) if (name !== 'index.html') assets.set(`/${name}`, join(dir, name));
  return (req: Request, res: Response, next: NextFunction): void => {
    if (!dir || (req.method !== 'GET' && req.method !== 'HEAD')) return next();
    const asset = assets.get(req.path);
    if (!asset && !PAGE.test(req.path)) return next();
    res.setHeader('Content-Security-Policy', CONSOLE_CSP);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(asset ?? join(dir, 'index.html'));
  };
}
