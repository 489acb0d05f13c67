import { createHash, createPublicKey, verify } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckpointSigner, checkpointMessage, rawPublicKey, SIGNING_KEY_FILE, signingKeyFrom, verifyCheckpoint } from './checkpoint-signer';

const claim = { seq: 42, hash: 'a'.repeat(64), signedAt: '2026-11-25T10:00:00.000Z' };

describe('CheckpointSigner', () => {
  const signer = new CheckpointSigner(Buffer.alloc(32, 1));

  it('signs the JCS of exactly {seq, hash, signedAt} with Ed25519', () => {
    const cp = signer.signCheckpoint(claim);
    expect(checkpointMessage(cp).toString()).toBe('{"hash":"' + 'a'.repeat(64) + '","seq":42,"signedAt":"2026-11-25T10:00:00.000Z"}');
    expect(verify(null, checkpointMessage(claim), createPublicKey(signer.publicKeyPem), Buffer.from(cp.signature, 'base64'))).toBe(true);
    expect(verifyCheckpoint(cp, signer.publicKeyPem)).toBe(true);
  });

  it('names its key by the first 16 hex digits of SHA-256 of the raw public key', () => {
    const raw = rawPublicKey(signer.publicKey);
    expect(raw).toHaveLength(32);
    expect(signer.keyId).toBe(createHash('sha256').update(raw).digest('hex').slice(0, 16));
    expect(signer.signCheckpoint(claim).keyId).toBe(signer.keyId);
  });

  it.each([
    ['seq', { seq: 43 }],
    ['hash', { hash: 'b'.repeat(64) }],
    ['signedAt', { signedAt: '2026-11-25T10:00:00.001Z' }],
    ['signature', { signature: 'x' }],
  ])('rejects a checkpoint whose %s was changed', (_, change) => {
    expect(verifyCheckpoint({ ...signer.signCheckpoint(claim), ...change }, signer.publicKey)).toBe(false);
  });

  it('rejects a signature made by another key', () => {
    const other = new CheckpointSigner(Buffer.alloc(32, 2));
    expect(verifyCheckpoint(other.signCheckpoint(claim), signer.publicKey)).toBe(false);
  });
});

describe('signingKeyFrom', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'tollgate-evidence-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('uses TOLLGATE_EVIDENCE_SIGNING_KEY as the seed when set', () => {
    const seed = Buffer.alloc(32, 5);
    const { signer, source } = signingKeyFrom({ TOLLGATE_EVIDENCE_SIGNING_KEY: seed.toString('base64'), TOLLGATE_ENCRYPTION_KEY: Buffer.alloc(32, 6).toString('base64'), TOLLGATE_DATA_DIR: dir });
    expect(source).toBe('TOLLGATE_EVIDENCE_SIGNING_KEY');
    expect(signer.keyId).toBe(new CheckpointSigner(seed).keyId);
  });

  it('derives a stable key from TOLLGATE_ENCRYPTION_KEY, distinct from the encryption key itself', () => {
    const encryptionKey = Buffer.alloc(32, 6).toString('base64');
    const a = signingKeyFrom({ TOLLGATE_ENCRYPTION_KEY: encryptionKey, TOLLGATE_DATA_DIR: dir });
    const b = signingKeyFrom({ TOLLGATE_ENCRYPTION_KEY: encryptionKey, TOLLGATE_DATA_DIR: dir });
    expect(a.source).toBe('derived from TOLLGATE_ENCRYPTION_KEY');
    expect(a.signer.keyId).toBe(b.signer.keyId);
    expect(a.signer.keyId).not.toBe(new CheckpointSigner(Buffer.alloc(32, 6)).keyId);
    expect(signingKeyFrom({ TOLLGATE_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'), TOLLGATE_DATA_DIR: dir }).signer.keyId).not.toBe(a.signer.keyId);
  });

  it('generates a key into the data dir (mode 0600) when there is neither, and reuses it', () => {
    const first = signingKeyFrom({ TOLLGATE_DATA_DIR: join(dir, 'data') });
    const file = join(dir, 'data', SIGNING_KEY_FILE);
    expect(first.source).toBe(`generated ${file}`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(Buffer.from(readFileSync(file, 'utf8'), 'base64')).toHaveLength(32);
    expect(signingKeyFrom({ TOLLGATE_DATA_DIR: join(dir, 'data') }).signer.keyId).toBe(first.signer.keyId);
  });
});
