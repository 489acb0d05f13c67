import canonicalize from 'canonicalize';
import { NO_REGION, type PostureDocument, type PostureGap, type ResidencyObservation, type SettingObservation } from '@tollgate/connector-sdk';
import { isParamRef, jsonKind, parameterUses, shapeMismatch } from './baseline-parameters';
import {
  DEFAULT_GRANT_TYPES,
  type AttestationCheck,
  type Baseline,
  type EvaluationContext,
  type Control,
  type Finding,
  type FindingStatus,
  type JsonValue,
  type OAuthCheck,
  type ParamRef,
  type ResidencyCheck,
  type SettingCheck,
  type SettingOperator,
} from './baseline.types';

const TENANT = 'tenant';

/** Parameter overrides a connection supplied that the baseline cannot accept. */
export class BaselineParameterError extends Error {
  override readonly name = 'BaselineParameterError';
  constructor(
    message: string,
    readonly baselineId: string,
    /** The offending parameter names, sorted. */
    readonly parameters: string[],
  ) {
    super(message);
  }
}

/**
 * The baseline's parameter defaults with a connection's overrides applied. Throws
 * {@link BaselineParameterError} for an unknown name or a value of the wrong shape, so a connection
 * is refused when it is created rather than evaluating to `unknown` on every poll.
 */
export function resolveParameters(
  baseline: Baseline,
  overrides: Record<string, JsonValue> = {},
): Record<string, JsonValue> {
  const unknown = Object.keys(overrides)
    .filter((name) => !Object.hasOwn(baseline.parameters, name))
    .sort();
  if (unknown.length > 0) {
    const known = Object.keys(baseline.parameters).sort().join(', ') || 'none';
    throw new BaselineParameterError(
      `unknown parameter${unknown.length > 1 ? 's' : ''} for baseline ${baseline.id}: ${unknown.join(', ')} (known: ${known})`,
      baseline.id,
      unknown,
    );
  }

  const resolved: Record<string, JsonValue> = {};
  for (const [name, parameter] of Object.entries(baseline.parameters)) resolved[name] = parameter.default;

  const uses = parameterUses(baseline.controls);
  const problems = new Map<string, string>();
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    const fallback = baseline.parameters[name].default;
    if (fallback !== null && jsonKind(value) !== jsonKind(fallback)) {
      problems.set(name, `${name} must be a ${jsonKind(fallback)} like its default, got a ${jsonKind(value)}`);
    } else {
      for (const use of uses) {
        const expected = use.param === name ? shapeMismatch(value, use.shape) : undefined;
        if (expected) {
          problems.set(name, `${name} must be ${expected} (${use.controlId} uses it with ${use.usedBy})`);
          break;
        }
      }
    }
    resolved[name] = value;
  }
  if (problems.size > 0) {
    const names = [...problems.keys()].sort();
    throw new BaselineParameterError(
      `invalid parameter value${names.length > 1 ? 's' : ''} for baseline ${baseline.id}: ${names.map((n) => problems.get(n)).join('; ')}`,
      baseline.id,
      names,
    );
  }
  return resolved;
}

/**
 * Compares one posture document with one baseline. Pure: no I/O, no clock, no randomness, so the
 * same inputs always give the same findings in the same order (sorted by control id, then
 * resource key). A setting the document does not contain is `unknown`, never `pass`. Attestation
 * controls are decided by `context` (the connection's attestations and the instant to judge their
 * expiry against); without it they are `unknown`.
 */
export function evaluate(
  doc: PostureDocument,
  baseline: Baseline,
  overrides?: Record<string, JsonValue>,
  context?: EvaluationContext,
): Finding[] {
  const params = resolveParameters(baseline, overrides);
  const settingsByKey = groupBy(doc.settings, (o) => o.key);

  const findings: Finding[] = [];
  for (const control of baseline.controls) {
    const check = control.check;
    switch (check.type) {
      case 'setting':
        evaluateSetting(control, check, params, settingsByKey.get(check.key) ?? [], doc.gaps, findings);
        break;
      case 'oauth':
        evaluateOAuth(control, check, params, doc, findings);
        break;
      case 'residency':
        evaluateResidency(control, check, params, doc, findings);
        break;
      case 'attestation':
        evaluateAttestation(control, check, context, findings);
        break;
    }
  }
  return findings.sort(compareFindings);
}

function compareFindings(a: Finding, b: Finding): number {
  // Code-unit order rather than localeCompare: the same everywhere, whatever the host's locale.
  if (a.controlId !== b.controlId) return a.controlId < b.controlId ? -1 : 1;
  if (a.resourceKey !== b.resourceKey) return a.resourceKey < b.resourceKey ? -1 : 1;
  return 0;
}

