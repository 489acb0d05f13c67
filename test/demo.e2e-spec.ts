import { mkdtempSync, mkdirSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resetDataDir, startDemo, type RunningDemo } from '../scripts/demo';
import { eventually } from './support/tollgate';

interface ConnectionView {
  id: string;
  name: string;
  status: { lastPollAt: string | null; lastSuccessAt: string | null; lastFailure: { reason: string } | null };
}

async function connections(demo: RunningDemo): Promise<ConnectionView[]> {
  const res = await fetch(`${demo.api}/api/v1/connections?limit=100`, { headers: { authorization: `Bearer ${demo.adminKey}` } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: ConnectionView[] }).items;
}

/** Every demo connection has a successful poll that finished after `since`. */
async function allPolledSince(demo: RunningDemo, since: Date): Promise<ConnectionView[]> {
  return eventually(
    'every demo connection polling successfully',
    async () => {
      const items = await connections(demo);
      const ok = items.length === demo.connections.length && items.every((c) => c.status.lastSuccessAt !== null && new Date(c.status.lastSuccessAt) > since && c.status.lastFailure === null);
      return ok ? items : undefined;
    },
    60_000,
  );
}

// The demo runs on the embedded database (as `npm run demo` does), in a data dir of its own.
describe('npm run demo', () => {
  const root = mkdtempSync(join(tmpdir(), 'tollgate-demo-'));
  const dataDir = join(root, 'state');
  // The banner's admin key must not come from the environment here: the demo keeps its own.
  const env = { TOLLGATE_DATA_DIR: dataDir, TOLLGATE_LOG_LEVEL: 'error' as const };
  let demo: RunningDemo | undefined;

  afterEach(async () => {
    await demo?.close();
    demo = undefined;
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  let first: { adminKey: string; ids: string[]; simUrl: string };

  it('starts, connects every simulated tenant and polls them, with an admin key kept in the data dir (0600)', async () => {
    const started = new Date();
    demo = await startDemo({ port: 0, simPort: 0, env });
    expect(demo.connections.map((c) => c.name)).toEqual(['Acme (demo)', 'Globex (demo)', 'Initech (demo)', 'Contoso M365 (demo)', 'Fabrikam Workspace (demo)']);
    await allPolledSince(demo, started);
    expect(statSync(join(dataDir, 'demo-admin-key')).mode & 0o777).toBe(0o600);
    first = { adminKey: demo.adminKey, ids: demo.connections.map((c) => c.id), simUrl: demo.sim.url };
  }, 120_000);

  it('starts again on the same data dir with the simulator on another port: same key, same connections, every one polls', async () => {
    const restarted = new Date();
    demo = await startDemo({ port: 0, simPort: 0, env });
    expect(demo.sim.url).not.toBe(first.simUrl);
    expect(demo.adminKey).toBe(first.adminKey);
    const polled = await allPolledSince(demo, restarted);
    expect(polled.map((c) => c.id).sort()).toEqual([...first.ids].sort());
  }, 120_000);

  it('--reset starts over: a new admin key and new connections', async () => {
    const started = new Date();
    demo = await startDemo({ port: 0, simPort: 0, env, reset: true });
    expect(demo.adminKey).not.toBe(first.adminKey);
    const polled = await allPolledSince(demo, started);
    expect(polled).toHaveLength(5);
    for (const c of polled) expect(first.ids).not.toContain(c.id);
  }, 120_000);

  it('--reset deletes nothing that is not a Tollgate data dir', () => {
    const other = join(root, 'photos');
    mkdirSync(other);
    writeFileSync(join(other, 'holiday.jpg'), 'x');
    expect(() => resetDataDir(other)).toThrow(/does not look like a Tollgate data dir/);
    expect(existsSync(join(other, 'holiday.jpg'))).toBe(true);
    expect(() => resetDataDir(process.cwd())).toThrow(/refuses to delete/);
    expect(() => resetDataDir('/')).toThrow(/refuses to delete/);
  });
});
