import { parse } from 'csv-parse/sync';
import type { DriftRow } from '@tollgate/drift';
import { CSV_COLUMNS, csvWriter } from './drift-csv';

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
      // jsonb's text form turned into JSON.stringify's, so both report formats carry the same bytes.
      expected: '{"forbiddenScopes":["admin.*","*:history"]}',
      observed: '{"appName":"Notes, \\"beta\\"","scopes":[1,2]}',
      openedAt: '2026-01-01T00:00:00.000Z',
      lastSeenAt: '2026-01-02T00:00:00.123Z',
      resolvedAt: '',
      exceptionId: '',
      resolution: '',
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

  it('writes absent JSON values as null, as the JSON report does', () => {
    const cells = parseOne(csvLine(row({ expected: null, observed: null })));
    expect([cells[11], cells[12]]).toEqual(['null', 'null']);
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
