// `npm run credentials:rewrap`: re-encrypts every connection's credentials with the current
// TOLLGATE_ENCRYPTION_KEY, as v2 envelopes bound to the connection's effective endpoints (v1
// envelopes, bound to the connection id only, are what Tollgate wrote before; run this once every
// replica runs a version that reads v2). Key rotation without downtime:
//   1. restart every replica with the new key as TOLLGATE_ENCRYPTION_KEY and the old one in
//      TOLLGATE_PREVIOUS_ENCRYPTION_KEYS (polls keep decrypting the old ciphertexts);
//   2. run this (against the running database; replicas need not stop);
//   3. once it reports no failures, drop the old key from TOLLGATE_PREVIOUS_ENCRYPTION_KEYS.
// Idempotent: a second run finds nothing to do. Exit code 0 when every credential is under the
// current key, 1 when some could not be decrypted (named by connection id), 2 when it could not run.
import type { DataSource } from 'typeorm';
import { loadConfig, type TollgateConfig } from '@tollgate/config';
import { openDatabase } from '@tollgate/database';
import { connectorRegistry } from '@tollgate/connectors';
import type { ProviderId } from '@tollgate/connector-sdk';
import { effectiveEndpoints } from '../apps/tollgate/src/connections/connection-endpoints';
import { CredentialCipher } from '../apps/tollgate/src/connections/credential-cipher';

export interface RewrapReport {
  /** Connections with stored credentials (deleted ones have none). */
  total: number;
  rewrapped: number;
  alreadyCurrent: number;
  failed: { connectionId: string; error: string }[];
}

interface Row {
  id: string;
  provider: ProviderId;
  options: Record<string, unknown>;
  endpoints: Record<string, string>;
  credentials_ciphertext: string;
}

/**
 * Re-wraps in small transactions, each locking its rows with SELECT ... FOR UPDATE so that an API
 * update of the same credentials waits for it (and then writes its own, current-key, ciphertext)
 * instead of being overwritten. Only `credentials_ciphertext` and `credentials_key_id` change:
 * `updated_at` stays, as the credentials themselves are the same.
 */
export async function rewrapCredentials(ds: DataSource, cipher: CredentialCipher, config: TollgateConfig, batchSize = 50): Promise<RewrapReport> {
  const current = cipher.currentKeyId;
  const [{ total }]: { total: number }[] = await ds.query(
    `SELECT count(*)::int AS total FROM connections WHERE deleted_at IS NULL AND credentials_ciphertext <> ''`,
  );
  const report: RewrapReport = { total, rewrapped: 0, alreadyCurrent: 0, failed: [] };
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const rows = await ds.transaction(async (em) => {
      // The envelope names its key and version too; all must be current for a row to count as done.
      const batch: Row[] = await em.query(
        `SELECT id, provider, options, endpoints, credentials_ciphertext FROM connections
         WHERE id > $1::uuid AND deleted_at IS NULL AND credentials_ciphertext <> ''
           AND (credentials_key_id <> $2 OR split_part(credentials_ciphertext, '.', 2) <> $2
                OR split_part(credentials_ciphertext, '.', 1) <> 'v2')
         ORDER BY id LIMIT $3 FOR UPDATE`,
        [after, current, batchSize],
      );
      for (const row of batch) {
        let plaintext: Record<string, unknown>;
        let endpoints: Record<string, string>;
        try {
          const connector = connectorRegistry.get(row.provider);
          if (!connector) throw new Error(`no connector for provider ${row.provider}`);
          // The endpoints the poll runner will open them with, so what is re-sealed is what is used.
          endpoints = effectiveEndpoints(connector, row.options, row.endpoints, config);
          plaintext = cipher.decrypt(row.credentials_ciphertext, { connectionId: row.id, endpoints });
        } catch (err) {
          report.failed.push({ connectionId: row.id, error: (err as Error).message });
          continue;
        }
        const sealed = cipher.encrypt(plaintext, { connectionId: row.id, endpoints });
        await em.query(`UPDATE connections SET credentials_ciphertext = $2, credentials_key_id = $3 WHERE id = $1`, [row.id, sealed.ciphertext, sealed.keyId]);
        report.rewrapped += 1;
      }
      return batch;
    });
    if (rows.length === 0) break;
    after = rows[rows.length - 1].id;
  }
  report.alreadyCurrent = total - report.rewrapped - report.failed.length;
  return report;
}

export async function run(env: Record<string, string | undefined>, out: { log(line: string): void; error(line: string): void }): Promise<number> {
  let db: Awaited<ReturnType<typeof openDatabase>> | undefined;
  try {
    const config = loadConfig(env);
    const cipher = CredentialCipher.fromConfig(config);
    db = await openDatabase(config, [], { log: (m) => out.error(m) });
    const report = await rewrapCredentials(db.dataSource, cipher, config);
    out.log(
      `credentials: ${report.total} stored, ${report.rewrapped} re-wrapped, ${report.alreadyCurrent} already v2 under key ${cipher.currentKeyId}, ${report.failed.length} failed`,
    );
    for (const f of report.failed) out.error(`connection ${f.connectionId}: ${f.error}`);
    return report.failed.length > 0 ? 1 : 0;
  } catch (err) {
    out.error(`could not re-wrap credentials: ${(err as Error).message}`);
    return 2;
  } finally {
    await db?.close();
  }
}

if (require.main === module) {
  void run(process.env, console).then((code) => {
    process.exitCode = code;
  });
}
