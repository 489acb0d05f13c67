import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { BaselineError, parseBaselineWithPositions } from './baseline.loader';
import type { Baseline, Provider } from './baseline.types';

/** The presets shipped with Tollgate; pass it first so its files come before operators' own. */
export const SHIPPED_PRESETS_DIR = path.resolve(__dirname, '../presets');

/**
 * Every baseline Tollgate knows, by id. Loaded as a whole set: a bad file, or two files claiming
 * one id, rejects the set, and {@link reload} keeps serving the previous good set when that happens.
 */
export class BaselineRegistry {
  private constructor(private baselines: ReadonlyMap<string, Baseline>) {}

  /** Loads every `*.yaml` / `*.yml` file of the directories, in order; throws {@link BaselineError}. */
  static load(dirs: string[]): BaselineRegistry {
    return new BaselineRegistry(loadDirectories(dirs));
  }

  get(id: string): Baseline | undefined {
    return this.baselines.get(id);
  }

  /** Sorted by id. */
  list(): Baseline[] {
    return [...this.baselines.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** The shipped locked-down preset of a provider, used when a connection names no baseline. */
  defaultFor(provider: Provider): Baseline | undefined {
    return this.baselines.get(`${provider}-locked-down`);
  }

  /**
   * Replaces the set with what the directories hold now. When that fails the error is rethrown and
   * the previous set stays in use, so a bad edit never drops a baseline that connections rely on.
   */
  reload(dirs: string[]): void {
    this.baselines = loadDirectories(dirs);
  }
}

function loadDirectories(dirs: string[]): Map<string, Baseline> {
  const byId = new Map<string, Baseline>();
  // The extra directory may well be configured as the presets directory itself; that is not a clash.
  const unique = [...new Set(dirs.map((dir) => path.resolve(dir)))];
  for (const dir of unique) {
    for (const file of baselineFiles(dir)) {
      const { baseline, positionOf } = parseBaselineWithPositions(readFileSync(file, 'utf8'), file);
      const first = byId.get(baseline.id);
      if (first) {
        const { line, column } = positionOf(['id']);
        throw new BaselineError(
          file,
          line,
          column,
          `duplicate baseline id "${baseline.id}": already defined in ${first.source}`,
        );
      }
      byId.set(baseline.id, baseline);
    }
  }
  return byId;
}

function baselineFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    throw new Error(`cannot read baseline directory ${dir}: ${err instanceof Error ? err.message : String(err)}`);
  }
  return (
    names
      // Editors leave hidden swap and lock files (.#x.yaml) beside the ones being edited.
      .filter((name) => /\.ya?ml$/i.test(name) && !name.startsWith('.'))
      .sort()
      .map((name) => path.join(dir, name))
      .filter((file) => statSync(file).isFile())
  );
}
