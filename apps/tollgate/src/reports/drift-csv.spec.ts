import { parse } from 'csv-parse/sync';
import type { DriftRow } from '@tollgate/drift';
import { CSV_COLUMNS, csvWriter, readable } from './drift-csv';

const csvLine = csvWriter();

const row = (over: Partial<DriftRow> = {}): DriftRow => ({
  id: '0f0e0d0c-0b0a-4908-8706-050403020100',
  connection_id: '10000000-0000-4000-8000-000000000001',
  provider: 'slack',
  baseline_id: 'slack-locked-down',
  control_id: 'SLACK.OAUTH.1',
  title: 'No unapproved app holds admin scopes',
  references: '["CIS 1.1", "SCuBA MS.AAD.5.1v1"]',
  area: 'oauth',
  severity: 'high',
  resource_key: 'app:A1',
  status: 'open',
  expected: '{"forbiddenScopes": ["admin.*", "*:history"]}',
  observed: '{"appName": "Notes, \\"beta\\"", "scopes": [1.0, 2]}',
  opened_at: '2026-01-01T00:00:00.000Z',
  last_seen_at: '2026-01-02T00:00:00.123Z',
  resolved_at: null,
  exception_id: null,
  resolution: null,
  key_at: '2026-01-01 00:00:00+00',
  ...over,
});

const parseOne = (line: string): string[] => {
  const records: string[][] = parse(`${CSV_COLUMNS.join(',')}\r\n${line}`, { record_delimiter: '\r\n' });
  expect(records).toHaveLength(2);
  expect(records[1]).toHaveLength(CSV_COLUMNS.length);
  return records[1];
};

