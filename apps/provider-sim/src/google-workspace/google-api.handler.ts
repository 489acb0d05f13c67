import type { IncomingMessage, ServerResponse } from 'node:http';
import { createPublicKey } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import type { FaultInjector } from '../faults/fault.injector';
import { respondWithFault } from '../faults/fault.responder';
import { readBody, sendJson } from '../http/sim-http.util';
import type { GoogleTenant, GoogleTenantStore, IssuedToken } from './google-tenant.store';
import { parsePolicyFilter, PolicyFilterError, type PolicyFilter } from './policy-filter.parser';

export const GOOGLE_PREFIX = '/google/';

const SCOPE = 'https://www.googleapis.com/auth/';
/** What the simulated domain-wide delegation authorizes the service account for. */
export const GOOGLE_DELEGATED_SCOPES = [
  `${SCOPE}admin.directory.user.readonly`,
  `${SCOPE}admin.directory.orgunit.readonly`,
  `${SCOPE}admin.directory.user.security`,
  `${SCOPE}admin.reports.audit.readonly`,
  `${SCOPE}cloud-identity.policies.readonly`,
];
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const CLOCK_SKEW_S = 60;

/**
 * Operations, each with the stable `method` name faults and request counts use:
 * `oauth2.token`, `directory.users.list`, `directory.tokens.list`, `reports.activities.list`,
 * `policies.list`. For Google, a fault's `token` filter is the tenant's customer id.
 */
interface Operation {
  name: string;
  /** Any one of these scopes on the access token lets the call through. */
  scopes: string[];
  /** Field holding the answer's list, for `wrong-shape` faults. */
  listField: string;
  handle(ctx: OperationContext): { status: number; body: Record<string, unknown> };
}

interface OperationContext {
  tenant: GoogleTenant;
  url: URL;
  params: string[];
  endless: boolean;
}

// ---------------------------------------------------------------------------------------------
// Google's error shapes

export function googleError(code: number, status: string, reason: string, message: string): Record<string, unknown> {
  return { error: { code, message, errors: [{ message, domain: 'global', reason }], status } };
}

function googleErrorForStatus(status: number): Record<string, unknown> {
  if (status === 401) return googleError(401, 'UNAUTHENTICATED', 'authError', 'Request had invalid authentication credentials.');
  if (status === 403) return googleError(403, 'PERMISSION_DENIED', 'forbidden', 'Not Authorized to access this resource/api');
  if (status === 404) return googleError(404, 'NOT_FOUND', 'notFound', 'Resource Not Found');
  if (status === 429) return googleError(429, 'RESOURCE_EXHAUSTED', 'rateLimitExceeded', 'Quota exceeded.');
  if (status === 503) return googleError(503, 'UNAVAILABLE', 'backendError', 'The service is currently unavailable.');
  if (status >= 500) return googleError(status, 'INTERNAL', 'backendError', 'Internal error encountered.');
  return googleError(status, 'INVALID_ARGUMENT', 'invalid', 'Invalid request.');
}

function oauthError(error: string, description: string): Record<string, unknown> {
  return { error, error_description: description };
}

// ---------------------------------------------------------------------------------------------
// paging: opaque tokens like Google's, never buildable by a client

let endlessCounter = 0;

/**
 * How each list method documents its page size (discovery documents): Directory `maxResults` and
 * Reports `maxResults` declare a minimum and maximum and out-of-range values are refused; the Policy
 * API's `pageSize` says "values greater than 100 default to 100" and 0 or absent means 50.
 */
interface PageSizeRule {
  param: string;
  fallback: number;
  max: number;
  /** `refuse`: outside [1, max] is a 400. `coerce`: above max means max, 0 means the fallback. */
  outOfRange: 'refuse' | 'coerce';
}

const GOOGLE_BAD_REQUEST = 'Request contains an invalid argument.';

function pageSize(url: URL, rule: PageSizeRule): number | { error: string } {
  const raw = url.searchParams.get(rule.param);
  if (raw === null || raw === '') return rule.fallback;
  const asked = Number(raw);
  if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(asked)) return { error: `Invalid value '${raw}' for ${rule.param}: not an integer` };
  if (rule.outOfRange === 'refuse') {
    if (asked < 1 || asked > rule.max) return { error: `Invalid value '${raw}'. Values must be within the range: [1, ${rule.max}]` };
    return asked;
  }
  if (asked < 0) return { error: `${GOOGLE_BAD_REQUEST} ${rule.param} must not be negative` };
  return asked === 0 ? rule.fallback : Math.min(asked, rule.max);
}

