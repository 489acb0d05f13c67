import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '@tollgate/config';
import { createTestDatabase, type TestDatabase } from './support/database';
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
});
