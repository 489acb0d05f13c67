import { request } from 'node:http';
import { compliantSlackTenant } from '../slack/slack-tenant.fixtures';
import { useProviderSim } from '../testing/sim-spec.support';

const TOKEN = 'xoxp-spec-faults';

/** Raw GET that reports a reset socket instead of throwing, and counts body bytes without parsing. */
function rawGet(url: string, token: string): Promise<{ status?: number; bytes: number; text: string; error?: string }> {
  return new Promise((resolve) => {
    const req = request(url, { headers: { authorization: `Bearer ${token}` } }, (res) => {
      let bytes = 0;
      let text = '';
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (text.length < 200) text += chunk.toString('utf8');
      });
      res.on('end', () => resolve({ status: res.statusCode, bytes, text }));
      res.on('error', (err: NodeJS.ErrnoException) => resolve({ status: res.statusCode, bytes, text, error: err.code }));
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ bytes: 0, text: '', error: err.code ?? err.message }));
    req.end();
  });
}

describe('fault injection', () => {
  const { sim, slack, control } = useProviderSim();

  beforeEach(() => {
    sim().state.slack.put(TOKEN, compliantSlackTenant(TOKEN));
  });

  it('answers a status fault with Retry-After for the given number of times', async () => {
    const armed = await control('POST', '/_sim/faults', {
      provider: 'slack',
      method: 'team.info',
      kind: 'status',
      status: 429,
      retryAfter: 2,
      times: 1,
    });
    expect(armed.status).toBe(201);
    const first = await slack('team.info', TOKEN);
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('2');
    expect(first.body).toEqual({ ok: false, error: 'ratelimited' });
    expect((await slack('team.info', TOKEN)).status).toBe(200);
  });

  it('matches methods by glob and tenants by token', async () => {
    await control('POST', '/_sim/faults', { method: 'admin.apps.*', token: TOKEN, kind: 'status', status: 503 });
    expect((await slack('admin.apps.approved.list', TOKEN)).status).toBe(503);
    expect((await slack('admin.apps.restricted.list', TOKEN)).body).toEqual({ ok: false, error: 'service_unavailable' });
    expect((await slack('admin.teams.list', TOKEN)).status).toBe(200);
    expect((await slack('admin.apps.approved.list', 'xoxp-other')).body.error).toBe('invalid_auth');
  });

  it('is disarmed by DELETE /_sim/faults', async () => {
    await control('POST', '/_sim/faults', { kind: 'status', status: 500 });
    expect((await slack('team.info', TOKEN)).status).toBe(500);
    expect((await control('DELETE', '/_sim/faults')).status).toBe(200);
    expect((await slack('team.info', TOKEN)).status).toBe(200);
  });

  it('delays the answer with a slow fault', async () => {
    await control('POST', '/_sim/faults', { kind: 'slow', delayMs: 150, times: 1 });
    const started = Date.now();
    expect((await slack('team.info', TOKEN)).body.ok).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('sends malformed JSON with status 200', async () => {
    await control('POST', '/_sim/faults', { kind: 'malformed' });
    const res = await rawGet(`${sim().url}/slack/api/team.info`, TOKEN);
    expect(res.status).toBe(200);
    expect(() => JSON.parse(res.text)).toThrow();
  });

  it('returns a list field as a string, or drops it, with wrong-shape', async () => {
    await control('POST', '/_sim/faults', { method: 'admin.teams.list', kind: 'wrong-shape', times: 1 });
    expect((await slack('admin.teams.list', TOKEN)).body).toMatchObject({ ok: true, teams: 'unexpected' });
    await control('POST', '/_sim/faults', { method: 'admin.teams.list', kind: 'wrong-shape', variant: 'missing' });
    const res = await slack('admin.teams.list', TOKEN);
    expect(res.body.ok).toBe(true);
    expect(res.body).not.toHaveProperty('teams');
  });

  it('destroys the connection with reset', async () => {
    await control('POST', '/_sim/faults', { kind: 'reset' });
    const res = await rawGet(`${sim().url}/slack/api/team.info`, TOKEN);
    expect(res.status).toBeUndefined();
    expect(res.error).toBe('ECONNRESET');
  });

  it('streams a body of the asked size with huge', async () => {
    await control('POST', '/_sim/faults', { kind: 'huge', sizeMb: 2 });
    const res = await rawGet(`${sim().url}/slack/api/admin.users.list`, TOKEN);
    expect(res.status).toBe(200);
    expect(res.bytes).toBeGreaterThanOrEqual(2 * 1024 * 1024);
    expect(res.text.startsWith('{"ok":true,')).toBe(true);
  });

  it('hands out a new non-empty cursor every time with endless-paging', async () => {
    await control('POST', '/_sim/faults', { method: 'admin.users.list', kind: 'endless-paging' });
    const cursors = new Set<string>();
    let cursor = '';
    for (let i = 0; i < 5; i++) {
      const { body } = await slack('admin.users.list', TOKEN, cursor ? { cursor } : {});
      cursor = (body.response_metadata as { next_cursor: string }).next_cursor;
      expect(cursor).not.toBe('');
      cursors.add(cursor);
    }
    expect(cursors.size).toBe(5);
  });

  it('never stops paging team.integrationLogs with endless-paging', async () => {
    await control('POST', '/_sim/faults', { method: 'team.integrationLogs', kind: 'endless-paging' });
    const { body } = await slack('team.integrationLogs', TOKEN, { team_id: 'T0SIMHQ001', page: '7' });
    expect(body.paging).toMatchObject({ page: 7, pages: 8 });
  });

  it('rejects an unknown kind or a missing field with 400', async () => {
    expect((await control('POST', '/_sim/faults', { kind: 'explode' })).status).toBe(400);
    const res = await control('POST', '/_sim/faults', { kind: 'status' });
    expect(res.status).toBe(400);
    expect(String(res.body.message)).toContain('status');
  });
});
