// Writes deploy/kubernetes/base/prometheus-rule.yaml, the Prometheus Operator's PrometheusRule, from
// deploy/prometheus/alerts.yml: the alert rules have one source, which promtool tests.
//   npm run deploy:rules            rewrite the file
//   npm run deploy:rules -- --check exit 1 if the file is not what alerts.yml gives
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const YAML = require('yaml');

const root = join(__dirname, '..', '..');
const source = join(root, 'deploy/prometheus/alerts.yml');
const target = join(__dirname, 'base/prometheus-rule.yaml');

function render() {
  const { groups } = YAML.parse(readFileSync(source, 'utf8'));
  const rule = {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: 'tollgate' },
    spec: { groups },
  };
  return `# Generated from deploy/prometheus/alerts.yml by \`npm run deploy:rules\`: edit that file, not this one.\n${YAML.stringify(rule, { lineWidth: 0 })}`;
}

if (require.main === module) {
  const text = render();
  if (process.argv.includes('--check')) {
    if (readFileSync(target, 'utf8') !== text) {
      process.stderr.write(`${target} is out of date: run npm run deploy:rules\n`);
      process.exit(1);
    }
  } else {
    writeFileSync(target, text);
  }
}

module.exports = { render, target };
