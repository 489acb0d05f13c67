import { driftsOpenedData, DRIFTS_LISTED } from './webhook-outbox';

const poll = { pollId: 'p1', connectionId: 'c1', connectionName: 'Acme', provider: 'slack' };
const drift = (i: number, severity: string) => ({ id: `d${i}`, controlId: 'C.1', title: 't', resourceKey: `r${i}`, severity });

describe('driftsOpenedData', () => {
  it('counts every opening by severity and lists a bounded number, most severe first', () => {
    const opened = [...Array.from({ length: 60 }, (_, i) => drift(i, 'low')), ...Array.from({ length: 40 }, (_, i) => drift(100 + i, 'critical')), drift(200, 'high')];
    const data = driftsOpenedData(poll, opened) as { total: number; bySeverity: Record<string, number>; drifts: { severity: string }[]; truncated: boolean };
    expect(data).toMatchObject({ ...poll, total: 101, bySeverity: { critical: 40, high: 1, medium: 0, low: 60, info: 0 }, truncated: true });
    expect(data.drifts).toHaveLength(DRIFTS_LISTED);
    expect(data.drifts.map((d) => d.severity)).toEqual([...Array(40).fill('critical'), 'high', ...Array(9).fill('low')]);
  });

  it('lists all of a small poll, untruncated', () => {
    const data = driftsOpenedData(poll, [drift(1, 'critical')]);
    expect(data).toEqual({ ...poll, total: 1, bySeverity: { critical: 1, high: 0, medium: 0, low: 0, info: 0 }, drifts: [{ driftId: 'd1', controlId: 'C.1', title: 't', resourceKey: 'r1', severity: 'critical' }], truncated: false });
  });
});
