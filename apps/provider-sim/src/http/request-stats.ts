export interface RequestStats {
  total: number;
  requests: Record<string, number>;
  throttled: Record<string, number>;
}

/** The request counters every simulated tenant keeps: the API handlers count, the control API reads them. */
export abstract class CountedTenant {
  readonly requestCounts = new Map<string, number>();
  readonly throttledCounts = new Map<string, number>();

  countRequest(operation: string): void {
    this.requestCounts.set(operation, (this.requestCounts.get(operation) ?? 0) + 1);
  }

  countThrottled(operation: string): void {
    this.throttledCounts.set(operation, (this.throttledCounts.get(operation) ?? 0) + 1);
  }
}

/** What a tenant's request counters say, in the shape `GET /_sim/<provider>/tenants/:id/requests` answers. */
export function requestStats(tenant: CountedTenant): RequestStats {
  let total = 0;
  for (const n of tenant.requestCounts.values()) total += n;
  return { total, requests: Object.fromEntries(tenant.requestCounts), throttled: Object.fromEntries(tenant.throttledCounts) };
}
