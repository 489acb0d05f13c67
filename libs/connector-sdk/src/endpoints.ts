import { isIP } from 'node:net';

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
  /** Exact host names endpoints may point to without allowCustom. */
  officialHosts: readonly string[];
  /** TOLLGATE_ALLOW_CUSTOM_ENDPOINTS: any http(s) host, e.g. the provider simulator. */
  allowCustom: boolean;
}

/**
 * Merges endpoint overrides into a connector's defaults and checks every result against the SSRF
 * rules: only known endpoint names, no credentials in URLs, and unless custom endpoints are
 * allowed, https on port 443 to an official host named by DNS name (never an IP literal).
 * Returns normalized URLs without trailing slash.
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
  const official = new Set(rules.officialHosts.map((host) => stripTrailingDot(host.toLowerCase())));
  const resolved: Record<string, string> = {};
  for (const [key, fallback] of Object.entries(defaults)) {
    const value: unknown = overrides && Object.hasOwn(overrides, key) ? overrides[key] : fallback;
    resolved[key] = checkEndpoint(key, value, official, rules.allowCustom);
  }
  return resolved;
}

function checkEndpoint(key: string, value: unknown, official: ReadonlySet<string>, allowCustom: boolean): string {
  if (typeof value !== 'string') throw new EndpointRejectedError(key, 'not a string');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new EndpointRejectedError(key, 'not an absolute URL');
  }
  if (url.protocol !== 'https:' && !(allowCustom && url.protocol === 'http:')) {
    const allowed = allowCustom ? 'http or https' : 'https';
    throw new EndpointRejectedError(key, `scheme ${url.protocol.replace(/:$/, '')} is not allowed (only ${allowed})`);
  }
  if (url.username || url.password) throw new EndpointRejectedError(key, 'credentials in the URL are not allowed');
  if (url.search || url.hash) throw new EndpointRejectedError(key, 'a query string or fragment is not allowed');

  // WHATWG parsing has already turned 2130706433, 0x7f.0.0.1, 0177.0.0.1 and 127.1 into dotted
  // decimal and bracketed IPv6, so isIP sees every IP literal spelling.
  const hostname = stripTrailingDot(url.hostname);
  if (!allowCustom) {
    if (isIP(hostname.replace(/^\[|\]$/g, '')) !== 0) {
      throw new EndpointRejectedError(key, 'IP address hosts are not allowed');
    }
    if (!official.has(hostname)) {
      throw new EndpointRejectedError(
        key,
        `host ${hostname} is not an official host (${[...official].join(', ')}); custom endpoints are disabled`,
      );
    }
    if (url.port !== '') throw new EndpointRejectedError(key, `port ${url.port} is not allowed (only 443)`);
  }
  const host = url.port === '' ? hostname : `${hostname}:${url.port}`;
  return `${url.protocol}//${host}${url.pathname.replace(/\/+$/, '')}`;
}

function stripTrailingDot(hostname: string): string {
  return hostname.endsWith('.') ? hostname.slice(0, -1) : hostname;
}