function finding(
  control: Control,
  resourceKey: string,
  status: FindingStatus,
  expected: JsonValue,
  observed: JsonValue,
  message: string,
): Finding {
  return {
    controlId: control.id,
    title: control.title,
    area: control.area,
    severity: control.severity,
    references: control.references,
    resourceKey,
    status,
    expected,
    observed,
    message,
  };
}

function resolve(value: JsonValue | ParamRef, params: Record<string, JsonValue>): JsonValue | undefined {
  return isParamRef(value) ? params[value.param] : value;
}

function describeSource(value: JsonValue | ParamRef, what: string): string {
  return isParamRef(value) ? `parameter ${value.param}` : what;
}

// ---------------------------------------------------------------------------------------------
// setting checks

interface Verdict {
  status: FindingStatus;
  /** Completes a sentence that starts with the setting key. */
  text: string;
}

function evaluateSetting(
  control: Control,
  check: SettingCheck,
  params: Record<string, JsonValue>,
  observations: SettingObservation[],
  gaps: PostureDocument['gaps'],
  out: Finding[],
): void {
  const value = check.value === undefined ? undefined : resolve(check.value, params);
  const expected: JsonValue = value === undefined ? { op: check.op } : { op: check.op, value };

  if (observations.length === 0) {
    const why = gapReasons(gaps, (gap) => gap.area === 'sharing' && gapCoversSetting(gap.what, check.key));
    const message = `${check.key} was not exposed by the provider API${why ? `: ${why}` : ' (the connector reported no reason)'}`;
    out.push(finding(control, TENANT, 'unknown', expected, null, message));
    return;
  }

  for (const [resourceKey, group] of groupBy(observations, (o) => o.resourceKey)) {
    const distinct = uniqueBy(group, (o) => valueKey(o.value));
    if (distinct.length > 1) {
      const values = distinct.map((o) => o.value);
      const message = `${check.key} was reported with conflicting values for ${resourceKey}: ${show(values)}`;
      out.push(finding(control, resourceKey, 'unknown', expected, values, message));
      continue;
    }
    const observation = group.find((o) => o.source === 'observed') ?? group[0];
    const verdict = compare(check.op, observation.value, value);
    const note = observation.source === 'default' ? ' (the provider’s documented default: not set explicitly)' : '';
    out.push(finding(control, resourceKey, verdict.status, expected, observation.value, `${check.key} ${verdict.text}${note}`));
  }
}

// A connector names a sharing gap by the setting key or by a dotted prefix of it (a whole group of
// settings it could not read).
function gapCoversSetting(what: string, key: string): boolean {
  return what === key || key.startsWith(`${what}.`);
}

