import { EndpointRejectedError, resolveEndpoints, type EndpointRules } from './endpoints';

const defaults = { api: 'https://slack.com/api', files: 'https://files.slack.com/' };
const officialHosts = ['slack.com', 'files.slack.com'] as const;
const strict: EndpointRules = { officialHosts, allowedHosts: [] };
/** As TOLLGATE_ALLOWED_ENDPOINT_HOSTS="127.0.0.1,[::1]:8443,provider-sim:4010,egress.example" is read. */
const custom: EndpointRules = { officialHosts, allowedHosts: ['127.0.0.1', '[::1]:8443', 'provider-sim:4010', 'egress.example'] };

function rejection(override: string, rules = strict): EndpointRejectedError {
  try {
    resolveEndpoints(defaults, { api: override }, rules);
  } catch (err) {
    if (err instanceof EndpointRejectedError) return err;
    throw err;
  }
  throw new Error(`expected ${override} to be rejected`);
}

describe('resolveEndpoints', () => {
  it('returns the defaults, normalized, when nothing is overridden', () => {
    expect(resolveEndpoints(defaults, undefined, strict)).toEqual({
      api: 'https://slack.com/api',
      files: 'https://files.slack.com',
    });
  });

  it.each([
    ['https://slack.com/api/', 'https://slack.com/api'],
    ['https://SLACK.com./api', 'https://slack.com/api'],
    ['https://slack.com:443/api', 'https://slack.com/api'],
    ['https://files.slack.com', 'https://files.slack.com'],
    // An ideographic full stop is a dot to the URL parser, so the host checked is the host requested.
    ['https://slack\u3002com/api', 'https://slack.com/api'],
  ])('accepts the official %s', (override, expected) => {
    expect(resolveEndpoints(defaults, { api: override }, strict).api).toBe(expected);
  });

  /** Every spelling of a loopback, private, link-local (metadata), CGNAT, unspecified or multicast address. */
  const specialAddresses: [string, RegExp][] = [
    ['https://127.0.0.1', /IP address 127\.0\.0\.1 is a loopback address/],
    ['https://127.0.0.1.', /IP address 127\.0\.0\.1 is a loopback address/],
    ['https://2130706433', /IP address 127\.0\.0\.1 is a loopback address/],
    ['https://017700000001', /IP address 127\.0\.0\.1 is a loopback address/],
    ['https://0x7f000001', /IP address 127\.0\.0\.1 is a loopback address/],
    ['https://0x7f.0.0.1', /IP address 127\.0\.0\.1 is a loopback address/],
    ['https://0177.0.0.1', /IP address 127\.0\.0\.1 is a loopback address/],
    ['https://127.1', /IP address 127\.0\.0\.1 is a loopback address/],
    ['https://127.000.000.001', /IP address 127\.0\.0\.1 is a loopback address/],
    ['https://%31%32%37.0.0.1', /IP address 127\.0\.0\.1 is a loopback address/],
    ['https://[::1]', /IP address \[::1\] is a loopback address/],
    ['https://[0:0:0:0:0:0:0:1]', /IP address \[::1\] is a loopback address/],
    ['https://[::ffff:127.0.0.1]', /IP address \[::ffff:7f00:1\] is a loopback address/],
    ['https://[::ffff:7f00:1]', /IP address \[::ffff:7f00:1\] is a loopback address/],
    ['https://[::127.0.0.1]', /IP address \[::7f00:1\] is an IPv4-compatible IPv6 address/],
    ['https://169.254.169.254/latest/meta-data', /IP address 169\.254\.169\.254 is a link-local address/],
    ['https://2852039166', /IP address 169\.254\.169\.254 is a link-local address/],
    ['https://[::ffff:169.254.169.254]', /IP address \[::ffff:a9fe:a9fe\] is a link-local address/],
    ['https://[fd00:ec2::254]', /IP address \[fd00:ec2::254\] is a unique-local \(private\) address/],
    ['https://[fe80::1]', /IP address \[fe80::1\] is a link-local address/],
    ['https://10.0.0.1', /IP address 10\.0\.0\.1 is a private address/],
    ['https://012.0.0.1', /IP address 10\.0\.0\.1 is a private address/],
    ['https://172.16.0.1', /IP address 172\.16\.0\.1 is a private address/],
    ['https://192.168.0.1', /IP address 192\.168\.0\.1 is a private address/],
    ['https://[::ffff:192.168.0.1]', /IP address \[::ffff:c0a8:1\] is a private address/],
    ['https://100.64.0.1', /IP address 100\.64\.0\.1 is a carrier-grade NAT address/],
    ['https://0.0.0.0', /IP address 0\.0\.0\.0 is an unspecified address/],
    ['https://0', /IP address 0\.0\.0\.0 is an unspecified address/],
    ['https://[::]', /IP address \[::\] is an unspecified address/],
    ['https://224.0.0.1', /IP address 224\.0\.0\.1 is a multicast address/],
    ['https://[ff02::1]', /IP address \[ff02::1\] is a multicast address/],
    ['https://255.255.255.255', /IP address 255\.255\.255\.255 is a broadcast address/],
    ['https://localhost', /host localhost is a loopback name/],
    ['https://LOCALHOST.', /host localhost is a loopback name/],
    ['https://slack.com.localhost', /host slack\.com\.localhost is a loopback name/],
    ['https://metadata.google.internal/computeMetadata/v1', /host metadata\.google\.internal is not an official host/],
  ];

  it.each([
    ['http://slack.com', /scheme http is not allowed/],
    ...specialAddresses,
    ['https://8.8.8.8', /IP address 8\.8\.8\.8 is not an official host/],
    ['https://slack.com.evil.com', /not an official host/],
    ['https://evilslack.com', /not an official host/],
    ['https://evil.com#@slack.com', /query string or fragment/],
    ['https://evil.com?@slack.com', /query string or fragment/],
    ['https://user:pass@slack.com', /credentials/],
    ['https://slack.com@evil.com', /credentials/],
    ['https://slack.com:8443', /port 8443/],
    ['file:///etc/passwd', /scheme file/],
    ['gopher://slack.com:70/_GET', /scheme gopher/],
    ['javascript:alert(1)', /scheme javascript/],
    ['https://SLACK.COM.EVIL.COM.', /host slack\.com\.evil\.com is not an official host/],
    ['https://sl\u0430ck.com', /host xn--slck-.* is not an official host/],
    ['https://slack.com\u2024evil.com', /not an official host|not an absolute URL/],
    ['//slack.com/api', /not an absolute URL/],
    ['not a url', /not an absolute URL/],
  ])('refuses %s without an allow-list', (override, why) => {
    const err = rejection(override);
    expect(err.key).toBe('api');
    expect(err.message).toMatch(/^endpoint "api" rejected: /);
    expect(err.message).toMatch(why);
  });

  it.each([
    ['http://127.0.0.1:4010/slack/', 'http://127.0.0.1:4010/slack'],
    ['https://127.0.0.1', 'https://127.0.0.1'],
    // The same address as the listed 127.0.0.1, so the same destination.
    ['http://0177.0.0.1:4010', 'http://127.0.0.1:4010'],
    ['https://[::1]:8443', 'https://[::1]:8443'],
    ['https://[0:0::1]:8443/x/', 'https://[::1]:8443/x'],
    ['http://provider-sim:4010/api', 'http://provider-sim:4010/api'],
    ['http://PROVIDER-SIM.:4010/api', 'http://provider-sim:4010/api'],
    ['http://egress.example/slack', 'http://egress.example/slack'],
    ['https://egress.example:8443/slack', 'https://egress.example:8443/slack'],
    ['https://slack.com/api', 'https://slack.com/api'],
  ])('accepts the listed (or official) %s', (override, expected) => {
    expect(resolveEndpoints(defaults, { api: override }, custom).api).toBe(expected);
  });

  it.each([
    // Listed with a port: only that port.
    ['https://[::1]', /IP address \[::1\] is a loopback address; refused unless listed/],
    ['https://[::1]:9443', /IP address \[::1\] is a loopback address/],
    ['http://provider-sim:4011/api', /host provider-sim is not an official host \(.*\) and not listed/],
    // Listing 127.0.0.1 lists neither other loopback addresses nor its IPv4-mapped form nor localhost.
    ['http://127.0.0.2:4010', /IP address 127\.0\.0\.2 is a loopback address/],
    ['http://[::ffff:127.0.0.1]:4010', /IP address \[::ffff:7f00:1\] is a loopback address/],
    ['http://localhost:4010', /host localhost is a loopback name/],
    ['https://169.254.169.254/latest/meta-data', /link-local address/],
    ['http://slack.com', /scheme http is not allowed/],
    ['https://user:pass@127.0.0.1', /credentials/],
    ['file:///etc/passwd', /scheme file/],
    ['gopher://127.0.0.1:70/_x', /scheme gopher/],
    ['ftp://127.0.0.1/', /scheme ftp/],
  ])('still refuses %s with an allow-list', (override, why) => {
    expect(rejection(override, custom).message).toMatch(why);
  });

  it.each(specialAddresses)('a listed address or name is accepted whatever it is: %s', (override) => {
    const host = new URL(override).host.toLowerCase().replace(/\.$/, '');
    expect(resolveEndpoints(defaults, { api: override }, { officialHosts, allowedHosts: [host] }).api).toMatch(/^https:\/\//);
  });

  it('refuses an override of an unknown endpoint name', () => {
    expect(() => resolveEndpoints(defaults, { admin: 'https://slack.com' }, custom)).toThrow(
      /endpoint "admin" rejected: unknown endpoint name/,
    );
  });

  it('refuses an override that is not a string', () => {
    const overrides = { api: 42 } as unknown as Record<string, string>;
    expect(() => resolveEndpoints(defaults, overrides, strict)).toThrow(/endpoint "api" rejected: not a string/);
  });

  it('never echoes credentials of a refused URL', () => {
    expect(rejection('https://user:hunter2@slack.com').message).not.toContain('hunter2');
  });
});