function page<T>(items: readonly T[], url: URL, rule: PageSizeRule, tenant: GoogleTenant, endless: boolean) {
  const asked = pageSize(url, rule);
  if (typeof asked !== 'number') return asked;
  const size = Math.max(1, Math.min(asked, tenant.data.maxPageSize ?? Infinity));
  const pageToken = url.searchParams.get('pageToken');
  let offset = 0;
  if (pageToken) {
    const text = Buffer.from(pageToken, 'base64url').toString('utf8');
    const match = /^offset:(\d+)$/.exec(text);
    if (match) offset = Number(match[1]);
    else if (!/^endless:\d+$/.test(text)) return { error: 'Invalid page token' } as const;
  }
  const slice = items.slice(offset, offset + size);
  const end = offset + slice.length;
  const next = endless
    ? Buffer.from(`endless:${++endlessCounter}`).toString('base64url')
    : end < items.length
      ? Buffer.from(`offset:${end}`).toString('base64url')
      : undefined;
  return { items: slice, next } as const;
}

function badRequest(message: string) {
  return { status: 400, body: googleError(400, 'INVALID_ARGUMENT', 'invalid', message) };
}

// ---------------------------------------------------------------------------------------------
// operations

function customerMatches(tenant: GoogleTenant, customer: string | null): boolean {
  return customer === 'my_customer' || customer === tenant.data.customerId;
}

const listUsers: Operation = {
  name: 'directory.users.list',
  scopes: [`${SCOPE}admin.directory.user.readonly`, `${SCOPE}admin.directory.user`],
  listField: 'users',
  handle({ tenant, url, endless }) {
    const customer = url.searchParams.get('customer');
    if (!customer) return badRequest('Bad Request: customer or domain is required');
    if (!customerMatches(tenant, customer)) {
      return { status: 403, body: googleError(403, 'PERMISSION_DENIED', 'forbidden', 'Not Authorized to access this resource/api') };
    }
    const result = page(tenant.data.users, url, { param: 'maxResults', fallback: 100, max: 500, outOfRange: 'refuse' }, tenant, endless);
    if ('error' in result) return badRequest(result.error ?? 'Invalid request');
    return {
      status: 200,
      body: {
        kind: 'admin#directory#users',
        etag: '"sim-etag"',
        users: result.items.map(({ tokens: _tokens, ...user }) => ({
          kind: 'admin#directory#user',
          customerId: tenant.data.customerId,
          name: { fullName: user.primaryEmail.split('@')[0] },
          ...user,
        })),
        ...(result.next ? { nextPageToken: result.next } : {}),
      },
    };
  },
};

const ORG_UNIT_TYPES = ['all', 'children', 'allIncludingParent'];

/** Directory orgunits.list: no paging; `type` as the discovery document enumerates it. */
const listOrgUnits: Operation = {
  name: 'directory.orgunits.list',
  scopes: [`${SCOPE}admin.directory.orgunit.readonly`, `${SCOPE}admin.directory.orgunit`],
  listField: 'organizationUnits',
  handle({ tenant, url, params: [customer] }) {
    if (!customerMatches(tenant, customer)) {
      return { status: 403, body: googleError(403, 'PERMISSION_DENIED', 'forbidden', 'Not Authorized to access this resource/api') };
    }
    const type = url.searchParams.get('type') ?? 'children';
    if (!ORG_UNIT_TYPES.includes(type)) return badRequest(`Invalid value for: type (${ORG_UNIT_TYPES.join(', ')})`);
    const tree = tenant.orgUnitTree();
    const byId = new Map(tree.map((ou) => [ou.id, ou]));
    const [root] = tree;
    const units = type === 'allIncludingParent' ? tree : type === 'all' ? tree.slice(1) : tree.filter((ou) => ou.parentId === root.id);
    const organizationUnits = units.map((ou) => {
      const parent = ou.parentId ? byId.get(ou.parentId) : undefined;
      return {
        kind: 'admin#directory#orgUnit',
        etag: '"sim-etag"',
        name: ou.path === '/' ? tenant.data.domain : ou.path.split('/').at(-1),
        orgUnitPath: ou.path,
        orgUnitId: `id:${ou.id}`,
        ...(parent ? { parentOrgUnitPath: parent.path, parentOrgUnitId: `id:${parent.id}` } : {}),
      };
    });
    return { status: 200, body: { kind: 'admin#directory#orgUnits', etag: '"sim-etag"', organizationUnits } };
  },
};

