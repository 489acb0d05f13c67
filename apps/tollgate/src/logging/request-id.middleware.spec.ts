import type { LoggerService } from '@nestjs/common';
import express from 'express';
import request from 'supertest';
import { Writable } from 'node:stream';
import { createTollgateLogger } from './tollgate-logger';
import { requestIdMiddleware } from './request-id.middleware';

function appWithLog() {
  const lines: { level: string; message: Record<string, unknown>; context: unknown }[] = [];
  const logger: LoggerService = {
    log: (message, context) => lines.push({ level: 'log', message, context }),
    debug: (message, context) => lines.push({ level: 'debug', message, context }),
    warn: (message, context) => lines.push({ level: 'warn', message, context }),
    error: (message, context) => lines.push({ level: 'error', message, context }),
  };
  const inner: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      const { time: _time, ...line } = JSON.parse(chunk.toString()) as Record<string, unknown>;
      inner.push(line);
      done();
    },
  });
  const handlerLog = createTollgateLogger('info', sink as never);
  const app = express();
  app.use(requestIdMiddleware(logger));
  app.get('/things', (_req, res) => {
    handlerLog.log({ message: 'handling' });
    res.status(201).json({ ok: true });
  });
  app.get('/healthz', (_req, res) => res.json({ status: 'ok' }));
  app.get('/refused/:status', (req, res) => res.status(Number(req.params.status)).json({}));
  return { app, lines, inner };
}

describe('requestIdMiddleware', () => {
  it('generates an id, echoes it, and writes one access line without the query string', async () => {
    const { app, lines, inner } = appWithLog();
    const res = await request(app).get('/things?token=abc').set('Authorization', 'Bearer abc').expect(201);
    const id = res.headers['x-request-id'];
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    await new Promise((r) => setImmediate(r));
    expect(lines).toEqual([
      { level: 'log', context: 'HttpAccess', message: { message: 'request', method: 'GET', path: '/things', status: 201, durationMs: expect.any(Number), requestId: id } },
    ]);
    expect(inner).toEqual([{ level: 'info', msg: 'handling', requestId: id }]);
  });

  it('keeps a sane id from the caller and replaces anything else', async () => {
    const { app } = appWithLog();
    expect((await request(app).get('/things').set('x-request-id', 'gw-42:abc.DEF').expect(201)).headers['x-request-id']).toBe('gw-42:abc.DEF');
    const odd = (await request(app).get('/things').set('x-request-id', 'has spaces <script>').expect(201)).headers['x-request-id'];
    expect(odd).toMatch(/^[0-9a-f-]{36}$/);
    const long = (await request(app).get('/things').set('x-request-id', 'a'.repeat(200)).expect(201)).headers['x-request-id'];
    expect(long).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('logs probes at debug level', async () => {
    const { app, lines } = appWithLog();
    await request(app).get('/healthz').expect(200);
    await new Promise((r) => setImmediate(r));
    expect(lines.map((l) => [l.level, l.message.path])).toEqual([['debug', '/healthz']]);
  });

  it('logs refusals (4xx) at warn and failures (5xx) at error', async () => {
    const { app, lines } = appWithLog();
    for (const status of [400, 413, 415, 429, 500]) await request(app).get(`/refused/${status}`).expect(status);
    await new Promise((r) => setImmediate(r));
    expect(lines.map((l) => [l.level, l.message.status])).toEqual([['warn', 400], ['warn', 413], ['warn', 415], ['warn', 429], ['error', 500]]);
  });
});
