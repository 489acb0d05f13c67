import { ConfigError, loadConfig } from './tollgate-config';

const KEY = Buffer.alloc(32, 7).toString('base64');

describe('loadConfig', () => {
  it('applies documented defaults to an empty environment (embedded mode)', () => {
    const config = loadConfig({});
    expect(config.embedded).toBe(true);
    expect(config.PORT).toBe(8080);
    expect(config.TOLLGATE_ROLE).toBe('all');
    expect(config.allowedEndpointHosts).toEqual([]);
    expect(config.TOLLGATE_DATA_DIR).toBe('./.tollgate');
  });

  it('parses numbers from strings', () => {
    const config = loadConfig({ PORT: '9000', TOLLGATE_POLL_JITTER_RATIO: '0' });
    expect(config.PORT).toBe(9000);
    expect(config.TOLLGATE_POLL_JITTER_RATIO).toBe(0);
  });

  it('reads the endpoint host allow-list in the spelling endpoint URLs are compared in', () => {
    const config = loadConfig({
      TOLLGATE_ALLOWED_ENDPOINT_HOSTS: ' 127.0.0.1 , Provider-Sim.:4010,[0:0:0:0:0:0:0:1]:8443, 0177.0.0.2,egress.example.com:443,',
    });
    expect(config.allowedEndpointHosts).toEqual(['127.0.0.1', 'provider-sim:4010', '[::1]:8443', '127.0.0.2', 'egress.example.com:443']);
  });

  it('refuses to start while the old yes/no variable is set, naming the allow-list that replaces it', () => {
    for (const value of ['true', 'false']) {
      expect(() => loadConfig({ TOLLGATE_ALLOW_CUSTOM_ENDPOINTS: value })).toThrow(
        /TOLLGATE_ALLOW_CUSTOM_ENDPOINTS: is no longer read; list the hosts endpoints may point to in TOLLGATE_ALLOWED_ENDPOINT_HOSTS/,
      );
    }
  });

  it.each([
    [{ PORT: 'abc' }, /PORT: .*integer.*\(got "abc"\)/],
    [{ PORT: '70000' }, /PORT: .*65535/],
    [{ TOLLGATE_ROLE: 'scheduler' }, /TOLLGATE_ROLE: .*one of the following values: all, api, worker/],
    [{ TOLLGATE_ALLOWED_ENDPOINT_HOSTS: 'https://sim.example' }, /TOLLGATE_ALLOWED_ENDPOINT_HOSTS: "https:\/\/sim.example" is not a host or host:port/],
    [{ TOLLGATE_ALLOWED_ENDPOINT_HOSTS: 'sim.example/api' }, /TOLLGATE_ALLOWED_ENDPOINT_HOSTS: "sim.example\/api" is not a host/],
    [{ TOLLGATE_ALLOWED_ENDPOINT_HOSTS: '*' }, /TOLLGATE_ALLOWED_ENDPOINT_HOSTS: "\*" is not a host/],
    [{ TOLLGATE_ALLOWED_ENDPOINT_HOSTS: 'user@sim.example' }, /TOLLGATE_ALLOWED_ENDPOINT_HOSTS: "user@sim.example" is not a host/],
    [{ TOLLGATE_ALLOWED_ENDPOINT_HOSTS: 'sim.example:70000' }, /TOLLGATE_ALLOWED_ENDPOINT_HOSTS: "sim.example:70000" is not a host/],
    [{ TOLLGATE_ALLOWED_ENDPOINT_HOSTS: '::1' }, /TOLLGATE_ALLOWED_ENDPOINT_HOSTS: "::1" is not a host/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL: must be a postgres/],
    [{ TOLLGATE_ENCRYPTION_KEY: 'short' }, /TOLLGATE_ENCRYPTION_KEY: must be the base64 of exactly 32 bytes/],
    [{ DATABASE_URL: 'postgres://db/x' }, /TOLLGATE_ENCRYPTION_KEY: is required when DATABASE_URL is set/],
    [{ TOLLGATE_POLL_TIMEOUT_SECONDS: '30', TOLLGATE_LEASE_SECONDS: '30' }, /TOLLGATE_POLL_TIMEOUT_SECONDS: must be shorter than TOLLGATE_LEASE_SECONDS/],
    [{ TOLLGATE_HISTORY_RETENTION_DAYS: '0' }, /TOLLGATE_HISTORY_RETENTION_DAYS: .*not be less than 1/],
    [{ TOLLGATE_THROTTLE_WAIT_SECONDS: '-1' }, /TOLLGATE_THROTTLE_WAIT_SECONDS: .*not be less than 0/],
  ])('rejects %j naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('never echoes a secret value in its message', () => {
    const secret = 'postgres-password-should-not-leak';
    let message = '';
    try {
      loadConfig({ DATABASE_URL: `mysql://user:${secret}@host/db`, TOLLGATE_ENCRYPTION_KEY: 'not-base64-' + secret });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/DATABASE_URL/);
    expect(message).toMatch(/TOLLGATE_ENCRYPTION_KEY/);
    expect(message).not.toContain(secret);
  });

  it('accepts a real database with a key', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test', TOLLGATE_ENCRYPTION_KEY: KEY });
    expect(config.embedded).toBe(false);
  });
});

