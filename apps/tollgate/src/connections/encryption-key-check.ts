import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CredentialCipher } from './credential-cipher';

export class EncryptionKeyCheckError extends Error {
  override readonly name = 'EncryptionKeyCheckError';
}

/**
 * Proves at start, before the worker claims a poll and before the API listens (so before /readyz can
 * answer), that this replica can open the stored credentials: every key id the connections use must
 * be a key it holds, and that key's check value must open with it. A replica given another
 * TOLLGATE_ENCRYPTION_KEY stops here naming the key id it lacks, instead of claiming every connection
 * and failing each poll. Also writes the check value of each key it holds, the first time it is seen.
 */
@Injectable()
export class EncryptionKeyCheck implements OnModuleInit {
  private readonly logger = new Logger('EncryptionKeys');

  constructor(
    private readonly ds: DataSource,
    private readonly cipher: CredentialCipher,
  ) {}

  async onModuleInit(): Promise<void> {
    for (const keyId of this.cipher.keyIds) {
      await this.ds.query(`INSERT INTO encryption_key_checks (key_id, check_ciphertext) VALUES ($1, $2) ON CONFLICT (key_id) DO NOTHING`, [
        keyId,
        this.cipher.keyCheck(keyId),
      ]);
    }
    // The row's key id and the one inside the envelope: both are what a decryption would need.
    const used: { key_id: string }[] = await this.ds.query(
      `SELECT DISTINCT v.key_id FROM connections c
       CROSS JOIN LATERAL (VALUES (c.credentials_key_id), (split_part(c.credentials_ciphertext, '.', 2))) AS v(key_id)
       WHERE c.deleted_at IS NULL AND c.credentials_ciphertext <> '' ORDER BY v.key_id`,
    );
    const missing = used.map((r) => r.key_id).filter((id) => !this.cipher.holds(id));
    if (missing.length > 0) {
      throw new EncryptionKeyCheckError(
        `stored credentials are encrypted with key id ${missing.join(', ')}, which this replica does not hold ` +
          `(it holds ${this.cipher.keyIds.join(', ')}); start it with that key as TOLLGATE_ENCRYPTION_KEY or in TOLLGATE_PREVIOUS_ENCRYPTION_KEYS`,
      );
    }
    const checks: { key_id: string; check_ciphertext: string }[] = await this.ds.query(
      `SELECT key_id, check_ciphertext FROM encryption_key_checks WHERE key_id = ANY($1::text[]) ORDER BY key_id`,
      [this.cipher.keyIds],
    );
    const failing = checks.filter((c) => !this.cipher.verifyKeyCheck(c.key_id, c.check_ciphertext)).map((c) => c.key_id);
    if (failing.length > 0) {
      throw new EncryptionKeyCheckError(
        `the key check value of key id ${failing.join(', ')} does not open with the key this replica holds under that id; ` +
          'refusing to start rather than fail every poll',
      );
    }
    const [{ legacy }]: { legacy: number }[] = await this.ds.query(
      `SELECT count(*)::int AS legacy FROM connections
       WHERE deleted_at IS NULL AND credentials_ciphertext LIKE 'v1.%'`,
    );
    if (legacy > 0) {
      this.logger.warn({
        message: 'credentials not yet bound to their endpoints (envelope v1); run `npm run credentials:rewrap` once every replica runs this version',
        connections: legacy,
      });
    }
  }
}
