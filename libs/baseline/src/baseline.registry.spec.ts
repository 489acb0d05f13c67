import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BaselineError } from './baseline.loader';
import { BaselineRegistry, SHIPPED_PRESETS_DIR } from './baseline.registry';

function baselineYaml(id: string, title = 'A baseline', op = 'isFalse'): string {
  return `id: ${id}
version: 1
provider: slack
title: ${title}
controls:
  - id: X.1
    title: Something is off
    area: sharing
    severity: low
    references: [internal policy X]
    rationale: Because.
    remediation: Turn it off.
    check:
      type: setting
      key: slack.something.enabled
      op: ${op}
`;
}

describe('BaselineRegistry', () => {
  let root: string;
  let extra: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'tollgate-registry-'));
    extra = path.join(root, 'baselines');
    mkdirSync(extra);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('loads the shipped presets', () => {
    const registry = BaselineRegistry.load([SHIPPED_PRESETS_DIR]);
    const shipped = readdirSync(SHIPPED_PRESETS_DIR).filter((f) => /\.ya?ml$/.test(f));
    expect(registry.list()).toHaveLength(shipped.length);
    expect(registry.get('slack-locked-down')?.provider).toBe('slack');
    expect(registry.defaultFor('slack')?.id).toBe('slack-locked-down');
  });

  it('loads *.yaml and *.yml files of every directory, skips other and hidden files, and lists by id', () => {
    writeFileSync(path.join(extra, 'b.yaml'), baselineYaml('zeta'));
    writeFileSync(path.join(extra, 'a.yml'), baselineYaml('alpha'));
    writeFileSync(path.join(extra, 'notes.txt'), 'not a baseline');
    writeFileSync(path.join(extra, '.#b.yaml'), 'editor lock file: not YAML at all: [');
    const registry = BaselineRegistry.load([SHIPPED_PRESETS_DIR, extra]);
    // Independent of which presets ship, so adding a provider's preset does not break this spec.
    const shippedIds = BaselineRegistry.load([SHIPPED_PRESETS_DIR]).list().map((b) => b.id);
    expect(registry.list().map((b) => b.id)).toEqual(['alpha', ...shippedIds, 'zeta'].sort());
    expect(registry.get('alpha')?.source).toBe(path.join(extra, 'a.yml'));
    expect(registry.get('missing')).toBeUndefined();
  });

  it('does not treat a directory listed twice as a clash', () => {
    expect(BaselineRegistry.load([SHIPPED_PRESETS_DIR, `${SHIPPED_PRESETS_DIR}/`]).list()).toHaveLength(
      BaselineRegistry.load([SHIPPED_PRESETS_DIR]).list().length,
    );
  });

  it('rejects two files claiming one baseline id, naming both files', () => {
    const other = path.join(extra, 'copy.yaml');
    writeFileSync(other, baselineYaml('slack-locked-down'));
    let caught: unknown;
    try {
      BaselineRegistry.load([SHIPPED_PRESETS_DIR, extra]);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(BaselineError);
    const err = caught as BaselineError;
    expect(err.file).toBe(other);
    expect(err.line).toBe(1);
    expect(err.reason).toBe(
      `duplicate baseline id "slack-locked-down": already defined in ${path.join(SHIPPED_PRESETS_DIR, 'slack-locked-down.yaml')}`,
    );
  });

  it('fails on a bad file with its position', () => {
    writeFileSync(path.join(extra, 'bad.yaml'), baselineYaml('bad', 'Bad', 'isMaybe'));
    expect(() => BaselineRegistry.load([extra])).toThrow(
      `${path.join(extra, 'bad.yaml')}:16:11: controls[0].check.op: unknown operator "isMaybe"`,
    );
  });

  it('fails on a directory that cannot be read', () => {
    expect(() => BaselineRegistry.load([path.join(root, 'nope')])).toThrow(/cannot read baseline directory/);
  });

  describe('reload', () => {
    it('picks up added, changed and removed files', () => {
      writeFileSync(path.join(extra, 'one.yaml'), baselineYaml('one', 'First title'));
      const registry = BaselineRegistry.load([extra]);
      writeFileSync(path.join(extra, 'one.yaml'), baselineYaml('one', 'Second title'));
      writeFileSync(path.join(extra, 'two.yaml'), baselineYaml('two'));
      registry.reload([extra]);
      expect(registry.get('one')?.title).toBe('Second title');
      expect(registry.get('two')).toBeDefined();
      rmSync(path.join(extra, 'two.yaml'));
      registry.reload([extra]);
      expect(registry.get('two')).toBeUndefined();
    });

    it('keeps the previous good set and rethrows when a file has become bad', () => {
      writeFileSync(path.join(extra, 'one.yaml'), baselineYaml('one'));
      writeFileSync(path.join(extra, 'two.yaml'), baselineYaml('two'));
      const registry = BaselineRegistry.load([SHIPPED_PRESETS_DIR, extra]);
      const before = registry.list();

      writeFileSync(path.join(extra, 'two.yaml'), baselineYaml('two').replace('severity: low', 'severty: low'));
      writeFileSync(path.join(extra, 'three.yaml'), baselineYaml('three'));
      expect(() => registry.reload([SHIPPED_PRESETS_DIR, extra])).toThrow(BaselineError);

      expect(registry.list()).toEqual(before);
      expect(registry.get('two')).toBe(before.find((b) => b.id === 'two'));
      expect(registry.get('three')).toBeUndefined();
    });

    it('keeps the previous good set when an edit introduces a duplicate id', () => {
      writeFileSync(path.join(extra, 'one.yaml'), baselineYaml('one'));
      const registry = BaselineRegistry.load([extra]);
      writeFileSync(path.join(extra, 'two.yaml'), baselineYaml('one'));
      expect(() => registry.reload([extra])).toThrow(/duplicate baseline id "one"/);
      expect(registry.list().map((b) => b.source)).toEqual([path.join(extra, 'one.yaml')]);
    });
  });
});
