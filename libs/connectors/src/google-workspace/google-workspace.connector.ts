import {
  ProviderError,
  type Connector,
  type ConnectorContext,
  type PostureDocument,
  type ProviderResponse,
} from '@tollgate/connector-sdk';
import { serviceAccountKeySchema, type ServiceAccountKey } from './google-api.schemas';
import { GoogleTokenClient, readPrivateKey } from './google-token.client';
import { classifyGoogleResponse, GoogleClient } from './google.client';
import { fetchGooglePosture } from './google.fetchers';
import { normalizeGooglePosture } from './google.normalizer';

export const GOOGLE_ADMIN_API = 'https://admin.googleapis.com';
export const GOOGLE_CLOUDIDENTITY_API = 'https://cloudidentity.googleapis.com';
export const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';

const CREDENTIAL_FIELDS = ['serviceAccountKey', 'adminEmail', 'customerId'];
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}$/;
/** `my_customer` (the admin's own customer) or a customer id such as C01abc234. */
const CUSTOMER_ID = /^(?:my_customer|C[0-9A-Za-z]{4,32})$/;

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
 * (with TOLLGATE_ALLOW_CUSTOM_ENDPOINTS) for a simulator or proxy.
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
    });
    const client = new GoogleClient(ctx.http, tokens);
    const raw = await fetchGooglePosture(
      client,
      { admin: trim(endpoints.admin), cloudidentity: trim(endpoints.cloudidentity) },
      creds.customerId,
      ctx.signal,
    );
    for (const gap of raw.gaps) ctx.logger.debug('google-workspace: dataset not readable', { what: gap.what, reason: gap.reason });
    return normalizeGooglePosture(raw);
  }
}

export const googleWorkspaceConnector = new GoogleWorkspaceConnector();
