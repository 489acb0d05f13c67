import {
  ProviderError,
  type Connector,
  type ConnectorContext,
  type JsonValue,
  type PostureDocument,
  type PostureGap,
  type ProviderResponse,
} from '@tollgate/connector-sdk';
import { serviceAccountKeySchema, type ServiceAccountKey } from './google-api.schemas';
import { GOOGLE_ORGUNIT_SCOPE, GoogleTokenClient, readPrivateKey } from './google-token.client';
import { classifyGoogleResponse, GoogleClient, isGoogleRefusal, RequestPacer } from './google.client';
import { DIRECTORY_INTERVAL_MS, fetchGooglePolicies, fetchOrgUnits, fetchGooglePosture, fetchTokenActivities, type GoogleApiBases } from './google.fetchers';
import { applyTokenEvents, normalizeGooglePosture, tokenEvents } from './google.normalizer';

export const GOOGLE_ADMIN_API = 'https://admin.googleapis.com';
export const GOOGLE_CLOUDIDENTITY_API = 'https://cloudidentity.googleapis.com';
export const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';

const CREDENTIAL_FIELDS = ['serviceAccountKey', 'adminEmail', 'customerId'];
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}$/;
/** `my_customer` (the admin's own customer) or a customer id such as C01abc234. */
const CUSTOMER_ID = /^(?:my_customer|C[0-9A-Za-z]{4,32})$/;

/** Hours between full reads of every user's tokens, unless the connection's options say otherwise. */
export const DEFAULT_FULL_RECONCILE_HOURS = 24;
const MAX_FULL_RECONCILE_HOURS = 168;
/**
 * How far before the newest event already applied each incremental read starts again: Google may
 * list an event a while after its time, and replaying one already applied changes nothing.
 */
export const EVENT_OVERLAP_MS = 10 * 60_000;

/** What the connector keeps between polls (ConnectorContext.saveState): two ISO timestamps. */
export interface GoogleSyncState {
  /** When the last full read of every user's tokens started. */
  lastFullAt: string;
  /** Time of the newest token event applied, or the start of the last full read when later. */
  lastEventTime: string;
}

function readSyncState(state: JsonValue | null | undefined): GoogleSyncState | undefined {
  if (typeof state !== 'object' || state === null || Array.isArray(state)) return undefined;
  const { lastFullAt, lastEventTime } = state;
  if (typeof lastFullAt !== 'string' || typeof lastEventTime !== 'string') return undefined;
  if (Number.isNaN(Date.parse(lastFullAt)) || Number.isNaN(Date.parse(lastEventTime))) return undefined;
  return { lastFullAt, lastEventTime };
}

/** `fullReconcileHours` from the connection's options when it is a number in 1..168, else the default. */
export function fullReconcileHours(options: Record<string, unknown>): number {
  const hours = options.fullReconcileHours;
  return typeof hours === 'number' && hours >= 1 && hours <= MAX_FULL_RECONCILE_HOURS ? hours : DEFAULT_FULL_RECONCILE_HOURS;
}

/**
 * The previous poll to replay token events on, or undefined when this poll must read every user's
 * tokens: nothing to build on, an unreadable saved state, a document of another tenant or with an
 * OAuth gap (its grants are not a complete inventory), or a full read older than `hours`.
 */
function incrementalBase(ctx: ConnectorContext, customerId: string, hours: number, now: number) {
  const previous = ctx.previous;
  const state = readSyncState(previous?.state);
  if (!previous || !state) return undefined;
  const { document } = previous;
  if (document.provider !== 'google-workspace') return undefined;
  if (customerId !== 'my_customer' && document.tenant.id !== customerId) return undefined;
  if (document.gaps.some((g) => g.area === 'oauth')) return undefined;
  if (now - Date.parse(state.lastFullAt) >= hours * 3_600_000) return undefined;
  return { document, state };
}

interface GoogleCredentials {
  key: ServiceAccountKey;
  adminEmail: string;
  customerId: string;
}

