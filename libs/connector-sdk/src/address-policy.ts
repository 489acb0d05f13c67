import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * What a provider request may connect to: every address it is about to use is a public unicast
 * address, unless its host is one the operator listed in TOLLGATE_ALLOWED_ENDPOINT_HOSTS.
 */

/** A connection refused because of where it would go; the message names the host and the address, never the request. */
export class AddressRefusedError extends Error {
  override readonly name = 'AddressRefusedError';
  readonly code = 'ERR_TOLLGATE_ADDRESS_REFUSED';
}

/** The IPv4 ranges ipaddr.js names, in words for messages. Anything but `unicast` is refused. */
const RANGE_NAMES: Record<string, string> = {
  unspecified: 'an unspecified address',
  broadcast: 'a broadcast address',
  multicast: 'a multicast address',
  linkLocal: 'a link-local address (cloud metadata lives there)',
  loopback: 'a loopback address',
  carrierGradeNat: 'a carrier-grade NAT address',
  private: 'a private address',
  reserved: 'a reserved address',
  uniqueLocal: 'a unique-local (private) address',
  ipv4Mapped: 'an IPv4-mapped address',
  deprecatedSiteLocal: 'a site-local address',
};

/**
 * Why an IP address (any spelling Node or the URL parser produces: dotted, bracketed or bare IPv6,
 * IPv4-mapped IPv6) is not one a provider request may go to; undefined for a global unicast address.
 * IPv4-mapped and IPv4-compatible IPv6 addresses are judged by the IPv4 address they carry, so
 * `::ffff:127.0.0.1` is loopback like `127.0.0.1`. IPv6 ranges that embed or translate to IPv4
 * (NAT64, 6to4, Teredo) are refused outright: no provider is reached through them.
 */
export function refusedAddressReason(address: string): string | undefined {
  const bare = address.replace(/^\[|\]$/g, '');
  if (!ipaddr.isValid(bare)) return 'not an IP address';
  let parsed = ipaddr.parse(bare);
  if (parsed.kind() === 'ipv6') {
    const v6 = parsed as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) parsed = v6.toIPv4Address();
    else if (v6.parts.slice(0, 6).every((p) => p === 0) && !['unspecified', 'loopback'].includes(v6.range())) {
      // ::a.b.c.d, the deprecated IPv4-compatible form: some stacks still route it to a.b.c.d.
      return 'an IPv4-compatible IPv6 address';
    }
  }
  const range = parsed.range();
  if (range === 'unicast') return undefined;
  return RANGE_NAMES[range] ?? `a special-purpose address (${range})`;
}

/** `localhost` and every name under it (RFC 6761): loopback whatever DNS says. */
export function isLocalhostName(hostname: string): boolean {
  const host = normalizeHostname(hostname);
  return host === 'localhost' || host.endsWith('.localhost');
}

/** Lower case, without brackets or a trailing dot: how hosts are compared. */
export function normalizeHostname(hostname: string): string {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return host.endsWith('.') ? host.slice(0, -1) : host;
}

/** Resolves a name to all its addresses, as dns.lookup with `all: true` does. */
export type Resolver = (hostname: string, family: number) => Promise<LookupAddress[]>;

const systemResolver: Resolver = (hostname, family) =>
  new Promise((resolve, reject) =>
    dnsLookup(hostname, { all: true, family, verbatim: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))),
  );

export interface ConnectGuardOptions {
  /** TOLLGATE_ALLOWED_ENDPOINT_HOSTS: `host` or `host:port` entries; a listed host may resolve anywhere. */
  allowedHosts: readonly string[];
  /** Name resolution; the system resolver unless a test resolves names without DNS. */
  resolve?: Resolver;
}

/**
 * The checks applied when a provider request connects. Node calls the agents' `lookup` once per new
 * socket and connects to exactly the addresses it returns, so the address checked is the address
 * used: a name that resolves to a public address when endpoints are validated and to 127.0.0.1 a
 * moment later (DNS rebinding) is refused at the second answer, not connected to. The socket never
 * calls `lookup` for an IP literal, hence `checkHost` for those.
 */
export interface ConnectGuard {
  httpAgent: HttpAgent;
  httpsAgent: HttpsAgent;
  /** Throws AddressRefusedError when an IP-literal or localhost host may not be connected to. */
  checkHost(hostname: string): void;
}

export function createConnectGuard(options: ConnectGuardOptions): ConnectGuard {
  const listed = new Set(options.allowedHosts.map((entry) => normalizeHostname(hostOfEntry(entry))));
  const resolve = options.resolve ?? systemResolver;

  const refusal = (hostname: string, address: string, why: string) =>
    new AddressRefusedError(
      `refused to connect to ${hostname}${address === hostname ? '' : ` at ${address}`}: ${why}; only hosts listed in TOLLGATE_ALLOWED_ENDPOINT_HOSTS may be`,
    );

  function checkHost(hostname: string): void {
    const host = normalizeHostname(hostname);
    if (listed.has(host)) return;
    if (isLocalhostName(host)) throw refusal(host, host, 'a loopback name');
    if (isIP(host) === 0) return;
    const why = refusedAddressReason(host);
    if (why) throw refusal(host, host, `it is ${why}`);
  }

  const lookup = ((hostname: string, opts: { all?: boolean; family?: number | string }, callback: (...args: unknown[]) => void) => {
    const host = normalizeHostname(hostname);
    const family = opts.family === 'IPv4' ? 4 : opts.family === 'IPv6' ? 6 : Number(opts.family ?? 0);
    const answer = (err: Error | null, addresses: LookupAddress[] = []) => {
      if (err) return callback(err);
      if (addresses.length === 0) return callback(Object.assign(new Error(`no address for ${host}`), { code: 'ENOTFOUND' }));
      if (opts.all) return callback(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    };
    try {
      checkHost(host);
    } catch (err) {
      return answer(err as Error);
    }
    resolve(host, family).then(
      (addresses) => {
        if (!listed.has(host)) {
          for (const { address } of addresses) {
            const why = refusedAddressReason(address);
            if (why) return answer(refusal(host, address, `it resolves to ${why}`));
          }
        }
        answer(null, addresses);
      },
      (err: Error) => answer(err),
    );
  }) as unknown as LookupFunction;

  return {
    // keepAlive as Node's global agents have it since Node 19: polls of one tenant reuse their sockets.
    httpAgent: new HttpAgent({ keepAlive: true, lookup }),
    httpsAgent: new HttpsAgent({ keepAlive: true, lookup }),
    checkHost,
  };
}

/** The host part of a `host` or `host:port` entry (IPv6 in brackets). */
function hostOfEntry(entry: string): string {
  const match = /^(\[[^\]]+\]|[^:]+)(?::\d+)?$/.exec(entry);
  return match ? match[1] : entry;
}
