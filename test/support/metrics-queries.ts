import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';

export const ROOT = join(__dirname, '..', '..');
export const ALERTS_FILE = join(ROOT, 'deploy/prometheus/alerts.yml');
export const ALERTS_TEST_FILE = join(ROOT, 'deploy/prometheus/alerts.test.yml');
export const DASHBOARD_FILE = join(ROOT, 'deploy/grafana/tollgate-dashboard.json');
export const RUNBOOK_FILE = join(ROOT, 'docs/runbook.md');

/**
 * Runs promtool (Debian package `prometheus`). A missing promtool is an error, not a skip: these
 * checks are what keeps the shipped rules and the exposition valid.
 */
export function promtool(args: string[], input?: string): { status: number | null; output: string } {
  const run = spawnSync('promtool', args, { input, encoding: 'utf8', cwd: ROOT, timeout: 60_000 });
  if (run.error) throw new Error(`promtool could not run (${run.error.message}); install it: apt-get install -y prometheus`);
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export function alertRules(): AlertRule[] {
  const doc = parseYaml(readFileSync(ALERTS_FILE, 'utf8')) as { groups: { rules: AlertRule[] }[] };
  return doc.groups.flatMap((g) => g.rules);
}

/** Every PromQL expression of the dashboard: panel targets and the metric selectors of its variables. */
export function dashboardQueries(): string[] {
  const out: string[] = [];
  const walk = (node: unknown, key?: string): void => {
    if (typeof node === 'string') {
      if (key === 'expr') out.push(node);
      if (key === 'query' || key === 'definition') {
        const selector = /^label_values\((.+),\s*\w+\)$/.exec(node)?.[1];
        if (selector) out.push(selector);
      }
      return;
    }
    if (Array.isArray(node)) node.forEach((n) => walk(n));
    else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) walk(v, k);
  };
  walk(JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')));
  return out;
}

/** Grafana's variables replaced by values, so that the expression is plain PromQL. */
export function withoutGrafanaVariables(expr: string): string {
  return expr
    .replace(/\$__range|\$__rate_interval|\$__interval/g, '5m')
    .replace(/\$\{?\w+\}?/g, '.*');
}

export function tollgateMetricNames(exprs: string[]): string[] {
  return [...new Set(exprs.flatMap((e) => e.match(/\btollgate_[a-z0-9_]+/g) ?? []))].sort();
}

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a Prometheus text exposition (enough of the format for Tollgate's own output). */
export function parseExposition(text: string): { samples: Sample[]; families: Set<string> } {
  const samples: Sample[] = [];
  const families = new Set<string>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) /.exec(line);
    if (type) families.add(type[1]);
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) throw new Error(`unparseable exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2].replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return { samples, families };
}

/** The value of the one sample with this name and (at least) these labels; undefined if none. */
export function sampleValue(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const found = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return found[0]?.value;
}
