import { BaselineRegistry, evaluate, SHIPPED_PRESETS_DIR } from '@tollgate/baseline';
import { contentHash } from '@tollgate/drift';
import type { Figure } from './bench-report';
import { time, type ScenarioContext } from './bench-support';
import { slackDocumentWithGrants } from './posture-fixtures';

/**
 * The CPU a poll spends after collect(): evaluate the document against the baseline, then hash the
 * document and the findings as DriftRecorder.apply does to decide whether anything changed (an
 * unchanged poll stops there). Reference: parsing and serialising the same document as JSON, the
 * least any pipeline that reads the document can do.
 */
export async function evaluateDiffScenario(ctx: ScenarioContext): Promise<Figure[]> {
  const registry = BaselineRegistry.load([SHIPPED_PRESETS_DIR]);
  const baseline = registry.get('slack-locked-down');
  if (!baseline) throw new Error('slack-locked-down preset not found');
  const sizes = ctx.quick ? [1_000] : [1_000, 10_000, 100_000];
  const figures: Figure[] = [];
  for (const n of sizes) {
    const doc = slackDocumentWithGrants(n);
    const text = JSON.stringify(doc);
    let findingsCount = 0;
    const measured = await time(
      () => {
        const findings = evaluate(doc, baseline);
        findingsCount = findings.length;
        contentHash(doc);
        contentHash(findings);
      },
      { minRuns: n >= 100_000 ? 5 : 10, minMs: ctx.quick ? 200 : 1000, maxRuns: 200 },
    );
    const reference = await time(() => JSON.stringify(JSON.parse(text)), { minRuns: n >= 100_000 ? 5 : 10, minMs: ctx.quick ? 200 : 1000, maxRuns: 200 });
    ctx.log(`evaluate+diff ${n} grants: ${measured.median.toFixed(1)} ms (${findingsCount} findings), JSON round trip ${reference.median.toFixed(1)} ms`);
    figures.push({
      scenario: 'evaluate+diff',
      figure: `${n.toLocaleString('en-US')} grants (${(text.length / 1e6).toFixed(1)} MB, ${findingsCount} findings), median`,
      value: measured.median,
      unit: 'ms',
      reference: { what: 'JSON parse+stringify', value: reference.median, unit: 'ms' },
      targets:
        n === 100_000
          ? [
              { on: 'value', op: '<=', limit: 1000 },
              { on: 'ratio', op: '<=', limit: 5 },
            ]
          : undefined,
    });
  }
  return figures;
}
