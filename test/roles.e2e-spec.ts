import request from 'supertest';
import { ROLES, type Role } from '@tollgate/auth';
import { createTestDatabase, type TestDatabase } from './support/database';
import { keyFor } from './support/keys';
import { startTollgate, type RunningTollgate } from './support/tollgate';

const NOBODY = '00000000-0000-4000-8000-000000000000';
// Scoped keys are scoped to a connection that does not exist: what they may do must not depend on it.
const SCOPE = '11111111-1111-4111-8111-111111111111';
const READERS: Role[] = ['viewer', 'auditor', 'operator', 'approver'];

/**
 * Every route of the API with the roles allowed on it (admin always is), and whether a key scoped to
 * connections may use it at all (`unscoped`: only a key for all connections). The spec also checks
 * this table against the OpenAPI document, so a new route cannot ship without a row here.
 */
const MATRIX: { method: 'get' | 'post' | 'patch' | 'delete'; path: string; allowed: Role[]; body?: object; unscoped?: true }[] = [
  { method: 'get', path: '/connections', allowed: READERS },
  { method: 'post', path: '/connections', allowed: ['operator'], body: {}, unscoped: true },
  { method: 'get', path: '/connections/{id}', allowed: READERS },
  { method: 'patch', path: '/connections/{id}', allowed: ['operator'], body: {} },
  { method: 'delete', path: '/connections/{id}', allowed: ['operator'] },
  { method: 'post', path: '/connections/{id}/poll', allowed: ['operator'] },
  { method: 'get', path: '/connections/{id}/changes', allowed: READERS },
  { method: 'get', path: '/connections/{id}/changes/{changeId}', allowed: READERS },
  { method: 'post', path: '/connections/{id}/changes/{changeId}/approve', allowed: ['approver'], body: {} },
  { method: 'post', path: '/connections/{id}/changes/{changeId}/reject', allowed: ['approver'], body: {} },
  { method: 'get', path: '/connections/{id}/findings', allowed: READERS },
  { method: 'get', path: '/connections/{id}/snapshot', allowed: READERS },
  { method: 'get', path: '/baselines', allowed: READERS },
  { method: 'get', path: '/baselines/{id}', allowed: READERS },
  { method: 'post', path: '/baselines/validate', allowed: ['operator'], body: {} },
  { method: 'post', path: '/baselines/reload', allowed: [], unscoped: true },
  { method: 'get', path: '/drifts', allowed: READERS },
  { method: 'get', path: '/drifts/{id}', allowed: READERS },
  { method: 'get', path: '/reports/drift', allowed: READERS },
  { method: 'get', path: '/reports/posture', allowed: READERS },
  { method: 'get', path: '/reports/overview', allowed: READERS },
  { method: 'post', path: '/exceptions', allowed: ['operator', 'approver'], body: {} },
  { method: 'get', path: '/exceptions', allowed: READERS },
  { method: 'get', path: '/exceptions/{id}', allowed: READERS },
  { method: 'post', path: '/exceptions/{id}/approve', allowed: ['approver'], body: {} },
  { method: 'post', path: '/exceptions/{id}/reject', allowed: ['approver'], body: {} },
  { method: 'post', path: '/exceptions/{id}/revoke', allowed: ['approver'], body: {} },
  { method: 'post', path: '/attestations', allowed: ['approver'], body: {} },
  { method: 'get', path: '/attestations', allowed: READERS },
  { method: 'get', path: '/attestations/{id}', allowed: READERS },
  { method: 'post', path: '/attestations/{id}/revoke', allowed: ['approver'], body: {} },
  { method: 'get', path: '/evidence/ledger', allowed: ['auditor'] },
  { method: 'get', path: '/evidence/verify', allowed: ['auditor'] },
  { method: 'get', path: '/evidence/checkpoints', allowed: ['auditor'] },
  { method: 'get', path: '/evidence/head', allowed: ['auditor'] },
  { method: 'get', path: '/evidence/public-key', allowed: ['auditor'] },
  { method: 'get', path: '/audit-events', allowed: ['auditor'] },
  { method: 'post', path: '/api-keys', allowed: [], body: {}, unscoped: true },
  { method: 'get', path: '/api-keys', allowed: [], unscoped: true },
  { method: 'delete', path: '/api-keys/{id}', allowed: [], unscoped: true },
  { method: 'get', path: '/webhooks/deliveries', allowed: [] },
];

