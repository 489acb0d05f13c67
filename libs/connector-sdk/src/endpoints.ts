import { isIP } from 'node:net';
import { isLocalhostName, normalizeHostname, refusedAddressReason } from './address-policy';

/** An endpoint override (or default) refused by the SSRF rules; the message names the key and why. */
export class EndpointRejectedError extends Error {
  override readonly name = 'EndpointRejectedError';
  constructor(
    readonly key: string,
    readonly why: string,
  ) {
    super(`endpoint "${key}" rejected: ${why}`);
  }
}

export interface EndpointRules {
  /** Exact host names endpoints may point to over https on port 443. */
  officialHosts: readonly string[];
  /**
   * TOLLGATE_ALLOWED_ENDPOINT_HOSTS, as the configuration normalised it: `host` (any port) or
   * `host:port`, IPv6 in brackets. A listed host may be spoken to over http or https.
   */
  allowedHosts: readonly string[];
}

const LISTED = 'TOLLGATE_ALLOWED_ENDPOINT_HOSTS';

/**
 * Merges endpoint overrides into a connector's defaults and checks every result against the SSRF
 * rules: only known endpoint names, no credentials, query or fragment in URLs, and either a host
 * listed in TOLLGATE_ALLOWED_ENDPOINT_HOSTS (http or https) or an official host over https on 443.
 * Loopback, private, link-local (metadata), CGNAT, unspecified and multicast addresses and
 * `localhost` names are refused by name unless listed. Returns normalized URLs without trailing slash.
 */
export function resolveEndpoints(
  defaults: Record<string, string>,
  overrides: Record<string, string> | null | undefined,
  rules: EndpointRules,
): Record<string, string> {
  for (const key of Object.keys(overrides ?? {})) {
    if (!Object.hasOwn(defaults, key)) {
      throw new EndpointRejectedError(key, `unknown endpoint name (known: ${Object.keys(defaults).join(', ')})`);
    }
  }
  const official = new Set(rules.officialHosts.map(normalizeHostname));
  const listed = new Set(rules.allowedHosts);
  const resolved: Record<string, string> = {};
  for (const [key, fallback] of Object.entries(defaults)) {
    const value: unknown = overrides && Object.hasOwn(overrides, key) ? overrides[key] : fallback;
    resolved[key] = checkEndpoint(key, value, official, listed);
  }
  return resolved;
}

function checkEndpoint(key: string, value: unknown, official: ReadonlySet<string>, listed: ReadonlySet<string>): string {
  if (typeof value !== 'string') throw new EndpointRejectedError(key, 'not a string');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new EndpointRejectedError(key, 'not an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new EndpointRejectedError(key, `scheme ${url.protocol.replace(/:$/, '')} is not allowed (only https, or http to a listed host)`);
  }
  if (url.username || url.password) throw new EndpointRejectedError(key, 'credentials in the URL are not allowed');
  if (url.search || url.hash) throw new EndpointRejectedError(key, 'a query string or fragment is not allowed');

  // WHATWG parsing has already turned 2130706433, 0x7f.0.0.1, 0177.0.0.1, 127.1 and 127.0.0.1. into
  // 127.0.0.1 and ::ffff:127.0.0.1 into [::ffff:7f00:1], so one spelling of each address is checked.
  const hostname = normalizeHostname(url.hostname);
  const bracketed = isIP(hostname) === 6 ? `[${hostname}]` : hostname;
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const host = url.port === '' ? bracketed : `${bracketed}:${url.port}`;
  const normalized = `${url.protocol}//${host}${url.pathname.replace(/\/+$/, '')}`;
  if (listed.has(bracketed) || listed.has(`${bracketed}:${port}`)) return normalized;

  if (isIP(hostname) !== 0) {
    const why = refusedAddressReason(hostname);
    throw new EndpointRejectedError(key, `IP address ${bracketed} is ${why ?? 'not an official host'}; refused unless listed in ${LISTED}`);
  }
  if (isLocalhostName(hostname)) {
    throw new EndpointRejectedError(key, `host ${hostname} is a loopback name; refused unless listed in ${LISTED}`);
  }
  if (!official.has(hostname)) {
    throw new EndpointRejectedError(
      key,
      `host ${hostname} is not an official host (${[...official].join(', ')}) and not listed in ${LISTED}`,
    );
  }
  if (url.protocol !== 'https:') {
    throw new EndpointRejectedError(key, `scheme http is not allowed (only https, unless the host is listed in ${LISTED})`);
  }
  if (url.port !== '') throw new EndpointRejectedError(key, `port ${url.port} is not allowed (only 443 for official hosts)`);
  return normalized;
}
