import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { TollgateConfig } from '@tollgate/config';

const VERSION = 'v1';

export class CredentialDecryptionError extends Error {
  override readonly name = 'CredentialDecryptionError';
}

/**
 * AES-256-GCM envelope for stored credentials: `v1.<keyId>.<nonce>.<ciphertext+tag>` (base64url).
 * A fresh 96-bit nonce per encryption; the connection id is bound as associated data so a ciphertext
 * copied onto another connection does not decrypt. The key id (a fingerprint of the key) lets old
 * ciphertexts be read with a previous key while they are re-wrapped with the current one.
 */
export class CredentialCipher {
  private readonly keys = new Map<string, Buffer>();
  readonly currentKeyId: string;

  constructor(current: Buffer, previous: Buffer[] = []) {
    for (const key of [current, ...previous]) {
      if (key.length !== 32) throw new Error('encryption keys must be 32 bytes');
      this.keys.set(CredentialCipher.keyId(key), key);
    }
    this.currentKeyId = CredentialCipher.keyId(current);
  }

  static keyId(key: Buffer): string {
    return createHash('sha256').update('tollgate-kek:').update(key).digest('hex').slice(0, 16);
  }

  encrypt(plaintext: object, associatedData: string): { ciphertext: string; keyId: string } {
    const key = this.keys.get(this.currentKeyId)!;
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, nonce);
    cipher.setAAD(Buffer.from(associatedData));
    const body = Buffer.concat([cipher.update(JSON.stringify(plaintext), 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return {
      ciphertext: [VERSION, this.currentKeyId, nonce.toString('base64url'), body.toString('base64url')].join('.'),
      keyId: this.currentKeyId,
    };
  }

  decrypt(envelope: string, associatedData: string): Record<string, unknown> {
    const [version, keyId, nonce, body] = envelope.split('.');
    if (version !== VERSION || !keyId || !nonce || !body) throw new CredentialDecryptionError('credential envelope is malformed');
    const key = this.keys.get(keyId);
    if (!key) throw new CredentialDecryptionError(`credentials were encrypted with key ${keyId}, which is not configured`);
    const raw = Buffer.from(body, 'base64url');
    if (raw.length < 17) throw new CredentialDecryptionError('credential envelope is malformed');
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(nonce, 'base64url'));
      decipher.setAAD(Buffer.from(associatedData));
      decipher.setAuthTag(raw.subarray(raw.length - 16));
      const plain = Buffer.concat([decipher.update(raw.subarray(0, raw.length - 16)), decipher.final()]);
      return JSON.parse(plain.toString('utf8')) as Record<string, unknown>;
    } catch {
      throw new CredentialDecryptionError(`credentials failed authentication with key ${keyId}: tampered or wrong key`);
    }
  }

  /**
   * Builds the cipher from configuration. In embedded mode a missing key is generated once into the
   * data dir (mode 0600), so a demo needs no setup and a restart still reads its credentials.
   */
  static fromConfig(config: TollgateConfig): CredentialCipher {
    const previous = (config.TOLLGATE_PREVIOUS_ENCRYPTION_KEYS ?? '')
      .split(',')
      .filter(Boolean)
      .map((k) => Buffer.from(k, 'base64'));
    if (config.TOLLGATE_ENCRYPTION_KEY) return new CredentialCipher(Buffer.from(config.TOLLGATE_ENCRYPTION_KEY, 'base64'), previous);
    const dir = resolve(config.TOLLGATE_DATA_DIR);
    const file = join(dir, 'encryption.key');
    if (!existsSync(file)) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
    }
    chmodSync(file, 0o600);
    return new CredentialCipher(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64'), previous);
  }
}