describe('role x route matrix', () => {
  let db: TestDatabase;
  let t: RunningTollgate;
  const keys = new Map<Role, string>();
  const scopedKeys = new Map<Role, string>();

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTollgate(db.env);
    for (const role of ROLES) keys.set(role, (await keyFor(t, role)).key);
    for (const role of ROLES) scopedKeys.set(role, (await keyFor(t, role, `scoped ${role}`, [SCOPE])).key);
  });

  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('covers every route of the OpenAPI document', async () => {
    const doc = (await request(t.url).get('/docs-json').expect(200)).body as { paths: Record<string, Record<string, unknown>> };
    // Probes and /metrics need no API key: they are outside the role model.
    const documented = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith('/api/v1/'))
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path.replace(/^\/api\/v1/, '')}`));
    expect(documented.sort()).toEqual(MATRIX.map((r) => `${r.method} ${r.path}`).sort());
  });

  const cases = MATRIX.flatMap((route) => ROLES.map((role) => ({ ...route, role, ok: role === 'admin' || route.allowed.includes(role) })));

  it.each(cases)('$method $path as $role: allowed=$ok', async ({ method, path, role, ok, body }) => {
    const req = request(t.url)[method](`/api/v1${path.replace('{id}', NOBODY).replace('{changeId}', NOBODY)}`).set('Authorization', `Bearer ${keys.get(role)}`);
    const res = await (body ? req.send(body) : req);
    if (ok) expect([401, 403]).not.toContain(res.status);
    else expect(res.status).toBe(403);
    expect(res.status).toBeLessThan(500);
  });

  const scopedCases = MATRIX.flatMap((route) =>
    ROLES.map((role) => ({ ...route, role, ok: !route.unscoped && (role === 'admin' || route.allowed.includes(role)) })),
  );

  it.each(scopedCases)('$method $path as $role scoped to a connection: allowed=$ok', async ({ method, path, role, ok, body }) => {
    const req = request(t.url)[method](`/api/v1${path.replace('{id}', NOBODY)}`).set('Authorization', `Bearer ${scopedKeys.get(role)}`);
    const res = await (body ? req.send(body) : req);
    if (ok) expect([401, 403]).not.toContain(res.status);
    else expect(res.status).toBe(403);
    expect(res.status).toBeLessThan(500);
  });

  it('records denied and successful mutations in the audit log', async () => {
    const denied = await request(t.url).post('/api/v1/api-keys').set('Authorization', `Bearer ${keys.get('operator')}`).send({ name: 'x', role: 'admin' });
    expect(denied.status).toBe(403);
    const events = (await request(t.url).get('/api/v1/audit-events?limit=500').set('Authorization', `Bearer ${keys.get('auditor')}`).expect(200)).body.items;
    expect(events).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ action: 'POST /api/v1/api-keys', outcome: 'denied', role: 'operator', status: 403 }),
        expect.objectContaining({ action: 'POST /api/v1/api-keys', outcome: 'success', role: 'admin', status: 201 }),
      ]),
    );
  });

  it('gives each audit entry the request id of its response, never raw client text', async () => {
    const mutate = (requestId?: string) => {
      const req = request(t.url).post('/api/v1/api-keys').set('Authorization', `Bearer ${keys.get('operator')}`);
      return (requestId === undefined ? req : req.set('x-request-id', requestId)).send({ name: 'x', role: 'admin' }).expect(403);
    };
    const own = await mutate('gateway-trace-1234');
    const none = await mutate();
    const junk = await mutate('<script>alert(1)</script>');
    const ids = [own, none, junk].map((r) => r.headers['x-request-id'] as string);
    expect(ids[0]).toBe('gateway-trace-1234');
    expect(ids[2]).not.toContain('<');
    const events: { requestId: string | null }[] = (
      await request(t.url).get('/api/v1/audit-events?limit=500').set('Authorization', `Bearer ${keys.get('auditor')}`).expect(200)
    ).body.items;
    for (const id of ids) expect(events.filter((e) => e.requestId === id)).toHaveLength(1);
    expect(events.some((e) => e.requestId?.includes('<'))).toBe(false);
  });
});
