import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { EvidenceLedger } from '@tollgate/evidence';
import { createPostgresDatabase, type TestDatabase } from './support/database';
import { startTollgate, type RunningTollgate } from './support/tollgate';

// README "Deploy" promises a backup that proves itself: pg_dump -Fc, pg_restore into a scratch
// database, a Tollgate (role api, so it polls nothing) on the copy, and GET /evidence/verify there.
// This is that drill, with the real tools, so the promise breaks in CI if a release breaks it.
describe('backup and restore drill', () => {
  let source: TestDatabase;
  let restored: TestDatabase;
  let original: RunningTollgate;
  let copy: RunningTollgate | undefined;
  let dir: string;

  beforeAll(async () => {
    source = await createPostgresDatabase();
    restored = await createPostgresDatabase();
    dir = mkdtempSync(join(tmpdir(), 'tollgate-restore-'));
    original = await startTollgate({ ...source.env, TOLLGATE_ROLE: 'api' });
  });

  afterAll(async () => {
    await copy?.close();
    await original?.close();
    await source?.drop();
    await restored?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('restores the connections and a ledger that still verifies, on a copy started with the same keys', async () => {
    const created = await original
      .api()
      .post('/connections')
      .send({ provider: 'slack', name: 'Drill Slack', credentials: { token: 'xoxp-restore-drill' } })
      .expect(201);
    const ds = original.app.get(DataSource);
    await ds.transaction((em) =>
      original.app.get(EvidenceLedger).append(
        em,
        Array.from({ length: 25 }, (_, i) => ({ kind: 'drill.entry', data: { i }, occurredAt: new Date() })),
      ),
    );
    const before = (await original.api().get('/evidence/verify').expect(200)).body;
    expect(before).toMatchObject({ ok: true });

    const dump = join(dir, 'tollgate.dump');
    execFileSync('pg_dump', ['-Fc', '-d', source.url!, '-f', dump]);
    execFileSync('pg_restore', ['--no-owner', '-d', restored.url!, dump]);

    copy = await startTollgate({ ...restored.env, TOLLGATE_ROLE: 'api' });
    const after = (await copy.api().get('/evidence/verify').expect(200)).body;
    expect(after).toEqual(before);
    const connections = (await copy.api().get('/connections').expect(200)).body.items;
    expect(connections).toEqual([expect.objectContaining({ id: created.body.id, name: 'Drill Slack' })]);
  });
});
