import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LookupAddress } from 'node:dns';
import { createConnectGuard, refusedAddressReason, type Resolver } from './address-policy';
import { ProviderError } from './errors';
import { createProviderHttpClient } from './http-client';

describe('refusedAddressReason', () => {
  it.each([
    ['127.0.0.1', 'a loopback address'],
    ['127.255.255.254', 'a loopback address'],
    ['::1', 'a loopback address'],
    ['[::1]', 'a loopback address'],
    ['::ffff:127.0.0.1', 'a loopback address'],
    ['::ffff:7f00:1', 'a loopback address'],
    ['::7f00:1', 'an IPv4-compatible IPv6 address'],
    ['169.254.169.254', 'a link-local address (cloud metadata lives there)'],
    ['fd00:ec2::254', 'a unique-local (private) address'],
    ['fe80::1', 'a link-local address (cloud metadata lives there)'],
    ['10.1.2.3', 'a private address'],
    ['172.31.255.255', 'a private address'],
    ['192.168.1.1', 'a private address'],
    ['::ffff:10.0.0.1', 'a private address'],
    ['100.100.100.200', 'a carrier-grade NAT address'],
    ['0.0.0.0', 'an unspecified address'],
    ['::', 'an unspecified address'],
    ['239.1.1.1', 'a multicast address'],
    ['ff02::1', 'a multicast address'],
    ['64:ff9b::7f00:1', 'a special-purpose address (rfc6052)'],
    ['2002:7f00:1::', 'a special-purpose address (6to4)'],
    ['slack.com', 'not an IP address'],
  ])('refuses %s as %s', (address, why) => {
    expect(refusedAddressReason(address)).toBe(why);
  });

  it.each(['8.8.8.8', '52.0.0.1', '2606:4700::1111', '::ffff:8.8.8.8', '172.32.0.1', '100.128.0.1'])('accepts the public address %s', (address) => {
    expect(refusedAddressReason(address)).toBeUndefined();
  });
});

describe('a provider request through the connect guard', () => {
  let server: Server;
  let port: number;
  const received: IncomingHttpHeaders[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      received.push(req.headers);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  beforeEach(() => {
    received.length = 0;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  /** A resolver answering from a table, so that no test depends on DNS; it counts its calls. */
  function resolver(table: Record<string, string[]>): Resolver & { calls: string[] } {
    const calls: string[] = [];
    const resolve = async (hostname: string): Promise<LookupAddress[]> => {
      calls.push(hostname);
      const addresses = table[hostname];
      if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
      return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    };
    return Object.assign(resolve, { calls });
  }

  async function send(url: string, allowedHosts: string[], resolve: Resolver) {
    const http = createProviderHttpClient({ provider: 'test', maxAttempts: 1, timeoutMs: 2000, connectGuard: createConnectGuard({ allowedHosts, resolve }) });
    return http.request({ operation: 'op', url, headers: { authorization: 'Bearer xoxp-secret-token' } });
  }

  async function refusal(url: string, allowedHosts: string[], resolve: Resolver): Promise<ProviderError> {
    const err = await send(url, allowedHosts, resolve).then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!(err instanceof ProviderError)) throw new Error(`expected a ProviderError, got ${String(err)}`);
    return err;
  }

  it('refuses a name that resolves to a loopback address at connect time: nothing is sent', async () => {
    const resolve = resolver({ 'api.evil.test': ['127.0.0.1'] });
    const err = await refusal(`http://api.evil.test:${port}/api/team.info`, [], resolve);
    expect(err.reason).toBe('network');
    expect(err.retryable).toBe(false);
    expect(err.message).toBe(
      `test op (api.evil.test:${port}/api/team.info): refused to connect to api.evil.test at 127.0.0.1: it resolves to a loopback address; only hosts listed in TOLLGATE_ALLOWED_ENDPOINT_HOSTS may be`,
    );
    expect(err.message).not.toContain('xoxp');
    expect(received).toHaveLength(0);
  });

  it.each([
    [['93.184.216.34', '169.254.169.254'], /at 169\.254\.169\.254: it resolves to a link-local address/],
    [['::ffff:127.0.0.1'], /at ::ffff:127\.0\.0\.1: it resolves to a loopback address/],
    [['2606:4700::1111', 'fd00:ec2::254'], /at fd00:ec2::254: it resolves to a unique-local/],
    [['10.0.0.7'], /at 10\.0\.0\.7: it resolves to a private address/],
  ])('checks every resolved address: %j is refused', async (addresses, why) => {
    const err = await refusal(`http://mixed.evil.test:${port}/x`, [], resolver({ 'mixed.evil.test': addresses }));
    expect(err.reason).toBe('network');
    expect(err.message).toMatch(why);
    expect(received).toHaveLength(0);
  });

  it.each([`http://127.0.0.1:PORT/x`, `http://[::ffff:7f00:1]:PORT/x`, `http://localhost:PORT/x`, `http://sim.localhost:PORT/x`])(
    'refuses %s, which the socket would never look up, without resolving it',
    async (template) => {
      const resolve = resolver({ localhost: ['127.0.0.1'], 'sim.localhost': ['127.0.0.1'] });
      const err = await refusal(template.replace('PORT', String(port)), [], resolve);
      expect(err.reason).toBe('network');
      expect(err.message).toMatch(/refused to connect to .*: (it is a loopback address|a loopback name)/);
      expect(resolve.calls).toEqual([]);
      expect(received).toHaveLength(0);
    },
  );

  it('connects a listed name to the address it was resolved to, resolving it once', async () => {
    // No DNS knows provider-sim.test: reaching the server proves the socket used the guard's answer.
    const resolve = resolver({ 'provider-sim.test': ['127.0.0.1'] });
    const res = await send(`http://provider-sim.test:${port}/x`, [`provider-sim.test:${port}`], resolve);
    expect(res.data).toEqual({ ok: true });
    expect(resolve.calls).toEqual(['provider-sim.test']);
    expect(received).toHaveLength(1);
    expect(received[0].authorization).toBe('Bearer xoxp-secret-token');
  });

  it('connects to a listed IP literal', async () => {
    const res = await send(`http://127.0.0.1:${port}/x`, ['127.0.0.1'], resolver({}));
    expect(res.status).toBe(200);
    expect(received).toHaveLength(1);
  });
});
