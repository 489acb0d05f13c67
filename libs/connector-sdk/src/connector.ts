import type { JsonValue, PostureDocument } from './posture-document';
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
  /**
   * The connection's last successful poll, for connectors that read incrementally between full
   * reads: its document, the state the connector saved then and when it ran. Absent on the first
   * poll, when the connector saved no state at that poll, and whenever the connection was edited
   * since (its credentials may now name another tenant): the connector must then read everything.
   */
  previous?: { document: PostureDocument; state: JsonValue; at: Date };
  /**
   * Keeps `state` for the next poll (as `previous.state`), once this poll succeeds; the last call of
   * a collect wins and a failed poll keeps the older state. The state must stay small (a few
   * timestamps or cursors) and never hold a secret: it is stored in clear beside the connection.
   * It must never go into the document either: documents are content-hashed to de-duplicate
   * snapshots, and a timestamp in one would make every poll a new snapshot. The poll runner always
   * gives it; optional only so that callers with no use for state need not.
   */
  saveState?(state: JsonValue): void;
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
  /** Official hosts (exact names) endpoints may point to over https without being listed in TOLLGATE_ALLOWED_ENDPOINT_HOSTS. */
  readonly officialHosts: readonly string[];
  /**
   * Provider-specific reading of a non-2xx answer, passed to the poll's http client as its `classify`
   * hook (e.g. Google's 403 userRateLimitExceeded is throttling, not an auth failure).
   */
  classifyResponse?(res: ProviderResponse): ProviderError | undefined;
  collect(ctx: ConnectorContext): Promise<PostureDocument>;
}
