import { CanActivate, ExecutionContext, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { ApiKeyService } from './api-key.service';
import { AuditLog, auditedRequest } from './audit-log';
import { PUBLIC_KEY, ROLES_KEY, UNSCOPED_KEY, type Principal, type Role } from './roles';
import { SessionService, type ActiveSession } from './session.service';

export type AuthenticatedRequest = Request & { principal?: Principal; session?: ActiveSession };

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** One cookie's value from the Cookie header, or undefined. */
export function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

/**
 * Every route needs `Authorization: Bearer <api key>` or a person's session cookie unless marked
 * @Public(). A missing, malformed, unknown or revoked key all get the same 401, so probing cannot
 * tell whether a key exists. With an Authorization header the cookie is not looked at, so
 * automation is unchanged. A state-changing request made with a session must carry the session's
 * CSRF token in X-CSRF-Token and, when the browser says where it comes from (Origin), come from
 * Tollgate's own origin; the role and scope rules are the same for both.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeyService,
    private readonly audit: AuditLog,
    private readonly sessions: SessionService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const principal = req.headers.authorization === undefined ? await this.fromSession(req) : await this.fromApiKey(req);
    req.principal = principal;
    const allowed = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (principal.role !== 'admin' && (!allowed || !allowed.includes(principal.role))) {
      if (req.method !== 'GET') await this.audit.record({ principal, ...auditedRequest(req), outcome: 'denied', status: 403 });
      throw new ForbiddenException(`role ${principal.role} may not do this`);
    }
    if (principal.connectionIds && this.reflector.getAllAndOverride<boolean>(UNSCOPED_KEY, targets)) {
      if (req.method !== 'GET') await this.audit.record({ principal, ...auditedRequest(req), outcome: 'denied', status: 403 });
      throw new ForbiddenException('a key scoped to connections may not do this: it needs a key for all connections');
    }
    return true;
  }

  private async fromApiKey(req: AuthenticatedRequest): Promise<Principal> {
    const match = /^Bearer (\S{1,512})$/.exec(req.headers.authorization ?? '');
    const principal = match ? await this.keys.authenticate(match[1]) : null;
    if (!principal) throw new UnauthorizedException('a valid API key is required: Authorization: Bearer <key>');
    return principal;
  }

  private async fromSession(req: AuthenticatedRequest): Promise<Principal> {
    const token = this.sessions.settings.enabled ? readCookie(req, this.sessions.cookieName) : undefined;
    const session = token ? await this.sessions.authenticate(token) : null;
    if (!token || !session) {
      throw new UnauthorizedException(
        token ? 'the session has ended: sign in again at /auth/login' : 'a valid API key is required: Authorization: Bearer <key>',
      );
    }
    if (!SAFE_METHODS.has(req.method)) {
      const origin = req.headers.origin;
      const reason =
        origin !== undefined && origin !== this.sessions.settings.origin
          ? `a change made with a session must come from ${this.sessions.settings.origin ?? "Tollgate's own origin"}`
          : !SessionService.csrfMatches(token, req.get('x-csrf-token'))
            ? 'a change made with a session needs its CSRF token in X-CSRF-Token (see GET /auth/session)'
            : undefined;
      if (reason) {
        await this.audit.record({ principal: session.principal, ...auditedRequest(req), outcome: 'denied', status: 403 });
        throw new ForbiddenException(reason);
      }
    }
    req.session = session;
    return session.principal;
  }
}
