import {
  EndpointRejectedError,
  ProviderError,
  type Connector,
  type ConnectorContext,
  type PostureDocument,
} from '@tollgate/connector-sdk';
import { GraphClient, type GraphCredentials, type GraphTokenCache } from './graph.client';
import { fetchM365Posture } from './m365.fetchers';
import { normalizeM365Posture } from './m365.normalizer';

/** Graph and identity-platform hosts of each Microsoft cloud (connection option `cloud`). */
export const M365_CLOUDS = {
  global: { graph: 'https://graph.microsoft.com', login: 'https://login.microsoftonline.com' },
  usgov: { graph: 'https://graph.microsoft.us', login: 'https://login.microsoftonline.us' },
  usgovdod: { graph: 'https://dod-graph.microsoft.us', login: 'https://login.microsoftonline.us' },
  china: { graph: 'https://microsoftgraph.chinacloudapi.cn', login: 'https://login.chinacloudapi.cn' },
} as const;
export type M365Cloud = keyof typeof M365_CLOUDS;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;
const MAX_SECRET_LENGTH = 1024;
const FIELDS = ['tenantId', 'clientId', 'clientSecret'];

function credentialProblems(credentials: unknown): string[] {
  if (typeof credentials !== 'object' || credentials === null || Array.isArray(credentials)) {
    return ['credentials must be an object with "tenantId", "clientId" and "clientSecret"'];
  }
  const { tenantId, clientId, clientSecret, ...rest } = credentials as Record<string, unknown>;
  // Only field names are echoed back, never values: they may be secrets typed in the wrong place.
  const problems = Object.keys(rest).map((key) => `unknown field "${key}" (only ${FIELDS.map((f) => `"${f}"`).join(', ')} are accepted)`);
  if (tenantId === undefined || tenantId === null || tenantId === '') problems.push('"tenantId" is required');
  else if (typeof tenantId !== 'string') problems.push('"tenantId" must be a string');
  else if (!GUID.test(tenantId) && !DOMAIN.test(tenantId)) {
    problems.push('"tenantId" must be the directory (tenant) id, a GUID, or a verified domain such as contoso.onmicrosoft.com');
  }
  if (clientId === undefined || clientId === null || clientId === '') problems.push('"clientId" is required');
  else if (typeof clientId !== 'string') problems.push('"clientId" must be a string');
  else if (!GUID.test(clientId)) problems.push('"clientId" must be the application (client) id, a GUID');
  if (clientSecret === undefined || clientSecret === null || clientSecret === '') problems.push('"clientSecret" is required');
  else if (typeof clientSecret !== 'string') problems.push('"clientSecret" must be a string');
  else if (/\s/.test(clientSecret)) problems.push('"clientSecret" must not contain whitespace');
  else if (clientSecret.length > MAX_SECRET_LENGTH) problems.push(`"clientSecret" is longer than ${MAX_SECRET_LENGTH} characters`);
  return problems;
}

function cloudOf(options: Record<string, unknown>): M365Cloud {
  const cloud = options.cloud ?? 'global';
  if (typeof cloud === 'string' && Object.hasOwn(M365_CLOUDS, cloud)) return cloud as M365Cloud;
  // Surfaces as an endpoint problem when the connection is created, naming the accepted values.
  throw new EndpointRejectedError('cloud', `unknown Microsoft 365 cloud (known: ${Object.keys(M365_CLOUDS).join(', ')})`);
}

export class M365Connector implements Connector {
  readonly provider = 'microsoft365' as const;
  readonly displayName = 'Microsoft 365';
  readonly defaultBaselineId = 'microsoft365-locked-down';
  readonly officialHosts = [
    ...new Set(Object.values(M365_CLOUDS).flatMap((c) => [new URL(c.graph).hostname, new URL(c.login).hostname])),
  ];

  constructor(private readonly tokenCache?: GraphTokenCache) {}

  validateCredentials(credentials: unknown): string[] {
    return credentialProblems(credentials);
  }

  defaultEndpoints(options: Record<string, unknown>): Record<string, string> {
    const { graph, login } = M365_CLOUDS[cloudOf(options)];
    return { graph, login };
  }

  async collect(ctx: ConnectorContext): Promise<PostureDocument> {
    if (credentialProblems(ctx.credentials).length > 0) {
      throw new ProviderError('auth', 'microsoft365: the stored credentials are not usable client credentials', {
        retryable: false,
      });
    }
    const credentials = ctx.credentials as unknown as GraphCredentials;
    const cloud = cloudOf(ctx.options);
    const defaults = this.defaultEndpoints(ctx.options);
    const client = new GraphClient({
      http: ctx.http,
      graph: ctx.endpoints.graph ?? defaults.graph,
      login: ctx.endpoints.login ?? defaults.login,
      credentials,
      cacheKey: ctx.connectionId,
      cache: this.tokenCache,
    });
    const raw = await fetchM365Posture(client, { sharepointSettingsAvailable: cloud !== 'china' });
    for (const gap of raw.gaps) ctx.logger.debug('microsoft365: dataset not readable', { what: gap.what, reason: gap.reason });
    return normalizeM365Posture(raw);
  }
}

export const m365Connector = new M365Connector();
