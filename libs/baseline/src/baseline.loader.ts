import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import canonicalize from 'canonicalize';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import {
  hasParamKey,
  isParamRef,
  jsonKind,
  operatorValueShape,
  parameterUses,
  shapeMismatch,
} from './baseline-parameters';
import { BaselineFileSchema, KNOWN_FIELDS, PARAMETER_NAME_PATTERN, type BaselineFile } from './baseline.schema';
import type { Baseline, Control } from './baseline.types';

export interface BaselineIssue {
  line: number;
  column: number;
  reason: string;
}

/**
 * A baseline file that cannot be used. `line`/`column` (1-based) and `reason` describe the first
 * problem in file order; `issues` lists all of them, so an editor or `POST /baselines/validate`
 * can show every mistake at once.
 */
export class BaselineError extends Error {
  override readonly name = 'BaselineError';
  readonly issues: BaselineIssue[];

  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    readonly reason: string,
    issues?: BaselineIssue[],
  ) {
    super(`${file}:${line}:${column}: ${reason}`);
    this.issues = issues ?? [{ line, column, reason }];
  }
}

export type DocumentPath = (string | number)[];

export interface ParsedBaseline {
  baseline: Baseline;
  /** Where a node of the file sits, e.g. `['id']`, so callers can report their own problems by line. */
  positionOf(path: DocumentPath): { line: number; column: number };
}

export function parseBaseline(text: string, file: string): Baseline {
  return parseBaselineWithPositions(text, file).baseline;
}

export function loadBaselineFile(path: string): Baseline {
  return parseBaseline(readFileSync(path, 'utf8'), path);
}

export function parseBaselineWithPositions(text: string, file: string): ParsedBaseline {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });

  // Warnings too: an unresolved tag silently turns into a string, which would change the check.
  const yamlProblems = [...doc.errors, ...doc.warnings];
  if (yamlProblems.length > 0) {
    throw toError(
      file,
      yamlProblems.map((e) => {
        const { line, col } = lineCounter.linePos(e.pos[0]);
        return { offset: e.pos[0], line, column: col, reason: `invalid YAML: ${e.message}` };
      }),
    );
  }

  const locate = (path: DocumentPath, at: 'key' | 'value' = 'value') => {
    const offset = offsetOf(doc, path, at);
    const { line, col } = lineCounter.linePos(offset);
    return { offset, line, column: col };
  };

  let data: unknown;
  try {
    // Bounded alias expansion keeps a "billion laughs" file from exhausting memory.
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw new BaselineError(file, 1, 1, `invalid YAML: ${err instanceof Error ? err.message : String(err)}`);
  }

  const parsed = BaselineFileSchema.safeParse(data);
  const pending = parsed.success
    ? semanticIssues(parsed.data, (path) => locate(path).line)
    : withoutEchoes(parsed.error.issues.flatMap((issue) => describeIssue(issue, data, [])));
  if (pending.length > 0 || !parsed.success) {
    throw toError(
      file,
      pending.map((p) => ({ ...locate(p.path, p.at), reason: p.reason })),
    );
  }

  const content: BaselineFile = parsed.data;
  const hash = createHash('sha256')
    .update(canonicalize(content) ?? '')
    .digest('hex');
  const baseline: Baseline = deepFreeze({ ...content, source: file, hash });
  return {
    baseline,
    positionOf: (path) => {
      const { line, column } = locate(path);
      return { line, column };
    },
  };
}

interface PendingIssue {
  path: DocumentPath;
  at: 'key' | 'value';
  reason: string;
  /** For an unknown field: the known field it most likely misspells. */
  meant?: string;
  /** For a missing field: its name. */
  missing?: string;
}

// A misspelled field also leaves the real one missing; "did you mean" already says so, once.
function withoutEchoes(issues: PendingIssue[]): PendingIssue[] {
  const meant = new Set(
    issues.filter((i) => i.meant).map((i) => `${pathText(i.path.slice(0, -1))}#${i.meant}`),
  );
  return issues.filter((i) => !i.missing || !meant.has(`${pathText(i.path)}#${i.missing}`));
}

function toError(file: string, found: (BaselineIssue & { offset: number })[]): BaselineError {
  const sorted = [...found].sort((a, b) => a.offset - b.offset);
  const issues = sorted.map(({ line, column, reason }) => ({ line, column, reason }));
  const first = issues[0] ?? { line: 1, column: 1, reason: 'invalid baseline' };
  return new BaselineError(file, first.line, first.column, first.reason, issues);
}

