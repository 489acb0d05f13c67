import { ConfigError, loadConfig } from './tollgate-config';

const KEY = Buffer.alloc(32, 7).toString('base64');

describe('loadConfig', () => {
  it('applies documented defaults to an empty environment (embedded mode)', () => {
    const config = loadConfig({});
    expect(config.embedded).toBe(true);
    expect(config.PORT).toBe(8080);
    expect(config.TOLLGATE_ROLE).toBe('all');
    expect(config.TOLLGATE_ALLOW_CUSTOM_ENDPOINTS).toBe(false);
    expect(config.TOLLGATE_DATA_DIR).toBe('./.tollgate');
  });

  it('parses numbers and booleans from strings', () => {
    const config = loadConfig({ PORT: '9000', TOLLGATE_ALLOW_CUSTOM_ENDPOINTS: 'true', TOLLGATE_POLL_JITTER_RATIO: '0' });
    expect(config.PORT).toBe(9000);
    expect(config.TOLLGATE_ALLOW_CUSTOM_ENDPOINTS).toBe(true);
    expect(config.TOLLGATE_POLL_JITTER_RATIO).toBe(0);
  });

  it.each([
    [{ PORT: 'abc' }, /PORT: .*integer.*\(got "abc"\)/],
    [{ PORT: '70000' }, /PORT: .*65535/],
    [{ TOLLGATE_ROLE: 'scheduler' }, /TOLLGATE_ROLE: .*one of the following values: all, api, worker/],
    [{ TOLLGATE_ALLOW_CUSTOM_ENDPOINTS: 'yes' }, /TOLLGATE_ALLOW_CUSTOM_ENDPOINTS: must be true or false/],
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
