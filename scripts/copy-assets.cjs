// tsc compiles TypeScript only; the shipped baseline presets (YAML) travel beside the compiled code.
const { cpSync } = require('node:fs');
cpSync('libs/baseline/presets', 'dist/libs/baseline/presets', { recursive: true });