const listTokens: Operation = {
  name: 'directory.tokens.list',
  scopes: [`${SCOPE}admin.directory.user.security`],
  listField: 'items',
  handle({ tenant, params: [userKey] }) {
    const user = tenant.user(userKey);
    if (!user) return { status: 404, body: googleError(404, 'NOT_FOUND', 'notFound', 'Resource Not Found: userKey') };
    const items = user.tokens.map((t) => ({ kind: 'admin#directory#token', etag: '"sim-etag"', ...t, userKey: user.id }));
    // Google leaves `items` out entirely when the user has authorized nothing.
    return { status: 200, body: { kind: 'admin#directory#tokenList', etag: '"sim-etag"', ...(items.length ? { items } : {}) } };
  },
};

const listTokenActivities: Operation = {
  name: 'reports.activities.list',
  scopes: [`${SCOPE}admin.reports.audit.readonly`],
  listField: 'items',
  handle({ tenant, url, endless }) {
    const startTime = url.searchParams.get('startTime');
    const since = startTime ? Date.parse(startTime) : Number.NEGATIVE_INFINITY;
    if (Number.isNaN(since)) return badRequest('Invalid value for: startTime');
    const eventName = url.searchParams.get('eventName');
    // Newest first, as Google lists activities.
    const events = tenant.tokenEvents.filter((e) => Date.parse(e.time) >= since && (!eventName || e.name === eventName)).reverse();
    const result = page(events, url, { param: 'maxResults', fallback: 1000, max: 1000, outOfRange: 'refuse' }, tenant, endless);
    if ('error' in result) return badRequest(result.error ?? 'Invalid request');
    return {
      status: 200,
      body: {
        kind: 'admin#reports#activities',
        items: result.items.map((e) => ({
          kind: 'admin#reports#activity',
          id: { time: e.time, uniqueQualifier: e.id, applicationName: 'token', customerId: tenant.data.customerId },
          actor: { email: e.actorEmail, profileId: e.profileId },
          events: [
            {
              type: 'auth',
              name: e.name,
              parameters: [
                { name: 'client_id', value: e.clientId },
                { name: 'app_name', value: e.appName },
                { name: 'scope', multiValue: e.scopes },
              ],
            },
          ],
        })),
        ...(result.next ? { nextPageToken: result.next } : {}),
      },
    };
  },
};

const listPolicies: Operation = {
  name: 'policies.list',
  scopes: [`${SCOPE}cloud-identity.policies.readonly`, `${SCOPE}cloud-identity.policies`],
  listField: 'policies',
  handle({ tenant, url, endless }) {
    let filter: PolicyFilter | undefined;
    try {
      filter = parsePolicyFilter(url.searchParams.get('filter'));
    } catch (err) {
      if (!(err instanceof PolicyFilterError)) throw err;
      return badRequest(`${GOOGLE_BAD_REQUEST} Invalid filter: ${err.message}`);
    }
    const customerId = tenant.data.customerId;
    const matching = tenant.data.policies
      .map((p, index) => ({ p, index }))
      .filter(({ p }) => !filter || filter({ settingType: `settings/${p.settingType}`, customer: customerId }));
    const result = page(matching, url, { param: 'pageSize', fallback: 50, max: 100, outOfRange: 'coerce' }, tenant, endless);
    if ('error' in result) return badRequest(result.error ?? 'Invalid request');
    // Only the page is written out: a tenant of thousands of policies is listed in hundreds of pages.
    const parents = tenant.parentsById();
    const policies = result.items.map(({ p, index }) => ({
      name: `policies/sim${customerId.toLowerCase()}${String(index).padStart(4, '0')}`,
      customer: `customers/${customerId}`,
      policyQuery: {
        orgUnit: `orgUnits/${p.orgUnitId}`,
        ...(p.groupId ? { group: `groups/${p.groupId}` } : {}),
        query: p.groupId
          ? `entity.groups.exists(group, group.group_id == groupId('${p.groupId}'))`
          : `entity.org_units.exists(org_unit, org_unit.org_unit_id == orgUnitId('${p.orgUnitId}'))`,
        sortOrder: tenant.sortOrderOf(p, index, parents),
      },
      setting: { type: `settings/${p.settingType}`, value: p.value },
      type: p.type,
    }));
    return { status: 200, body: { policies, ...(result.next ? { nextPageToken: result.next } : {}) } };
  },
};

