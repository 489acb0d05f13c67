import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FaultInjector } from '../faults/fault.injector';
import { respondWithFault } from '../faults/fault.responder';
import { readBody, sendJson } from '../http/sim-http.util';
import { GRAPH_V1_PROPERTIES, type GraphV1Entity } from './graph-v1-metadata';
import type { M365Tenant, M365TenantStore } from './m365-tenant.store';

export const M365_PREFIX = '/microsoft365/';
const GRAPH_PREFIX = '/microsoft365/graph/v1.0/';
const LOGIN_PATH = /^\/microsoft365\/login\/([^/]+)\/oauth2\/v2\.0\/token$/;

/**
 * Stable operation names: the `method` a fault (provider `microsoft365`) matches, and the keys of
 * the request statistics. A fault's `token` filter is matched against the tenant id.
 */
export const M365_OPERATIONS = [
  'token',
  'organization.list',
  'sharepointSettings.get',
  'authorizationPolicy.get',
  'crossTenantAccessPolicy.default.get',
  'crossTenantAccessPolicy.partners.list',
  'adminConsentRequestPolicy.get',
  'defaultAppManagementPolicy.get',
  'oauth2PermissionGrants.list',
  'servicePrincipals.list',
  'servicePrincipals.appRoleAssignments.list',
  'servicePrincipals.delegatedPermissionClassifications.list',
  'users.list',
  'sites.getAllSites',
] as const;
export type M365Operation = (typeof M365_OPERATIONS)[number];

interface GraphRoute {
  operation: M365Operation;
  pattern: RegExp;
  /** The v1.0 entity the answer is made of: `$select` may name only its properties. */
  entity: GraphV1Entity;
  /**
   * The query options the request's reference page documents (`$skiptoken` comes from our own
   * `@odata.nextLink`). Any other `$` option is refused, as Graph refuses an unsupported one.
   */
  options: readonly string[];
}

/** "This method supports the OData query parameters": the directory listings' general support. */
const DIRECTORY_LISTING = ['$select', '$filter', '$top', '$count', '$orderby', '$expand', '$search', '$skiptoken'];

const GRAPH_ROUTES: GraphRoute[] = [
  { operation: 'organization.list', pattern: /^organization$/, entity: 'organization', options: DIRECTORY_LISTING },
  // "This method supports some of the OData query parameters": $select is the one a single entity takes.
  { operation: 'sharepointSettings.get', pattern: /^admin\/sharepoint\/settings$/, entity: 'sharepointSettings', options: ['$select'] },
  // The reference pages of these two list no optional query parameters.
  { operation: 'authorizationPolicy.get', pattern: /^policies\/authorizationPolicy$/, entity: 'authorizationPolicy', options: [] },
  {
    operation: 'crossTenantAccessPolicy.default.get',
    pattern: /^policies\/crossTenantAccessPolicy\/default$/,
    entity: 'crossTenantAccessPolicyConfigurationDefault',
    options: [],
  },
  // crosstenantaccesspolicy-list-partners: "supports the $select and $expand OData query parameters".
  {
    operation: 'crossTenantAccessPolicy.partners.list',
    pattern: /^policies\/crossTenantAccessPolicy\/partners$/,
    entity: 'crossTenantAccessPolicyConfigurationPartner',
    options: ['$select', '$expand', '$skiptoken'],
  },
  // adminconsentrequestpolicy-get: "supports the $select OData query parameter".
  {
    operation: 'adminConsentRequestPolicy.get',
    pattern: /^policies\/adminConsentRequestPolicy$/,
    entity: 'adminConsentRequestPolicy',
    options: ['$select'],
  },
  // tenantappmanagementpolicy-get lists no optional query parameters.
  {
    operation: 'defaultAppManagementPolicy.get',
    pattern: /^policies\/defaultAppManagementPolicy$/,
    entity: 'tenantAppManagementPolicy',
    options: [],
  },
  { operation: 'oauth2PermissionGrants.list', pattern: /^oauth2PermissionGrants$/, entity: 'oAuth2PermissionGrant', options: DIRECTORY_LISTING },
  { operation: 'servicePrincipals.list', pattern: /^servicePrincipals$/, entity: 'servicePrincipal', options: DIRECTORY_LISTING },
  {
    operation: 'servicePrincipals.appRoleAssignments.list',
    pattern: /^servicePrincipals\/([^/]+)\/appRoleAssignments$/,
    entity: 'appRoleAssignment',
    options: DIRECTORY_LISTING,
  },
  // serviceprincipal-list-delegatedpermissionclassifications: "supports the OData query parameters".
  {
    operation: 'servicePrincipals.delegatedPermissionClassifications.list',
    pattern: /^servicePrincipals\/([^/]+)\/delegatedPermissionClassifications$/,
    entity: 'delegatedPermissionClassification',
    options: DIRECTORY_LISTING,
  },
  // user-list: "$skip isn't supported".
  { operation: 'users.list', pattern: /^users$/, entity: 'user', options: DIRECTORY_LISTING },
  // The reference page documents no query options; Microsoft's SDKs generated from the metadata
  // expose $select (-Property), the only one the connector sends. Its documented next link is
  // `sites/oneDrive.getAllSites?$skiptoken=...`, so both spellings are served.
  { operation: 'sites.getAllSites', pattern: /^sites\/(?:oneDrive\.)?getAllSites$/, entity: 'site', options: ['$select', '$skiptoken'] },
];

