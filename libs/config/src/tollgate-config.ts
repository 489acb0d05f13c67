import { plainToInstance, Transform } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  validateSync,
} from 'class-validator';
import { parseRoleMapping, type RoleMappingEntry } from './role-mapping';

export type TollgateRole = 'all' | 'api' | 'worker';

const toNumber = ({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : Number(value));
const emptyToUndefined = ({ value }: { value: unknown }) => (value === '' ? undefined : value);

const OWN_VARIABLES = new Set(['DATABASE_URL', 'PORT', 'HOST']);

/** Variables whose values are never echoed in an error message. */
const SECRET_VARIABLES = new Set([
  'DATABASE_URL',
  'TOLLGATE_ENCRYPTION_KEY',
  'TOLLGATE_PREVIOUS_ENCRYPTION_KEYS',
  'TOLLGATE_BOOTSTRAP_ADMIN_KEY',
  'TOLLGATE_METRICS_TOKEN',
  'TOLLGATE_EVIDENCE_SIGNING_KEY',
  'TOLLGATE_WEBHOOK_SECRET',
  'TOLLGATE_OIDC_CLIENT_SECRET',
]);

const isLoopback = (hostname: string) => hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]';

/**
 * Every environment variable Tollgate reads, typed, described and defaulted in one place.
 * The README's configuration table mirrors this class.
 */
