import type { Control, JsonValue, ParamRef, SettingOperator } from './baseline.types';

/** What a check needs a parameter's value to be; `any` when every JSON value is meaningful. */
export type ParameterShape = 'any' | 'number' | 'list' | 'stringList';

export interface ParameterUse {
  param: string;
  shape: ParameterShape;
  controlId: string;
  /** Path of the `{param}` reference inside the baseline document, for error positions. */
  path: (string | number)[];
  /** Where it is used, in words: `operator "lte"`, `forbiddenScopes`. */
  usedBy: string;
}

// An object with a `param` key is always meant as a reference: the loader refuses one that is not
// exactly `{param: <name>}` rather than comparing against it as a literal.
export function hasParamKey(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'param' in value;
}

export function isParamRef(value: unknown): value is ParamRef {
  return hasParamKey(value) && typeof value.param === 'string';
}

const OPERATOR_SHAPES: Record<SettingOperator, ParameterShape | undefined> = {
  equals: 'any',
  notEquals: 'any',
  in: 'list',
  notIn: 'list',
  subsetOf: 'list',
  lte: 'number',
  gte: 'number',
  isEmpty: undefined,
  isTrue: undefined,
  isFalse: undefined,
};

export function operatorValueShape(op: SettingOperator): ParameterShape | undefined {
  return OPERATOR_SHAPES[op];
}

export function parameterUses(controls: readonly Control[]): ParameterUse[] {
  const uses: ParameterUse[] = [];
  controls.forEach((control, i) => {
    const check = control.check;
    const at = (field: string) => ['controls', i, 'check', field, 'param'];
    switch (check.type) {
      case 'setting':
        if (isParamRef(check.value)) {
          uses.push({
            param: check.value.param,
            shape: OPERATOR_SHAPES[check.op] ?? 'any',
            controlId: control.id,
            path: at('value'),
            usedBy: `operator "${check.op}"`,
          });
        }
        break;
      case 'oauth':
        for (const field of ['forbiddenScopes', 'allowedApps'] as const) {
          const value = check[field];
          if (isParamRef(value)) {
            uses.push({ param: value.param, shape: 'stringList', controlId: control.id, path: at(field), usedBy: field });
          }
        }
        break;
      case 'residency':
        if (isParamRef(check.allowedRegions)) {
          uses.push({
            param: check.allowedRegions.param,
            shape: 'stringList',
            controlId: control.id,
            path: at('allowedRegions'),
            usedBy: 'allowedRegions',
          });
        }
        break;
    }
  });
  return uses;
}

/** `undefined` when the value fits, otherwise what it should have been, in words. */
export function shapeMismatch(value: JsonValue, shape: ParameterShape): string | undefined {
  switch (shape) {
    case 'any':
      return undefined;
    case 'number':
      return typeof value === 'number' ? undefined : 'a number';
    case 'list':
      return Array.isArray(value) ? undefined : 'a list';
    case 'stringList':
      return Array.isArray(value) && value.every((v) => typeof v === 'string') ? undefined : 'a list of strings';
  }
}

export type JsonKind = 'null' | 'list' | 'mapping' | 'string' | 'number' | 'boolean';

export function jsonKind(value: unknown): JsonKind | 'undefined' {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'list';
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'undefined':
      return typeof value as JsonKind | 'undefined';
    default:
      return 'mapping';
  }
}
