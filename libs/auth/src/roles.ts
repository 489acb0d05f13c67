import { SetMetadata } from '@nestjs/common';

export const ROLES = ['viewer', 'auditor', 'operator', 'approver', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const ROLES_KEY = 'tollgate:roles';
export const PUBLIC_KEY = 'tollgate:public';

/** Roles allowed on a route, besides `admin`, which may do everything. */
export const RequireRoles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);
/** A route that needs no API key (health probes); /metrics has its own optional token. */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

/** Read access: every role may read posture data. */
export const READERS: Role[] = ['viewer', 'auditor', 'operator', 'approver'];

export interface Principal {
  keyId: string;
  name: string;
  role: Role;
  /** Connections this key may see; undefined means all. */
  connectionIds?: string[];
}
