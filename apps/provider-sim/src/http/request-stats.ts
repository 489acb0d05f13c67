export interface RequestStats {
  total: number;
  requests: Record<string, number>;
  throttled: Record<string, number>;
}

/** What a tenant's request counters say, in the shape `GET /_sim/<provider>/tenants/:id/requests` answers. */
export function requestStats(tenant: { requestCounts: Map<string, number>; throttledCounts: Map<string, number> }): RequestStats {
  let total = 0;
  for (const n of tenant.requestCounts.values()) total += n;
  return { total, requests: Object.fromEntries(tenant.requestCounts), throttled: Object.fromEntries(tenant.throttledCounts) };
}
