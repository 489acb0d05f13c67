import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { h, percent } from './dom';

export interface ScorePoint {
  day: string;
  score: number | null;
}

/**
 * A score trend over the last 30 or 90 days (a choice of the reader), drawn with uPlot; the figures
 * it shows are also written out as text, for people who do not see the chart.
 */
export function scoreTrend(label: string, points: ScorePoint[]): HTMLElement {
  const box = h('div', { class: 'chart' });
  const summary = h('p', { class: 'chart-summary' });
  let plot: uPlot | null = null;
  const draw = (days: number) => {
    const shown = points.slice(-(days + 1));
    const first = shown.find((p) => p.score !== null)?.score ?? null;
    const last = shown[shown.length - 1]?.score ?? null;
    summary.textContent = `${label}: ${percent(first)} ${days} days ago, ${percent(last)} today.`;
    plot?.destroy();
    const xs = shown.map((p) => Date.parse(`${p.day}T00:00:00Z`) / 1000);
    const ys = shown.map((p) => (p.score === null ? null : Math.round(p.score * 1000) / 10));
    plot = new uPlot(
      {
        width: Math.max(280, Math.min(760, box.clientWidth || 760)),
        height: 180,
        scales: { y: { range: [0, 100] } },
        axes: [{}, { values: (_u, ticks) => ticks.map((t) => `${t}%`) }],
        series: [{}, { label: 'score', stroke: '#1f5fae', width: 2, value: (_u, v) => (v === null ? '—' : `${v}%`) }],
        legend: { show: false },
      },
      [xs, ys],
      box,
    );
  };
  const choice = (days: number, checked: boolean) =>
    h('label', {}, h('input', { type: 'radio', name: `range-${label}`, value: days, checked, onchange: () => draw(days) }), ` ${days} days`);
  const controls = h('fieldset', { class: 'range' }, h('legend', {}, 'Range'), choice(30, true), choice(90, false));
  const figure = h('figure', { class: 'trend' }, controls, box, h('figcaption', {}, summary));
  // Drawn once the figure is in the page, so that it takes the width it has.
  queueMicrotask(() => draw(30));
  return figure;
}

/**
 * A connection's score per UTC day from its drift episodes, the same way the overview computes it
 * (GET /reports/overview): 1 − (episodes active at the end of the day ÷ decided findings now).
 */
export function scoreHistory(decided: number, drifts: { openedAt: string; resolvedAt: string | null }[], days = 90, now = Date.now()): ScorePoint[] {
  const today = Math.floor(now / 86_400_000) * 86_400_000;
  const points: ScorePoint[] = [];
  for (let i = days; i >= 0; i--) {
    const start = today - i * 86_400_000;
    const end = Math.min(start + 86_400_000, now);
    const active = drifts.filter((d) => Date.parse(d.openedAt) < end && (d.resolvedAt === null || Date.parse(d.resolvedAt) >= end)).length;
    points.push({ day: new Date(start).toISOString().slice(0, 10), score: decided > 0 ? Math.max(0, 1 - active / decided) : null });
  }
  return points;
}
