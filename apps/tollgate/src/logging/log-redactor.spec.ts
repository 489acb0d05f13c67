import { REDACTED, redact, redactString } from './log-redactor';

describe('redact', () => {
  it('drops the values of keys that name secrets, at any depth and in any spelling', () => {
    const out = redact({
      message: 'connection created',
      connectionId: 'c-1',
      credentials: { token: 'abc' },
      nested: [{ Authorization: 'Bearer abc', client_secret: 's3', clientSecret: 's4', private_key: 'k', password: 'p', apiKey: 'x' }],
    });
    expect(out).toEqual({
      message: 'connection created',
      connectionId: 'c-1',
      credentials: REDACTED,
      nested: [{ Authorization: REDACTED, client_secret: REDACTED, clientSecret: REDACTED, private_key: REDACTED, password: REDACTED, apiKey: REDACTED }],
    });
  });

  it.each([
    ['an Authorization header value', 'sent Authorization: Bearer abc.def-123 to the API', 'sent Authorization: Bearer [REDACTED] to the API'],
    ['a Slack token', 'invalid_auth for xoxp-1234-5678-abcdef', 'invalid_auth for [REDACTED]'],
    ['a rotating Slack token', 'token xoxe.xoxp-1-abc refused', 'token [REDACTED] refused'],
    ['a Google access token', 'got ya29.a0AfH6SMB-xyz', 'got [REDACTED]'],
    ['a JWT', 'assertion eyJhbGciOi.eyJzdWIiOi.c2lnbmF0dXJl', 'assertion [REDACTED]'],
    ['a secret query parameter', 'GET /token?client_secret=abc&x=1', 'GET /token?client_secret=[REDACTED]&x=1'],
    ['an inline secret', '{"client_secret":"abc","scope":"x"}', '{"client_secret":"[REDACTED]","scope":"x"}'],
    ['a PEM private key', 'key -----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY----- end', 'key [REDACTED] end'],
  ])('scrubs %s from free text', (_what, input, expected) => {
    expect(redactString(input)).toBe(expected);
  });

  it('leaves ordinary values alone', () => {
    const line = { message: 'poll succeeded', pollId: '8c1e', provider: 'slack', durationMs: 12, driftsOpened: 1 };
    expect(redact(line)).toEqual(line);
  });

  it('redacts an error without changing the original', () => {
    const err = new Error('401 for Bearer abc');
    const out = redact(err) as Error;
    expect(out.message).toBe('401 for Bearer [REDACTED]');
    expect(out.stack).not.toContain('abc');
    expect(err.message).toBe('401 for Bearer abc');
  });

  it('survives cycles', () => {
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    expect(redact(a)).toEqual({ name: 'a', self: '[Circular]' });
  });
});
