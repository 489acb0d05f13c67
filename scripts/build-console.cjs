// Builds the console (apps/console) into dist/apps/console/public: one script and one stylesheet
// bundled by esbuild (uPlot included, nothing fetched from elsewhere at run time) and the page.
const { buildSync } = require('esbuild');
const { copyFileSync, mkdirSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const out = join(root, 'dist/apps/console/public');
mkdirSync(out, { recursive: true });
buildSync({
  entryPoints: { app: join(root, 'apps/console/src/main.ts') },
  bundle: true,
  minify: true,
  sourcemap: false,
  format: 'iife',
  target: 'es2020',
  outdir: out,
  legalComments: 'linked',
  logLevel: 'warning',
});
copyFileSync(join(root, 'apps/console/index.html'), join(out, 'index.html'));
