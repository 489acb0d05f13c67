import { randomBytes } from 'node:crypto';
import { CredentialCipher, CredentialDecryptionError } from './credential-cipher';

describe('CredentialCipher', () => {
  const key = randomBytes(32);
  const cipher = new CredentialCipher(key);
  const secret = { token: 'xoxp-very-secret-token' };

  it('round-trips credentials and keeps the key id with the ciphertext', () => {
    const { ciphertext, keyId } = cipher.encrypt(secret, 'conn-1');
    expect(keyId).toBe(CredentialCipher.keyId(key));
    expect(ciphertext).not.toContain('xoxp');
    expect(ciphertext.split('.')[1]).toBe(keyId);
    expect(cipher.decrypt(ciphertext, 'conn-1')).toEqual(secret);
  });

  it('uses a fresh nonce each time', () => {
    expect(cipher.encrypt(secret, 'c').ciphertext).not.toBe(cipher.encrypt(secret, 'c').ciphertext);
  });

  it('fails loudly when any byte of the ciphertext is flipped', () => {
    const { ciphertext } = cipher.encrypt(secret, 'conn-1');
    const [v, kid, nonce, body] = ciphertext.split('.');
    const raw = Buffer.from(body, 'base64url');
    for (const i of [0, Math.floor(raw.length / 2), raw.length - 1]) {
      const flipped = Buffer.from(raw);
      flipped[i] ^= 0x01;
      expect(() => cipher.decrypt([v, kid, nonce, flipped.toString('base64url')].join('.'), 'conn-1')).toThrow(CredentialDecryptionError);
    }
  });

  it('refuses a ciphertext moved to another connection', () => {
    const { ciphertext } = cipher.encrypt(secret, 'conn-1');
    expect(() => cipher.decrypt(ciphertext, 'conn-2')).toThrow(/tampered or wrong key/);
  });

  it('reads ciphertexts of a previous key after rotation and writes with the new one', () => {
    const old = cipher.encrypt(secret, 'conn-1');
    const rotated = new CredentialCipher(randomBytes(32), [key]);
    expect(rotated.decrypt(old.ciphertext, 'conn-1')).toEqual(secret);
    expect(rotated.encrypt(secret, 'conn-1').keyId).not.toBe(old.keyId);
  });

  it('names a missing key id without leaking anything', () => {
    const { ciphertext } = cipher.encrypt(secret, 'conn-1');
    const other = new CredentialCipher(randomBytes(32));
    expect(() => other.decrypt(ciphertext, 'conn-1')).toThrow(/not configured/);
  });
});