describe('loadConfig: sign-in for people (OIDC)', () => {
  const oidc = {
    TOLLGATE_OIDC_ISSUER: 'https://login.example.com/tenant/v2.0',
    TOLLGATE_OIDC_CLIENT_ID: 'tollgate',
    TOLLGATE_PUBLIC_URL: 'https://tollgate.example.com',
    TOLLGATE_OIDC_ROLE_MAPPING: 'tollgate-admins=admin, secops=operator,a=b=approver',
  };

  it('reads the role mapping in order and keeps Secure cookies on https', () => {
    const config = loadConfig(oidc);
    expect(config.oidcEnabled).toBe(true);
    expect(config.oidcRoleMapping).toEqual([
      { group: 'tollgate-admins', role: 'admin' },
      { group: 'secops', role: 'operator' },
      { group: 'a=b', role: 'approver' },
    ]);
    expect(config.sessionCookieSecure).toBe(true);
    expect(config.TOLLGATE_OIDC_GROUPS_CLAIM).toBe('groups');
    expect(config.TOLLGATE_SESSION_IDLE_MINUTES).toBe(30);
    expect(config.TOLLGATE_SESSION_ABSOLUTE_HOURS).toBe(12);
  });

  it('reads a role limited to connections, and stops at a malformed scope naming the entry', () => {
    const eu = '3f0c9a52-6a1e-4d8b-9c7e-1b2a3c4d5e6f';
    const config = loadConfig({ ...oidc, TOLLGATE_OIDC_ROLE_MAPPING: `tollgate-admins=admin,emea-secops=operator:${eu}` });
    expect(config.oidcRoleMapping).toEqual([
      { group: 'tollgate-admins', role: 'admin' },
      { group: 'emea-secops', role: 'operator', connectionIds: [eu] },
    ]);
    for (const [mapping, message] of [
      ['emea-secops=operator:emea', /TOLLGATE_OIDC_ROLE_MAPPING: "emea-secops=operator:emea": "emea" is not a connection id/],
      ['emea-secops=operator:', /TOLLGATE_OIDC_ROLE_MAPPING: "emea-secops=operator:" lists no connection id/],
      [`emea-secops=superuser:${eu}`, /TOLLGATE_OIDC_ROLE_MAPPING: "emea-secops=superuser:[^"]+" is not group=role/],
    ] as const) {
      expect(() => loadConfig({ ...oidc, TOLLGATE_OIDC_ROLE_MAPPING: `tollgate-admins=admin,${mapping}` })).toThrow(ConfigError);
      expect(() => loadConfig({ ...oidc, TOLLGATE_OIDC_ROLE_MAPPING: `tollgate-admins=admin,${mapping}` })).toThrow(message);
    }
  });

  it('drops Secure only for http on loopback', () => {
    const config = loadConfig({ ...oidc, TOLLGATE_OIDC_ISSUER: 'http://127.0.0.1:4011', TOLLGATE_PUBLIC_URL: 'http://127.0.0.1:8080' });
    expect(config.sessionCookieSecure).toBe(false);
  });

  it('refuses plain http off loopback, an unknown role, and missing companions, naming each variable', () => {
    expect(() => loadConfig({ ...oidc, TOLLGATE_OIDC_ISSUER: 'http://idp.example.com' })).toThrow(/TOLLGATE_OIDC_ISSUER: must be https/);
    expect(() => loadConfig({ ...oidc, TOLLGATE_PUBLIC_URL: 'http://tollgate.example.com' })).toThrow(/TOLLGATE_PUBLIC_URL: must be https/);
    expect(() => loadConfig({ ...oidc, TOLLGATE_OIDC_ROLE_MAPPING: 'secops=superuser' })).toThrow(/TOLLGATE_OIDC_ROLE_MAPPING: "secops=superuser" is not group=role/);
    expect(() => loadConfig({ TOLLGATE_OIDC_ISSUER: oidc.TOLLGATE_OIDC_ISSUER })).toThrow(
      /TOLLGATE_OIDC_CLIENT_ID: is required[\s\S]*TOLLGATE_PUBLIC_URL: is required[\s\S]*TOLLGATE_OIDC_ROLE_MAPPING: is required/,
    );
  });

  it('never echoes the client secret', () => {
    expect(() => loadConfig({ ...oidc, TOLLGATE_OIDC_CLIENT_SECRET: '', TOLLGATE_SESSION_IDLE_MINUTES: 'x' })).toThrow(ConfigError);
    try {
      loadConfig({ ...oidc, TOLLGATE_OIDC_CLIENT_SECRET: 's3cr3t-value', TOLLGATE_SESSION_IDLE_MINUTES: '0' });
    } catch (err) {
      expect((err as Error).message).toMatch(/TOLLGATE_SESSION_IDLE_MINUTES/);
      expect((err as Error).message).not.toContain('s3cr3t-value');
    }
  });
});
