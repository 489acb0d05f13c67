// Runs a script from dist without rebuilding it: a build replaces dist (8 s) under whatever runs
// from it, the demo included. When the compiled file is missing or older than a source it is built
// from, it says so and stops, rather than running stale code or rebuilding behind the user's back.
// usage: node scripts/run-built.cjs scripts/evidence-verify [args...]
const { spawnSync } = require('node:child_process');
const { existsSync, readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');

const [name, ...args] = process.argv.slice(2);
const compiled = join('dist', `${name}.js`);
/** Sources a script from scripts/ can be built from: itself, and the libs (apps are not imported by CLI scripts). */
const SOURCES = [`${name}.ts`, 'libs'];

function newestSource(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return path.endsWith('.ts') && !path.endsWith('.spec.ts') ? stat.mtimeMs : 0;
  return readdirSync(path).reduce((newest, entry) => Math.max(newest, newestSource(join(path, entry))), 0);
}

if (!existsSync(compiled) || SOURCES.some((s) => existsSync(s) && newestSource(s) > statSync(compiled).mtimeMs)) {
  console.error(`${compiled} is ${existsSync(compiled) ? 'older than its sources' : 'missing'}: run \`npm run build\` once, then run this again.`);
  process.exit(2);
}
// A child process of its own, so the script sees itself as the main module and keeps its exit code.
const { status, signal } = spawnSync(process.execPath, [compiled, ...args], { stdio: 'inherit' });
process.exit(signal ? 1 : (status ?? 1));
