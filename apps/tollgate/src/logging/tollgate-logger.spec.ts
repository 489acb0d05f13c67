import { Writable } from 'node:stream';
import { logContext } from './request-context';
import { createTollgateLogger, type TollgateLogLevel } from './tollgate-logger';

function capture(level: TollgateLogLevel = 'debug') {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  // pino writes to a destination stream synchronously through write(); a Writable collects them.
  return { logger: createTollgateLogger(level, sink as never), lines };
}

describe('TollgateLogger', () => {
  it('writes ISO-8601 times, level names and msg as a string', () => {
    const { logger, lines } = capture();
    logger.log({ message: 'poll succeeded', provider: 'slack' }, 'PollRunner');
    logger.warn('plain text', 'Ctx');
    logger.error(new Error('boom'));
    expect(lines).toEqual([
      { level: 'info', time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/), context: 'PollRunner', provider: 'slack', msg: 'poll succeeded' },
      { level: 'warn', time: expect.any(String), context: 'Ctx', msg: 'plain text' },
      expect.objectContaining({ level: 'error', msg: 'boom', err: expect.objectContaining({ message: 'boom' }) }),
    ]);
    for (const l of lines) expect(l).not.toHaveProperty('message');
  });

  it('redacts every level, fields, text and error stacks before writing', () => {
    const { logger, lines } = capture();
    logger.log({ message: 'a', token: 'xoxb-1' });
    logger.warn('Authorization: Bearer s3cr3t');
    logger.error({ message: 'b', credentials: { clientSecret: 'x' } }, 'stack with xoxp-9-9', 'Ctx');
    logger.debug({ message: 'c', headers: { authorization: 'Basic Zm9vOmJhcg==' } });
    logger.verbose('d ya29.token');
    logger.fatal({ message: 'e', password: 'hunter2' });
    logger.error(new Error('401 for Bearer leaked-in-error'));
    logger.error('failed', 'Error: x\n    at leaked xoxp-in-stack-1', 'ExceptionsHandler');
    const text = JSON.stringify(lines);
    for (const secret of ['xoxb-1', 's3cr3t', 'xoxp-9-9', 'Zm9vOmJhcg', 'hunter2', '"x"', 'leaked-in-error', 'xoxp-in-stack-1']) expect(text).not.toContain(secret);
    expect(text).toContain('[REDACTED]');
  });

  it('adds the request or poll being served as fields', () => {
    const { logger, lines } = capture();
    logContext.run({ requestId: 'req-1' }, () => logger.log({ message: 'inside' }));
    logContext.run({ pollId: 'p-1', connectionId: 'c-1', connectionName: 'Acme Slack' }, () => logger.warn({ message: 'slow page' }));
    logger.log({ message: 'outside' });
    expect(lines.map(({ time: _t, ...l }) => l)).toEqual([
      { level: 'info', requestId: 'req-1', msg: 'inside' },
      { level: 'warn', pollId: 'p-1', connectionId: 'c-1', connectionName: 'Acme Slack', msg: 'slow page' },
      { level: 'info', msg: 'outside' },
    ]);
  });

  it("puts Nest's module and route lines at debug, and honours the level", () => {
    const { logger, lines } = capture('info');
    logger.log('Mapped {/api/v1/drifts, GET} route', 'RouterExplorer');
    logger.log('AppModule dependencies initialized', 'InstanceLoader');
    logger.log({ message: 'tollgate started' }, 'Lifecycle');
    logger.debug('hidden at info');
    expect(lines.map((l) => l.msg)).toEqual(['tollgate started']);
    const debug = capture('debug');
    debug.logger.log('Mapped {/api/v1/drifts, GET} route', 'RouterExplorer');
    expect(debug.lines).toEqual([expect.objectContaining({ level: 'debug', context: 'RouterExplorer' })]);
  });
});
