import { parseArgs, run, UsageError } from './evidence-verify';

describe('evidence-verify arguments', () => {
  it('reads a URL, a key and pinned public keys', () => {
    expect(parseArgs(['--url', 'http://tollgate:8080/', '--key', 'k', '--public-key', 'a.pem', '--public-key', 'b.pem', '--save', 'out.json'], {})).toEqual({
      source: 'url', url: 'http://tollgate:8080', key: 'k', publicKeyFiles: ['a.pem', 'b.pem'], save: 'out.json',
    });
  });

  it('takes the key from TOLLGATE_API_KEY so it stays out of the process list', () => {
    expect(parseArgs(['--url', 'https://tollgate.example'], { TOLLGATE_API_KEY: 'from-env' })).toMatchObject({ key: 'from-env' });
  });

  it('reads a file', () => {
    expect(parseArgs(['--file', 'export.json'], {})).toEqual({ source: 'file', file: 'export.json', publicKeyFiles: [] });
  });

  it.each([
    [[], 'give --url or --file'],
    [['--url', 'http://x', '--file', 'f'], 'not both'],
    [['--url', 'http://x'], 'an API key is required'],
    [['--url', 'ftp://x', '--key', 'k'], 'must be http(s)'],
    [['--url', 'not a url', '--key', 'k'], '--url is not a URL'],
    [['--url'], '--url needs a value'],
    [['--url', '--key'], '--url needs a value'],
    [['--verbose'], 'unknown argument --verbose'],
    [['--file', 'f', '--save', 'g'], '--key and --save go with --url'],
    [['--file', 'f', '--file', 'g'], '--file given twice'],
  ])('refuses %j', (argv, message) => {
    expect(() => parseArgs(argv, {})).toThrow(UsageError);
    expect(() => parseArgs(argv, {})).toThrow(message);
  });

  it('exits 2 with the usage on bad arguments and on an unreadable file', async () => {
    const errors: string[] = [];
    const out = { log: () => undefined, error: (line: string) => errors.push(line) };
    expect(await run(['--nope'], out, {})).toBe(2);
    expect(errors[0]).toContain('usage:');
    expect(await run(['--file', '/nonexistent/export.json'], out, {})).toBe(2);
    expect(errors[1]).toContain('cannot read /nonexistent/export.json');
  });
});
