import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, parseJsonSequence, readCopy, run, UsageError } from './evidence-verify';

describe('evidence-verify arguments', () => {
  it('reads a URL, the key from TOLLGATE_API_KEY and pinned public keys', () => {
    expect(parseArgs(['--url', 'http://tollgate:8080/', '--public-key', 'a.pem', '--public-key', 'b.pem', '--save', 'out.json'], { TOLLGATE_API_KEY: 'k' })).toEqual({
      source: 'url', url: 'http://tollgate:8080', key: 'k', publicKeyFiles: ['a.pem', 'b.pem'], save: 'out.json',
    });
  });

  it('takes the key from TOLLGATE_API_KEY so it stays out of the process list', () => {
    expect(parseArgs(['--url', 'https://tollgate.example'], { TOLLGATE_API_KEY: 'from-env' })).toMatchObject({ key: 'from-env' });
  });

  it('reads a file to check against the live head of a server', () => {
    expect(parseArgs(['--file', 'pages', '--url', 'https://t.example'], { TOLLGATE_API_KEY: 'k' })).toEqual({
      source: 'file', file: 'pages', publicKeyFiles: [], url: 'https://t.example', key: 'k',
    });
  });

  it('reads a file', () => {
    expect(parseArgs(['--file', 'export.json'], {})).toEqual({ source: 'file', file: 'export.json', publicKeyFiles: [] });
  });

  it.each([
    [[], 'give --url or --file'],
    [['--url', 'http://x', '--file', 'f'], 'an API key is required with --url'],
    [['--url', 'http://x'], 'an API key is required with --url: set TOLLGATE_API_KEY'],
    [['--url', 'http://x', '--key', 'k'], '--key is not accepted'],
    [['--url', 'http://x', '--key=k'], '--key is not accepted'],
    [['--url', 'ftp://x'], 'must be http(s)'],
    [['--url', 'not a url'], '--url is not a URL'],
    [['--url'], '--url needs a value'],
    [['--url', '--save'], '--url needs a value'],
    [['--verbose'], 'unknown argument --verbose'],
    [['--file', 'f', '--save', 'g'], '--save goes with --url alone'],
    [['--file', 'f', '--file', 'g'], '--file given twice'],
  ])('refuses %j', (argv, message) => {
    expect(() => parseArgs(argv, {})).toThrow(UsageError);
    expect(() => parseArgs(argv, {})).toThrow(message);
  });

  it('answers --help before anything else, with exit 0', async () => {
    expect(parseArgs(['--url', 'x', '--help'], {})).toEqual({ source: 'help' });
    const logs: string[] = [];
    expect(await run(['--help'], { log: (l) => logs.push(l), error: () => undefined }, {})).toBe(0);
    expect(logs.join('\n')).toContain('TOLLGATE_API_KEY');
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

describe('evidence-verify inputs', () => {
  const row = (seq: number) => ({ seq, occurredAt: '2026-01-01T00:00:00.000Z', kind: 'drift.opened', data: {}, prevHash: 'p', hash: `h${seq}` });
  const page = (seqs: number[], signedHead: object | null = null, connectionIds: string[] | null = null) =>
    JSON.stringify({ items: seqs.map(row), nextAfterSeq: null, connectionIds, signedHead });
  const dir = mkdtempSync(join(tmpdir(), 'evidence-verify-spec-'));

  it('splits concatenated JSON documents, strings with brackets and escapes included', () => {
    expect(parseJsonSequence('{"a":"}{\\""}\n[1,{"b":[2]}]  {}')).toEqual([{ a: '}{"' }, [1, { b: [2] }], {}]);
    expect(() => parseJsonSequence('{"a":1')).toThrow('ends in the middle');
    expect(() => parseJsonSequence('{"a":1} x')).toThrow('unexpected "x"');
  });

  it('orders pages by their first seq and keeps the newest signed head as the checkpoint', () => {
    const file = join(dir, 'pages.json');
    writeFileSync(file, [page([3, 4], { seq: 4 }), page([1, 2], { seq: 2 })].join('\n'));
    const copy = readCopy(file);
    expect(copy.entries.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(copy.checkpoints).toEqual([{ seq: 4 }]);
    expect(copy.publicKeyPem).toBeUndefined();
  });

  it('reads a directory of pages, and an array of pages', () => {
    const pages = mkdtempSync(join(dir, 'dir-'));
    writeFileSync(join(pages, 'z.json'), page([1]));
    writeFileSync(join(pages, 'a.json'), `[${page([2])}, ${page([3])}]`);
    writeFileSync(join(pages, 'notes.txt'), 'ignored');
    expect(readCopy(pages).entries.map((e) => e.seq)).toEqual([1, 2, 3]);
  });

  it('refuses pages read with a scoped key, and files that are neither export nor pages', () => {
    const scoped = join(dir, 'scoped.json');
    writeFileSync(scoped, page([1], null, ['c1']));
    expect(() => readCopy(scoped)).toThrow('scoped to connections');
    const other = join(dir, 'other.json');
    writeFileSync(other, '{"hello":"world"}');
    expect(() => readCopy(other)).toThrow('neither an evidence export');
  });
});
