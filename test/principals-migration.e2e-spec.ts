import { DataSource } from 'typeorm';
import { ALL_MIGRATIONS } from '../migrations';
import { createPostgresDatabase, type TestDatabase } from './support/database';

const dataSource = (url: string, migrations: typeof ALL_MIGRATIONS) =>
  new DataSource({ type: 'postgres', url, migrations, migrationsTableName: 'schema_migrations', synchronize: false, logging: false });

// Records made before principals existed get one on upgrade: exception transitions and audit events
// take the principal of the key that made them (a pre-principal key's name), audit events learn the
// connection of their target, and decisions already taken are kept as they were recorded.
describe('migration PrincipalsInRecords on existing data', () => {
  let db: TestDatabase;
  let ds: DataSource;
  const ids = { connection: '', ticket: '', alice1: '', alice2: '', bob: '' };

  beforeAll(async () => {
    db = await createPostgresDatabase();
    const before = dataSource(db.url!, ALL_MIGRATIONS.filter((m) => m.name !== 'PrincipalsInRecords1764590000000'));
    await before.initialize();
    await before.runMigrations();
    const q = <T>(sql: string, params: unknown[] = []) => before.query(sql, params) as Promise<T>;
    [{ id: ids.connection }] = await q<{ id: string }[]>(
      `INSERT INTO connections (provider, name, baseline_id, poll_interval_seconds, credentials_ciphertext, credentials_key_id)
       VALUES ('slack', 'old', 'slack-locked-down', 900, 'x', 'k') RETURNING id`,
    );
    for (const [slot, name, prefix] of [['alice1', 'alice', 'aaaaaaaaaaa1'], ['alice2', 'alice', 'aaaaaaaaaaa2'], ['bob', 'bob', 'bbbbbbbbbbb1']] as const) {
      [{ id: ids[slot] }] = await q<{ id: string }[]>(
        `INSERT INTO api_keys (name, principal, prefix, secret_hash, role) VALUES ($1, $1, $2, 'h', 'approver') RETURNING id`,
        [name, prefix],
      );
    }
    // The bypass of "Why" item 3, as it was recorded: two keys named alice requested and approved.
    [{ id: ids.ticket }] = await q<{ id: string }[]>(
      `INSERT INTO exception_tickets (connection_id, control_id, justification, state, requested_by_key, requested_by, requested_at,
                                      expires_at, decided_by_key, decided_by, decided_at, ended_by, ended_at, end_reason)
       VALUES ($1, 'SLACK.SHARING.1', 'old ticket', 'revoked', $2, 'alice', now(), now() + interval '1 day', $3, 'alice', now(),
               'bob', now(), 'done') RETURNING id`,
      [ids.connection, ids.alice1, ids.alice2],
    );
    for (const [kind, actor] of [['requested', 'alice'], ['approved', 'alice'], ['revoked', 'bob']]) {
      await q(`INSERT INTO exception_events (exception_id, kind, actor, occurred_at) VALUES ($1, $2, $3, now())`, [ids.ticket, kind, actor]);
    }
    await q(
      `INSERT INTO audit_events (actor_key, actor, role, action, target, outcome, status)
       VALUES ($1, 'alice', 'approver', 'POST /api/v1/exceptions/:id/approve', $2, 'success', 200),
              ('bootstrap', 'bootstrap admin key', 'admin', 'PATCH /api/v1/connections/:id', $3, 'success', 200),
              ('bootstrap', 'bootstrap admin key', 'admin', 'POST /api/v1/baselines/reload', NULL, 'success', 200)`,
      [ids.alice2, ids.ticket, ids.connection],
    );
    await before.destroy();
    ds = dataSource(db.url!, ALL_MIGRATIONS);
    await ds.initialize();
    expect((await ds.runMigrations()).map((m) => m.name)).toEqual(['PrincipalsInRecords1764590000000']);
  });

  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('gives old exception transitions the principals of their keys, and keeps the old decision as recorded', async () => {
    const [ticket] = await ds.query(
      `SELECT requested_by_principal, decided_by_principal, ended_by_principal, ended_by_key FROM exception_tickets WHERE id = $1`,
      [ids.ticket],
    );
    expect(ticket).toEqual({ requested_by_principal: 'alice', decided_by_principal: 'alice', ended_by_principal: 'bob', ended_by_key: null });
    const events = await ds.query(`SELECT kind, actor_principal, actor_key FROM exception_events WHERE exception_id = $1 ORDER BY id`, [ids.ticket]);
    expect(events).toEqual([
      { kind: 'requested', actor_principal: 'alice', actor_key: ids.alice1 },
      { kind: 'approved', actor_principal: 'alice', actor_key: ids.alice2 },
      { kind: 'revoked', actor_principal: 'bob', actor_key: null },
    ]);
  });

  it('refuses a new decision by the requesting principal in the database too', async () => {
    const [{ id }] = await ds.query(
      `INSERT INTO exception_tickets (connection_id, control_id, justification, state, requested_by_key, requested_by_principal, requested_by,
                                      requested_at, expires_at)
       VALUES ($1, 'SLACK.SHARING.1', 'new ticket', 'requested', $2, 'alice', 'alice', now(), now() + interval '1 day') RETURNING id`,
      [ids.connection, ids.alice1],
    );
    await expect(
      ds.query(
        `UPDATE exception_tickets SET state = 'approved', decided_by_key = $2, decided_by_principal = 'alice', decided_by = 'alice', decided_at = now()
         WHERE id = $1`,
        [id, ids.alice2],
      ),
    ).rejects.toThrow(/exception_tickets_four_eyes_principal/);
  });

  it('gives old audit events a principal and the connection of their target', async () => {
    const rows = await ds.query(`SELECT actor_principal, action, connection_id FROM audit_events ORDER BY id`);
    expect(rows).toEqual([
      { actor_principal: 'alice', action: 'POST /api/v1/exceptions/:id/approve', connection_id: ids.connection },
      { actor_principal: 'bootstrap', action: 'PATCH /api/v1/connections/:id', connection_id: ids.connection },
      { actor_principal: 'bootstrap', action: 'POST /api/v1/baselines/reload', connection_id: null },
    ]);
  });
});
