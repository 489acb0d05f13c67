import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

export const TEST_ENCRYPTION_KEY = Buffer.alloc(32, 42).toString('base64');

/**
 * The PostgreSQL server tests create their databases on. DATABASE_URL when set; the multi-replica
 * specs need a real server even when it is not (embedded mode is single-process by design), and use
 * the local one this project's machines run.
 */
export function serverUrl(): string {
  return process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

export interface TestDatabase {
  /** Environment for Tollgate: DATABASE_URL of a fresh database, or a fresh embedded data dir. */
  env: Record<string, string>;
  /** A URL tests may use to look inside (real Postgres only). */
  url?: string;
  drop(): Promise<void>;
}

/** A fresh database on a real server, dropped afterwards. */
export async function createPostgresDatabase(base = serverUrl()): Promise<TestDatabase> {
  const name = `tollgate_e2e_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    env: { DATABASE_URL: url.toString(), TOLLGATE_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY },
    url: url.toString(),
    async drop() {
      const c = new Client({ connectionString: base });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** An embedded (PGlite) data dir that Tollgate starts itself, as with DATABASE_URL unset. */
export function createEmbeddedDatabase(): TestDatabase {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-e2e-'));
  return {
    env: { TOLLGATE_DATA_DIR: dir },
    async drop() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** What the suite runs against: the real Postgres when DATABASE_URL is set, else the embedded one. */
export async function createTestDatabase(): Promise<TestDatabase> {
  return process.env.DATABASE_URL ? createPostgresDatabase() : createEmbeddedDatabase();
}