/** An operator may paste the downloaded key file as text as well as give it as an object. */
function keyObject(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Checks credentials and names every problem. Only field names and fixed texts are echoed, never a
 * value: a private key or a secret typed into the wrong field must not come back in an answer.
 */
function readCredentials(credentials: unknown): { problems: string[]; value?: GoogleCredentials } {
  if (typeof credentials !== 'object' || credentials === null || Array.isArray(credentials)) {
    return { problems: ['credentials must be an object with "serviceAccountKey" and "adminEmail"'] };
  }
  const record = credentials as Record<string, unknown>;
  const problems = Object.keys(record)
    .filter((k) => !CREDENTIAL_FIELDS.includes(k))
    .map((k) => `unknown field "${k}" (accepted: ${CREDENTIAL_FIELDS.join(', ')})`);

  let key: ServiceAccountKey | undefined;
  const rawKey = keyObject(record.serviceAccountKey);
  if (record.serviceAccountKey === undefined || record.serviceAccountKey === null) {
    problems.push('"serviceAccountKey" is required (the JSON key of the service account)');
  } else if (typeof rawKey !== 'object' || rawKey === null || Array.isArray(rawKey)) {
    problems.push('"serviceAccountKey" must be the service account JSON key object');
  } else {
    const parsed = serviceAccountKeySchema.safeParse(rawKey);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        // zod names the path and the expected type; the received value never appears.
        problems.push(`"serviceAccountKey.${issue.path.join('.') || 'type'}" is invalid: ${issue.code === 'invalid_value' ? 'must be "service_account"' : issue.message}`);
      }
    } else {
      try {
        readPrivateKey(parsed.data.private_key);
        key = parsed.data;
      } catch {
        problems.push('"serviceAccountKey.private_key" is not a readable RSA private key in PEM form');
      }
    }
  }

  const { adminEmail } = record;
  if (adminEmail === undefined || adminEmail === null || adminEmail === '') problems.push('"adminEmail" is required (the admin to impersonate)');
  else if (typeof adminEmail !== 'string' || !EMAIL.test(adminEmail)) problems.push('"adminEmail" must be an email address');

  const customerId = record.customerId ?? 'my_customer';
  if (typeof customerId !== 'string' || !CUSTOMER_ID.test(customerId)) {
    problems.push('"customerId" must be "my_customer" or a customer id such as C01abc234');
  }
  if (problems.length > 0 || !key) return { problems };
  return { problems, value: { key, adminEmail: adminEmail as string, customerId: customerId as string } };
}

/**
 * Google Workspace through a service account with domain-wide delegation. Endpoints: `admin`,
 * `cloudidentity` and `token`. The token URL is always `endpoints.token` (default Google's official
 * one), never the key file's `token_uri`: a key file is operator input and must not be able to send
 * signed assertions to a host the SSRF rules never checked. Point `endpoints.token` at another URL
 * (a host listed in TOLLGATE_ALLOWED_ENDPOINT_HOSTS) for a simulator or proxy.
 */
export class GoogleWorkspaceConnector implements Connector {
  readonly provider = 'google-workspace' as const;
  readonly displayName = 'Google Workspace';
  readonly defaultBaselineId = 'google-workspace-locked-down';
  readonly officialHosts = [
    'admin.googleapis.com',
    'cloudidentity.googleapis.com',
    'oauth2.googleapis.com',
    'www.googleapis.com',
  ] as const;

  validateCredentials(credentials: unknown): string[] {
    return readCredentials(credentials).problems;
  }

  defaultEndpoints(): Record<string, string> {
    return { admin: GOOGLE_ADMIN_API, cloudidentity: GOOGLE_CLOUDIDENTITY_API, token: GOOGLE_TOKEN_URL };
  }

  classifyResponse(res: ProviderResponse): ProviderError | undefined {
    return classifyGoogleResponse(res);
  }

