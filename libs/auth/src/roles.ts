import { SetMetadata } from '@nestjs/common';

export const ROLES = ['viewer', 'auditor', 'operator', 'approver', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const ROLES_KEY = 'tollgate:roles';
export const PUBLIC_KEY = 'tollgate:public';

/** Roles allowed on a route, besides `admin`, which may do everything. */
export const RequireRoles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);
export const UNSCOPED_KEY = 'tollgate:unscoped';

/**
 * A route only a key for all connections may use (besides its role): what it does reaches beyond
 * any one connection (keys, baselines, creating connections), so a scoped key could use it to
 * step out of its scope. A scoped key gets 403.
 */
export const RequireUnscopedKey = () => SetMetadata(UNSCOPED_KEY, true);

/** A route that needs no API key (health probes); /metrics has its own optional token. */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

/** Read access: every role may read posture data. */
export const READERS: Role[] = ['viewer', 'auditor', 'operator', 'approver'];

/**
 * Who is calling: the API key or the signed-in session, and the principal behind it. Rules
 * about people (four-eyes) compare `principalId`, never keys or key names.
 */
export interface Principal {
  keyId: string;
  /** Stable id of the person or service the key belongs to, e.g. `alice@example.com`, `svc:siem-export`. */
  principalId: string;
  name: string;
  role: Role;
  /** Connections this key or session may see; undefined means all. */
  connectionIds?: string[];
}
