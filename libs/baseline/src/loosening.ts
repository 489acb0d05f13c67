import canonicalize from 'canonicalize';
import { isParamRef, parameterUses } from './baseline-parameters';
import type { Baseline, Control, JsonValue } from './baseline.types';
import { resolveParameters } from './evaluator';

/**
 * Which way a change of a parameter's value moves a check. `allowList`: the value lists what is
 * allowed, so items added loosen. `denyList`: it lists what is refused, so items removed loosen.
 * `atMost` / `atLeast`: a bound, so raising / lowering it loosens. `opaque`: nothing can be proven
 * about a change (an `equals` value, a parameter no check reads), so any change counts as loosening.
 */
type Direction = 'allowList' | 'denyList' | 'atMost' | 'atLeast' | 'opaque';

function directionOf(control: Control, param: string): Direction[] {
  const check = control.check;
  switch (check.type) {
    case 'setting':
      if (!isParamRef(check.value) || check.value.param !== param) return [];
      switch (check.op) {
        case 'in':
        case 'subsetOf':
          return ['allowList'];
        case 'notIn':
          return ['denyList'];
        case 'lte':
          return ['atMost'];
        case 'gte':
          return ['atLeast'];
        default:
          return ['opaque'];
      }
    case 'oauth': {
      const found: Direction[] = [];
      if (isParamRef(check.allowedApps) && check.allowedApps.param === param) found.push('allowList');
      if (isParamRef(check.forbiddenScopes) && check.forbiddenScopes.param === param) found.push('denyList');
      return found;
    }
    case 'residency':
      return isParamRef(check.allowedRegions) && check.allowedRegions.param === param ? ['allowList'] : [];
    case 'attestation':
      // An attestation reads no parameter: whether it holds is an approver's decision, not a value.
      return [];
  }
}

const key = (v: JsonValue) => canonicalize(v) ?? 'null';
const shown = (v: JsonValue) => (typeof v === 'string' ? v : key(v));

/** Why changing `param` from `before` to `after` loosens a check reading it, or undefined when it does not. */
function loosens(direction: Direction, param: string, controlId: string, before: JsonValue, after: JsonValue): string | undefined {
  const at = `parameters.${param} (${controlId})`;
  switch (direction) {
    case 'allowList':
    case 'denyList': {
      if (!Array.isArray(before) || !Array.isArray(after)) return `${at}: changed from ${key(before)} to ${key(after)}`;
      const [from, to] = direction === 'allowList' ? [before, after] : [after, before];
      const had = new Set(from.map(key));
      const widened = to.filter((v) => !had.has(key(v)));
      if (widened.length === 0) return undefined;
      return `${at}: ${direction === 'allowList' ? 'allows' : 'no longer refuses'} ${widened.map(shown).join(', ')}`;
    }
    case 'atMost':
    case 'atLeast': {
      if (typeof before !== 'number' || typeof after !== 'number') return `${at}: changed from ${key(before)} to ${key(after)}`;
      const looser = direction === 'atMost' ? after > before : after < before;
      return looser ? `${at}: ${direction === 'atMost' ? 'raised' : 'lowered'} from ${before} to ${after}` : undefined;
    }
    case 'opaque':
      return `${at}: changed from ${key(before)} to ${key(after)}, which cannot be shown to be stricter`;
  }
}

/**
 * Why moving a connection from (`before`, its parameter overrides) to (`after`, its overrides) would
 * loosen what it is held to; empty when the change is tighter or changes nothing a check reads.
 * Worked out from how the baseline's checks read each parameter, not from parameter names, so a new
 * baseline needs no code: allow-lists widen by adding, deny-lists by removing, an upper bound by
 * rising, a lower bound by falling; anything else that changes cannot be proven tighter and counts.
 * Another baseline always counts: its controls are not comparable one by one with these.
 */
export function looseningReasons(
  before: { baseline: Baseline; parameters: Record<string, JsonValue> },
  after: { baseline: Baseline; parameters: Record<string, JsonValue> },
): string[] {
  if (before.baseline.id !== after.baseline.id) {
    return [`baselineId: switches from ${before.baseline.id} to ${after.baseline.id}`];
  }
  const baseline = after.baseline;
  const from = resolveParameters(before.baseline, before.parameters);
  const to = resolveParameters(baseline, after.parameters);
  const reasons: string[] = [];
  const used = new Set(parameterUses(baseline.controls).map((u) => u.param));
  for (const param of Object.keys(to).sort()) {
    if (key(from[param]) === key(to[param])) continue;
    if (!used.has(param)) {
      reasons.push(`parameters.${param}: changed, and no control reads it, so the change cannot be judged`);
      continue;
    }
    for (const control of baseline.controls) {
      for (const direction of directionOf(control, param)) {
        const why = loosens(direction, param, control.id, from[param], to[param]);
        if (why) reasons.push(why);
      }
    }
  }
  return reasons;
}
