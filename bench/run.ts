import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { evaluateFigure, formatTable, type BenchReport, type Figure } from './bench-report';
import { serverUrl, type ScenarioContext } from './bench-support';

/**
 * `npm run bench [-- --quick] [-- --only apply,metrics]`: runs each scenario in its own Node process
 * (so one scenario's heap and JIT state do not colour the next one's RSS or timings), prints one
 * table and writes .bench/latest.json. Targets are reported, never enforced: the exit code is
 * non-zero only when a scenario could not run at all.
 */
type Scenario = (ctx: ScenarioContext) => Promise<Figure[]>;
/**
 * Each scenario's module is loaded only by the child that runs it: the console scenario's browser
 * driver and identity provider alone add about 150 MB, which would otherwise count in the RSS that
 * the polling scenario reports as the app's.
 */
const SCENARIOS: Record<string, () => Promise<Scenario>> = {
  'evaluate-diff': async () => (await import('./evaluate-diff.scenario')).evaluateDiffScenario,
  apply: async () => (await import('./apply.scenario')).applyScenario,
  'poll-throughput': async () => (await import('./poll-throughput.scenario')).pollThroughputScenario,
  'drift-report': async () => (await import('./drift-report.scenario')).driftReportScenario,
  'rate-limit': async () => (await import('./rate-limit.scenario')).rateLimitScenario,
  'console-overview': async () => (await import('./console-overview.scenario')).consoleOverviewScenario,
};

// npm runs scripts from the package root; results land beside it whatever the build's outDir.
const ROOT = process.cwd();

function argValue(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

async function runChild(name: string, quick: boolean, out: string): Promise<void> {
  const ctx: ScenarioContext = { quick, log: (m) => process.stderr.write(`  [${name}] ${m}\n`) };
  const figures = await (await SCENARIOS[name]())(ctx);
  writeFileSync(out, JSON.stringify(figures));
}

function spawnScenario(name: string, quick: boolean, out: string): Promise<void> {
  const args = ['--expose-gc', __filename, '--scenario', name, '--out', out, ...(quick ? ['--quick'] : [])];
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit'] });
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      code === 0 ? resolvePromise() : reject(new Error(`scenario ${name} exited with ${signal ?? code}`)),
    );
  });
}

async function postgresVersion(): Promise<string> {
  const c = new Client({ connectionString: serverUrl() });
  await c.connect();
  try {
    const [row] = (await c.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows;
    return row.v;
  } finally {
    await c.end();
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const child = argValue(args, '--scenario');
  if (child) {
    await runChild(child, quick, argValue(args, '--out')!);
    return;
  }
  const only = argValue(args, '--only')?.split(',');
  const names = Object.keys(SCENARIOS).filter((n) => !only || only.includes(n));
  const unknown = (only ?? []).filter((n) => !SCENARIOS[n]);
  if (unknown.length > 0) throw new Error(`unknown scenario(s): ${unknown.join(', ')} (known: ${Object.keys(SCENARIOS).join(', ')})`);

  const startedAt = new Date().toISOString();
  const loadBefore = loadavg();
  const tmp = mkdtempSync(join(tmpdir(), 'tollgate-bench-'));
  const figures: Figure[] = [];
  const errors: BenchReport['errors'] = [];
  try {
    for (const name of names) {
      const out = join(tmp, `${name}.json`);
      process.stderr.write(`scenario ${name}${quick ? ' (quick)' : ''}\n`);
      const t0 = Date.now();
      try {
        await spawnScenario(name, quick, out);
        figures.push(...(JSON.parse(readFileSync(out, 'utf8')) as Figure[]));
      } catch (err) {
        errors.push({ scenario: name, message: (err as Error).message });
      }
      process.stderr.write(`  ${name} took ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }

  const results = figures.map(evaluateFigure);
  const report: BenchReport = {
    startedAt,
    finishedAt: new Date().toISOString(),
    mode: quick ? 'quick' : 'full',
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      memoryMb: Math.round(totalmem() / 2 ** 20),
      node: process.version,
      postgres: await postgresVersion(),
      loadAverage: loadBefore,
    },
    note: quick
      ? 'smoke run: small sizes only; targets that apply to the full sizes are not checked'
      : 'full run; the machine may be shared with other work, see the load average',
    figures: results,
    errors,
  };
  process.stdout.write(`\n${formatTable(results)}\n`);
  for (const e of errors) process.stdout.write(`\nscenario ${e.scenario} failed: ${e.message}\n`);
  const failed = results.filter((r) => r.pass === false).length;
  process.stdout.write(`\n${results.length} figures, ${failed} missing their target${quick ? ' (quick: not enforced)' : ''}\n`);

  mkdirSync(join(ROOT, '.bench'), { recursive: true });
  writeFileSync(join(ROOT, '.bench', 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  if (!quick && !only) mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  if (!quick && !only) writeFileSync(join(ROOT, 'bench', 'results', 'full-run.json'), `${JSON.stringify(report, null, 2)}\n`);
  if (errors.length > 0) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
