import { createHash } from 'node:crypto';
import { isUUID } from 'class-validator';

/** Tollgate's roles, weakest first: a person in several mapped groups gets the last (strongest) of theirs. Mirrors libs/auth roles.ts. */
export const OIDC_ROLE_PRECEDENCE = ['viewer', 'auditor', 'operator', 'approver', 'admin'] as const;
export type OidcRole = (typeof OIDC_ROLE_PRECEDENCE)[number];

/** One entry of TOLLGATE_OIDC_ROLE_MAPPING: members of `group` get `role`, on `connectionIds` only when given. */
export interface RoleMappingEntry {
  group: string;
  role: OidcRole;
  /** The connections the role is limited to; absent: all connections. */
  connectionIds?: string[];
}

/** What a person's groups grant: a role, and the connections it is limited to (absent: all). */
export interface RoleGrant {
  role: OidcRole;
  connectionIds?: string[];
}

const SYNTAX = `group=role or group=role:<connection id>|<connection id>… with role one of ${OIDC_ROLE_PRECEDENCE.join(', ')}`;

/**
 * Reads `group=role,group=role:<id>|<id>,…`. A group name may itself contain `=` and `:` (the last
 * `=` splits). Connection ids are UUIDs, as API keys' connectionIds are, kept in lower case.
 */
export function parseRoleMapping(value: string | undefined): { pairs: RoleMappingEntry[]; problems: string[] } {
  const pairs: RoleMappingEntry[] = [];
  const problems: string[] = [];
  for (const raw of (value ?? '').split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const at = entry.lastIndexOf('=');
    const group = entry.slice(0, at).trim();
    const grant = entry.slice(at + 1);
    const colon = grant.indexOf(':');
    const role = (colon < 0 ? grant : grant.slice(0, colon)).trim();
    if (at <= 0 || group === '' || !(OIDC_ROLE_PRECEDENCE as readonly string[]).includes(role)) {
      problems.push(`"${entry}" is not ${SYNTAX}`);
      continue;
    }
    if (colon < 0) {
      pairs.push({ group, role: role as OidcRole });
      continue;
    }
    const ids = grant.slice(colon + 1).split('|').map((id) => id.trim());
    if (ids.every((id) => id === '')) {
      problems.push(`"${entry}" lists no connection id after "${role}:" (write ${group}=${role} for all connections)`);
      continue;
    }
    const bad = ids.filter((id) => !isUUID(id, '4'));
    if (bad.length > 0) {
      problems.push(`"${entry}": ${bad.map((id) => JSON.stringify(id)).join(', ')} is not a connection id (a UUID, as GET /api/v1/connections shows them)`);
      continue;
    }
    pairs.push({ group, role: role as OidcRole, connectionIds: [...new Set(ids.map((id) => id.toLowerCase()))] });
  }
  return { pairs, problems };
}

/**
 * What a person in `groups` gets: the strongest role any of their groups grants (admin > approver >
 * operator > auditor > viewer); weaker roles count for nothing. That role is for all connections if
 * any group granting it is unscoped, otherwise for the connections of all the groups granting it
 * together. Undefined when none of the groups is mapped.
 */
export function grantFor(mapping: readonly RoleMappingEntry[], groups: readonly string[]): RoleGrant | undefined {
  const mine = mapping.filter((m) => groups.includes(m.group));
  if (mine.length === 0) return undefined;
  const role = OIDC_ROLE_PRECEDENCE[Math.max(...mine.map((m) => OIDC_ROLE_PRECEDENCE.indexOf(m.role)))];
  const granting = mine.filter((m) => m.role === role);
  if (granting.some((m) => !m.connectionIds)) return { role };
  return { role, connectionIds: [...new Set(granting.flatMap((m) => m.connectionIds ?? []))] };
}

/** A fingerprint of the mapping as read: sessions remember it, and one granted under another mapping has ended. */
export function roleMappingDigest(mapping: readonly RoleMappingEntry[]): string {
  return createHash('sha256').update(JSON.stringify(mapping)).digest('hex');
}