type GraphBody = Record<string, unknown>;

function graphError(code: string, message: string): GraphBody {
  return {
    error: {
      code,
      message,
      innerError: { date: new Date().toISOString(), 'request-id': 'sim-request', 'client-request-id': 'sim-request' },
    },
  };
}

function graphErrorForStatus(status: number): GraphBody {
  if (status === 401) return graphError('InvalidAuthenticationToken', 'Access token validation failure.');
  if (status === 403) return graphError('Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
  if (status === 404) return graphError('Request_ResourceNotFound', 'Resource does not exist.');
  if (status === 429) return graphError('TooManyRequests', 'Too many requests.');
  if (status === 503) return graphError('ServiceUnavailable', 'Service unavailable.');
  if (status >= 500) return graphError('InternalServerError', 'An internal server error occurred.');
  return graphError('BadRequest', 'Invalid request.');
}

/** The login endpoint answers in the identity platform's own error shape, not Graph's. */
function loginError(error: string, description: string): GraphBody {
  return { error, error_description: description, error_codes: [Number(/AADSTS(\d+)/.exec(description)?.[1] ?? 0)] };
}

function loginErrorForStatus(status: number): GraphBody {
  if (status === 429) return loginError('temporarily_unavailable', 'AADSTS50196: The server terminated an operation.');
  if (status >= 500) return loginError('server_error', 'AADSTS90033: A transient error has occurred.');
  return loginError('invalid_request', 'AADSTS900144: The request body must contain a parameter.');
}

/** Answers Graph under `/microsoft365/graph/v1.0/` and the token endpoint under `/microsoft365/login/`. */
export async function handleM365Api(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  tenants: M365TenantStore,
  faults: FaultInjector,
): Promise<void> {
  const login = LOGIN_PATH.exec(url.pathname);
  if (login) return handleToken(req, res, decodeURIComponent(login[1]), tenants, faults);
  if (url.pathname.startsWith(GRAPH_PREFIX)) return handleGraph(req, res, url, tenants, faults);
  sendJson(res, 404, graphError('BadRequest', `no route ${url.pathname}`));
}

async function handleToken(
  req: IncomingMessage,
  res: ServerResponse,
  tenantId: string,
  tenants: M365TenantStore,
  faults: FaultInjector,
): Promise<void> {
  const tenant = tenants.find(tenantId);
  const body = req.method === 'POST' ? new URLSearchParams(await readBody(req)) : new URLSearchParams();
  tenant?.countRequest('token');
  const fault = faults.take('microsoft365', tenantId, 'token');
  if (fault && (await respondWithFault(fault, req, res, loginErrorForStatus)) === 'handled') return;

  if (req.method !== 'POST') {
    return sendJson(res, 405, loginError('invalid_request', 'AADSTS900561: The endpoint only accepts POST requests.'));
  }
  // The client credentials grant's required parameters, in the identity platform's own words.
  for (const name of ['grant_type', 'client_id', 'scope']) {
    if (!body.get(name)) {
      return sendJson(res, 400, loginError('invalid_request', `AADSTS900144: The request body must contain the following parameter: '${name}'.`));
    }
  }
  if (body.get('grant_type') !== 'client_credentials') {
    return sendJson(res, 400, loginError('unsupported_grant_type', 'AADSTS70003: The app requested an unsupported grant type.'));
  }
  if (!tenant) {
    return sendJson(res, 400, loginError('invalid_request', `AADSTS90002: Tenant '${tenantId}' not found.`));
  }
  if (body.get('client_id') !== tenant.data.clientId) {
    return sendJson(
      res,
      400,
      loginError('unauthorized_client', 'AADSTS700016: Application was not found in the directory.'),
    );
  }
  if (!body.get('client_secret')) {
    return sendJson(
      res,
      401,
      loginError('invalid_client', "AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'."),
    );
  }
  if (body.get('client_secret') !== tenant.data.clientSecret) {
    return sendJson(res, 401, loginError('invalid_client', 'AADSTS7000215: Invalid client secret provided.'));
  }
  if (!(body.get('scope') ?? '').endsWith('/.default')) {
    return sendJson(
      res,
      400,
      loginError('invalid_scope', 'AADSTS1002012: The provided value for scope is not valid for client credentials.'),
    );
  }
  const { token, expiresIn } = tenants.issueToken(tenant);
  const answer: GraphBody = { token_type: 'Bearer', expires_in: expiresIn, ext_expires_in: expiresIn, access_token: token };
  if (fault?.kind === 'wrong-shape') {
    if (fault.variant === 'missing') delete answer.access_token;
    else answer.access_token = 42;
  }
  sendJson(res, 200, answer);
}

function bearer(req: IncomingMessage): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return match ? match[1] : undefined;
}

