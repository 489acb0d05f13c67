import { HttpException, Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { catchError, tap, throwError, type Observable } from 'rxjs';
import { AuditLog, auditedRequest, type AuthenticatedRequest } from '@tollgate/auth';

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Records every mutating call that passed authentication, with its outcome. Reads are not audited. */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(private readonly audit: AuditLog) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (READ_METHODS.has(req.method) || !req.principal) return next.handle();
    const principal = req.principal;
    const { action, target, requestId } = auditedRequest(req);
    return next.handle().pipe(
      tap((body: unknown) => {
        const status = context.switchToHttp().getResponse<{ statusCode: number }>().statusCode;
        const created = (body as { id?: unknown } | undefined)?.id;
        void this.audit.record({ principal, action, target: target ?? (typeof created === 'string' ? created : null), outcome: 'success', status, requestId });
      }),
      catchError((err: unknown) => {
        const status = err instanceof HttpException ? err.getStatus() : 500;
        void this.audit.record({ principal, action, target, outcome: status === 403 ? 'denied' : 'failed', status, requestId });
        return throwError(() => err);
      }),
    );
  }
}