  async collect(ctx: ConnectorContext): Promise<PostureDocument> {
    const { value: creds } = readCredentials(ctx.credentials);
    if (!creds) {
      throw new ProviderError('auth', 'google-workspace: the stored credentials are not a usable service account key', {
        retryable: false,
      });
    }
    const endpoints = { ...this.defaultEndpoints(), ...ctx.endpoints };
    const trim = (url: string) => url.replace(/\/+$/, '');
    const tokens = new GoogleTokenClient(ctx.http, {
      clientEmail: creds.key.client_email,
      privateKeyPem: creds.key.private_key,
      privateKeyId: creds.key.private_key_id,
      subject: creds.adminEmail,
      tokenUrl: endpoints.token,
      optionalScopes: [GOOGLE_ORGUNIT_SCOPE],
    });
    const client = new GoogleClient(ctx.http, tokens);
    const bases: GoogleApiBases = { admin: trim(endpoints.admin), cloudidentity: trim(endpoints.cloudidentity) };
    const now = Date.now();
    const base = incrementalBase(ctx, creds.customerId, fullReconcileHours(ctx.options), now);
    if (base) {
      const document = await this.incremental(ctx, client, bases, creds.customerId, base);
      if (document) return document;
    }
    const raw = await fetchGooglePosture(client, bases, creds.customerId, ctx.signal);
    this.logGaps(ctx, raw.gaps);
    const startedAt = new Date(now).toISOString();
    // Events from just before this read are replayed next time (the overlap): harmless, as replays are.
    ctx.saveState?.({ lastFullAt: startedAt, lastEventTime: startedAt } satisfies GoogleSyncState);
    return normalizeGooglePosture(raw);
  }

  /**
   * Between full reads: the Policy API settings read afresh, and the user grants of the previous
   * document with the token events since then replayed on them, instead of one Directory call per
   * user. Undefined when the Reports API refuses (the audit scope not delegated): the caller then
   * reads everything as before, so the refusal costs Directory calls but no gap, since a full read
   * loses nothing.
   */
  private async incremental(
    ctx: ConnectorContext,
    client: GoogleClient,
    bases: GoogleApiBases,
    customer: string,
    base: { document: PostureDocument; state: GoogleSyncState },
  ): Promise<PostureDocument | undefined> {
    const startTime = new Date(Date.parse(base.state.lastEventTime) - EVENT_OVERLAP_MS).toISOString();
    let events;
    try {
      events = tokenEvents(await fetchTokenActivities(client, bases.admin, startTime, ctx.signal));
    } catch (err) {
      if (!isGoogleRefusal(err)) throw err;
      ctx.logger.warn('google-workspace: token events not readable, reading every user’s tokens instead', { reason: err.message });
      return undefined;
    }
    const gaps: PostureGap[] = [];
    const pacer = new RequestPacer(DIRECTORY_INTERVAL_MS, ctx.signal);
    const orgUnits = await fetchOrgUnits(client, bases.admin, customer, pacer, gaps);
    const policies = await fetchGooglePolicies(client, bases.cloudidentity, gaps, pacer);
    this.logGaps(ctx, gaps);
    const fresh = normalizeGooglePosture({ customer, users: [], policies, gaps, ...(orgUnits ? { orgUnits } : {}) });
    const newest = events.reduce((max, e) => Math.max(max, e.time), Date.parse(base.state.lastEventTime));
    ctx.saveState?.({ lastFullAt: base.state.lastFullAt, lastEventTime: new Date(newest).toISOString() } satisfies GoogleSyncState);
    return { ...fresh, tenant: base.document.tenant, oauthGrants: applyTokenEvents(base.document.oauthGrants, events) };
  }

  private logGaps(ctx: ConnectorContext, gaps: readonly PostureGap[]): void {
    for (const gap of gaps) ctx.logger.debug('google-workspace: dataset not readable', { what: gap.what, reason: gap.reason });
  }
}

export const googleWorkspaceConnector = new GoogleWorkspaceConnector();
