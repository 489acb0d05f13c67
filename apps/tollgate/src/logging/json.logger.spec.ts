import { JsonLogger } from './json.logger';
import { requestContext } from './request-context';

class Captured extends JsonLogger {
  readonly lines: unknown[] = [];
  protected override printMessages(messages: unknown[]): void {
    this.lines.push(...messages);
  }
}

describe('JsonLogger', () => {
  const make = () => new Captured({ json: true, logLevels: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'] });

  it('redacts every level before printing', () => {
    const logger = make();
    logger.log({ message: 'a', token: 'xoxb-1' });
    logger.warn('Authorization: Bearer s3cr3t');
    logger.error({ message: 'b', credentials: { clientSecret: 'x' } }, 'stack with xoxp-9-9', 'Ctx');
    logger.debug({ message: 'c', headers: { authorization: 'Basic Zm9vOmJhcg==' } });
    logger.verbose('d ya29.token');
    logger.fatal({ message: 'e', password: 'hunter2' });
    const text = JSON.stringify(logger.lines);
    for (const secret of ['xoxb-1', 's3cr3t', 'xoxp-9-9', 'Zm9vOmJhcg', 'ya29.token', 'hunter2', '"x"']) expect(text).not.toContain(secret);
    expect(logger.lines).toHaveLength(6);
  });

  it('stamps object messages written while serving a request with its requestId', () => {
    const logger = make();
    requestContext.run({ requestId: 'req-1' }, () => logger.log({ message: 'inside' }));
    logger.log({ message: 'outside' });
    expect(logger.lines).toEqual([{ message: 'inside', requestId: 'req-1' }, { message: 'outside' }]);
  });
});
