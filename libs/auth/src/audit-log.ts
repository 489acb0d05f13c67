import { Injectable, Logger } from '@nestjs/common';
import type { Request } from 'express';
import { DataSource } from 'typeorm';
import type { Principal } from './roles';

export interface AuditRecord {
  principal: Pick<Principal, 'keyId' | 'principalId' | 'name' | 'role'>;
  action: string;
  target: string | null;
  outcome: 'success' | 'denied' | 'failed';
  status: number;
  requestId: string | null;
}

/**
 * What an audit entry says of a request: `<method> <route>`, the id in its path, and its request id
 * as the response carries it (the request-id middleware's: the caller's own only when it is a sane
 * id, else a fresh one), so an audit row always matches the request's log lines.
 */
export function auditedRequest(req: Request): Pick<AuditRecord, 'action' | 'target' | 'requestId'> {
  const route = (req.route as { path?: string } | undefined)?.path ?? req.path;
  const requestId = req.res?.getHeader('x-request-id');
  return {
    action: `${req.method} ${route}`,
    target: storableTarget(req.params?.id as string | undefined),
    requestId: typeof requestId === 'string' ? requestId : null,
  };
}

/**
 * The path id as the audit table can hold it. A refused request is audited too, and its id may be
 * anything the caller typed: text Postgres refuses (NUL, unpaired surrogates) is written as a
 * \uXXXX escape and the id is cut at 200 code points, so the refusal is recorded, not lost.
 */
function storableTarget(id: string | undefined): string | null {
  if (id === undefined) return null;
  const escaped = id.replace(
    // eslint-disable-next-line no-control-regex -- NUL is exactly what is looked for.
    /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  const points = Array.from(escaped);
  return points.length > 200 ? `${points.slice(0, 199).join('')}…` : escaped;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Who did what to which object, and how it ended; written for every mutating API call. Each event
 * also records the connection its target belongs to (the connection itself, or the one of an
 * exception or drift), so a key scoped to connections reads only the events about its own.
 */
@Injectable()
export class AuditLog {
  private readonly logger = new Logger('AuditLog');

  constructor(private readonly ds: DataSource) {}

  async record(r: AuditRecord): Promise<void> {
    try {
      const targetId = r.target && UUID.test(r.target) ? r.target : null;
      await this.ds.query(
        `INSERT INTO audit_events (actor_key, actor_principal, actor, role, action, target, outcome, status, request_id, connection_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, COALESCE(
           (SELECT id FROM connections WHERE id = $10::uuid),
           (SELECT connection_id FROM exception_tickets WHERE id = $10::uuid),
           (SELECT connection_id FROM drifts WHERE id = $10::uuid)))`,
        [r.principal.keyId, r.principal.principalId, r.principal.name, r.principal.role, r.action, r.target, r.outcome, r.status, r.requestId, targetId],
      );
    } catch (err) {
      // The action itself already happened (or was refused); losing its audit row must be loud.
      this.logger.error({ message: 'could not write audit event', action: r.action, error: (err as Error).message });
    }
  }
}