const ROUTES: { method: string; pattern: RegExp; op: Operation }[] = [
  { method: 'GET', pattern: /^\/google\/admin\/directory\/v1\/users$/, op: listUsers },
  { method: 'GET', pattern: /^\/google\/admin\/directory\/v1\/users\/([^/]+)\/tokens$/, op: listTokens },
  { method: 'GET', pattern: /^\/google\/admin\/directory\/v1\/customer\/([^/]+)\/orgunits$/, op: listOrgUnits },
  {
    method: 'GET',
    pattern: /^\/google\/admin\/reports\/v1\/activity\/users\/all\/applications\/token$/,
    op: listTokenActivities,
  },
  { method: 'GET', pattern: /^\/google\/cloudidentity\/v1\/policies$/, op: listPolicies },
];

// ---------------------------------------------------------------------------------------------
// the token endpoint

function tokenUrl(req: IncomingMessage): string {
  return `http://${req.headers.host ?? 'localhost'}/google/token`;
}

function unverifiedIssuer(assertion: string): string | undefined {
  try {
    const iss = decodeJwt(assertion).iss;
    return typeof iss === 'string' ? iss : undefined;
  } catch {
    return undefined;
  }
}

type TokenAnswer = { status: number; body: Record<string, unknown> };

async function exchangeAssertion(req: IncomingMessage, form: URLSearchParams, tenant: GoogleTenant | undefined, tenants: GoogleTenantStore): Promise<TokenAnswer> {
  if (form.get('grant_type') !== JWT_BEARER) {
    return { status: 400, body: oauthError('unsupported_grant_type', 'Invalid grant_type: expected jwt-bearer') };
  }
  const assertion = form.get('assertion') ?? '';
  if (!tenant) return { status: 401, body: oauthError('invalid_client', 'The OAuth client was not found.') };
  const account = tenant.data.serviceAccount;
  try {
    const header = decodeProtectedHeader(assertion);
    if (header.kid !== undefined && header.kid !== account.privateKeyId) {
      return { status: 400, body: oauthError('invalid_grant', 'Invalid JWT Signature.') };
    }
  } catch {
    return { status: 400, body: oauthError('invalid_grant', 'Invalid JWT: malformed') };
  }
  let claims: Record<string, unknown>;
  try {
    const verified = await jwtVerify(assertion, createPublicKey(account.publicKeyPem), {
      algorithms: ['RS256'],
      issuer: account.clientEmail,
      audience: tokenUrl(req),
      clockTolerance: CLOCK_SKEW_S,
    });
    claims = verified.payload as Record<string, unknown>;
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    const description =
      code === 'ERR_JWT_EXPIRED'
        ? 'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.'
        : code === 'ERR_JWT_CLAIM_VALIDATION_FAILED'
          ? `Invalid JWT: ${(err as Error).message}`
          : 'Invalid JWT Signature.';
    return { status: 400, body: oauthError('invalid_grant', description) };
  }
  const now = Math.floor(Date.now() / 1000);
  const { iat, exp, sub, scope } = claims;
  if (typeof iat !== 'number' || typeof exp !== 'number' || iat > now + CLOCK_SKEW_S || exp - iat > 3600 || exp <= iat) {
    return {
      status: 400,
      body: oauthError('invalid_grant', 'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.'),
    };
  }
  if (typeof sub !== 'string' || !tenant.data.adminEmails.includes(sub)) {
    return { status: 400, body: oauthError('invalid_grant', 'Invalid email or User ID') };
  }
  const scopes = typeof scope === 'string' ? scope.split(/\s+/).filter(Boolean) : [];
  // Google authorizes a token request only when every scope asked for is delegated: one scope
  // missing from the Admin console's domain-wide delegation refuses the whole request.
  const delegated = tenant.data.delegatedScopes ?? GOOGLE_DELEGATED_SCOPES;
  if (scopes.length === 0 || scopes.some((s) => !delegated.includes(s))) {
    return {
      status: 401,
      body: oauthError(
        'unauthorized_client',
        'Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.',
      ),
    };
  }
  const issued = tenants.issueToken(tenant, sub, scopes);
  return { status: 200, body: { access_token: issued.token, expires_in: issued.expiresIn, token_type: 'Bearer' } };
}

