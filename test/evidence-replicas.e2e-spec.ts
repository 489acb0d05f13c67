import request from 'supertest';
import { DataSource } from 'typeorm';
import { EvidenceLedger } from '@tollgate/evidence';
import { EvidenceCheckpointer } from '../apps/tollgate/src/evidence/evidence-checkpoint.service';
import { createPostgresDatabase, type TestDatabase } from './support/database';
import { ADMIN_KEY, startTollgate, type RunningTollgate } from './support/tollgate';

// Two replicas appending to and checkpointing one ledger. Embedded mode is single-process by design,
// so this spec always uses a real PostgreSQL server.
describe('evidence ledger across two replicas', () => {
  let db: TestDatabase;
  let replicas: RunningTollgate[] = [];

  beforeAll(async () => {
    db = await createPostgresDatabase();
    replicas = [await startTollgate(db.env), await startTollgate(db.env)];
  });

  afterAll(async () => {
    for (const r of replicas) await r.close();
    await db?.drop();
  });

  const verify = async (r: RunningTollgate) =>
    (await request(r.url).get('/api/v1/evidence/verify').set('Authorization', `Bearer ${ADMIN_KEY}`).expect(200)).body;

  it('keeps seqs gapless when both replicas append at once, from many transactions', async () => {
    const batches = await Promise.all(
      replicas.flatMap((r, replica) =>
        Array.from({ length: 10 }, (_, tx) =>
          r.app.get(DataSource).transaction((em) =>
            r.app.get(EvidenceLedger).append(
              em,
              Array.from({ length: 50 }, (_, i) => ({ kind: 'drift.changed', data: { replica, tx, i }, occurredAt: new Date() })),
            ),
          ),
        ),
      ),
    );
    const seqs = batches.flat().map((e) => e.seq).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    expect(await verify(replicas[1])).toMatchObject({ ok: true, entriesChecked: 1000 });
  });

  it('appends a batch larger than the bind-parameter limit in one call', async () => {
    const ds = replicas[0].app.get(DataSource);
    const appended = await ds.transaction((em) =>
      replicas[0].app.get(EvidenceLedger).append(
        em,
        Array.from({ length: 12_000 }, (_, i) => ({ kind: 'drift.opened', data: { i, resource: `site-${i}` }, occurredAt: new Date() })),
      ),
    );
    expect(appended[0].seq).toBe(1001);
    expect(appended[appended.length - 1].seq).toBe(13_000);
  });

  it('writes one checkpoint per head when both replicas sign at once', async () => {
    const outcomes = await Promise.all(replicas.map((r) => r.app.get(EvidenceCheckpointer).checkpointNow()));
    expect(outcomes.map((o) => o.status).sort()).toEqual(['unchanged', 'written']);
    expect(outcomes.map((o) => o.checkpoint?.seq)).toEqual([13_000, 13_000]);
    expect(await replicas[0].app.get(DataSource).query('SELECT seq::int FROM evidence_checkpoints')).toEqual([{ seq: 13_000 }]);
    expect(await verify(replicas[0])).toMatchObject({ ok: true, entriesChecked: 13_000, checkpointsChecked: 1, lastCheckpointSeq: 13_000 });
  });
});
