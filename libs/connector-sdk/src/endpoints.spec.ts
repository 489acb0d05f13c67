import { EndpointRejectedError, resolveEndpoints } from './endpoints';

const defaults = { api: 'https://slack.com/api', files: 'https://files.slack.com/' };
const officialHosts = ['slack.com', 'files.slack.com'] as const;
const strict = { officialHosts, allowCustom: false };
const custom = { officialHosts, allowCustom: true };

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

  it.each([
    ['http://slack.com', /scheme http is not allowed/],
    ['https://127.0.0.1', /IP address/],
    ['https://[::1]', /IP address/],
    ['https://[::ffff:127.0.0.1]', /IP address/],
    ['https://169.254.169.254/latest/meta-data', /IP address/],
    ['https://10.0.0.1', /IP address/],
    ['https://2130706433', /IP address/],
    ['https://0x7f000001', /IP address/],
    ['https://0x7f.0.0.1', /IP address/],
    ['https://0177.0.0.1', /IP address/],
    ['https://127.1', /IP address/],
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
    ['https://[fe80::1]', /IP address/],
    ['https://[::ffff:7f00:1]', /IP address/],
    ['https://172.16.0.1', /IP address/],
    ['https://100.64.0.1', /IP address/],
    ['https://localhost', /not an official host/],
    ['https://LOCALHOST.', /host localhost is not an official host/],
    ['https://SLACK.COM.EVIL.COM.', /host slack\.com\.evil\.com is not an official host/],
    ['https://sl\u0430ck.com', /host xn--slck-.* is not an official host/],
    ['https://slack.com\u2024evil.com', /not an official host|not an absolute URL/],
    ['//slack.com/api', /not an absolute URL/],
    ['not a url', /not an absolute URL/],
  ])('refuses %s without allowCustom', (override, why) => {
    const err = rejection(override);
    expect(err.key).toBe('api');
    expect(err.message).toMatch(/^endpoint "api" rejected: /);
    expect(err.message).toMatch(why);
  });

  it.each([
    ['http://127.0.0.1:4010/slack/', 'http://127.0.0.1:4010/slack'],
    ['https://[::1]:8443', 'https://[::1]:8443'],
    ['http://provider-sim:4010/api', 'http://provider-sim:4010/api'],
    ['https://slack.com/api', 'https://slack.com/api'],
  ])('accepts %s with allowCustom', (override, expected) => {
    expect(resolveEndpoints(defaults, { api: override }, custom).api).toBe(expected);
  });

  it.each([
    ['https://user:pass@127.0.0.1', /credentials/],
    ['file:///etc/passwd', /scheme file/],
    ['gopher://127.0.0.1:70/_x', /scheme gopher/],
    ['ftp://127.0.0.1/', /scheme ftp/],
  ])('still refuses %s with allowCustom', (override, why) => {
    expect(rejection(override, custom).message).toMatch(why);
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
