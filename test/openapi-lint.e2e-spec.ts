import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { createTestDatabase, type TestDatabase } from './support/database';
import { startTollgate, type RunningTollgate } from './support/tollgate';

const ROOT = resolve(__dirname, '..');

interface LintProblem {
  ruleId: string;
  severity: 'error' | 'warn';
  message: string;
  location: { pointer?: string }[];
}

/**
 * The document the app serves, linted by Redocly with its recommended rules (redocly.yaml): the
 * client generators and doc renderers auditors use read it, so it must be clean, not merely parse.
 */
describe('GET /docs-json under redocly lint', () => {
  let db: TestDatabase;
  let t: RunningTollgate;
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-openapi-lint-'));

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTollgate(db.env);
  });

  afterAll(async () => {
    await t?.close();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports 0 errors and 0 warnings with the recommended rules', async () => {
    const doc = (await request(t.url).get('/docs-json').expect(200)).body as object;
    const file = join(dir, 'openapi.json');
    writeFileSync(file, JSON.stringify(doc));
    const { stdout } = await promisify(execFile)(
      join(ROOT, 'node_modules/.bin/redocly'),
      ['lint', file, '--config', join(ROOT, 'redocly.yaml'), '--format', 'json'],
      { cwd: ROOT, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' } },
    ).catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }));
    const { problems } = JSON.parse(stdout) as { problems: LintProblem[] };
    // Named one per line, so a failure says what to fix in which decorator.
    expect(problems.map((p) => `${p.severity} ${p.ruleId} at ${p.location[0]?.pointer ?? '?'}: ${p.message}`)).toEqual([]);
  });

  // The 400 documented on the probes (operation-4xx-response) is one they really give.
  it.each(['/healthz', '/readyz'])('GET %s with a body that is not JSON answers the documented 400', async (path) => {
    const res = await request(t.url).get(path).set('Content-Type', 'application/json').send('{"not json');
    expect({ status: res.status, statusCode: res.body.statusCode }).toEqual({ status: 400, statusCode: 400 });
  });
});