/** Offset of the node at `path`, or of its deepest existing ancestor when part of the path is missing. */
function offsetOf(doc: Document, path: DocumentPath, at: 'key' | 'value'): number {
  let node: unknown = doc.contents;
  let keyNode: unknown;
  let found = 0;
  for (const segment of path) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(segment));
      if (!pair) break;
      keyNode = pair.key;
      // An empty value (`check:`) has no node of its own; its key is the best place to point at.
      node = pair.value ?? pair.key;
    } else if (isSeq(node) && typeof segment === 'number' && node.items[segment] !== undefined) {
      keyNode = undefined;
      node = node.items[segment];
    } else {
      break;
    }
    found++;
  }
  const target = found === path.length && at === 'key' && keyNode ? keyNode : node;
  return rangeStart(target) ?? rangeStart(keyNode) ?? 0;
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
  return range?.[0];
}

function valueAt(data: unknown, path: DocumentPath): unknown {
  let v = data;
  for (const segment of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[segment];
  }
  return v;
}

function pathText(path: DocumentPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out ? `.${segment}` : segment;
  }
  return out || 'baseline';
}

function kindText(value: unknown): string {
  if (typeof value === 'number' && !Number.isFinite(value)) return `${value} (numbers must be finite)`;
  switch (jsonKind(value)) {
    case 'null':
      return 'null';
    case 'list':
      return 'a list';
    case 'mapping':
      return 'a mapping';
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'a boolean';
    default:
      return 'nothing';
  }
}

const EXPECTED_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  record: 'a mapping',
  null: 'null',
};

const STRING_LIST_OR_PARAM_FIELDS = new Set(['forbiddenScopes', 'allowedApps', 'allowedRegions']);

function describeIssue(issue: z.core.$ZodIssue, data: unknown, prefix: DocumentPath): PendingIssue[] {
  const path = [...prefix, ...(issue.path as DocumentPath)];
  const value = valueAt(data, path);
  const parent = path.slice(0, -1);
  const last = path[path.length - 1];
  const missing = (): PendingIssue => ({
    path: parent,
    at: 'value',
    reason: `${pathText(parent)}: missing required field "${String(last)}"`,
    missing: String(last),
  });

  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = knownFieldsAt(path, data);
      return issue.keys.map((key) => {
        const meant = nearest(key, known);
        return {
          path: [...path, key],
          at: 'key',
          reason: `${pathText(path)}: unknown field "${key}"${meant ? ` (did you mean "${meant}"?)` : ''}`,
          meant,
        };
      });
    }
    case 'invalid_type':
      if (value === undefined && path.length > 0) return [missing()];
      return [
        {
          path,
          at: 'value',
          reason: `${pathText(path)}: expected ${EXPECTED_NAMES[issue.expected] ?? issue.expected}, got ${kindText(value)}`,
        },
      ];
    case 'invalid_value': {
      if (value === undefined && path.length > 0) return [missing()];
      const what = last === 'op' ? 'unknown operator' : 'invalid value';
      return [
        {
          path,
          at: 'value',
          reason: `${pathText(path)}: ${what} ${JSON.stringify(value)} (expected one of: ${issue.values.map(String).join(', ')})`,
        },
      ];
    }
    case 'invalid_union': {
      if ('discriminator' in issue && issue.discriminator) {
        const options = ((issue as { options?: unknown[] }).options ?? []).map(String).join(', ');
        if (value === undefined) {
          return [{ ...missing(), reason: `${pathText(parent)}: missing required field "type" (one of: ${options})` }];
        }
        return [
          {
            path,
            at: 'value',
            reason: `${pathText(parent)}: unknown check type ${JSON.stringify(value)} (expected one of: ${options})`,
          },
        ];
      }
      if (value === undefined && path.length > 0) return [missing()];
      // Report the branch that matches the kind of value written, not every alternative zod tried.
      const branches = issue.errors.filter((errs) => !errs.some((e) => e.path.length === 0 && e.code === 'invalid_type'));
      if (branches.length === 1) return branches[0].flatMap((e) => describeIssue(e, data, path));
      const expected = STRING_LIST_OR_PARAM_FIELDS.has(String(last))
        ? 'a list of strings or {param: <name>}'
        : issue.errors.length >= 6
          ? 'a JSON value'
          : issue.errors
              .map((errs) => errs[0])
              .map((e) => (e && e.code === 'invalid_type' ? (EXPECTED_NAMES[e.expected] ?? e.expected) : 'another value'))
              .join(' or ');
      return [{ path, at: 'value', reason: `${pathText(path)}: expected ${expected}, got ${kindText(value)}` }];
    }
    case 'invalid_format': {
      const reason =
        typeof value === 'string' && !/\S/.test(value)
          ? `${pathText(path)}: must not be empty`
          : `${pathText(path)}: ${JSON.stringify(value)} ${issue.message}`;
      return [{ path, at: 'value', reason }];
    }
    case 'invalid_key': {
      const inner = issue.issues[0]?.message ?? 'is not allowed';
      return [
        {
          path,
          at: 'key',
          reason: `${pathText(parent)}: invalid name ${JSON.stringify(String(last))} (${inner})`,
        },
      ];
    }
    default:
      return [{ path, at: 'value', reason: `${pathText(path)}: ${issue.message}` }];
  }
}