function compare(op: SettingOperator, observed: JsonValue, expected: JsonValue | undefined): Verdict {
  const pass = (text: string): Verdict => ({ status: 'pass', text });
  const fail = (text: string): Verdict => ({ status: 'fail', text });
  const unknown = (text: string): Verdict => ({ status: 'unknown', text });
  const shown = show(observed);

  switch (op) {
    case 'equals':
    case 'notEquals': {
      if (expected === undefined) return unknown(`is ${shown}, but the baseline gives no value to compare with`);
      // Different kinds mean the catalog and the baseline disagree; for notEquals that would read as a pass.
      if (observed !== null && expected !== null && jsonKind(observed) !== jsonKind(expected)) {
        const against = `the ${jsonKind(expected)} ${show(expected)}`;
        return unknown(`is ${shown}, a ${jsonKind(observed)}, which cannot be compared with ${against}`);
      }
      const same = jsonEquals(observed, expected);
      if (op === 'equals') return same ? pass(`is ${shown}`) : fail(`is ${shown}, expected ${show(expected)}`);
      return same ? fail(`is ${shown}, which the baseline forbids`) : pass(`is ${shown}, not ${show(expected)}`);
    }
    case 'in':
    case 'notIn': {
      if (!Array.isArray(expected)) return unknown(`is ${shown}, but operator "${op}" needs a list to compare with`);
      if (
        observed !== null &&
        expected.length > 0 &&
        !expected.some((e) => e === null || jsonKind(e) === jsonKind(observed))
      ) {
        return unknown(`is ${shown}, a ${jsonKind(observed)}, which cannot be compared with ${show(expected)}`);
      }
      const member = expected.some((e) => jsonEquals(e, observed));
      if (op === 'in') {
        return member ? pass(`is ${shown}, one of ${show(expected)}`) : fail(`is ${shown}, expected one of ${show(expected)}`);
      }
      return member
        ? fail(`is ${shown}, one of the forbidden values ${show(expected)}`)
        : pass(`is ${shown}, none of the forbidden values ${show(expected)}`);
    }
    case 'lte':
    case 'gte': {
      if (typeof observed !== 'number' || typeof expected !== 'number') {
        const kinds = `a ${jsonKind(observed)} with a ${jsonKind(expected)}`;
        return unknown(`is ${shown}: operator "${op}" compares numbers, not ${kinds}`);
      }
      if (op === 'lte') {
        return observed <= expected
          ? pass(`is ${observed}, at most ${expected}`)
          : fail(`is ${observed}, more than the allowed ${expected}`);
      }
      return observed >= expected
        ? pass(`is ${observed}, at least ${expected}`)
        : fail(`is ${observed}, less than the required ${expected}`);
    }
    case 'subsetOf': {
      if (!Array.isArray(observed) || !Array.isArray(expected)) {
        const kinds = `a ${jsonKind(observed)} with a ${jsonKind(expected)}`;
        return unknown(`is ${shown}: operator "subsetOf" compares a list with a list, not ${kinds}`);
      }
      const allowed = new Set(expected.map(valueKey));
      const extra = observed.filter((v) => !allowed.has(valueKey(v)));
      if (extra.length > 0) {
        const count = `${extra.length} value${extra.length > 1 ? 's' : ''}`;
        return fail(`has ${count} outside the allowed list ${show(expected)}: ${show(extra)}`);
      }
      return pass(observed.length === 0 ? 'is empty' : `has only allowed values: ${shown}`);
    }
    case 'isEmpty': {
      if (typeof observed === 'number' || typeof observed === 'boolean') {
        return unknown(`is ${shown}: operator "isEmpty" applies to text, lists and mappings, not a ${typeof observed}`);
      }
      const empty =
        observed === null ||
        observed === '' ||
        (Array.isArray(observed)
          ? observed.length === 0
          : typeof observed === 'object' && Object.keys(observed).length === 0);
      return empty ? pass('is empty') : fail(`is ${shown}, expected empty`);
    }
    case 'isTrue':
    case 'isFalse': {
      if (typeof observed !== 'boolean') {
        return unknown(`is ${shown}: operator "${op}" needs a boolean, not a ${jsonKind(observed)}`);
      }
      const wanted = op === 'isTrue';
      return observed === wanted ? pass(`is ${observed}`) : fail(`is ${observed}, expected ${wanted}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// OAuth grant checks

interface AppTally {
  appName: string;
  exempt: boolean;
  forbidden?: Set<string>;
  sensitive?: Set<string>;
}

function evaluateOAuth(
  control: Control,
  check: OAuthCheck,
  params: Record<string, JsonValue>,
  doc: PostureDocument,
  out: Finding[],
): void {
  const forbiddenScopes = check.forbiddenScopes === undefined ? [] : resolve(check.forbiddenScopes, params);
  const allowedApps = check.allowedApps === undefined ? [] : resolve(check.allowedApps, params);
  const expected: { [key: string]: JsonValue } = { forbiddenScopes: forbiddenScopes ?? null, allowedApps: allowedApps ?? null };
  if (check.forbidSensitiveScopes) expected.forbidSensitiveScopes = true;

  if (!isStringList(forbiddenScopes) || !isStringList(allowedApps)) {
    const which = !isStringList(forbiddenScopes)
      ? describeSource(check.forbiddenScopes ?? [], 'forbiddenScopes')
      : describeSource(check.allowedApps ?? [], 'allowedApps');
    out.push(finding(control, TENANT, 'unknown', expected, null, `${which} is not a list of strings`));
    return;
  }

  const isForbidden = compileScopePatterns(forbiddenScopes);
  const grantTypes = new Set<string>(check.grantTypes ?? DEFAULT_GRANT_TYPES);
  const exemptIds = new Set(allowedApps.map((id) => id.toLowerCase()));
  const apps = new Map<string, AppTally>();

  for (const grant of doc.oauthGrants) {
    if (!grantTypes.has(grant.grantType)) continue;
    let app = apps.get(grant.appId);
    if (app === undefined) {
      app = { appName: grant.appName, exempt: exemptIds.has(grant.appId.toLowerCase()) };
      apps.set(grant.appId, app);
    }
    if (app.exempt) continue;
    if (!app.appName && grant.appName) app.appName = grant.appName;
    for (const scope of grant.scopes) {
      if (scope && isForbidden(scope)) (app.forbidden ??= new Set()).add(scope);
    }
    if (check.forbidSensitiveScopes && grant.sensitiveScopes) {
      for (const scope of grant.sensitiveScopes) if (scope) (app.sensitive ??= new Set()).add(scope);
    }
  }

  let failing = 0;
  for (const [appId, app] of apps) {
    if (!app.forbidden && !app.sensitive) continue;
    failing++;
    const scopes = [...new Set([...(app.forbidden ?? []), ...(app.sensitive ?? [])])].sort();
    const parts: string[] = [];
    if (app.forbidden) parts.push(`forbidden scopes ${show([...app.forbidden].sort())}`);
    if (app.sensitive) parts.push(`scopes the provider flags as sensitive ${show([...app.sensitive].sort())}`);
    const exemptHint = isParamRef(check.allowedApps)
      ? `; once reviewed, add ${appId} to parameter ${check.allowedApps.param}`
      : '';
    const message = `${app.appName || appId} (${appId}) holds ${parts.join(' and ')}${exemptHint}`;
    out.push(finding(control, `app:${appId}`, 'fail', expected, { appName: app.appName, scopes }, message));
  }
  if (failing > 0) return;

  const why = gapReasons(doc.gaps, (gap) => gap.area === 'oauth');
  if (why) {
    const message =
      `OAuth grants were not fully readable (${why}); ` +
      `none of the ${apps.size} apps read breaks the rule, which is not enough to pass`;
    out.push(finding(control, TENANT, 'unknown', expected, { appsChecked: apps.size }, message));
    return;
  }
  const message = `none of the ${apps.size} apps checked holds a forbidden scope`;
  out.push(finding(control, TENANT, 'pass', expected, { appsChecked: apps.size }, message));
}

/**
 * One case-insensitive RegExp for all patterns (`*` matches any run of characters, everything else
 * literally), with a verdict cache: grant inventories repeat the same few hundred scope names
 * across many thousands of grants.
 */
export function compileScopePatterns(patterns: readonly string[]): (scope: string) => boolean {
  const usable = patterns.filter((p) => p.length > 0);
  if (usable.length === 0) return () => false;
  const source = usable.map((p) => p.split('*').map(escapeRegExp).join('.*')).join('|');
  const re = new RegExp(`^(?:${source})$`, 'is');
  const verdicts = new Map<string, boolean>();
  return (scope) => {
    let verdict = verdicts.get(scope);
    if (verdict === undefined) {
      verdict = re.test(scope);
      verdicts.set(scope, verdict);
    }
    return verdict;
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

// ---------------------------------------------------------------------------------------------
// residency checks

/**
 * Residency fails by default when data is not pinned: with no allowed regions set, data at rest in
 * no region (NO_REGION) fails, and so does data spread over several regions (one tenant's
 * observations naming more than one, e.g. Microsoft 365 Multi-Geo); data pinned to one region
 * passes, a declared region (Slack) counting as pinned. Allowed regions, when set, narrow which
 * pinned regions pass; NO_REGION fails whatever the list says.
 */
function evaluateResidency(
  control: Control,
  check: ResidencyCheck,
  params: Record<string, JsonValue>,
  doc: PostureDocument,
  out: Finding[],
): void {
  const allowed = resolve(check.allowedRegions, params);
  const source = describeSource(check.allowedRegions, 'allowedRegions');
  const expected: JsonValue = { allowedRegions: allowed ?? null };

  if (allowed !== undefined && allowed !== null && !isStringList(allowed)) {
    out.push(finding(control, TENANT, 'unknown', expected, null, `${source} is not a list of strings`));
    return;
  }
  if (doc.residency.length === 0) {
    const why = gapReasons(doc.gaps, (gap) => gap.area === 'residency');
    const message =
      'data residency was neither reported by the provider API nor declared for this connection' +
      (why ? `: ${why}` : '');
    out.push(finding(control, TENANT, 'unknown', expected, null, message));
    return;
  }

  const allowedList = isStringList(allowed) ? allowed : [];
  const allowedUpper = new Set(allowedList.map((r) => r.toUpperCase()));
  const allowedText = allowedList.join(', ');
  const resolved: { resourceKey: string; observation: ResidencyObservation }[] = [];
  for (const [resourceKey, group] of groupBy(doc.residency, (o) => o.resourceKey)) {
    // What the API shows outranks what an operator declared.
    const observedOnly = group.filter((o) => o.source === 'observed');
    const considered = observedOnly.length > 0 ? observedOnly : group;
    const regions = uniqueBy(considered, (o) => o.region.toUpperCase());
    if (regions.length > 1) {
      const observed = { regions: regions.map((o) => o.region), source: regions[0].source };
      const message = `conflicting residency reports for ${resourceKey}: ${regions.map((o) => o.region).join(', ')}`;
      out.push(finding(control, resourceKey, 'unknown', expected, observed, message));
      continue;
    }
    resolved.push({ resourceKey, observation: considered[0] });
  }
  const pinned = uniqueBy(
    resolved.map((r) => r.observation).filter((o) => o.region.toUpperCase() !== NO_REGION),
    (o) => o.region.toUpperCase(),
  ).map((o) => o.region.toUpperCase());

  for (const { resourceKey, observation } of resolved) {
    const { region, source: how } = observation;
    const observed = { region, source: how };
    if (region.toUpperCase() === NO_REGION) {
      const message = `data at rest is not pinned to any region: the provider may store it in any of its regions${allowedText ? `; allowed: ${allowedText}` : ''}`;
      out.push(finding(control, resourceKey, 'fail', expected, observed, message));
      continue;
    }
    const stated =
      how === 'declared'
        ? `data residency is declared by the operator as ${region} (not observed: the provider API does not expose it)`
        : `data resides in ${region} (observed through the provider API)`;
    if (allowedList.length === 0) {
      if (pinned.length > 1) {
        const message = `${stated}, but this tenant's data is spread over ${pinned.length} regions (${pinned.join(', ')}), not pinned to one; set ${source} to accept them`;
        out.push(finding(control, resourceKey, 'fail', expected, observed, message));
      } else {
        out.push(finding(control, resourceKey, 'pass', expected, observed, `${stated}; pinned to one region (${source} not set)`));
      }
      continue;
    }
    const inAllowed = allowedUpper.has(region.toUpperCase());
    const message = inAllowed ? `${stated}; allowed: ${allowedText}` : `${stated}, outside the allowed regions ${allowedText}`;
    out.push(finding(control, resourceKey, inAllowed ? 'pass' : 'fail', expected, observed, message));
  }
}

