import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import canonicalize from 'canonicalize';
import type { TollgateConfig } from '@tollgate/config';

/** Sealed with the connection id and its effective endpoints (RFC 8785 JSON) as associated data. */
const CURRENT = 'v2';
/** Sealed with the connection id only: still opened, until `npm run credentials:rewrap` re-seals it as v2. */
const LEGACY = 'v1';

/** What stored credentials are sealed for: one connection, and the endpoints they may be sent to. */
export interface CredentialBinding {
  connectionId: string;
  /** The effective endpoints (defaults merged with overrides, normalized by resolveEndpoints). */
  endpoints: Record<string, string>;
}

const KEY_CHECK_PLAINTEXT = 'tollgate key check';

export class CredentialDecryptionError extends Error {
  override readonly name = 'CredentialDecryptionError';
}

/**
 * AES-256-GCM envelope for stored credentials: `v2.<keyId>.<nonce>.<ciphertext+tag>` (base64url).
 * A fresh 96-bit nonce per encryption. The connection id and the endpoints the credentials were
 * given for are bound as associated data: a ciphertext copied onto another connection, or left in
 * place while its endpoints are changed behind the API's back, does not decrypt, so a token is
 * never sent anywhere but where it was given for. The key id (a fingerprint of the key) lets old
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

  /** `v2` for envelopes bound to their endpoints, `v1` for older ones; undefined when malformed. */
  static envelopeVersion(envelope: string): string | undefined {
    const version = envelope.split('.')[0];
    return version === CURRENT || version === LEGACY ? version : undefined;
  }

  /** Ids of every key this process holds, the current one first. */
  get keyIds(): string[] {
    return [...this.keys.keys()];
  }

  holds(keyId: string): boolean {
    return this.keys.has(keyId);
  }

  encrypt(plaintext: object, binding: CredentialBinding): { ciphertext: string; keyId: string } {
    return { ciphertext: this.seal(this.currentKeyId, JSON.stringify(plaintext), boundData(binding)), keyId: this.currentKeyId };
  }

  decrypt(envelope: string, binding: CredentialBinding): Record<string, unknown> {
    const version = CredentialCipher.envelopeVersion(envelope);
    const associated = version === LEGACY ? binding.connectionId : boundData(binding);
    const why = version === LEGACY ? 'tampered or wrong key' : 'tampered, sealed for other endpoints, or wrong key';
    return JSON.parse(this.open(envelope, associated, why)) as Record<string, unknown>;
  }

  /** A value only the key `keyId` opens, stored so that a replica can tell at start whether it holds that key. */
  keyCheck(keyId: string): string {
    return this.seal(keyId, KEY_CHECK_PLAINTEXT, `tollgate-key-check:${keyId}`);
  }

  /** Whether `check` (from keyCheck) opens with the key it names; false for a key this process lacks. */
  verifyKeyCheck(keyId: string, check: string): boolean {
    try {
      return check.split('.')[1] === keyId && this.open(check, `tollgate-key-check:${keyId}`, 'key check failed') === KEY_CHECK_PLAINTEXT;
    } catch {
      return false;
    }
  }

  private seal(keyId: string, plaintext: string, associatedData: string): string {
    const key = this.keys.get(keyId);
    if (!key) throw new Error(`key ${keyId} is not configured`);
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, nonce);
    cipher.setAAD(Buffer.from(associatedData));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return [CURRENT, keyId, nonce.toString('base64url'), body.toString('base64url')].join('.');
  }

  private open(envelope: string, associatedData: string, why: string): string {
    const [, keyId, nonce, body] = envelope.split('.');
    if (!CredentialCipher.envelopeVersion(envelope) || !keyId || !nonce || !body) throw new CredentialDecryptionError('credential envelope is malformed');
    const key = this.keys.get(keyId);
    if (!key) throw new CredentialDecryptionError(`credentials were encrypted with key ${keyId}, which is not configured`);
    const raw = Buffer.from(body, 'base64url');
    if (raw.length < 17) throw new CredentialDecryptionError('credential envelope is malformed');
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(nonce, 'base64url'));
      decipher.setAAD(Buffer.from(associatedData));
      decipher.setAuthTag(raw.subarray(raw.length - 16));
      return Buffer.concat([decipher.update(raw.subarray(0, raw.length - 16)), decipher.final()]).toString('utf8');
    } catch {
      throw new CredentialDecryptionError(`credentials failed authentication with key ${keyId}: ${why}`);
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

/** Associated data of a v2 envelope: canonical JSON, so that key order and spacing never matter. */
function boundData(binding: CredentialBinding): string {
  return canonicalize({ connectionId: binding.connectionId, endpoints: binding.endpoints }) as string;
}