function knownFieldsAt(path: DocumentPath, data: unknown): readonly string[] {
  if (path.length === 0) return KNOWN_FIELDS.baseline;
  if (path[0] === 'parameters' && path.length === 2) return KNOWN_FIELDS.parameter;
  if (path[0] !== 'controls') return [];
  if (path.length === 2) return KNOWN_FIELDS.control;
  if (path.length === 3 && path[2] === 'check') {
    const type = valueAt(data, [...path, 'type']);
    return typeof type === 'string' && type in KNOWN_FIELDS.check
      ? KNOWN_FIELDS.check[type as keyof typeof KNOWN_FIELDS.check]
      : [];
  }
  if (path.length === 4) return KNOWN_FIELDS.paramRef;
  return [];
}

function nearest(word: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function suggestion(word: string, known: readonly string[]): string {
  const meant = nearest(word, known);
  return meant ? ` (did you mean "${meant}"?)` : '';
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length];
}

/** Rules zod cannot express field by field: uniqueness, references between fields, operator arity. */
function semanticIssues(baseline: BaselineFile, lineOf: (path: DocumentPath) => number): PendingIssue[] {
  const issues: PendingIssue[] = [];
  const firstIndexById = new Map<string, number>();
  baseline.controls.forEach((control, i) => {
    const first = firstIndexById.get(control.id);
    if (first === undefined) {
      firstIndexById.set(control.id, i);
    } else {
      const path = ['controls', i, 'id'];
      issues.push({
        path,
        at: 'value',
        reason: `${pathText(path)}: duplicate control id "${control.id}" (first defined on line ${lineOf(['controls', first, 'id'])})`,
      });
    }
    issues.push(...checkIssues(control, i));
  });

  const declared = Object.keys(baseline.parameters);
  for (const use of parameterUses(baseline.controls)) {
    const parameter = baseline.parameters[use.param];
    if (!parameter) {
      issues.push({
        path: use.path,
        at: 'value',
        reason: `${pathText(use.path)}: parameter "${use.param}" is not declared under parameters${suggestion(use.param, declared)}`,
      });
      continue;
    }
    const expected = shapeMismatch(parameter.default, use.shape);
    if (expected) {
      const path = ['parameters', use.param, 'default'];
      issues.push({
        path,
        at: 'value',
        reason: `${pathText(path)}: must be ${expected} because ${use.controlId} uses it with ${use.usedBy}, got ${kindText(parameter.default)}`,
      });
    }
  }
  return issues;
}

function checkIssues(control: Control, i: number): PendingIssue[] {
  const issues: PendingIssue[] = [];
  const base = ['controls', i];
  const check = control.check;
  const at = (field: string, where: 'key' | 'value', reason: string): void => {
    const path = [...base, 'check', field];
    issues.push({ path, at: where, reason: `${pathText(path)}: ${reason}` });
  };

  // A mismatched area would file the drift under the wrong heading of every report.
  if ((check.type === 'oauth' || check.type === 'residency') && control.area !== check.type) {
    const path = [...base, 'area'];
    issues.push({
      path,
      at: 'value',
      reason: `${pathText(path)}: a control with a ${check.type} check must have area "${check.type}", not "${control.area}"`,
    });
  }

  switch (check.type) {
    case 'setting': {
      const shape = operatorValueShape(check.op);
      const hasValue = check.value !== undefined;
      if (!shape && hasValue) at('value', 'key', `operator "${check.op}" takes no value`);
      if (shape && !hasValue) at('op', 'value', `operator "${check.op}" needs a value`);
      if (!hasValue || !shape) break;
      if (hasParamKey(check.value)) {
        const ref = check.value as Record<string, unknown>;
        for (const key of Object.keys(ref).filter((k) => k !== 'param')) {
          const path = [...base, 'check', 'value', key];
          issues.push({
            path,
            at: 'key',
            reason: `${pathText(path.slice(0, -1))}: unknown field "${key}" in a parameter reference (only "param" is allowed)`,
          });
        }
        if (typeof ref.param !== 'string' || !PARAMETER_NAME_PATTERN.test(ref.param)) {
          const path = [...base, 'check', 'value', 'param'];
          issues.push({ path, at: 'value', reason: `${pathText(path)}: must be a parameter name` });
        }
      } else if (!isParamRef(check.value)) {
        const expected = shapeMismatch(check.value ?? null, shape);
        if (expected) at('value', 'value', `operator "${check.op}" needs ${expected}, got ${kindText(check.value)}`);
      }
      break;
    }
    case 'oauth':
      if (check.forbiddenScopes === undefined && check.forbidSensitiveScopes !== true) {
        const path = [...base, 'check'];
        issues.push({
          path,
          at: 'value',
          reason: `${pathText(path)}: an oauth check needs forbiddenScopes or forbidSensitiveScopes: true`,
        });
      }
      break;
    case 'residency':
    case 'attestation':
      break;
  }
  return issues;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