async function handleGraph(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  tenants: M365TenantStore,
  faults: FaultInjector,
): Promise<void> {
  const rest = url.pathname.slice(GRAPH_PREFIX.length);
  let route: GraphRoute | undefined;
  let match: RegExpExecArray | null = null;
  for (const candidate of GRAPH_ROUTES) {
    match = candidate.pattern.exec(rest);
    if (match) {
      route = candidate;
      break;
    }
  }
  const token = bearer(req);
  const checked = token ? tenants.checkToken(token) : undefined;
  const tenant = checked?.tenant;
  const operation = route?.operation ?? 'unknown';
  tenant?.countRequest(operation);

  const fault = faults.take('microsoft365', tenant?.tenantId, operation);
  if (fault && (await respondWithFault(fault, req, res, graphErrorForStatus)) === 'handled') return;

  if (!token) return sendJson(res, 401, graphError('InvalidAuthenticationToken', 'Access token is empty.'));
  if (!checked || !tenant) {
    return sendJson(res, 401, graphError('InvalidAuthenticationToken', 'Access token validation failure. Invalid audience.'));
  }
  if (checked.status === 'expired') {
    tenant.expiredTokenRejections++;
    return sendJson(
      res,
      401,
      graphError('InvalidAuthenticationToken', 'Lifetime validation failed, the token is expired.'),
    );
  }
  const decision = tenant.rateLimit(Date.now());
  if (!decision.allowed) {
    tenant.countThrottled(operation);
    const headers: Record<string, string> = tenant.data.rateLimits.retryAfter
      ? { 'retry-after': String(decision.retryAfterSeconds) }
      : {};
    return sendJson(res, 429, graphErrorForStatus(429), headers);
  }
  if (req.method !== 'GET') {
    return sendJson(res, 405, graphError('Request_BadRequest', 'Only GET is simulated.'), { allow: 'GET' });
  }
  if (!route || !match) {
    return sendJson(res, 400, graphError('BadRequest', `Resource not found for the segment '${rest.split('/')[0]}'.`));
  }
  const refusal = refuseQuery(route, url.searchParams);
  if (refusal) return sendJson(res, 400, refusal);
  if (tenant.data.deniedOperations.includes(route.operation)) {
    return sendJson(res, 403, graphErrorForStatus(403));
  }

  const ctx: GraphContext = {
    tenant,
    entity: route.entity,
    url,
    origin: `http://${req.headers.host ?? '127.0.0.1'}`,
    endless: fault?.kind === 'endless-paging',
  };
  const answer = answerGraph(route, match, ctx);
  if (answer.status === 200 && fault?.kind === 'wrong-shape') {
    const field = SHAPE_FIELD[route.operation];
    if (fault.variant === 'missing') delete answer.body[field];
    else answer.body[field] = 'unexpected';
  }
  sendJson(res, answer.status, answer.body);
}