// ---------------------------------------------------------------------------------------------
// attestation checks

function evaluateAttestation(
  control: Control,
  check: AttestationCheck,
  context: EvaluationContext | undefined,
  out: Finding[],
): void {
  const expected: JsonValue = check.statement === undefined ? { attested: true } : { attested: true, statement: check.statement };
  const attestation = context?.attestations?.[control.id];
  if (!context || !attestation) {
    const message = `not attested: no API shows this setting, so an approver has to attest it (POST /attestations)`;
    out.push(finding(control, TENANT, 'unknown', expected, null, message));
    return;
  }
  const observed: JsonValue = {
    attestationId: attestation.id,
    attestedBy: attestation.attestedBy,
    expiresAt: attestation.expiresAt,
    statement: attestation.statement,
    evidenceRef: attestation.evidenceRef,
  };
  const expiresAt = Date.parse(attestation.expiresAt);
  // An unreadable expiry cannot be trusted to lie in the future.
  if (!(expiresAt > context.now.getTime())) {
    const message = `attestation expired on ${attestation.expiresAt} (attested by ${attestation.attestedBy}); attest it again`;
    out.push(finding(control, TENANT, 'unknown', expected, observed, message));
    return;
  }
  const message = `attested by ${attestation.attestedBy} until ${attestation.expiresAt}: ${show(attestation.statement)}`;
  out.push({
    ...finding(control, TENANT, 'pass', expected, observed, message),
    attestation: { id: attestation.id, attestedBy: attestation.attestedBy, expiresAt: attestation.expiresAt },
  });
}

// ---------------------------------------------------------------------------------------------
// helpers

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

function uniqueBy<T>(items: T[], key: (item: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const item of items) {
    const k = key(item);
    if (!seen.has(k)) seen.set(k, item);
  }
  return [...seen.values()];
}

function gapReasons(gaps: PostureDocument['gaps'], matches: (gap: PostureGap) => boolean): string {
  return gaps
    .filter(matches)
    .map((g) => g.reason)
    .join('; ');
}

function isStringList(value: JsonValue | undefined): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

function valueKey(value: JsonValue): string {
  if (typeof value === 'string') return `s${value}`;
  try {
    return `j${canonicalize(value)}`;
  } catch {
    return `x${String(value)}`;
  }
}

function jsonEquals(a: JsonValue, b: JsonValue): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => jsonEquals(v, b[i]));
  }
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && jsonEquals(a[k], b[k]));
}

const MAX_SHOWN = 160;

// Messages end up in reports and tickets; a 10,000-entry list must not end up in one of them.
function show(value: JsonValue | undefined): string {
  const text = value === undefined ? 'nothing' : JSON.stringify(value);
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN - 1)}…` : text;
}
