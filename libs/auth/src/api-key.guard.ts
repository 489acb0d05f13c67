import { CanActivate, ExecutionContext, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { ApiKeyService } from './api-key.service';
import { AuditLog, auditedRequest } from './audit-log';
import { PUBLIC_KEY, ROLES_KEY, UNSCOPED_KEY, type Principal, type Role } from './roles';

export type AuthenticatedRequest = Request & { principal?: Principal };

/**
 * Every route needs `Authorization: Bearer <api key>` unless marked @Public(). A missing, malformed,
 * unknown or revoked key all get the same 401, so probing cannot tell whether a key exists.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeyService,
    private readonly audit: AuditLog,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = req.headers.authorization ?? '';
    const match = /^Bearer (\S{1,512})$/.exec(header);
    const principal = match ? await this.keys.authenticate(match[1]) : null;
    if (!principal) throw new UnauthorizedException('a valid API key is required: Authorization: Bearer <key>');
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
}