/** The field a wrong-shape fault breaks: the listing itself, or a field the connector reads. */
const SHAPE_FIELD: Record<M365Operation, string> = {
  token: 'access_token',
  'organization.list': 'value',
  'sharepointSettings.get': 'sharingAllowedDomainList',
  'authorizationPolicy.get': 'defaultUserRolePermissions',
  'crossTenantAccessPolicy.default.get': 'b2bCollaborationInbound',
  'crossTenantAccessPolicy.partners.list': 'value',
  'adminConsentRequestPolicy.get': 'isEnabled',
  'defaultAppManagementPolicy.get': 'applicationRestrictions',
  'oauth2PermissionGrants.list': 'value',
  'servicePrincipals.list': 'value',
  'servicePrincipals.appRoleAssignments.list': 'value',
  'servicePrincipals.delegatedPermissionClassifications.list': 'value',
  'users.list': 'value',
  'sites.getAllSites': 'value',
};

interface GraphContext {
  tenant: M365Tenant;
  entity: GraphV1Entity;
  url: URL;
  origin: string;
  endless: boolean;
}

function answerGraph(route: GraphRoute, match: RegExpExecArray, ctx: GraphContext): { status: number; body: GraphBody } {
  const { operation, entity } = route;
  const { data } = ctx.tenant;
  const context = (what: string) => `${ctx.origin}/microsoft365/graph/v1.0/$metadata#${what}`;
  switch (operation) {
    case 'organization.list':
      return page(ctx, 'organization', [data.organization]);
    case 'sharepointSettings.get': {
      const settings = project(entity, { ...data.sharepointSettings }, ctx.url.searchParams.get('$select'));
      // The reference page's own example wraps the entity in `value` (an object, not a collection).
      if (data.sharepointSettingsWrapped) return ok({ value: { '@odata.type': '#microsoft.graph.sharepointSettings', ...settings } });
      return ok({ '@odata.context': context('admin/sharepoint/settings/$entity'), ...settings });
    }
    case 'authorizationPolicy.get':
      return ok({ '@odata.context': context('policies/authorizationPolicy/$entity'), ...project(entity, data.authorizationPolicy, null) });
    case 'crossTenantAccessPolicy.default.get':
      return ok({
        '@odata.context': context('policies/crossTenantAccessPolicy/default/$entity'),
        ...project(entity, data.crossTenantAccessDefault, null),
      });
    case 'crossTenantAccessPolicy.partners.list':
      return page(ctx, 'policies/crossTenantAccessPolicy/partners', data.crossTenantAccessPartners);
    case 'adminConsentRequestPolicy.get':
      return ok({
        '@odata.context': context('policies/adminConsentRequestPolicy/$entity'),
        ...project(entity, data.adminConsentRequestPolicy, ctx.url.searchParams.get('$select')),
      });
    case 'defaultAppManagementPolicy.get':
      return ok({
        '@odata.context': context('policies/defaultAppManagementPolicy/$entity'),
        ...project(entity, data.defaultAppManagementPolicy, null),
      });
    case 'oauth2PermissionGrants.list':
      return page(ctx, 'oauth2PermissionGrants', ctx.tenant.grants);
    case 'servicePrincipals.list':
      return page(ctx, 'servicePrincipals', data.servicePrincipals);
    case 'servicePrincipals.appRoleAssignments.list': {
      const spId = decodeURIComponent(match[1]);
      if (!ctx.tenant.servicePrincipal(spId)) {
        return {
          status: 404,
          body: graphError('Request_ResourceNotFound', `Resource '${spId}' does not exist or one of its queried reference-property objects are not present.`),
        };
      }
      const assignments = ctx.tenant.assignments.filter((a) => a.principalId === spId);
      return page(ctx, `servicePrincipals('${spId}')/appRoleAssignments`, assignments);
    }
    case 'servicePrincipals.delegatedPermissionClassifications.list': {
      const spId = decodeURIComponent(match[1]);
      const sp = ctx.tenant.servicePrincipal(spId);
      if (!sp) {
        return {
          status: 404,
          body: graphError('Request_ResourceNotFound', `Resource '${spId}' does not exist or one of its queried reference-property objects are not present.`),
        };
      }
      return page(ctx, `servicePrincipals('${spId}')/delegatedPermissionClassifications`, sp.delegatedPermissionClassifications);
    }
    case 'users.list':
      return page(ctx, 'users', data.users);
    case 'sites.getAllSites':
      return page(ctx, 'sites', data.sites, 'sites/oneDrive.getAllSites');
    case 'token':
      return { status: 400, body: graphError('BadRequest', 'not a Graph operation') };
  }
}