describe('drift report CSV', () => {
  it('writes one CRLF-terminated record whose cells a CSV parser reads back', () => {
    const line = csvLine(row());
    expect(line.endsWith('\r\n')).toBe(true);
    expect(line.slice(0, -2)).not.toMatch(/[\r\n]/);
    const cells = parseOne(line);
    expect(Object.fromEntries(CSV_COLUMNS.map((c, i) => [c, cells[i]]))).toEqual({
      id: '0f0e0d0c-0b0a-4908-8706-050403020100',
      connectionId: '10000000-0000-4000-8000-000000000001',
      provider: 'slack',
      baselineId: 'slack-locked-down',
      controlId: 'SLACK.OAUTH.1',
      title: 'No unapproved app holds admin scopes',
      references: 'CIS 1.1; SCuBA MS.AAD.5.1v1',
      area: 'oauth',
      severity: 'high',
      resourceKey: 'app:A1',
      status: 'open',
      expected: 'forbiddenScopes = admin.*, *:history',
      observed: 'appName = Notes, "beta"; scopes = 1, 2',
      openedAt: '2026-01-01T00:00:00.000Z',
      lastSeenAt: '2026-01-02T00:00:00.123Z',
      resolvedAt: '',
      exceptionId: '',
      resolution: '',
      // jsonb's text form turned into JSON.stringify's, so both report formats carry the same bytes.
      expected_json: '{"forbiddenScopes":["admin.*","*:history"]}',
      observed_json: '{"appName":"Notes, \\"beta\\"","scopes":[1,2]}',
    });
  });

  it('says why a resolved drift closed', () => {
    const cells = parseOne(csvLine(row({ status: 'resolved', resolved_at: '2026-01-03T00:00:00.000Z', resolution: 'baseline_changed' })));
    expect(cells[CSV_COLUMNS.indexOf('resolution')]).toBe('baseline_changed');
  });

  it('quotes cells holding quotes, commas and line breaks, doubling the quotes', () => {
    const title = 'Say "hi",\r\nthen\nleave';
    const line = csvLine(row({ title, resource_key: 'a,b' }));
    expect(line).toContain('"Say ""hi"",\r\nthen\nleave"');
    const cells = parseOne(line);
    expect(cells[5]).toBe(title);
    expect(cells[9]).toBe('a,b');
  });

  it.each(['=HYPERLINK("http://x")', '+1', '-2+3+cmd|\' /C calc\'!A0', '@SUM(A1)', '\tcmd', '\rcmd'])('keeps provider text starting with %j from running as a formula', (title) => {
    const cells = parseOne(csvLine(row({ title, resource_key: title, references: JSON.stringify([title]) })));
    expect(cells[5]).toBe(`'${title}`);
    expect(cells[6]).toBe(`'${title}`);
    expect(cells[9]).toBe(`'${title}`);
  });

  it('writes absent values as empty text, and as null in the JSON columns as the JSON report does', () => {
    const cells = parseOne(csvLine(row({ expected: null, observed: null })));
    expect([cells[11], cells[12], cells[18], cells[19]]).toEqual(['', '', 'null', 'null']);
  });

  const col = (name: (typeof CSV_COLUMNS)[number]) => CSV_COLUMNS.indexOf(name);

  it.each([
    ['an object', { sharingCapability: 'existingExternalUserSharingOnly' }, 'sharingCapability = existingExternalUserSharingOnly'],
    ['an object of several keys, in their order', { op: 'in', value: ['invite_only'], strict: true, limit: 3 }, 'op = in; value = invite_only; strict = true; limit = 3'],
    ['a list', ['admin.*', '*:history', 2, false], 'admin.*, *:history, 2, false'],
    ['nested objects, as dotted paths', { a: { b: 'c', d: { e: 1 } }, f: 'g' }, 'a.b = c; a.d.e = 1; f = g'],
    ['objects and lists inside a list, in parentheses', [{ app: 'A1', scopes: ['x', 'y'] }, ['p', 'q']], '(app = A1; scopes = x, y), (p, q)'],
    ['null, and null, empty lists and empty objects inside an object', { a: null, b: [], c: {} }, 'a = ; b = ; c = '],
    ['null', null, ''],
    ['an empty object', {}, ''],
    ['an empty list', [], ''],
    ['a plain string', 'invite_only', 'invite_only'],
    ['a number', 0.5, '0.5'],
    ['a boolean', true, 'true'],
  ])('reads %s as text', (_name, value, text) => {
    expect(readable(value)).toBe(text);
    const json = JSON.stringify(value);
    const cells = parseOne(csvLine(row({ expected: json, observed: json })));
    expect([cells[col('expected')], cells[col('observed')]]).toEqual([text, text]);
    expect([cells[col('expected_json')], cells[col('observed_json')]]).toEqual([json, json]);
  });

  it('quotes readable text holding commas, quotes and line breaks, and its JSON, so both read back exactly', () => {
    const value = { note: 'say "hi",\r\nthen\nleave', list: ['a,b', 'c'] };
    const line = csvLine(row({ observed: JSON.stringify(value) }));
    expect(line).toContain('"note = say ""hi"",\r\nthen\nleave; list = a,b, c"');
    const cells = parseOne(line);
    expect(cells[col('observed')]).toBe('note = say "hi",\r\nthen\nleave; list = a,b, c');
    expect(JSON.parse(cells[col('observed_json')])).toEqual(value);
  });

  it.each(['=1+1', '+1', '-2+3+cmd|\' /C calc\'!A0', '@SUM(A1)', '\tcmd', '\rcmd'])('keeps readable text starting with %j from running as a formula', (start) => {
    // A plain string, and a list whose first item starts so: both make readable text that starts with it.
    const cells = parseOne(csvLine(row({ expected: JSON.stringify(start), observed: JSON.stringify([start, 'x']) })));
    expect(cells[col('expected')]).toBe(`'${start}`);
    expect(cells[col('observed')]).toBe(`'${start}, x`);
    // The JSON columns stay exact JSON: they start with a quote or a bracket.
    expect(JSON.parse(cells[col('expected_json')])).toBe(start);
    expect(JSON.parse(cells[col('observed_json')])).toEqual([start, 'x']);
  });

  it('keeps a negative number as readable text from being read as a formula, and as itself in JSON', () => {
    const cells = parseOne(csvLine(row({ observed: '-5' })));
    expect(cells[col('observed')]).toBe("'-5");
    expect(cells[col('observed_json')]).toBe('-5');
  });

  it('gives a control\'s expected value the same cells on every row, also after many other controls', () => {
    const write = csvWriter();
    const first = parseOne(write(row({ expected: '{"a": [1, 2]}' })));
    for (let i = 0; i < 1500; i++) write(row({ expected: JSON.stringify({ other: i }) }));
    const again = parseOne(write(row({ expected: '{"a": [1, 2]}' })));
    expect([again[col('expected')], again[col('expected_json')]]).toEqual([first[col('expected')], first[col('expected_json')]]);
    expect(again[col('expected')]).toBe('a = 1, 2');
  });

  it('leaves text that only contains a formula character alone, and fills resolved and exception when set', () => {
    const cells = parseOne(
      csvLine(row({ title: 'a = b', resolved_at: '2026-02-01T00:00:00.000Z', exception_id: '20000000-0000-4000-8000-000000000002', status: 'resolved' })),
    );
    expect(cells[5]).toBe('a = b');
    expect(cells[10]).toBe('resolved');
    expect(cells[15]).toBe('2026-02-01T00:00:00.000Z');
    expect(cells[16]).toBe('20000000-0000-4000-8000-000000000002');
  });
});
