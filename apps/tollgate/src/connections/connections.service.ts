import { BadRequestException, ConflictException, ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { TollgateConfig } from '@tollgate/config';
import { resolveParameters } from '@tollgate/baseline';
import { EndpointRejectedError, type Connector, type JsonValue } from '@tollgate/connector-sdk';
import { connectorRegistry } from '@tollgate/connectors';
import type { Principal } from '@tollgate/auth';
import { BaselinesService } from '../baselines/baselines.service';
import { ConnectionChangesService, heldTo, type ConnectionChangeView, type HeldTo } from './connection-changes.service';
import { effectiveEndpoints, sameEndpoints } from './connection-endpoints';
import { CredentialCipher } from './credential-cipher';
import type { CreateConnectionDto, UpdateConnectionDto } from './dto/connection.dto';

interface ConnectionRow {
  id: string;
  provider: string;
  name: string;
  baseline_id: string;
  parameters: Record<string, JsonValue>;
  options: Record<string, unknown>;
  endpoints: Record<string, string>;
  declared_residency: string | null;
  poll_interval_seconds: number;
  credentials_key_id: string;
  source: 'api' | 'file';
  enabled: boolean;
  created_at: Date;
  updated_at: Date;
  next_poll_at: Date;
  lease_expires_at: Date | null;
  consecutive_failures: number;
  last_poll_finished_at: Date | null;
  last_success_at: Date | null;
  last_failure_reason: string | null;
  last_failure_message: string | null;
  evaluated_at: Date | null;
}

const COLUMNS = `id, provider, name, baseline_id, parameters, options, endpoints, declared_residency, poll_interval_seconds,
  credentials_key_id, source, enabled, created_at, updated_at, next_poll_at, lease_expires_at, consecutive_failures,
  last_poll_finished_at, last_success_at, last_failure_reason, last_failure_message, findings_confirmed_at AS evaluated_at`;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export type ConnectionSource = 'api' | 'file';

/**
 * Connections: validated against their connector, baseline and the endpoint rules before anything is
 * stored; credentials are encrypted with the connection id and effective endpoints bound in, and
 * never leave this service.
 */
@Injectable()
export class ConnectionsService {
  constructor(
    private readonly ds: DataSource,
    private readonly config: TollgateConfig,
    private readonly cipher: CredentialCipher,
    private readonly baselines: BaselinesService,
    private readonly changes: ConnectionChangesService,
  ) {}

  async create(dto: CreateConnectionDto, source: ConnectionSource = 'api') {
    const connector = this.connector(dto.provider);
    const options = {
      ...(dto.cloud ? { cloud: dto.cloud } : {}),
      ...(dto.fullReconcileHours ? { fullReconcileHours: dto.fullReconcileHours } : {}),
    };
    const fields = {
      baselineId: dto.baselineId ?? connector.defaultBaselineId,
      parameters: dto.parameters ?? {},
      endpoints: dto.endpoints ?? {},
      options,
      credentials: dto.credentials,
      pollIntervalSeconds: dto.pollIntervalSeconds ?? 900,
    };
    const endpoints = this.check(connector, fields);
    const id = randomUUID();
    const sealed = this.cipher.encrypt(dto.credentials, { connectionId: id, endpoints });
    let created: ConnectionRow[];
    try {
      created = await this.ds.query(
        `INSERT INTO connections (id, provider, name, baseline_id, parameters, options, endpoints, declared_residency,
                                  poll_interval_seconds, credentials_ciphertext, credentials_key_id, source)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING ${COLUMNS}`,
        [
          id,
          dto.provider,
          dto.name,
          fields.baselineId,
          JSON.stringify(fields.parameters),
          JSON.stringify(options),
          JSON.stringify(fields.endpoints),
          dto.declaredResidency ?? null,
          fields.pollIntervalSeconds,
          sealed.ciphertext,
          sealed.keyId,
          source,
        ],
      );
    } catch (err) {
      throw this.translateUniqueName(err, dto.name);
    }
    return this.view(created[0]);
  }

  async list(principal?: Principal) {
    const rows: ConnectionRow[] = await this.ds.query(
      `SELECT ${COLUMNS} FROM connections WHERE deleted_at IS NULL ${principal?.connectionIds ? 'AND id = ANY($1::uuid[])' : ''}
       ORDER BY lower(name)`,
      principal?.connectionIds ? [principal.connectionIds] : [],
    );
    return { items: rows.map((r) => this.view(r)) };
  }

  async get(id: string, principal?: Principal) {
    return this.view(await this.row(id, principal));
  }

  /**
   * `applied`: the connection as changed. `pending`: the change loosens what the connection is held
   * to, so it waits for an approver (ConnectionChangesService) and nothing has changed yet.
   */
  async update(
    id: string,
    dto: UpdateConnectionDto,
    principal?: Principal,
    source: ConnectionSource = 'api',
  ): Promise<{ applied: ReturnType<ConnectionsService['view']> } | { pending: ConnectionChangeView }> {
    const current = await this.row(id, principal);
    // Names are unique across all connections, so a rename by a scoped key would probe (and clash
    // with) names outside its scope.
    if (principal?.connectionIds && dto.name !== undefined && dto.name !== current.name) {
      throw new ForbiddenException('a key scoped to connections may not rename them: it needs a key for all connections');
    }
    if (current.source === 'file' && source === 'api') {
      throw new ConflictException(`connection ${id} is managed by TOLLGATE_CONNECTIONS_FILE; change it there`);
    }
    const connector = this.connector(current.provider);
    const next = {
      baselineId: dto.baselineId ?? current.baseline_id,
      parameters: dto.parameters ?? current.parameters,
      endpoints: dto.endpoints ?? current.endpoints,
      options: dto.fullReconcileHours ? { ...current.options, fullReconcileHours: dto.fullReconcileHours } : current.options,
      credentials: dto.credentials,
      pollIntervalSeconds: dto.pollIntervalSeconds ?? current.poll_interval_seconds,
    };
    const endpoints = this.check(connector, next);
    // Loosening waits for a second person; the connections file is reviewed in git and applies directly.
    const before = heldTo(current);
    const after: HeldTo = {
      baselineId: next.baselineId,
      parameters: next.parameters as Record<string, JsonValue>,
      declaredResidency: dto.declaredResidency !== undefined ? (dto.declaredResidency ?? null) : current.declared_residency,
    };
    const loosening = this.changes.looseningReasons(before, after);
    if (loosening.length > 0 && source === 'api') {
      const others = (['name', 'pollIntervalSeconds', 'enabled', 'credentials', 'endpoints', 'fullReconcileHours'] as const).filter((f) => dto[f] !== undefined);
      if (others.length > 0) {
        throw new BadRequestException(
          `this change loosens what the connection is held to (${loosening.join('; ')}) and waits for approval; send ${others.join(', ')} in a separate request`,
        );
      }
      return { pending: await this.changes.request(current, after, loosening, principal!) };
    }

    // The stored credentials are sealed with the endpoints they were given for (a token given for
    // slack.com must never follow an endpoint pointed elsewhere): a new endpoint needs them again.
    if (!dto.credentials && !sameEndpoints(this.endpointsOf(connector, current), endpoints)) {
      throw new BadRequestException([
        'credentials: changing endpoints requires the credentials again in the same request (stored credentials are sealed with the endpoints they were given for)',
      ]);
    }
    const sealed = dto.credentials ? this.cipher.encrypt(dto.credentials, { connectionId: id, endpoints }) : undefined;
    let updated: [ConnectionRow[], number];
    try {
      // TypeORM answers an UPDATE with [rows, rowCount].
      updated = await this.ds.transaction(async (em) => {
        // What was judged above must still be what is replaced: a change committed meanwhile is not overwritten unjudged.
        const [locked]: ConnectionRow[] = await em.query(`SELECT ${COLUMNS} FROM connections WHERE id = $1 FOR UPDATE`, [id]);
        if (locked && JSON.stringify(heldTo(locked)) !== JSON.stringify(before)) {
          throw new ConflictException(`connection ${id} was changed by another request meanwhile; read it again and retry`);
        }
        const written: [ConnectionRow[], number] = await em.query(
        `UPDATE connections SET
           name = COALESCE($2, name), baseline_id = $3, parameters = $4, endpoints = $5,
           declared_residency = CASE WHEN $6::boolean THEN $7 ELSE declared_residency END,
           poll_interval_seconds = $8, enabled = COALESCE($9, enabled), options = $13,
           credentials_ciphertext = COALESCE($10, credentials_ciphertext),
           credentials_key_id = COALESCE($11, credentials_key_id),
           -- a changed interval or baseline takes effect at the next poll, which is due now
           next_poll_at = CASE WHEN $12::boolean THEN now() ELSE next_poll_at END,
           updated_at = now()
         WHERE id = $1 AND deleted_at IS NULL
         RETURNING ${COLUMNS}`,
        [
          id,
          dto.name ?? null,
          next.baselineId,
          JSON.stringify(next.parameters),
          JSON.stringify(next.endpoints),
          dto.declaredResidency !== undefined,
          dto.declaredResidency ?? null,
          next.pollIntervalSeconds,
          dto.enabled ?? null,
          sealed?.ciphertext ?? null,
          sealed?.keyId ?? null,
          Boolean(dto.baselineId || dto.parameters || dto.credentials || dto.endpoints || dto.declaredResidency !== undefined),
          JSON.stringify(next.options),
        ],
        );
        const row = written[0][0];
        if (row) {
          const actor = source === 'file' ? this.changes.fileActor() : { principalId: principal!.principalId, keyId: principal!.keyId };
          await this.changes.recordApplied(em, row, before, loosening, actor, source);
        }
        return written;
      });
    } catch (err) {
      throw this.translateUniqueName(err, dto.name ?? current.name);
    }
    // Deleted meanwhile: the same 404 as a read would give.
    return { applied: this.view(this.found(updated[0][0], id)) };
  }

  async remove(id: string, principal?: Principal, source: ConnectionSource = 'api'): Promise<void> {
    const current = await this.row(id, principal);
    if (current.source === 'file' && source === 'api') {
      throw new ConflictException(`connection ${id} is managed by TOLLGATE_CONNECTIONS_FILE; remove it there`);
    }
    // Soft delete: the drift history stays for auditors; the credentials are destroyed.
    await this.ds.query(
      `UPDATE connections SET deleted_at = now(), enabled = false, credentials_ciphertext = '', updated_at = now()
       WHERE id = $1 AND deleted_at IS NULL`,
      [id],
    );
  }

  async requestPoll(id: string, principal?: Principal) {
    await this.row(id, principal);
    await this.ds.query(`UPDATE connections SET next_poll_at = now() WHERE id = $1`, [id]);
    return { connectionId: id, status: 'scheduled' };
  }

  async findings(id: string, principal?: Principal) {
    const [found]: { findings: unknown[] | null; findings_confirmed_at: Date | null; findings_changed_at: Date | null; baseline_id: string }[] =
      await this.ds.query(
        `SELECT findings, findings_confirmed_at, findings_changed_at, baseline_id FROM connections WHERE id = $1 AND deleted_at IS NULL`,
        [id],
      );
    const row = this.found(found, id, principal);
    const findings = (row.findings ?? []) as { status: string }[];
    const count = (status: string) => findings.filter((f) => f.status === status).length;
    return {
      connectionId: id,
      baselineId: row.baseline_id,
      evaluatedAt: iso(row.findings_confirmed_at),
      changedAt: iso(row.findings_changed_at),
      summary: { pass: count('pass'), fail: count('fail'), unknown: count('unknown') },
      findings,
    };
  }

  async snapshot(id: string, principal?: Principal) {
    const [found]: { id: string | null; content_hash: string; document: unknown; first_seen_at: Date; last_seen_at: Date }[] = await this.ds.query(
      `SELECT s.id, s.content_hash, s.document, s.first_seen_at, s.last_seen_at
       FROM connections c LEFT JOIN snapshots s ON s.id = c.current_snapshot_id WHERE c.id = $1 AND c.deleted_at IS NULL`,
      [id],
    );
    const row = this.found(found, id, principal);
    if (row.id === null) throw new NotFoundException(`connection ${id} has no successful poll yet`);
    return { id: row.id, contentHash: row.content_hash, firstSeenAt: iso(row.first_seen_at), lastSeenAt: iso(row.last_seen_at), document: row.document };
  }

  /** Ids and names of file-managed connections, for reconciliation. */
  async fileManaged(): Promise<{ id: string; name: string }[]> {
    return this.ds.query(`SELECT id, name FROM connections WHERE source = 'file' AND deleted_at IS NULL`);
  }

  private connector(provider: string): Connector {
    const connector = connectorRegistry.get(provider as Connector['provider']);
    if (!connector) throw new BadRequestException(`provider ${provider} is not supported yet`);
    return connector;
  }

  /** The effective endpoints of a stored connection; undefined when they no longer pass the endpoint rules. */
  private endpointsOf(connector: Connector, row: ConnectionRow): Record<string, string> | undefined {
    try {
      return effectiveEndpoints(connector, row.options, row.endpoints, this.config);
    } catch (err) {
      if (err instanceof EndpointRejectedError) return undefined;
      throw err;
    }
  }

  /** Throws 400 listing every problem; returns the effective endpoints the credentials are sealed with. */
  private check(
    connector: Connector,
    c: {
      baselineId: string;
      parameters: Record<string, unknown>;
      endpoints: Record<string, unknown>;
      options: Record<string, unknown>;
      credentials?: Record<string, unknown>;
      pollIntervalSeconds: number;
    },
  ): Record<string, string> {
    const problems: string[] = [];
    let endpoints: Record<string, string> = {};
    const baseline = this.baselines.find(c.baselineId);
    if (!baseline) problems.push(`baselineId: baseline ${c.baselineId} does not exist`);
    else if (baseline.provider !== connector.provider) {
      problems.push(`baselineId: baseline ${c.baselineId} is for ${baseline.provider}, not ${connector.provider}`);
    } else {
      try {
        resolveParameters(baseline, c.parameters as Record<string, JsonValue>);
      } catch (err) {
        problems.push(`parameters: ${(err as Error).message}`);
      }
    }
    if (c.pollIntervalSeconds < this.config.TOLLGATE_MIN_POLL_INTERVAL_SECONDS) {
      problems.push(`pollIntervalSeconds must be at least ${this.config.TOLLGATE_MIN_POLL_INTERVAL_SECONDS}`);
    }
    if (c.credentials) problems.push(...connector.validateCredentials(c.credentials).map((p) => `credentials: ${p}`));
    const badValues = Object.entries(c.endpoints).filter(([, v]) => typeof v !== 'string');
    if (badValues.length > 0) problems.push(`endpoints: ${badValues.map(([k]) => k).join(', ')} must be URL strings`);
    else {
      try {
        endpoints = effectiveEndpoints(connector, c.options, c.endpoints as Record<string, string>, this.config);
      } catch (err) {
        if (!(err instanceof EndpointRejectedError)) throw err;
        problems.push(`endpoints: ${err.message}`);
      }
    }
    if (problems.length > 0) throw new BadRequestException(problems);
    return endpoints;
  }

  private async row(id: string, principal?: Principal): Promise<ConnectionRow> {
    const [row]: ConnectionRow[] = await this.ds.query(`SELECT ${COLUMNS} FROM connections WHERE id = $1 AND deleted_at IS NULL`, [id]);
    return this.found(row, id, principal);
  }

  /** The row read for a live connection `id`, or 404. */
  private found<T>(row: T | undefined, id: string, principal?: Principal): T {
    // A key scoped to other connections gets the same 404 as a missing one: existence is not revealed.
    if (!row || (principal?.connectionIds && !principal.connectionIds.includes(id))) {
      throw new NotFoundException(`connection ${id} does not exist`);
    }
    return row;
  }

  /** Only that the name is taken: not which connection holds it, which the caller may not be allowed to see. */
  private translateUniqueName(err: unknown, name: string): unknown {
    if ((err as { code?: string }).code === '23505') return new ConflictException(`name "${name}" is already taken`);
    return err;
  }

  view(r: ConnectionRow) {
    const connector = connectorRegistry.get(r.provider as Connector['provider']);
    return {
      id: r.id,
      provider: r.provider,
      name: r.name,
      baselineId: r.baseline_id,
      parameters: r.parameters,
      pollIntervalSeconds: r.poll_interval_seconds,
      endpoints: connector ? { ...connector.defaultEndpoints(r.options), ...r.endpoints } : r.endpoints,
      ...(r.options.cloud ? { cloud: r.options.cloud } : {}),
      ...(r.options.fullReconcileHours ? { fullReconcileHours: r.options.fullReconcileHours } : {}),
      declaredResidency: r.declared_residency,
      source: r.source,
      enabled: r.enabled,
      credentials: { configured: true, keyId: r.credentials_key_id },
      createdAt: iso(r.created_at),
      updatedAt: iso(r.updated_at),
      status: {
        nextPollAt: iso(r.next_poll_at),
        polling: r.lease_expires_at !== null && r.lease_expires_at > new Date(),
        lastPollAt: iso(r.last_poll_finished_at),
        lastSuccessAt: iso(r.last_success_at),
        evaluatedAt: iso(r.evaluated_at),
        consecutiveFailures: r.consecutive_failures,
        lastFailure: r.last_failure_reason ? { reason: r.last_failure_reason, message: r.last_failure_message } : null,
      },
    };
  }
}