export class TollgateConfig {
  /** A real PostgreSQL; unset means the embedded PGlite under TOLLGATE_DATA_DIR. */
  @IsOptional() @Transform(emptyToUndefined) @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'must be a postgres:// or postgresql:// URL' })
  DATABASE_URL?: string;

  @IsString() @MinLength(1)
  TOLLGATE_DATA_DIR = './.tollgate';

  @Transform(toNumber) @IsInt() @Min(0) @Max(65535)
  PORT = 8080;

  @IsString() @MinLength(1)
  HOST = '0.0.0.0';

  @IsIn(['all', 'api', 'worker'])
  TOLLGATE_ROLE: TollgateRole = 'all';

  /** base64 of 32 random bytes; required with DATABASE_URL, generated into the data dir when embedded. */
  @IsOptional() @Transform(emptyToUndefined) @Matches(/^[A-Za-z0-9+/]{43}=$/, { message: 'must be the base64 of exactly 32 bytes (44 characters, e.g. `openssl rand -base64 32`)' })
  TOLLGATE_ENCRYPTION_KEY?: string;

  /** Comma-separated older keys, still accepted for decryption while credentials are re-wrapped. */
  @IsOptional() @Transform(emptyToUndefined) @Matches(/^[A-Za-z0-9+/]{43}=(,[A-Za-z0-9+/]{43}=)*$/, { message: 'must be a comma-separated list of base64 32-byte keys' })
  TOLLGATE_PREVIOUS_ENCRYPTION_KEYS?: string;

  @IsOptional() @Transform(emptyToUndefined) @IsString() @MinLength(24, { message: 'must be at least 24 characters' })
  TOLLGATE_BOOTSTRAP_ADMIN_KEY?: string;

  /**
   * Comma-separated `host` or `host:port` entries endpoints may point to besides the providers' official
   * https hosts (simulators, egress proxies), over http or https; a host without a port is allowed on
   * any port. A listed host may be a private or loopback address, or a name resolving to one.
   */
  @IsOptional() @Transform(emptyToUndefined) @IsString()
  TOLLGATE_ALLOWED_ENDPOINT_HOSTS?: string;

  @IsOptional() @Transform(emptyToUndefined) @IsString()
  TOLLGATE_CONNECTIONS_FILE?: string;

  @IsOptional() @Transform(emptyToUndefined) @IsString()
  TOLLGATE_BASELINES_DIR?: string;

  @IsOptional() @Transform(emptyToUndefined) @IsString() @MinLength(16, { message: 'must be at least 16 characters' })
  TOLLGATE_METRICS_TOKEN?: string;

  @IsIn(['debug', 'info', 'warn', 'error'])
  TOLLGATE_LOG_LEVEL: 'debug' | 'info' | 'warn' | 'error' = 'info';

  /** How often a worker looks for due connections. */
  @Transform(toNumber) @IsInt() @Min(50) @Max(60_000)
  TOLLGATE_SCHEDULER_TICK_MS = 1000;

  /** Polls one worker runs at once. */
  @Transform(toNumber) @IsInt() @Min(1) @Max(256)
  TOLLGATE_WORKER_CONCURRENCY = 8;

  /** How long a claimed connection stays leased; a crashed worker's lease expires after this. */
  @Transform(toNumber) @IsInt() @Min(2) @Max(3600)
  TOLLGATE_LEASE_SECONDS = 300;

  /** Deadline of one poll; must be shorter than the lease so a slow poll never outlives it. */
  @Transform(toNumber) @IsInt() @Min(1) @Max(3000)
  TOLLGATE_POLL_TIMEOUT_SECONDS = 240;

  /** Deadline of one provider request, from sending to the last byte; a slower answer is retried, then fails the poll. */
  @Transform(toNumber) @IsInt() @Min(1) @Max(600)
  TOLLGATE_PROVIDER_TIMEOUT_SECONDS = 15;

  /** Poll runs and finished webhook deliveries older than this are deleted (evidence never is). */
  @Transform(toNumber) @IsInt() @Min(1) @Max(3650)
  TOLLGATE_HISTORY_RETENTION_DAYS = 30;

  /** Longest total wait of one provider request for throttling (Retry-After or backoff) before the poll fails as throttled. */
  @Transform(toNumber) @IsInt() @Min(0) @Max(3000)
  TOLLGATE_THROTTLE_WAIT_SECONDS = 120;

  /** Each next poll is delayed by up to this fraction of the interval, to spread load. */
  @Transform(toNumber) @IsNumber() @Min(0) @Max(1)
  TOLLGATE_POLL_JITTER_RATIO = 0.1;

  @Transform(toNumber) @IsInt() @Min(1) @Max(86_400)
  TOLLGATE_MIN_POLL_INTERVAL_SECONDS = 60;

  /** Longest wait between polls of a failing connection. */
  @Transform(toNumber) @IsInt() @Min(1) @Max(7 * 86_400)
  TOLLGATE_MAX_BACKOFF_SECONDS = 6 * 3600;

  @Transform(toNumber) @IsInt() @Min(1) @Max(100)
  TOLLGATE_DATABASE_POOL_SIZE = 10;

  /** On SIGTERM, how long in-flight polls may take to finish before their leases are released. */
  @Transform(toNumber) @IsInt() @Min(0) @Max(600)
  TOLLGATE_SHUTDOWN_GRACE_SECONDS = 20;

  /** Requests one API key may make per minute on one replica (429 with Retry-After past it). */
  @Transform(toNumber) @IsInt() @Min(1) @Max(1_000_000)
  TOLLGATE_RATE_LIMIT_PER_MINUTE = 600;

  /** Requests one client address may make per minute on one replica, whatever key it presents. */
  @Transform(toNumber) @IsInt() @Min(1) @Max(1_000_000)
  TOLLGATE_RATE_LIMIT_PER_IP_PER_MINUTE = 1200;

  /** Streaming exports (GET /reports/drift) one API key may run at once on one replica (429 past it). */
  @Transform(toNumber) @IsInt() @Min(1) @Max(100)
  TOLLGATE_EXPORTS_PER_KEY = 2;

  /**
   * Streaming exports all keys together may run at once on one replica (429 past it). Each running
   * export costs the heap about 10 MB at peak (rows in flight and the garbage they leave), so this
   * bounds memory as much as CPU.
   */
  @Transform(toNumber) @IsInt() @Min(1) @Max(1000)
  TOLLGATE_EXPORTS_MAX = 4;

  /** How long an export waits for its client to read before it is cut and its resources freed. */
  @Transform(toNumber) @IsInt() @Min(1) @Max(3600)
  TOLLGATE_EXPORT_STALL_SECONDS = 30;

  /** Longest an exception may be granted for. */
  @Transform(toNumber) @IsInt() @Min(1) @Max(3650)
  TOLLGATE_EXCEPTION_MAX_DAYS = 90;

  /** Receives transitions of exceptions, connection changes and attestations, and new critical drifts (JSON, HMAC-signed); unset: no webhook. */
  @IsOptional() @Transform(emptyToUndefined) @Matches(/^https?:\/\/\S+$/, { message: 'must be an http(s) URL' })
  TOLLGATE_WEBHOOK_URL?: string;

  /** HMAC-SHA256 key for the X-Tollgate-Signature header; required with TOLLGATE_WEBHOOK_URL. */
  @IsOptional() @Transform(emptyToUndefined) @IsString() @MinLength(16, { message: 'must be at least 16 characters' })
  TOLLGATE_WEBHOOK_SECRET?: string;

  /** Deliveries tried this many times (with growing waits) before they are marked failed. */
  @Transform(toNumber) @IsInt() @Min(1) @Max(50)
  TOLLGATE_WEBHOOK_MAX_ATTEMPTS = 8;

  /** base64 of a 32-byte Ed25519 seed that signs evidence checkpoints; unset means derived from TOLLGATE_ENCRYPTION_KEY. */
  @IsOptional() @Transform(emptyToUndefined) @Matches(/^[A-Za-z0-9+/]{43}=$/, { message: 'must be the base64 of exactly 32 bytes (44 characters, e.g. `openssl rand -base64 32`)' })
  TOLLGATE_EVIDENCE_SIGNING_KEY?: string;

  /** How often a worker signs a checkpoint of the evidence ledger's head, when it has moved. */
  @Transform(toNumber) @IsInt() @Min(1) @Max(7 * 86_400)
  TOLLGATE_CHECKPOINT_INTERVAL_SECONDS = 3600;

  /**
   * The OpenID Connect issuer people sign in with (its `/.well-known/openid-configuration` is read);
   * unset: no sign-in for people, API keys only. https, or http on a loopback host (the demo).
   */
  @IsOptional() @Transform(emptyToUndefined) @Matches(/^https?:\/\/\S+$/, { message: 'must be an https URL (http only on 127.0.0.1/localhost)' })
  TOLLGATE_OIDC_ISSUER?: string;

  @IsOptional() @Transform(emptyToUndefined) @IsString() @MinLength(1)
  TOLLGATE_OIDC_CLIENT_ID?: string;

  /** The client's secret (client_secret_basic); unset: a public client, PKCE only. */
  @IsOptional() @Transform(emptyToUndefined) @IsString() @MinLength(1)
  TOLLGATE_OIDC_CLIENT_SECRET?: string;

  /** Where people reach Tollgate, e.g. https://tollgate.example.com: the redirect URL is `<this>/auth/callback`, and state-changing requests with a session must come from this origin. */
  @IsOptional() @Transform(emptyToUndefined) @Matches(/^https?:\/\/[^/\s]+\/?$/, { message: 'must be an origin such as https://tollgate.example.com (no path)' })
  TOLLGATE_PUBLIC_URL?: string;

  @IsString() @Matches(/^[^\s]+( [^\s]+)*$/, { message: 'must be space-separated scopes' })
  TOLLGATE_OIDC_SCOPES = 'openid email profile';

  /** The ID token / userinfo claim holding the person's groups (a list of names or ids). */
  @IsString() @MinLength(1)
  TOLLGATE_OIDC_GROUPS_CLAIM = 'groups';

  /** The claim whose value is the person's principal (compared with API keys' `principal`): a stable, unique id. */
  @IsString() @MinLength(1)
  TOLLGATE_OIDC_PRINCIPAL_CLAIM = 'email';

  /**
   * `group=role,group=role:<connection id>|<connection id>`: which groups grant which role, for all
   * connections or only those listed; a person in none gets no session.
   */
  @IsOptional() @Transform(emptyToUndefined) @IsString()
  TOLLGATE_OIDC_ROLE_MAPPING?: string;

  /** A session unused this long ends (fractions allowed). */
  @Transform(toNumber) @IsNumber() @Min(0.01) @Max(24 * 60)
  TOLLGATE_SESSION_IDLE_MINUTES = 30;

  /** A session ends this long after sign-in however busy (fractions allowed). */
  @Transform(toNumber) @IsNumber() @Min(0.001) @Max(30 * 24)
  TOLLGATE_SESSION_ABSOLUTE_HOURS = 12;

  get oidcEnabled(): boolean {
    return !!this.TOLLGATE_OIDC_ISSUER;
  }

  /** TOLLGATE_OIDC_ROLE_MAPPING as entries, in the order written. */
  get oidcRoleMapping(): readonly RoleMappingEntry[] {
    return parseRoleMapping(this.TOLLGATE_OIDC_ROLE_MAPPING).pairs;
  }

  /** The session cookie drops `Secure` only when people reach Tollgate over http on a loopback address (the demo). */
  get sessionCookieSecure(): boolean {
    const url = this.TOLLGATE_PUBLIC_URL ? new URL(this.TOLLGATE_PUBLIC_URL) : undefined;
    return !(url?.protocol === 'http:' && isLoopback(url.hostname));
  }

  get embedded(): boolean {
    return !this.DATABASE_URL;
  }

  /** TOLLGATE_ALLOWED_ENDPOINT_HOSTS, normalised as endpoint URLs are: `host` or `host:port`, IPv6 in brackets. */
  get allowedEndpointHosts(): readonly string[] {
    return parseAllowedEndpointHosts(this.TOLLGATE_ALLOWED_ENDPOINT_HOSTS).hosts;
  }
}

