import { readFileSync } from 'node:fs';
import { generateCoverage, OUTPUT_FILE } from './scuba-coverage';

describe('docs/scuba-coverage.md', () => {
  it('is exactly what scripts/scuba-coverage.ts generates from the presets (run npm run coverage:scuba)', () => {
    expect(readFileSync(OUTPUT_FILE, 'utf8')).toBe(generateCoverage());
  });

  it('lists a control citing a policy as checked, and GWS.OAUTH.1 (Tollgate’s own) for no policy', () => {
    const table = generateCoverage();
    expect(table).toContain('| GWS.GROUPS.1.2v1 | ');
    expect(table).toMatch(/\| GWS\.GROUPS\.1\.2v1 \|[^\n]*\| GWS\.GROUPS\.2 \|/);
    expect(table).not.toContain('GWS.OAUTH.1');
  });
});
