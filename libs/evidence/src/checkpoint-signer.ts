import canonicalize from 'canonicalize';
import { createHash, createPrivateKey, createPublicKey, hkdfSync, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { TollgateConfig } from '@tollgate/config';

/** What a checkpoint signs: the head of the ledger at one moment. */
export interface CheckpointClaim {
  seq: number;
  hash: string;
  /** ISO-8601 UTC with milliseconds. */
  signedAt: string;
}

export interface CheckpointRow extends CheckpointClaim {
  /** First 16 hex digits of SHA-256 of the raw 32-byte public key. */
  keyId: string;
  /** base64 of the 64-byte Ed25519 signature over JCS({seq, hash, signedAt}). */
  signature: string;
}

/** PKCS#8 DER prefix of an Ed25519 private key; the 32-byte seed follows it. */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
/** Fixed HKDF parameters: changing either changes every derived key, so they are versioned. */
const HKDF_SALT = Buffer.from('tollgate/evidence');
const HKDF_INFO = Buffer.from('ed25519-checkpoint-signing-key/v1');
export const SIGNING_KEY_FILE = 'evidence-signing.key';

/** The bytes that are signed: RFC 8785 canonical JSON of exactly {seq, hash, signedAt}. */
export function checkpointMessage(claim: CheckpointClaim): Buffer {
  return Buffer.from(canonicalize({ seq: claim.seq, hash: claim.hash, signedAt: claim.signedAt })!, 'utf8');
}

export function rawPublicKey(publicKey: KeyObject): Buffer {
  const jwk = publicKey.export({ format: 'jwk' });
  if (jwk.crv !== 'Ed25519' || !jwk.x) throw new Error('not an Ed25519 public key');
  return Buffer.from(jwk.x, 'base64url');
}

export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256').update(rawPublicKey(publicKey)).digest('hex').slice(0, 16);
}

/** Accepts a KeyObject or a PEM (SPKI) string; anything but an Ed25519 public key is refused. */
export function toPublicKey(key: KeyObject | string): KeyObject {
  const object = typeof key === 'string' ? createPublicKey(key) : key.type === 'private' ? createPublicKey(key) : key;
  if (object.asymmetricKeyType !== 'ed25519') throw new Error(`expected an Ed25519 public key, got ${object.asymmetricKeyType ?? object.type}`);
  return object;
}

export function verifyCheckpoint(checkpoint: CheckpointRow, publicKey: KeyObject | string): boolean {
  const key = toPublicKey(publicKey);
  if (typeof checkpoint.signature !== 'string' || !/^[A-Za-z0-9+/]{86}==$/.test(checkpoint.signature)) return false;
  return verify(null, checkpointMessage(checkpoint), key, Buffer.from(checkpoint.signature, 'base64'));
}

/** An Ed25519 key pair built from a 32-byte seed; signs ledger checkpoints. */
export class CheckpointSigner {
  private readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly keyId: string;
  readonly publicKeyPem: string;

  constructor(seed: Buffer) {
    if (seed.length !== 32) throw new Error('an Ed25519 seed is 32 bytes');
    this.privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
    this.publicKey = createPublicKey(this.privateKey);
    this.keyId = keyIdOf(this.publicKey);
    this.publicKeyPem = this.publicKey.export({ format: 'pem', type: 'spki' }).toString();
  }

  signCheckpoint(claim: CheckpointClaim): CheckpointRow {
    const signature = sign(null, checkpointMessage(claim), this.privateKey).toString('base64');
    return { seq: claim.seq, hash: claim.hash, signedAt: claim.signedAt, keyId: this.keyId, signature };
  }
}

/** Where the signing key came from, for the start-up log line (never the key itself). */
export type SigningKeySource = 'TOLLGATE_EVIDENCE_SIGNING_KEY' | 'derived from TOLLGATE_ENCRYPTION_KEY' | `generated ${string}`;

/**
 * TOLLGATE_EVIDENCE_SIGNING_KEY (base64 of a 32-byte seed) when set; otherwise derived with
 * HKDF-SHA256 from TOLLGATE_ENCRYPTION_KEY, so a deployment has a stable key without extra setup;
 * otherwise (embedded mode without any key) generated once into the data dir, mode 0600, as the
 * credential cipher does. A derived key changes when the encryption key is rotated: pin
 * TOLLGATE_EVIDENCE_SIGNING_KEY before rotating (see docs/evidence.md).
 */
export function signingKeyFrom(
  config: Pick<TollgateConfig, 'TOLLGATE_EVIDENCE_SIGNING_KEY' | 'TOLLGATE_ENCRYPTION_KEY' | 'TOLLGATE_DATA_DIR'>,
): { signer: CheckpointSigner; source: SigningKeySource } {
  if (config.TOLLGATE_EVIDENCE_SIGNING_KEY) {
    return { signer: new CheckpointSigner(Buffer.from(config.TOLLGATE_EVIDENCE_SIGNING_KEY, 'base64')), source: 'TOLLGATE_EVIDENCE_SIGNING_KEY' };
  }
  if (config.TOLLGATE_ENCRYPTION_KEY) {
    const seed = Buffer.from(hkdfSync('sha256', Buffer.from(config.TOLLGATE_ENCRYPTION_KEY, 'base64'), HKDF_SALT, HKDF_INFO, 32));
    return { signer: new CheckpointSigner(seed), source: 'derived from TOLLGATE_ENCRYPTION_KEY' };
  }
  const dir = resolve(config.TOLLGATE_DATA_DIR);
  const file = join(dir, SIGNING_KEY_FILE);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
  }
  chmodSync(file, 0o600);
  return { signer: new CheckpointSigner(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64')), source: `generated ${file}` };
}
