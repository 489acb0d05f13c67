import type { PostureDocument } from './posture-document';
import type { ProviderHttpClient, ProviderResponse } from './http-client';
import type { ProviderError } from './errors';

export type ProviderId = 'slack' | 'microsoft365' | 'google-workspace';

export interface ConnectorLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

/** Everything one collect() may use. Connectors know nothing of the database. */
export interface ConnectorContext {
  connectionId: string;
  /** Decrypted credentials, already checked against the connector's credentials schema. */
  credentials: Record<string, unknown>;
  /** Resolved endpoints (defaults merged with overrides, already checked against SSRF rules). */
  endpoints: Record<string, string>;
  /** Options of the connection that are not secret (e.g. `cloud` for Microsoft 365). */
  options: Record<string, unknown>;
  declaredResidency?: string;
  http: ProviderHttpClient;
  signal: AbortSignal;
  logger: ConnectorLogger;
}

export interface Connector {
  readonly provider: ProviderId;
  /** Human name for logs and docs. */
  readonly displayName: string;
  /** Id of the shipped locked-down baseline used when a connection names none. */
  readonly defaultBaselineId: string;
  /**
   * Checks credentials given by an operator. Returns a list of problems (empty when fine); never
   * echoes secret values in them.
   */
  validateCredentials(credentials: unknown): string[];
  /** Default endpoints for the given options, and which endpoint names may be overridden. */
  defaultEndpoints(options: Record<string, unknown>): Record<string, string>;
  /** Official hosts (exact names) endpoints may point to without TOLLGATE_ALLOW_CUSTOM_ENDPOINTS. */
  readonly officialHosts: readonly string[];
  /**
   * Provider-specific reading of a non-2xx answer, passed to the poll's http client as its `classify`
   * hook (e.g. Google's 403 userRateLimitExceeded is throttling, not an auth failure).
   */
  classifyResponse?(res: ProviderResponse): ProviderError | undefined;
  collect(ctx: ConnectorContext): Promise<PostureDocument>;
}
