import { evaluateFigure, formatMarkdown, formatNumber, formatTable, type Figure } from './bench-report';

const figure = (over: Partial<Figure> = {}): Figure => ({
  scenario: 'evaluate+diff',
  figure: '100,000 grants, median',
  value: 600,
  unit: 'ms',
  reference: { what: 'JSON parse+stringify', value: 200, unit: 'ms' },
  targets: [
    { on: 'value', op: '<=', limit: 1000 },
    { on: 'ratio', op: '<=', limit: 5 },
  ],
  ...over,
});

describe('evaluateFigure', () => {
  it('computes the ratio to the reference and passes when every target holds', () => {
    const r = evaluateFigure(figure());
    expect(r.ratio).toBe(3);
    expect(r.pass).toBe(true);
    expect(r.target).toBe('<= 1000 ms; ratio <= 5');
  });

  it('fails when any one target is missed', () => {
    expect(evaluateFigure(figure({ value: 1200 })).pass).toBe(false);
    expect(evaluateFigure(figure({ reference: { what: 'x', value: 100, unit: 'ms' } })).pass).toBe(false);
  });

  it('fails a ratio target when there is no reference to compare with', () => {
    const r = evaluateFigure(figure({ reference: undefined, value: 10 }));
    expect(r.ratio).toBeNull();
    expect(r.pass).toBe(false);
  });

  it('reports no verdict for a figure without targets', () => {
    const r = evaluateFigure(figure({ targets: undefined }));
    expect(r.pass).toBeNull();
    expect(r.target).toBeNull();
  });

  it('judges a ratio by its value, not by floating-point noise in the last digit', () => {
    const span = 118.7;
    const r = evaluateFigure(figure({ value: 2160 / span, reference: { what: 'allowed', value: 2400 / span, unit: 'req/s' }, targets: [{ on: 'ratio', op: '>=', limit: 0.9 }] }));
    expect(r.ratio).not.toBe(0.9);
    expect(r.pass).toBe(true);
    expect(evaluateFigure(figure({ value: 2159 / span, reference: { what: 'allowed', value: 2400 / span, unit: 'req/s' }, targets: [{ on: 'ratio', op: '>=', limit: 0.9 }] })).pass).toBe(false);
  });

  it('supports lower bounds and exact counts', () => {
    expect(evaluateFigure({ scenario: 's', figure: 'f', value: 49.9, unit: 'polls/s', targets: [{ on: 'value', op: '>=', limit: 50 }] }).pass).toBe(false);
    expect(evaluateFigure({ scenario: 's', figure: 'f', value: 0, unit: 'polls', targets: [{ on: 'value', op: '==', limit: 0 }] }).pass).toBe(true);
  });
});

describe('formatNumber', () => {
  it('keeps three significant digits and groups thousands', () => {
    expect(formatNumber(0)).toBe('0');
    expect(formatNumber(0.01234)).toBe('0.0123');
    expect(formatNumber(3.14159)).toBe('3.14');
    expect(formatNumber(42.42)).toBe('42.4');
    expect(formatNumber(123456.7)).toBe('123,457');
  });
});

describe('formatTable', () => {
  it('prints one aligned row per figure with the verdict', () => {
    const table = formatTable([evaluateFigure(figure()), evaluateFigure(figure({ value: 2000, figure: 'slow' }))]);
    const lines = table.split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^scenario\s+\| figure/);
    expect(lines[2]).toContain('600 ms');
    expect(lines[2]).toContain('200 ms (JSON parse+stringify)');
    expect(lines[2]).toContain('3.00x');
    expect(lines[2]).toMatch(/pass$/);
    expect(lines[3]).toMatch(/FAIL$/);
    // Columns line up: every separator sits at the same offset.
    const bars = (l: string) => [...l].flatMap((c, i) => (c === '|' ? [i] : []));
    expect(bars(lines[2])).toEqual(bars(lines[0]));
  });

  it('renders a figure without reference or target with dashes', () => {
    const [, , row] = formatTable([evaluateFigure({ scenario: 'apply', figure: 'rows', value: 1, unit: 'rows' })]).split('\n');
    expect(row.split('|').map((c) => c.trim())).toEqual(['apply', 'rows', '1.00 rows', '-', '-', '-', '-']);
  });
});

describe('formatMarkdown', () => {
  it('escapes pipes and marks misses in bold', () => {
    const md = formatMarkdown([evaluateFigure(figure({ figure: 'a | b', value: 5000 }))]);
    expect(md.split('\n')[2]).toContain('a \\| b');
    expect(md).toContain('**fail**');
  });
});
