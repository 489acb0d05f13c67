import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { TollgateConfig } from '@tollgate/config';
import { ConnectionsService } from './connections.service';
import { CreateConnectionDto } from './dto/connection.dto';

export class ConnectionsFileError extends Error {
  override readonly name = 'ConnectionsFileError';
}

/**
 * Replaces `${NAME}` with the environment variable NAME, so secrets stay out of the file (GitOps).
 * A missing variable is an error naming it, never an empty credential.
 */
function interpolate(value: unknown, env: Record<string, string | undefined>, where: string): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
      const v = env[name];
      if (v === undefined) throw new ConnectionsFileError(`${where}: environment variable ${name} is not set`);
      return v;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, env, `${where}[${i}]`));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, env, `${where}.${k}`)]));
  }
  return value;
}

/** Parses and validates the whole file before anything is applied: a bad file changes nothing. */
export function parseConnectionsFile(text: string, file: string, env: Record<string, string | undefined>): CreateConnectionDto[] {
  const doc = parseDocument(text, { prettyErrors: false });
  const lineOf = (offset: number) => text.slice(0, offset).split('\n').length;
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    throw new ConnectionsFileError(`${file}:${lineOf(e.pos[0])}: ${e.message.split('\n')[0]}`);
  }
  const root: unknown = doc.toJS();
  if (!root || typeof root !== 'object' || !Array.isArray((root as { connections?: unknown }).connections)) {
    throw new ConnectionsFileError(`${file}:1: expected a top-level "connections:" list`);
  }
  const items = (root as { connections: unknown[] }).connections;
  const names = new Set<string>();
  return items.map((raw, i) => {
    const node = doc.getIn(['connections', i], true) as { range?: [number, number, number] } | undefined;
    const where = `${file}:${node?.range ? lineOf(node.range[0]) : 1}: connections[${i}]`;
    const dto = plainToInstance(CreateConnectionDto, interpolate(raw, env, where));
    const errors = validateSync(dto, { whitelist: true, forbidNonWhitelisted: true });
    if (errors.length > 0) {
      const reasons = errors.flatMap((e) => Object.values(e.constraints ?? {}));
      throw new ConnectionsFileError(`${where}: ${reasons.join('; ')}`);
    }
    if (names.has(dto.name.toLowerCase())) throw new ConnectionsFileError(`${where}: duplicate connection name "${dto.name}"`);
    names.add(dto.name.toLowerCase());
    return dto;
  });
}

/**
 * Reconciles TOLLGATE_CONNECTIONS_FILE at start: creates what is new, updates what is there (by name),
 * removes file-managed connections the file no longer lists. Connections created over the API are
 * never touched.
 */
@Injectable()
export class ConnectionsFileReconciler implements OnApplicationBootstrap {
  private readonly logger = new Logger('ConnectionsFile');

  constructor(
    private readonly config: TollgateConfig,
    private readonly connections: ConnectionsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const file = this.config.TOLLGATE_CONNECTIONS_FILE;
    if (!file || this.config.TOLLGATE_ROLE === 'worker') return;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new ConnectionsFileError(`TOLLGATE_CONNECTIONS_FILE: cannot read ${file}: ${(err as NodeJS.ErrnoException).code}`);
    }
    const wanted = parseConnectionsFile(text, file, process.env);
    const existing = new Map((await this.connections.fileManaged()).map((c) => [c.name.toLowerCase(), c.id]));
    for (const dto of wanted) {
      const id = existing.get(dto.name.toLowerCase());
      if (id) {
        const { provider: _p, cloud: _c, ...changes } = dto;
        await this.connections.update(id, changes, undefined, 'file');
        existing.delete(dto.name.toLowerCase());
      } else {
        await this.connections.create(dto, 'file');
      }
    }
    for (const id of existing.values()) await this.connections.remove(id, undefined, 'file');
    this.logger.log({ message: 'connections file reconciled', file, connections: wanted.length, removed: existing.size });
  }
}
