import { createHash } from 'node:crypto';
import type { ThrottlerModuleOptions } from '@nestjs/throttler';
import type { TollgateConfig } from '@tollgate/config';

type Req = { headers: Record<string, string | string[] | undefined>; ip?: string; path?: string };

const UNMETERED = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * Two limits, both in memory per replica: one per presented key or session cookie (a digest of the
 * Authorization header or cookie, so no database lookup happens before the limit), and one per client address that also
 * caps guessing with ever-new keys. Probes and /metrics are not limited.
 */
export function rateLimits(config: TollgateConfig): ThrottlerModuleOptions {
  return {
    errorMessage: 'too many requests: retry after the number of seconds in Retry-After',
    skipIf: (ctx) => UNMETERED.has(ctx.switchToHttp().getRequest<Req>().path ?? ''),
    throttlers: [
      {
        // `default` keeps the standard Retry-After header name.
        name: 'default',
        ttl: 60_000,
        limit: config.TOLLGATE_RATE_LIMIT_PER_MINUTE,
        getTracker: (raw) => {
          const req = raw as Req;
          const auth = req.headers.authorization;
          if (typeof auth === 'string') return `key:${createHash('sha256').update(auth).digest('hex')}`;
          // A person's session counts like a key (the cookie's secret, digested, never stored).
          const session = /(?:^|;\s*)(?:__Host-)?tollgate-session=([^;\s]+)/.exec(typeof req.headers.cookie === 'string' ? req.headers.cookie : '')?.[1];
          return session ? `session:${createHash('sha256').update(session).digest('hex')}` : `anonymous:${req.ip}`;
        },
      },
      { name: 'ip', ttl: 60_000, limit: config.TOLLGATE_RATE_LIMIT_PER_IP_PER_MINUTE, getTracker: (raw) => `ip:${(raw as Req).ip}` },
    ],
  };
}