const HOST_ENTRY = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(?::(\d{1,5}))?$/;

/**
 * Reads a comma-separated list of `host` / `host:port` entries. Each host goes through the WHATWG URL
 * parser, as endpoint URLs do, so that the entry and the URL compare in one spelling (lower case, no
 * trailing dot, `0177.0.0.1` as `127.0.0.1`, IPv6 compressed and bracketed).
 */
export function parseAllowedEndpointHosts(value: string | undefined): { hosts: string[]; problems: string[] } {
  const hosts: string[] = [];
  const problems: string[] = [];
  for (const raw of (value ?? '').split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const match = HOST_ENTRY.exec(entry);
    let hostname: string | undefined;
    try {
      hostname = match ? new URL(`http://${match[1]}`).hostname : undefined;
    } catch {
      hostname = undefined;
    }
    const port = match?.[2];
    if (!hostname || (port !== undefined && (Number(port) < 1 || Number(port) > 65535))) {
      problems.push(`"${entry}" is not a host or host:port (e.g. 127.0.0.1:4010, provider-sim, [::1]:8443)`);
      continue;
    }
    const host = hostname.endsWith('.') ? hostname.slice(0, -1) : hostname;
    hosts.push(port === undefined ? host : `${host}:${Number(port)}`);
  }
  return { hosts, problems };
}

