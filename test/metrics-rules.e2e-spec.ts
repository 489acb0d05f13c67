import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify as toYaml } from 'yaml';
import {
  ALERTS_FILE,
  ALERTS_TEST_FILE,
  ROOT,
  RUNBOOK_FILE,
  alertRules,
  dashboardQueries,
  promtool,
  withoutGrafanaVariables,
} from './support/metrics-queries';

// The shipped Prometheus rules and Grafana dashboard, checked with promtool. That every metric they
// query exists in a real scrape is checked in metrics.e2e-spec.ts.
describe('deploy/prometheus and deploy/grafana', () => {
  it('promtool check rules accepts alerts.yml', () => {
    expect(promtool(['check', 'rules', ALERTS_FILE])).toEqual({ status: 0, output: expect.stringContaining('SUCCESS') });
  });

  it('promtool check config accepts the example prometheus.yml, rules included', () => {
    const run = promtool(['check', 'config', join(ROOT, 'deploy/prometheus/prometheus.yml')]);
    expect(run.output).toContain('SUCCESS: 8 rules found');
    expect(run.status).toBe(0);
  });

  it('promtool test rules passes alerts.test.yml', () => {
    const run = promtool(['test', 'rules', ALERTS_TEST_FILE]);
    expect(run.output).toContain('SUCCESS');
    expect(run.status).toBe(0);
  });

  it('every alert is unit-tested, both firing and not firing', () => {
    const tests = readFileSync(ALERTS_TEST_FILE, 'utf8');
    for (const { alert } of alertRules()) {
      const evaluations = [...tests.matchAll(new RegExp(`alertname: ${alert}\\n\\s+exp_alerts:(.*)`, 'g'))];
      expect({ alert, fires: evaluations.some((e) => e[1].trim() === ''), quiet: evaluations.some((e) => e[1].trim() === '[]') }).toEqual({
        alert,
        fires: true,
        quiet: true,
      });
    }
  });

  it('every alert has a summary, a description and a runbook section that exists', () => {
    const runbook = readFileSync(RUNBOOK_FILE, 'utf8');
    const anchors = new Set([...runbook.matchAll(/^#{2,3} (.+)$/gm)].map((m) => m[1].trim().toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-')));
    for (const rule of alertRules()) {
      expect({ alert: rule.alert, summary: Boolean(rule.annotations?.summary), description: Boolean(rule.annotations?.description) }).toEqual({
        alert: rule.alert,
        summary: true,
        description: true,
      });
      const anchor = /^docs\/runbook\.md#(.+)$/.exec(rule.annotations?.runbook_url ?? '')?.[1];
      expect({ alert: rule.alert, anchor }).toEqual({ alert: rule.alert, anchor: rule.alert.toLowerCase() });
      expect(anchors).toContain(anchor);
    }
  });

  it('every dashboard query is valid PromQL', () => {
    const queries = dashboardQueries();
    expect(queries.length).toBeGreaterThan(10);
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-dashboard-'));
    try {
      const file = join(dir, 'dashboard-queries.yml');
      const rules = queries.map((q, i) => ({ record: `dashboard:query_${i}`, expr: withoutGrafanaVariables(q) }));
      writeFileSync(file, toYaml({ groups: [{ name: 'dashboard', rules }] }));
      const run = promtool(['check', 'rules', file]);
      expect(run.output).toContain(`SUCCESS: ${queries.length} rules found`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
