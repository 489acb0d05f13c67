import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

// The nearest package.json above this file: the repository root both from source and from dist/.
function readVersion(dir: string): string {
  const file = join(dir, 'package.json');
  if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  const parent = dirname(dir);
  return parent === dir ? '0.0.0' : readVersion(parent);
}

export const VERSION = readVersion(__dirname);