async function handleToken(req: IncomingMessage, res: ServerResponse, tenants: GoogleTenantStore, faults: FaultInjector): Promise<void> {
  if (req.method !== 'POST') {
    sendJson(res, 405, oauthError('invalid_request', 'POST required'), { allow: 'POST' });
    return;
  }
  const form = new URLSearchParams(await readBody(req));
  const iss = unverifiedIssuer(form.get('assertion') ?? '');
  const tenant = iss ? tenants.byServiceAccount(iss) : undefined;
  tenant?.countRequest('oauth2.token');
  const fault = faults.take('google-workspace', tenant?.data.customerId, 'oauth2.token');
  const asOAuth = (status: number) => oauthError(status >= 500 ? 'internal_failure' : 'invalid_request', `simulated HTTP ${status}`);
  if (fault && (await respondWithFault(fault, req, res, asOAuth)) === 'handled') return;
  const answer = await exchangeAssertion(req, form, tenant, tenants);
  sendJson(res, answer.status, answer.body, answer.status === 200 ? { 'cache-control': 'no-store' } : {});
}

// ---------------------------------------------------------------------------------------------

function bearer(req: IncomingMessage): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return match ? match[1] : undefined;
}

function hasScope(issued: IssuedToken, op: Operation): boolean {
  return op.scopes.some((s) => issued.scopes.includes(s));
}

/**
 * Answers `/google/token` (the service-account JWT exchange), `/google/admin/...` (Directory and
 * Reports) and `/google/cloudidentity/v1/policies` like Google does, shapes, paging and errors included.
 */
export async function handleGoogleApi(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  tenants: GoogleTenantStore,
  faults: FaultInjector,
): Promise<void> {
  if (url.pathname === '/google/token') return handleToken(req, res, tenants, faults);

  let route: (typeof ROUTES)[number] | undefined;
  let params: string[] = [];
  for (const r of ROUTES) {
    const match = r.pattern.exec(url.pathname);
    if (match) {
      route = r;
      params = match.slice(1).map((p) => decodeURIComponent(p));
      break;
    }
  }
  if (!route) return sendJson(res, 404, googleError(404, 'NOT_FOUND', 'notFound', `no route ${url.pathname}`));
  if (req.method !== route.method) {
    return sendJson(res, 405, googleError(405, 'INVALID_ARGUMENT', 'httpMethodNotAllowed', 'Method not allowed'), { allow: route.method });
  }
  const { op } = route;
  const token = bearer(req);
  const before = token ? tenants.resolveToken(token) : undefined;
  const counted = before ? tenants.find(before.customerId) : undefined;
  counted?.countRequest(op.name);

  const fault = faults.take('google-workspace', counted?.data.customerId, op.name);
  if (fault && (await respondWithFault(fault, req, res, googleErrorForStatus)) === 'handled') return;

  // Checked again after a `slow` fault: a token may expire while its request is held back.
  const issued = token ? tenants.resolveToken(token) : undefined;
  const tenant = issued ? tenants.find(issued.customerId) : undefined;
  if (!issued || !tenant) return sendJson(res, 401, googleErrorForStatus(401), { 'www-authenticate': 'Bearer realm="https://accounts.google.com/"' });
  if (!hasScope(issued, op)) {
    return sendJson(res, 403, googleError(403, 'PERMISSION_DENIED', 'insufficientPermissions', 'Request had insufficient authentication scopes.'));
  }
  if (!tenant.checkRate().allowed) {
    tenant.countThrottled(op.name);
    const { answer, retryAfterSeconds } = tenant.data.rateLimits;
    const headers: Record<string, string> = retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) };
    if (answer === '403') {
      return sendJson(res, 403, googleError(403, 'PERMISSION_DENIED', 'userRateLimitExceeded', 'User Rate Limit Exceeded'), headers);
    }
    return sendJson(res, 429, googleError(429, 'RESOURCE_EXHAUSTED', 'rateLimitExceeded', 'Quota exceeded for quota metric.'), headers);
  }

  const answer = op.handle({ tenant, url, params, endless: fault?.kind === 'endless-paging' });
  if (fault?.kind === 'wrong-shape' && answer.status === 200) {
    if (fault.variant === 'missing') delete answer.body[op.listField];
    else answer.body[op.listField] = 'unexpected';
  }
  sendJson(res, answer.status, answer.body);
}
