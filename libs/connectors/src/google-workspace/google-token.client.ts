import { createPrivateKey, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import { ProviderError, type ProviderHttpClient } from '@tollgate/connector-sdk';
import { tokenResponseSchema } from './google-api.schemas';
import { named } from './google.client';

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
/** Google refuses assertions valid for longer than an hour. */
const ASSERTION_LIFETIME_S = 3600;
/** Refresh this long before Google's expiry, so a call never starts with a token about to lapse. */
const MAX_REFRESH_MARGIN_S = 300;

/**
 * The org unit tree, so a child org unit's effective value inherits what its parents set.
 * Recommended, not required: tenants connected before the connector read org units did not
 * delegate it, and without it inheritance falls back to customer-wide policies (a gap).
 */
export const GOOGLE_ORGUNIT_SCOPE = 'https://www.googleapis.com/auth/admin.directory.orgunit.readonly';

/** Read-only scopes the connector needs; each must be granted to the client id under domain-wide delegation. */
export const GOOGLE_SCOPES = [
  'https://www.googleapis.com/auth/admin.directory.user.readonly',
  GOOGLE_ORGUNIT_SCOPE,
  // The only scope that lists a user's OAuth tokens; the connector never revokes one.
  'https://www.googleapis.com/auth/admin.directory.user.security',
  // Token authorize/revoke events, replayed between full reads instead of one call per user.
  'https://www.googleapis.com/auth/admin.reports.audit.readonly',
  'https://www.googleapis.com/auth/cloud-identity.policies.readonly',
] as const;

export interface GoogleTokenClientOptions {
  clientEmail: string;
  privateKeyPem: string;
  privateKeyId: string;
  /** The admin impersonated through domain-wide delegation (`sub`). */
  subject: string;
  tokenUrl: string;
  scopes?: readonly string[];
  /**
   * Scopes among `scopes` the poll can do without. Google refuses a token request whole
   * (`unauthorized_client`) when any scope asked for is not delegated, so on that refusal the
   * request is made once more without these; `missingScopes` then lists them.
   */
  optionalScopes?: readonly string[];
  now?: () => number;
}

/** Parses a PEM private key; the error never carries any part of the key. */
export function readPrivateKey(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw new ProviderError('auth', 'google-workspace: the service account private_key is not a readable PEM private key', {
      retryable: false,
    });
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw new ProviderError('auth', 'google-workspace: the service account private_key is not an RSA key', { retryable: false });
  }
  return key;
}

/**
 * Service-account access tokens: an RS256 JWT (iss = client_email, sub = the admin, aud = the token
 * URL) exchanged at the token endpoint, cached until shortly before it expires. Concurrent callers
 * share one exchange. Lives for one poll: no access token is kept between polls.
 */
export class GoogleTokenClient {
  private readonly key: KeyObject;
  private readonly now: () => number;
  private cached: { token: string; refreshAt: number } | undefined;
  private pending: Promise<string> | undefined;
  private exchanges = 0;
  private dropped: readonly string[] = [];

  constructor(
    private readonly http: ProviderHttpClient,
    private readonly options: GoogleTokenClientOptions,
  ) {
    this.key = readPrivateKey(options.privateKeyPem);
    this.now = options.now ?? Date.now;
  }

  /** Token exchanges made so far (one per poll unless a token expired or was refused). */
  get exchangeCount(): number {
    return this.exchanges;
  }

  async accessToken(): Promise<string> {
    if (this.cached && this.now() < this.cached.refreshAt) return this.cached.token;
    this.pending ??= this.exchange().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /** Optional scopes Google refused to grant in this poll (not delegated); empty until a refusal. */
  get missingScopes(): readonly string[] {
    return this.dropped;
  }

  /** Forgets a token the API refused (expired or revoked early), so the next call exchanges anew. */
  invalidate(token: string): void {
    if (this.cached?.token === token) this.cached = undefined;
  }

  private async exchange(): Promise<string> {
    const wanted = (this.options.scopes ?? GOOGLE_SCOPES).filter((s) => !this.dropped.includes(s));
    try {
      return await this.exchangeFor(wanted);
    } catch (err) {
      const optional = wanted.filter((s) => this.options.optionalScopes?.includes(s));
      const notDelegated = err instanceof ProviderError && err.reason === 'auth' && err.details.code === 'unauthorized_client';
      if (!notDelegated || optional.length === 0) throw err;
      // Refused again without them, a base scope is missing: that error stands as `auth`.
      this.dropped = optional;
      return this.exchangeFor(wanted.filter((s) => !optional.includes(s)));
    }
  }

  private async exchangeFor(scopes: readonly string[]): Promise<string> {
    const { clientEmail, privateKeyId, subject, tokenUrl } = this.options;
    const issuedAt = Math.floor(this.now() / 1000);
    const assertion = await new SignJWT({ scope: scopes.join(' ') })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: privateKeyId })
      .setIssuer(clientEmail)
      .setSubject(subject)
      .setAudience(tokenUrl)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + ASSERTION_LIFETIME_S)
      .sign(this.key);
    this.exchanges++;
    let res;
    try {
      res = await this.http.request<unknown>({
        operation: 'oauth2.token',
        method: 'POST',
        url: tokenUrl,
        form: { grant_type: JWT_BEARER, assertion },
      });
    } catch (err) {
      throw named('oauth2.token', err);
    }
    const parsed = tokenResponseSchema.safeParse(res.data);
    if (!parsed.success) {
      throw new ProviderError('schema', 'google-workspace oauth2.token: the answer has no access_token/expires_in', {
        retryable: false,
      });
    }
    const { access_token: token, expires_in: expiresIn } = parsed.data;
    const margin = Math.min(MAX_REFRESH_MARGIN_S, expiresIn / 4);
    this.cached = { token, refreshAt: this.now() + (expiresIn - margin) * 1000 };
    return token;
  }
}