function ok(body: GraphBody): { status: number; body: GraphBody } {
  return { status: 200, body };
}

let endlessCounter = 0;

/**
 * One page of a listing, `$top`/`$skiptoken` style, with an absolute `@odata.nextLink` back to this
 * simulator that keeps every other query option. `$select` projects like Graph does (id always kept).
 */
function page(
  ctx: GraphContext,
  what: string,
  items: readonly Record<string, unknown>[],
  nextPath?: string,
): { status: number; body: GraphBody } {
  const { url, tenant } = ctx;
  // The range was checked before the request got here (refuseQuery).
  const topRaw = url.searchParams.get('$top');
  const size = Math.min(topRaw === null ? tenant.data.pageSize : Number(topRaw), tenant.data.pageSize);
  let offset = 0;
  const skipToken = url.searchParams.get('$skiptoken');
  if (skipToken !== null) {
    const decoded = /^(?:offset:(\d+)|endless:\d+)$/.exec(Buffer.from(skipToken, 'base64url').toString('utf8'));
    if (!decoded) return { status: 400, body: graphError('Directory_ExpiredPageToken', 'The specified page token value has expired.') };
    offset = decoded[1] === undefined ? 0 : Number(decoded[1]);
  }
  const slice = items.slice(offset, offset + size).map((item) => project(ctx.entity, item, url.searchParams.get('$select')));
  const end = offset + slice.length;
  const body: GraphBody = { '@odata.context': `${ctx.origin}/microsoft365/graph/v1.0/$metadata#${what}`, value: slice };
  const nextToken = ctx.endless
    ? `endless:${++endlessCounter}`
    : end < items.length
      ? `offset:${end}`
      : undefined;
  if (nextToken !== undefined) {
    const path = nextPath ? `${GRAPH_PREFIX}${nextPath}` : url.pathname;
    const next = new URL(`${ctx.origin}${path}${url.search}`);
    next.searchParams.set('$skiptoken', Buffer.from(nextToken, 'utf8').toString('base64url'));
    body['@odata.nextLink'] = next.toString();
  }
  return { status: 200, body };
}

/** Directory listings take `$top` from 1 to 999 (Graph's own message for anything else). */
const MAX_TOP = 999;

/**
 * What Graph refuses before it reads anything: a `$` query option the request does not support,
 * a `$top` out of range, a `$select` naming a property the v1.0 entity does not declare.
 */
function refuseQuery(route: GraphRoute, query: URLSearchParams): GraphBody | undefined {
  for (const key of new Set(query.keys())) {
    if (key.startsWith('$') && !route.options.includes(key)) {
      return graphError('BadRequest', `Query option '${key}' is not allowed. Make sure that the query option is supported by this request.`);
    }
  }
  const top = query.get('$top');
  if (top !== null && !(/^\d+$/.test(top) && Number(top) >= 1 && Number(top) <= MAX_TOP)) {
    return graphError('Request_BadRequest', `Invalid page size specified: '${top}'. Must be between 1 and ${MAX_TOP} inclusive.`);
  }
  const select = query.get('$select');
  if (select !== null) {
    const declared: readonly string[] = GRAPH_V1_PROPERTIES[route.entity];
    for (const name of select.split(',').map((f) => f.trim())) {
      if (!declared.includes(name)) {
        return graphError('BadRequest', `Could not find a property named '${name}' on type 'microsoft.graph.${route.entity}'.`);
      }
    }
  }
  return undefined;
}

/**
 * An entity as Graph v1.0 would send it: only properties its CSDL declares (a scenario's extra or
 * beta-only property never reaches the connector), narrowed by `$select` (id always kept).
 */
function project(entity: GraphV1Entity, item: Record<string, unknown>, select: string | null): Record<string, unknown> {
  const declared: readonly string[] = GRAPH_V1_PROPERTIES[entity];
  const fields = select ? new Set(['id', ...select.split(',').map((f) => f.trim())]) : undefined;
  return Object.fromEntries(Object.entries(item).filter(([key]) => declared.includes(key) && (!fields || fields.has(key))));
}