/** What is wrong with the OIDC settings as a whole (each variable is already valid on its own). */
function oidcProblems(config: TollgateConfig): string[] {
  const problems = parseRoleMapping(config.TOLLGATE_OIDC_ROLE_MAPPING).problems.map((p) => `TOLLGATE_OIDC_ROLE_MAPPING: ${p}`);
  if (!config.TOLLGATE_OIDC_ISSUER) return problems;
  const issuer = new URL(config.TOLLGATE_OIDC_ISSUER);
  if (issuer.protocol === 'http:' && !isLoopback(issuer.hostname)) problems.push('TOLLGATE_OIDC_ISSUER: must be https (http only on 127.0.0.1/localhost)');
  if (!config.TOLLGATE_OIDC_CLIENT_ID) problems.push('TOLLGATE_OIDC_CLIENT_ID: is required when TOLLGATE_OIDC_ISSUER is set');
  if (!config.TOLLGATE_PUBLIC_URL) problems.push('TOLLGATE_PUBLIC_URL: is required when TOLLGATE_OIDC_ISSUER is set (the redirect URL is <TOLLGATE_PUBLIC_URL>/auth/callback)');
  else {
    const pub = new URL(config.TOLLGATE_PUBLIC_URL);
    if (pub.protocol === 'http:' && !isLoopback(pub.hostname)) problems.push('TOLLGATE_PUBLIC_URL: must be https (http only on 127.0.0.1/localhost)');
  }
  if (!config.TOLLGATE_OIDC_ROLE_MAPPING) problems.push('TOLLGATE_OIDC_ROLE_MAPPING: is required when TOLLGATE_OIDC_ISSUER is set (e.g. tollgate-admins=admin,secops=operator)');
  if (!config.TOLLGATE_OIDC_SCOPES.split(' ').includes('openid')) problems.push('TOLLGATE_OIDC_SCOPES: must include openid');
  return problems;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Reads and validates the environment. Throws a ConfigError naming every bad variable and what is
 * expected; secret values are never echoed.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): TollgateConfig {
  // Only Tollgate's own variables are read; anything else in the environment is none of its business.
  const input: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && (OWN_VARIABLES.has(key) || key.startsWith('TOLLGATE_'))) input[key] = value;
  }
  const config = plainToInstance(TollgateConfig, input, { exposeDefaultValues: true });
  const problems = validateSync(config, { forbidUnknownValues: true }).flatMap((error) => {
    const shown = SECRET_VARIABLES.has(error.property) ? '' : ` (got ${JSON.stringify(input[error.property] ?? '')})`;
    return Object.values(error.constraints ?? {}).map((c) => `${error.property}: ${c}${shown}`);
  });
  if (input.TOLLGATE_ALLOW_CUSTOM_ENDPOINTS !== undefined) {
    problems.push(
      'TOLLGATE_ALLOW_CUSTOM_ENDPOINTS: is no longer read; list the hosts endpoints may point to in TOLLGATE_ALLOWED_ENDPOINT_HOSTS (comma-separated host[:port]) and unset it',
    );
  }
  for (const problem of parseAllowedEndpointHosts(config.TOLLGATE_ALLOWED_ENDPOINT_HOSTS).problems) {
    problems.push(`TOLLGATE_ALLOWED_ENDPOINT_HOSTS: ${problem}`);
  }
  if (problems.length === 0) problems.push(...oidcProblems(config));
  if (config.DATABASE_URL && !config.TOLLGATE_ENCRYPTION_KEY) {
    problems.push('TOLLGATE_ENCRYPTION_KEY: is required when DATABASE_URL is set (base64 of 32 random bytes)');
  }
  if (config.TOLLGATE_WEBHOOK_URL && !config.TOLLGATE_WEBHOOK_SECRET) {
    problems.push('TOLLGATE_WEBHOOK_SECRET: is required when TOLLGATE_WEBHOOK_URL is set (at least 16 characters)');
  }
  if (problems.length === 0 && config.TOLLGATE_POLL_TIMEOUT_SECONDS >= config.TOLLGATE_LEASE_SECONDS) {
    problems.push(
      `TOLLGATE_POLL_TIMEOUT_SECONDS: must be shorter than TOLLGATE_LEASE_SECONDS (${config.TOLLGATE_LEASE_SECONDS}) so a poll never outlives its lease (got "${config.TOLLGATE_POLL_TIMEOUT_SECONDS}")`,
    );
  }
  if (problems.length > 0) {
    throw new ConfigError(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  return config;
}
