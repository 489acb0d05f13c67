import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '@tollgate/config';
import { Client } from 'pg';
import { CredentialCipher } from '../apps/tollgate/src/connections/credential-cipher';
import { createPostgresDatabase, createTestDatabase, TEST_ENCRYPTION_KEY, type TestDatabase } from './support/database';
import { ensureBuilt, spawnTollgate } from './support/processes';
import { putCompliantSlackTenant, slackConnection, startSimulator } from './support/simulator';
import { startTollgate } from './support/tollgate';

// Tollgate refuses to start on bad input and says exactly where the problem is.
describe('start-up with bad configuration', () => {
  let db: TestDatabase;

  beforeEach(async () => {
    db = await createTestDatabase();
  });

  afterEach(async () => {
    await db.drop();
  });

  it('a malformed baseline stops the start naming file, line and reason', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-baselines-'));
    const file = join(dir, 'broken.yaml');
    writeFileSync(
      file,
      [
        'id: broken-baseline',
        'version: 1',
        'provider: slack',
        'title: Broken',
        'parameters: {}',
        'controls:',
        '  - id: BROKEN.1',
        '    title: A control with an operator that does not exist',
        '    area: sharing',
        '    severity: high',
        "    references: ['Internal policy 1']",
        '    rationale: r',
        '    remediation: r',
        '    check:',
        '      type: setting',
        '      key: slack.workspace.discoverability',
        '      op: roughlyEquals',
        '      value: invite_only',
      ].join('\n'),
    );
    await expect(startTollgate({ ...db.env, TOLLGATE_BASELINES_DIR: dir })).rejects.toThrow(
      new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:17:\\d+: .*op`),
    );
  });

  it('a connections file with a bad entry stops the start naming file and line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-connections-'));
    const file = join(dir, 'connections.yaml');
    writeFileSync(
      file,
      ['connections:', '  - name: Good', '    provider: slack', '    credentials: { token: "x" }', '  - name: Bad', '    provider: myspace', '    credentials: {}'].join(
        '\n',
      ),
    );
    await expect(startTollgate({ ...db.env, TOLLGATE_CONNECTIONS_FILE: file })).rejects.toThrow(
      new RegExp(`connections.yaml:5: connections\\[1\\]: provider must be one of`),
    );
  });

  it('malformed YAML in the connections file stops the start naming file and line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-connections-'));
    const file = join(dir, 'connections.yaml');
    writeFileSync(file, ['connections:', '  - name: Good', '    provider: slack', '    credentials: { token: "x"', '  - name: Other'].join('\n'));
    await expect(startTollgate({ ...db.env, TOLLGATE_CONNECTIONS_FILE: file })).rejects.toThrow(/connections\.yaml:[45]: /);
  });

  it('two connections of one name in the connections file stop the start naming the second', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-connections-'));
    const file = join(dir, 'connections.yaml');
    const entry = (name: string) => [`  - name: ${name}`, '    provider: slack', '    credentials: { token: "xoxp-dup" }'];
    writeFileSync(file, ['connections:', ...entry('Acme'), ...entry('Beta'), ...entry('ACME')].join('\n'));
    await expect(startTollgate({ ...db.env, TOLLGATE_CONNECTIONS_FILE: file })).rejects.toThrow(
      /connections\.yaml:8: connections\[2\]: duplicate connection name "ACME"/,
    );
  });

  it('a missing secret reference in the connections file is named, not replaced by an empty value', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-connections-'));
    const file = join(dir, 'connections.yaml');
    writeFileSync(file, ['connections:', '  - name: Acme', '    provider: slack', '    credentials: { token: "${TOLLGATE_E2E_UNSET_TOKEN}" }'].join('\n'));
    await expect(startTollgate({ ...db.env, TOLLGATE_CONNECTIONS_FILE: file })).rejects.toThrow(/TOLLGATE_E2E_UNSET_TOKEN is not set/);
  });

  it('a bad variable is refused before anything starts', () => {
    expect(() => loadConfig({ ...db.env, TOLLGATE_WORKER_CONCURRENCY: 'many' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...db.env, TOLLGATE_WORKER_CONCURRENCY: 'many' })).toThrow(/TOLLGATE_WORKER_CONCURRENCY/);
  });

  it('a role mapping entry with a malformed connection scope stops the start naming the entry', async () => {
    const oidc = { TOLLGATE_OIDC_ISSUER: 'https://login.example.com/tenant/v2.0', TOLLGATE_OIDC_CLIENT_ID: 'tollgate', TOLLGATE_PUBLIC_URL: 'https://tollgate.example.com' };
    await expect(startTollgate({ ...db.env, ...oidc, TOLLGATE_OIDC_ROLE_MAPPING: 'tollgate-admins=admin,emea-secops=operator:emea-tenant' })).rejects.toThrow(
      /TOLLGATE_OIDC_ROLE_MAPPING: "emea-secops=operator:emea-tenant": "emea-tenant" is not a connection id \(a UUID/,
    );
    await expect(startTollgate({ ...db.env, ...oidc, TOLLGATE_OIDC_ROLE_MAPPING: 'emea-secops=operator:' })).rejects.toThrow(
      /TOLLGATE_OIDC_ROLE_MAPPING: "emea-secops=operator:" lists no connection id/,
    );
  });

  it('the old TOLLGATE_ALLOW_CUSTOM_ENDPOINTS stops the start naming TOLLGATE_ALLOWED_ENDPOINT_HOSTS', async () => {
    await expect(startTollgate({ ...db.env, TOLLGATE_ALLOW_CUSTOM_ENDPOINTS: 'true' })).rejects.toThrow(
      /TOLLGATE_ALLOW_CUSTOM_ENDPOINTS: is no longer read; list the hosts endpoints may point to in TOLLGATE_ALLOWED_ENDPOINT_HOSTS/,
    );
  });
});

describe('start-up with an encryption key that cannot open the stored credentials', () => {
  const OTHER_KEY = Buffer.alloc(32, 0x0b).toString('base64');
  const keyIdOf = (key: string) => CredentialCipher.keyId(Buffer.from(key, 'base64'));
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  // A separate process on the same database: only a real server can be shared.
  let db: TestDatabase;
  let connectionId: string;

  /** What a replica must not have touched: the lease, the poll history, the schedule. */
  const pollState = async () => {
    const c = new Client({ connectionString: db.url });
    await c.connect();
    try {
      const [row] = (
        await c.query(
          `SELECT lease_owner, lease_expires_at, last_poll_finished_at, consecutive_failures,
                  (SELECT count(*)::int FROM poll_runs) AS runs FROM connections WHERE id = $1`,
          [connectionId],
        )
      ).rows;
      return row as Record<string, unknown>;
    } finally {
      await c.end();
    }
  };

  beforeAll(async () => {
    sim = await startSimulator();
    await putCompliantSlackTenant(sim, 'xoxp-wrong-key');
    db = await createPostgresDatabase();
    const t = await startTollgate({ ...db.env, TOLLGATE_ROLE: 'api' });
    try {
      connectionId = (await t.api().post('/connections').send(slackConnection(sim, 'xoxp-wrong-key', 'under the right key')).expect(201)).body.id;
    } finally {
      await t.close();
    }
    await ensureBuilt();
  }, 200_000);

  afterAll(async () => {
    await db?.drop();
    await sim?.close();
  });

  it('exits non-zero naming the key id it lacks, never the key, before it is ready or claims a poll', async () => {
    const before = await pollState();
    // The connection is due now: a replica that started its worker would claim it at once.
    expect(before).toMatchObject({ lease_owner: null, lease_expires_at: null, runs: 0 });
    const started = spawnTollgate({ DATABASE_URL: db.url!, TOLLGATE_ENCRYPTION_KEY: OTHER_KEY, TOLLGATE_LOG_LEVEL: 'info' }, 60_000);
    const err = (await started.then(
      () => new Error('a replica with the wrong key became ready'),
      (e: Error) => e,
    )) as Error;
    expect(err.message).toMatch(/exited with 1 before it was ready/);
    expect(err.message).toContain(`stored credentials are encrypted with key id ${keyIdOf(TEST_ENCRYPTION_KEY)}, which this replica does not hold (it holds ${keyIdOf(OTHER_KEY)})`);
    expect(err.message).not.toContain(TEST_ENCRYPTION_KEY);
    expect(err.message).not.toContain(OTHER_KEY);
    expect(err.message).not.toMatch(/worker started/);
    expect(await pollState()).toEqual(before);
    expect((await sim.control().get('/_sim/slack/tenants/xoxp-wrong-key/requests').expect(200)).body.total).toBe(0);
  });

  it('starts when it holds the key among its previous keys, and a tampered key check stops it', async () => {
    const t = await startTollgate({ ...db.env, TOLLGATE_ENCRYPTION_KEY: OTHER_KEY, TOLLGATE_PREVIOUS_ENCRYPTION_KEYS: TEST_ENCRYPTION_KEY, TOLLGATE_ROLE: 'api' });
    await t.close();
    const c = new Client({ connectionString: db.url });
    await c.connect();
    try {
      const { rows } = await c.query(`SELECT key_id FROM encryption_key_checks ORDER BY key_id`);
      expect(rows.map((r) => r.key_id).sort()).toEqual([keyIdOf(TEST_ENCRYPTION_KEY), keyIdOf(OTHER_KEY)].sort());
      // A check value that the key of its id does not open: another key under a colliding id, or an edit.
      const forged = new CredentialCipher(Buffer.alloc(32, 0x0c)).keyCheck(new CredentialCipher(Buffer.alloc(32, 0x0c)).currentKeyId);
      const [, , nonce, body] = forged.split('.');
      await c.query(`UPDATE encryption_key_checks SET check_ciphertext = $2 WHERE key_id = $1`, [
        keyIdOf(TEST_ENCRYPTION_KEY),
        ['v2', keyIdOf(TEST_ENCRYPTION_KEY), nonce, body].join('.'),
      ]);
    } finally {
      await c.end();
    }
    await expect(startTollgate({ ...db.env, TOLLGATE_ROLE: 'api' })).rejects.toThrow(
      new RegExp(`the key check value of key id ${keyIdOf(TEST_ENCRYPTION_KEY)} does not open with the key this replica holds under that id`),
    );
  });
});
