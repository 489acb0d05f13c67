/**
 * What a benchmark run produces: figures, each with the reference measured in the same run, the
 * ratio between them and the target from DESIGN.md "Targets". Formatting lives here, apart from the
 * scenarios, so it can be unit-tested without timing anything.
 */

export type Comparison = '<' | '<=' | '>=' | '==';

export interface Target {
  /** What the target bounds: the figure itself or its ratio to the reference. */
  on: 'value' | 'ratio';
  op: Comparison;
  limit: number;
}

export interface Reference {
  what: string;
  value: number;
  unit: string;
}

export interface Figure {
  scenario: string;
  figure: string;
  value: number;
  unit: string;
  reference?: Reference;
  targets?: Target[];
  note?: string;
}

export interface FigureResult extends Figure {
  /** value ÷ reference value; absent without a reference. */
  ratio: number | null;
  /** Human-readable targets, e.g. "<= 1000 ms; ratio <= 5". */
  target: string | null;
  /** null when the figure has no target. */
  pass: boolean | null;
}

export interface BenchReport {
  startedAt: string;
  finishedAt: string;
  mode: 'quick' | 'full';
  machine: { cpus: number; cpuModel: string; memoryMb: number; node: string; postgres: string; loadAverage: number[] };
  note: string;
  figures: FigureResult[];
  errors: { scenario: string; message: string }[];
}

function holds(value: number, op: Comparison, limit: number): boolean {
  switch (op) {
    case '<':
      return value < limit;
    case '<=':
      return value <= limit;
    case '>=':
      return value >= limit;
    case '==':
      return value === limit;
  }
}

export function describeTarget(t: Target, unit: string): string {
  return t.on === 'ratio' ? `ratio ${t.op} ${t.limit}` : `${t.op} ${t.limit} ${unit}`;
}

export function evaluateFigure(f: Figure): FigureResult {
  const ratio = f.reference && f.reference.value > 0 ? f.value / f.reference.value : null;
  const targets = f.targets ?? [];
  let pass: boolean | null = null;
  if (targets.length > 0) {
    pass = targets.every((t) => {
      const subject = t.on === 'ratio' ? ratio : f.value;
      // Twelve significant digits: a ratio of two rates over the same span, 2,160 calls of 2,400
      // allowed, comes out as 0.8999999999999999 and must meet '>= 0.9'.
      return subject !== null && Number.isFinite(subject) && holds(Number(subject.toPrecision(12)), t.op, t.limit);
    });
  }
  return { ...f, ratio, target: targets.length > 0 ? targets.map((t) => describeTarget(t, f.unit)).join('; ') : null, pass };
}

/** Three significant digits, no exponent for the magnitudes a benchmark shows. */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (n === 0) return '0';
  const abs = Math.abs(n);
  if (abs >= 1000) return Math.round(n).toLocaleString('en-US');
  const digits = Math.max(0, 2 - Math.floor(Math.log10(abs)));
  return n.toFixed(Math.min(digits, 4));
}

const COLUMNS = ['scenario', 'figure', 'value', 'reference', 'ratio', 'target', 'result'] as const;

/** A plain-text table, one row per figure, aligned for a terminal or a CI log. */
export function formatTable(figures: FigureResult[]): string {
  const rows = figures.map((f) => [
    f.scenario,
    f.figure,
    `${formatNumber(f.value)} ${f.unit}`,
    f.reference ? `${formatNumber(f.reference.value)} ${f.reference.unit} (${f.reference.what})` : '-',
    f.ratio === null ? '-' : `${formatNumber(f.ratio)}x`,
    f.target ?? '-',
    f.pass === null ? '-' : f.pass ? 'pass' : 'FAIL',
  ]);
  const all = [[...COLUMNS], ...rows];
  const widths = COLUMNS.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join(' | ').trimEnd();
  return [line(all[0]), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(line)].join('\n');
}

/** The same figures as a Markdown table (docs/performance.md). */
export function formatMarkdown(figures: FigureResult[]): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const head = '| scenario | figure | value | reference | ratio | target | result |\n|---|---|---|---|---|---|---|';
  const rows = figures.map(
    (f) =>
      `| ${esc(f.scenario)} | ${esc(f.figure)} | ${formatNumber(f.value)} ${f.unit} | ${
        f.reference ? esc(`${formatNumber(f.reference.value)} ${f.reference.unit} (${f.reference.what})`) : '-'
      } | ${f.ratio === null ? '-' : `${formatNumber(f.ratio)}×`} | ${esc(f.target ?? '-')} | ${f.pass === null ? '-' : f.pass ? 'pass' : '**fail**'} |`,
  );
  return [head, ...rows].join('\n');
}
