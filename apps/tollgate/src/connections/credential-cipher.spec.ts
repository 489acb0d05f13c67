import { createCipheriv, randomBytes } from 'node:crypto';
import { CredentialCipher, CredentialDecryptionError, type CredentialBinding } from './credential-cipher';

/** A v1 envelope as Tollgate wrote them before endpoints were bound: the connection id alone as associated data. */
function sealV1(key: Buffer, plaintext: object, connectionId: string): string {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.from(connectionId));
  const body = Buffer.concat([cipher.update(JSON.stringify(plaintext), 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return ['v1', CredentialCipher.keyId(key), nonce.toString('base64url'), body.toString('base64url')].join('.');
}

describe('CredentialCipher', () => {
  const key = randomBytes(32);
  const cipher = new CredentialCipher(key);
  const secret = { token: 'xoxp-very-secret-token' };
  const bound: CredentialBinding = { connectionId: 'conn-1', endpoints: { api: 'https://slack.com/api' } };

  it('round-trips credentials and keeps the key id with the ciphertext', () => {
    const { ciphertext, keyId } = cipher.encrypt(secret, bound);
    expect(keyId).toBe(CredentialCipher.keyId(key));
    expect(ciphertext).not.toContain('xoxp');
    expect(ciphertext.split('.').slice(0, 2)).toEqual(['v2', keyId]);
    expect(cipher.decrypt(ciphertext, bound)).toEqual(secret);
  });

  it('uses a fresh nonce each time', () => {
    expect(cipher.encrypt(secret, bound).ciphertext).not.toBe(cipher.encrypt(secret, bound).ciphertext);
  });

  it('fails loudly when any byte of the ciphertext is flipped', () => {
    const { ciphertext } = cipher.encrypt(secret, bound);
    const [v, kid, nonce, body] = ciphertext.split('.');
    const raw = Buffer.from(body, 'base64url');
    for (const i of [0, Math.floor(raw.length / 2), raw.length - 1]) {
      const flipped = Buffer.from(raw);
      flipped[i] ^= 0x01;
      expect(() => cipher.decrypt([v, kid, nonce, flipped.toString('base64url')].join('.'), bound)).toThrow(CredentialDecryptionError);
    }
  });

  it('refuses a ciphertext moved to another connection', () => {
    const { ciphertext } = cipher.encrypt(secret, bound);
    expect(() => cipher.decrypt(ciphertext, { ...bound, connectionId: 'conn-2' })).toThrow(/tampered, sealed for other endpoints, or wrong key/);
  });

  it.each([
    ['another host', { api: 'https://evil.example/api' }],
    ['another path', { api: 'https://slack.com/api/x' }],
    ['an added endpoint', { api: 'https://slack.com/api', files: 'https://slack.com' }],
    ['no endpoints', {}],
  ])('refuses a ciphertext whose endpoints became %s', (_, endpoints) => {
    const { ciphertext } = cipher.encrypt(secret, bound);
    expect(() => cipher.decrypt(ciphertext, { ...bound, endpoints })).toThrow(/sealed for other endpoints/);
  });

  it('binds endpoints by content, not by key order', () => {
    const two = { connectionId: 'c', endpoints: { graph: 'https://graph.microsoft.com', login: 'https://login.microsoftonline.com' } };
    const { ciphertext } = cipher.encrypt(secret, two);
    expect(cipher.decrypt(ciphertext, { connectionId: 'c', endpoints: { login: two.endpoints.login, graph: two.endpoints.graph } })).toEqual(secret);
  });

  it('still opens a v1 envelope (connection id only) so that it can be re-wrapped, and never a v2 relabelled as v1', () => {
    const legacy = sealV1(key, secret, 'conn-1');
    expect(CredentialCipher.envelopeVersion(legacy)).toBe('v1');
    expect(cipher.decrypt(legacy, bound)).toEqual(secret);
    expect(() => cipher.decrypt(legacy, { ...bound, connectionId: 'conn-2' })).toThrow(/tampered or wrong key/);
    const relabelled = cipher.encrypt(secret, bound).ciphertext.replace(/^v2\./, 'v1.');
    expect(() => cipher.decrypt(relabelled, bound)).toThrow(CredentialDecryptionError);
  });

  it('refuses an envelope of an unknown version', () => {
    const v3 = cipher.encrypt(secret, bound).ciphertext.replace(/^v2\./, 'v3.');
    expect(() => cipher.decrypt(v3, bound)).toThrow(/malformed/);
  });

  it('reads ciphertexts of a previous key after rotation and writes with the new one', () => {
    const old = cipher.encrypt(secret, bound);
    const rotated = new CredentialCipher(randomBytes(32), [key]);
    expect(rotated.decrypt(old.ciphertext, bound)).toEqual(secret);
    expect(rotated.encrypt(secret, bound).keyId).not.toBe(old.keyId);
    expect(rotated.keyIds).toEqual([rotated.currentKeyId, old.keyId]);
  });

  it('names a missing key id without leaking anything', () => {
    const { ciphertext } = cipher.encrypt(secret, bound);
    const other = new CredentialCipher(randomBytes(32));
    expect(() => other.decrypt(ciphertext, bound)).toThrow(/not configured/);
  });

  it('writes a key check that only the key it names opens', () => {
    const check = cipher.keyCheck(cipher.currentKeyId);
    expect(cipher.verifyKeyCheck(cipher.currentKeyId, check)).toBe(true);
    expect(new CredentialCipher(randomBytes(32)).verifyKeyCheck(cipher.currentKeyId, check)).toBe(false);
    // A check moved onto another key id, or tampered with, does not verify.
    const other = new CredentialCipher(randomBytes(32), [key]);
    expect(other.verifyKeyCheck(other.currentKeyId, check)).toBe(false);
    const [v, kid, nonce, body] = check.split('.');
    const flipped = Buffer.from(body, 'base64url');
    flipped[0] ^= 1;
    expect(cipher.verifyKeyCheck(kid, [v, kid, nonce, flipped.toString('base64url')].join('.'))).toBe(false);
  });
});
