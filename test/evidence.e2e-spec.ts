import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { CheckpointSigner, EvidenceLedger, entryHash, GENESIS_HASH, verifyCheckpoint, type LedgerData, type LedgerRow } from '@tollgate/evidence';
import { EvidenceCheckpointer } from '../apps/tollgate/src/evidence/evidence-checkpoint.service';
import { run, type EvidenceExport } from '../scripts/evidence-verify';
import { createTestDatabase, type TestDatabase } from './support/database';
import { startTollgate, type RunningTollgate } from './support/tollgate';

// The evidence ledger end to end: entries appended inside real transactions, read and verified over
// the API, checkpointed and signed, refused by the database when changed, and every kind of
// tampering a superuser could still do named by its seq, over the API and by the offline verifier.
describe('evidence ledger', () => {
  let db: TestDatabase;
  let t: RunningTollgate;
  let ds: DataSource;
  let auditorKey: string;
  let viewerKey: string;
  let dir: string;

  const as = (key: string, path: string) => request(t.url).get(`/api/v1/evidence${path}`).set('Authorization', `Bearer ${key}`);
  const auditor = (path: string) => as(auditorKey, path);
  const verify = async () => (await auditor('/verify').expect(200)).body as Record<string, unknown>;
  const append = (entries: { kind: string; data: LedgerData; occurredAt?: Date }[]) =>
    ds.transaction((em) => t.app.get(EvidenceLedger).append(em, entries.map((e) => ({ occurredAt: new Date(), ...e }))));
  const readAll = async (): Promise<LedgerRow[]> => (await auditor('/ledger?limit=1000').expect(200)).body.items;
  const output = () => {
    const lines = { log: [] as string[], error: [] as string[] };
    return { lines, out: { log: (l: string) => lines.log.push(l), error: (l: string) => lines.error.push(l) } };
  };

  // Data whose numbers and strings are the usual suspects for a JSON -> jsonb -> JSON round trip.
  const awkward: LedgerData = {
    huge: 1e21, tiny: 1e-7, ratio: 0.1 + 0.2, unsafe: 2 ** 53 + 2, negative: -42, zero: 0,
    text: 'naïve 😀 "quoted" \\ back\nslash', nested: { z: [1, { b: null, a: true }], a: '' }, empty: [],
    omitted: undefined as unknown as null,
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTollgate(db.env);
    ds = t.app.get(DataSource);
    auditorKey = (await t.api().post('/api-keys').send({ name: 'auditor', principal: 'auditor@example.test', role: 'auditor' }).expect(201)).body.key;
    viewerKey = (await t.api().post('/api-keys').send({ name: 'viewer', principal: 'viewer@example.test', role: 'viewer' }).expect(201)).body.key;
    dir = mkdtempSync(join(tmpdir(), 'tollgate-evidence-e2e-'));
  });

  afterAll(async () => {
    await t?.close();
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  describe('appending', () => {
    it('appends gapless seqs from 1, chained from the genesis hash, readable page by page', async () => {
      expect(await readAll()).toEqual([]);
      const at = new Date('2026-11-25T10:00:00.000Z');
      const first = await append(Array.from({ length: 10 }, (_, i) => ({ kind: 'drift.opened', data: { driftId: `d${i}`, i }, occurredAt: at })));
      const second = await append([
        { kind: 'drift.changed', data: awkward, occurredAt: at },
        ...Array.from({ length: 9 }, (_, i) => ({ kind: 'exception.approved', data: { exceptionId: `e${i}`, until: '2027-03-01T00:00:00.000Z' } })),
      ]);
      expect([...first, ...second].map((e) => e.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));

      const pages: LedgerRow[][] = [];
      let afterSeq = 0;
      for (;;) {
        const body = (await auditor(`/ledger?afterSeq=${afterSeq}&limit=7`).expect(200)).body;
        pages.push(body.items);
        if (body.nextAfterSeq === null) break;
        afterSeq = body.nextAfterSeq;
      }
      expect(pages.map((p) => p.length)).toEqual([7, 7, 6]);
      const rows = pages.flat();
      expect(Object.keys(rows[0]).sort()).toEqual(['data', 'hash', 'kind', 'occurredAt', 'prevHash', 'seq']);
      expect(rows[0]).toMatchObject({ seq: 1, occurredAt: '2026-11-25T10:00:00.000Z', kind: 'drift.opened', data: { driftId: 'd0', i: 0 }, prevHash: GENESIS_HASH });
      rows.forEach((row, i) => {
        expect(row.prevHash).toBe(i === 0 ? GENESIS_HASH : rows[i - 1].hash);
        expect(row.hash).toBe([...first, ...second][i].hash);
        expect(entryHash(row.prevHash, row)).toBe(row.hash);
      });
    });

    it('stores the data so that the hash computed before jsonb still holds after it', async () => {
      const [row] = (await auditor('/ledger?afterSeq=10&limit=1').expect(200)).body.items as LedgerRow[];
      expect(row.data).toEqual(awkward);
      expect(Object.keys(row.data)).not.toContain('omitted');
      expect(entryHash(row.prevHash, row)).toBe(row.hash);
    });

    it('keeps seqs gapless when several transactions append at once', async () => {
      const results = await Promise.all(
        Array.from({ length: 4 }, (_, n) => append(Array.from({ length: 5 }, (_, i) => ({ kind: 'drift.resolved', data: { n, i } })))),
      );
      expect(results.flat().map((r) => r.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 21));
      for (const batch of results) expect(batch.map((r) => r.seq)).toEqual(Array.from({ length: 5 }, (_, i) => batch[0].seq + i));
      expect(await verify()).toMatchObject({ ok: true, entriesChecked: 40, headSeq: 40 });
    });

    it('writes nothing for an empty list, and nothing when the caller rolls back', async () => {
      expect(await append([])).toEqual([]);
      await expect(
        ds.transaction(async (em) => {
          await t.app.get(EvidenceLedger).append(em, [{ kind: 'drift.opened', data: {}, occurredAt: new Date() }]);
          throw new Error('the change it records failed');
        }),
      ).rejects.toThrow('the change it records failed');
      expect((await readAll()).length).toBe(40);
    });

    it('refuses to append outside a transaction, or data jsonb would not store faithfully', async () => {
      await expect(t.app.get(EvidenceLedger).append(ds.manager, [{ kind: 'drift.opened', data: {}, occurredAt: new Date() }])).rejects.toThrow('inside a transaction');
      await expect(append([{ kind: 'drift.opened', data: { s: 'nul\u0000' } }])).rejects.toThrow('U+0000');
      expect((await readAll()).length).toBe(40);
    });
  });

  describe('GET /evidence/ledger validation', () => {
    it.each([
      ['limit=1001', 'limit must not be greater than 1000'],
      ['limit=0', 'limit must not be less than 1'],
      ['afterSeq=-1', 'afterSeq must not be less than 0'],
      ['afterSeq=abc', 'afterSeq must be an integer number'],
      ['limit=2.5', 'limit must be an integer number'],
      ['cursor=x', 'property cursor should not exist'],
    ])('answers 400 to %s', async (query, message) => {
      const res = await auditor(`/ledger?${query}`).expect(400);
      expect(res.body.message).toEqual(expect.arrayContaining([message]));
    });

    it('defaults to 100 items from the start', async () => {
      const body = (await auditor('/ledger').expect(200)).body;
      expect(body.items.length).toBe(40);
      expect(body.nextAfterSeq).toBeNull();
    });
  });

  describe('checkpoints', () => {
    it('signs the head when it moved, once, with the served key', async () => {
      const checkpointer = t.app.get(EvidenceCheckpointer);
      const written = await checkpointer.checkpointNow();
      expect(written).toMatchObject({ status: 'written', checkpoint: { seq: 40 } });
      expect(await checkpointer.checkpointNow()).toMatchObject({ status: 'unchanged', checkpoint: { seq: 40 } });
      // Not due: the last checkpoint is younger than TOLLGATE_CHECKPOINT_INTERVAL_SECONDS.
      expect(await checkpointer.tick()).toBeNull();

      const key = (await auditor('/public-key').expect(200)).body;
      expect(key).toEqual({ algorithm: 'Ed25519', keyId: expect.stringMatching(/^[0-9a-f]{16}$/), publicKeyPem: expect.stringContaining('BEGIN PUBLIC KEY') });
      const { items } = (await auditor('/checkpoints').expect(200)).body;
      expect(items).toEqual([{ seq: 40, hash: (await readAll())[39].hash, signedAt: expect.any(String), keyId: key.keyId, signature: expect.any(String) }]);
      expect(verifyCheckpoint(items[0], key.publicKeyPem)).toBe(true);
    });

    it('signs again after more entries, and the whole ledger verifies against both', async () => {
      await append(Array.from({ length: 5 }, (_, i) => ({ kind: 'exception.expired', data: { i } })));
      expect(await t.app.get(EvidenceCheckpointer).checkpointNow()).toMatchObject({ status: 'written', checkpoint: { seq: 45 } });
      expect(await verify()).toEqual({
        ok: true, entriesChecked: 45, headSeq: 45, headHash: (await readAll())[44].hash,
        firstBadSeq: null, problem: null, checkpointsChecked: 2, lastCheckpointSeq: 45,
      });
    });
  });

  describe('append-only tables', () => {
    it.each([
      ['UPDATE evidence_ledger SET kind = $$drift.resolved$$ WHERE seq = 3', 'evidence_ledger is append-only'],
      ['DELETE FROM evidence_ledger WHERE seq = 45', 'evidence_ledger is append-only'],
      ['TRUNCATE evidence_ledger', 'evidence_ledger is append-only'],
      ['UPDATE evidence_checkpoints SET hash = repeat($$0$$, 64)', 'evidence_checkpoints is append-only'],
      ['DELETE FROM evidence_checkpoints', 'evidence_checkpoints is append-only'],
      ['TRUNCATE evidence_checkpoints', 'evidence_checkpoints is append-only'],
    ])('refuses %s, even to the app itself', async (sql, message) => {
      await expect(ds.query(sql)).rejects.toThrow(message);
      expect(await verify()).toMatchObject({ ok: true, entriesChecked: 45, checkpointsChecked: 2 });
    });
  });

  describe('tampering by someone who can disable the triggers', () => {
    /** What a superuser (the test's database user is one) can do; the triggers only stop everyone else. */
    const tamper = async (...statements: string[]) => {
      await ds.query('ALTER TABLE evidence_ledger DISABLE TRIGGER USER');
      await ds.query('ALTER TABLE evidence_checkpoints DISABLE TRIGGER USER');
      try {
        for (const sql of statements) await ds.query(sql);
      } finally {
        await ds.query('ALTER TABLE evidence_ledger ENABLE TRIGGER USER');
        await ds.query('ALTER TABLE evidence_checkpoints ENABLE TRIGGER USER');
      }
    };

    beforeAll(async () => {
      await ds.query('CREATE TABLE e2e_ledger_backup AS SELECT * FROM evidence_ledger');
      await ds.query('CREATE TABLE e2e_checkpoints_backup AS SELECT * FROM evidence_checkpoints');
    });

    afterEach(async () => {
      await tamper(
        'DELETE FROM evidence_ledger',
        'DELETE FROM evidence_checkpoints',
        'INSERT INTO evidence_ledger SELECT * FROM e2e_ledger_backup',
        'INSERT INTO evidence_checkpoints SELECT * FROM e2e_checkpoints_backup',
      );
      expect(await verify()).toMatchObject({ ok: true, entriesChecked: 45, checkpointsChecked: 2 });
    });

    it.each([
      ['a row whose data was edited', [`UPDATE evidence_ledger SET data = jsonb_set(data, '{i}', '99') WHERE seq = 7`], 7, 'hash of seq 7 does not match its content'],
      ['a row whose kind was edited', [`UPDATE evidence_ledger SET kind = 'drift.resolved' WHERE seq = 2`], 2, 'hash of seq 2 does not match'],
      ['a row whose time was moved', [`UPDATE evidence_ledger SET occurred_at = occurred_at + interval '1 ms' WHERE seq = 12`], 12, 'hash of seq 12'],
      ['a deleted middle row', ['DELETE FROM evidence_ledger WHERE seq = 10'], 10, 'seq 10 is missing'],
      [
        'two rows whose contents were swapped',
        [
          `UPDATE evidence_ledger l SET occurred_at = o.occurred_at, kind = o.kind, data = o.data, prev_hash = o.prev_hash, hash = o.hash
             FROM e2e_ledger_backup o WHERE (l.seq, o.seq) IN ((5, 6), (6, 5))`,
        ],
        5,
        'prev_hash of seq 5 is not the hash of seq 4',
      ],
      ['a tail truncated below a checkpoint', ['DELETE FROM evidence_ledger WHERE seq > 42'], 43, 'the ledger ends at seq 42 but a signed checkpoint covers seq 45'],
      ['a checkpoint whose claim was altered', [`UPDATE evidence_checkpoints SET signed_at = signed_at - interval '1 day' WHERE seq = 40`], 40, 'the checkpoint at seq 40 has an invalid signature'],
    ])('names %s', async (_, statements, firstBadSeq, problem) => {
      await tamper(...statements);
      const report = await verify();
      expect(report).toMatchObject({ ok: false, firstBadSeq });
      expect(report.problem).toContain(problem);
      expect(t.app.get(EvidenceCheckpointer).chainOk).toBe(false);
    });

    it('names the checkpoint when history was rewritten and re-hashed consistently', async () => {
      const rows = await readAll();
      rows[29].data = { forged: true };
      for (let i = 29; i < rows.length; i++) {
        rows[i].prevHash = rows[i - 1].hash;
        rows[i].hash = entryHash(rows[i].prevHash, rows[i]);
      }
      await tamper(
        ...rows.slice(29).map(
          (r) => `UPDATE evidence_ledger SET data = '${JSON.stringify(r.data)}', prev_hash = '${r.prevHash}', hash = '${r.hash}' WHERE seq = ${r.seq}`,
        ),
      );
      const report = await verify();
      expect(report).toMatchObject({ ok: false, firstBadSeq: 40, entriesChecked: 40, checkpointsChecked: 0 });
      expect(report.problem).toContain('does not match the signed checkpoint');
    });

    it('the checkpoint job refuses to sign a head whose recent entries do not verify', async () => {
      await tamper('DELETE FROM evidence_checkpoints WHERE seq = 45', `UPDATE evidence_ledger SET kind = 'drift.opened' WHERE seq = 43`);
      expect(await t.app.get(EvidenceCheckpointer).checkpointNow()).toMatchObject({ status: 'refused', firstBadSeq: 43 });
      expect((await auditor('/checkpoints').expect(200)).body.items.map((c: { seq: number }) => c.seq)).toEqual([40]);
    });
  });

  describe('the offline verifier (scripts/evidence-verify)', () => {
    let exportFile: string;
    let pemFile: string;

    beforeAll(() => {
      exportFile = join(dir, 'export.json');
      pemFile = join(dir, 'tollgate.pem');
    });

    it('verifies from the API, warns that no key was pinned, and saves an export', async () => {
      const { lines, out } = output();
      expect(await run(['--url', t.url, '--save', exportFile], out, { TOLLGATE_API_KEY: auditorKey })).toBe(0);
      expect(lines.log).toEqual([
        `saved 45 entries, 2 checkpoint(s) and the signed head to ${exportFile}`,
        expect.stringMatching(/^evidence ledger OK: 45 entries, head seq 45 \([0-9a-f]{64}\), 2 signed checkpoint\(s\) verified, the last at seq 45$/),
        expect.stringMatching(/^the copy holds every entry up to the signed head at seq 45 \(signed \S+ with key [0-9a-f]{16}\)$/),
      ]);
      expect(lines.error.join('\n')).toContain('warning: no --public-key pinned');
      const saved = JSON.parse(readFileSync(exportFile, 'utf8')) as EvidenceExport;
      expect(saved.entries.length).toBe(45);
      writeFileSync(pemFile, saved.publicKeyPem);
    });

    it('streams from the API with a pinned key, without warnings', async () => {
      const { lines, out } = output();
      expect(await run(['--url', t.url, '--public-key', pemFile], out, { TOLLGATE_API_KEY: auditorKey })).toBe(0);
      expect(lines.error).toEqual([]);
    });

    it('verifies a saved file', async () => {
      const { lines, out } = output();
      expect(await run(['--file', exportFile, '--public-key', pemFile], out, {})).toBe(0);
      expect(lines.log[0]).toContain('evidence ledger OK: 45 entries');
    });

    it('fails a tampered file, naming the seq', async () => {
      const exported = JSON.parse(readFileSync(exportFile, 'utf8')) as EvidenceExport;
      exported.entries[11].data = { ...exported.entries[11].data, until: '2099-01-01T00:00:00.000Z' };
      const tampered = join(dir, 'tampered.json');
      writeFileSync(tampered, JSON.stringify(exported));
      const { lines, out } = output();
      expect(await run(['--file', tampered, '--public-key', pemFile], out, {})).toBe(1);
      expect(lines.log[0]).toBe('evidence ledger BROKEN at seq 12: the hash of seq 12 does not match its content: its kind, occurredAt, data or stored hash was altered');
    });

    it('fails when the checkpoints were signed by a key other than the pinned one', async () => {
      const otherPem = join(dir, 'other.pem');
      writeFileSync(otherPem, new CheckpointSigner(Buffer.alloc(32, 3)).publicKeyPem);
      const { lines, out } = output();
      expect(await run(['--file', exportFile, '--public-key', otherPem], out, {})).toBe(1);
      expect(lines.error.join('\n')).toContain('which is not among the pinned keys');
      expect(lines.log[0]).toMatch(/^evidence ledger BROKEN at seq 40: the checkpoint at seq 40 was signed with key [0-9a-f]{16}, which is not among the verifying keys/);
    });

    it('exits 2 when the server refuses the key', async () => {
      const { lines, out } = output();
      expect(await run(['--url', t.url], out, { TOLLGATE_API_KEY: viewerKey })).toBe(2);
      expect(lines.error.join('\n')).toContain('HTTP 403');
    });

    it('refuses a key on the command line, where npm would echo it, and reads TOLLGATE_API_KEY', async () => {
      const { lines, out } = output();
      expect(await run(['--url', t.url, '--key', auditorKey], out, { TOLLGATE_API_KEY: auditorKey })).toBe(2);
      expect(lines.error.join('\n')).toMatch(/^--key is not accepted: .*Set TOLLGATE_API_KEY instead/);
      expect(lines.error.join('\n')).not.toContain(auditorKey);
      expect(await run(['--url', t.url], output().out, {})).toBe(2);
      expect(await run(['--url', t.url], output().out, { TOLLGATE_API_KEY: auditorKey })).toBe(0);
    });

    it('--help explains the inputs, the key variable and the exit codes', async () => {
      const { lines, out } = output();
      expect(await run(['--help'], out, {})).toBe(0);
      expect(lines.log.join('\n')).toMatch(/TOLLGATE_API_KEY[\s\S]*--file[\s\S]*GET \/api\/v1\/evidence\/ledger[\s\S]*Exit codes/);
    });

    describe('a copy whose newest entries were cut off', () => {
      let cutFile: string;

      beforeAll(async () => {
        // Three entries after the last checkpoint (seq 45): no stored checkpoint covers them.
        await append([46, 47, 48].map((n) => ({ kind: 'drift.opened', data: { driftId: `tail-${n}` } })));
        const { out } = output();
        expect(await run(['--url', t.url, '--save', exportFile, '--public-key', pemFile], out, { TOLLGATE_API_KEY: auditorKey })).toBe(0);
        const exported = JSON.parse(readFileSync(exportFile, 'utf8')) as EvidenceExport;
        expect({ entries: exported.entries.length, head: exported.head?.seq, checkpoints: exported.checkpoints.map((c) => c.seq) }).toEqual({
          entries: 48, head: 48, checkpoints: [40, 45],
        });
        cutFile = join(dir, 'cut.json');
        writeFileSync(cutFile, JSON.stringify({ ...exported, entries: exported.entries.slice(0, 45) }));
      });

      it('GET /evidence/head signs the newest entry at request time and stores no checkpoint', async () => {
        const before = (await auditor('/checkpoints').expect(200)).body.items.length;
        const head = (await auditor('/head').expect(200)).body;
        const newest = (await readAll()).at(-1)!;
        expect(head).toEqual({ seq: 48, hash: newest.hash, signedAt: expect.any(String), keyId: expect.stringMatching(/^[0-9a-f]{16}$/), signature: expect.any(String) });
        expect(Date.now() - Date.parse(head.signedAt)).toBeLessThan(60_000);
        expect(verifyCheckpoint(head, readFileSync(pemFile, 'utf8'))).toBe(true);
        expect((await auditor('/checkpoints').expect(200)).body.items.length).toBe(before);
      });

      it('fails against the signed head in the export, naming the missing seqs', async () => {
        const { lines, out } = output();
        expect(await run(['--file', cutFile, '--public-key', pemFile], out, {})).toBe(1);
        expect(lines.log[0]).toBe(
          'evidence ledger BROKEN at seq 46: the ledger ends at seq 45 but a signed checkpoint covers seq 48: rows 46..48 or more were removed (truncated)',
        );
      });

      it('fails against the live head with --url', async () => {
        const exported = JSON.parse(readFileSync(cutFile, 'utf8')) as EvidenceExport;
        const headless = join(dir, 'cut-headless.json');
        writeFileSync(headless, JSON.stringify({ ...exported, head: undefined }));
        // Without a head only the stored checkpoints speak, and none covers the tail: the cut copy passes.
        const offline = output();
        expect(await run(['--file', headless, '--public-key', pemFile], offline.out, {})).toBe(0);
        expect(offline.lines.log[0]).toMatch(/^evidence ledger OK: 45 entries/);
        const { lines, out } = output();
        expect(await run(['--file', headless, '--public-key', pemFile, '--url', t.url], out, { TOLLGATE_API_KEY: auditorKey })).toBe(1);
        expect(lines.log[0]).toMatch(/^evidence ledger BROKEN at seq 46: .*rows 46\.\.48 or more were removed/);
      });

      it('reads the pages GET /evidence/ledger returns: concatenated in one file, or a directory of them', async () => {
        const pages: string[] = [];
        for (let afterSeq: number | null = 0; afterSeq !== null; ) {
          const res: request.Response = await auditor(`/ledger?afterSeq=${afterSeq}&limit=20`).expect(200);
          pages.push(res.text);
          afterSeq = res.body.nextAfterSeq;
        }
        expect(pages.length).toBe(3);
        const concatenated = join(dir, 'pages.json');
        writeFileSync(concatenated, pages.join('\n'));
        const ok = output();
        expect(await run(['--file', concatenated, '--public-key', pemFile], ok.out, {})).toBe(0);
        expect(ok.lines.log[0]).toMatch(/^evidence ledger OK: 48 entries, head seq 48 .*1 signed checkpoint\(s\) verified, the last at seq 45$/);

        // A directory, its file names out of seq order, with the last page missing: the live head catches it.
        const pagesDir = mkdtempSync(join(dir, 'pages-'));
        writeFileSync(join(pagesDir, 'b.json'), pages[0]);
        writeFileSync(join(pagesDir, 'a.json'), pages[1]);
        const cut = output();
        expect(await run(['--file', pagesDir, '--url', t.url], cut.out, { TOLLGATE_API_KEY: auditorKey })).toBe(1);
        expect(cut.lines.log[0]).toMatch(/^evidence ledger BROKEN at seq 41: the ledger ends at seq 40 but a signed checkpoint covers seq 45: rows 41\.\.45/);

        // Pages carry no public key: one must be given.
        const nokey = output();
        expect(await run(['--file', concatenated], nokey.out, {})).toBe(2);
        expect(nokey.lines.error[0]).toContain('carries no public key');
      });
    });
  });

  describe('roles', () => {
    const routes = ['/ledger', '/verify', '/checkpoints', '/public-key', '/head'];

    it.each(routes)('GET /evidence%s: viewer 403, auditor and admin 200, no key 401', async (path) => {
      await as(viewerKey, path).expect(403);
      await as(auditorKey, path).expect(200);
      await t.api().get(`/evidence${path}`).expect(200);
      await request(t.url).get(`/api/v1/evidence${path}`).expect(401);
    });
  });
});
