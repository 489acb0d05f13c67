import { jsonBodyProblem, MAX_JSON_DEPTH } from './json-body.middleware';

const nested = (depth: number): unknown => (depth === 0 ? 1 : { a: nested(depth - 1) });

describe('jsonBodyProblem', () => {
  it('accepts the shapes Tollgate takes: objects, arrays, up to the depth limit', () => {
    expect(jsonBodyProblem(undefined)).toBeUndefined();
    expect(jsonBodyProblem({ credentials: { serviceAccountKey: { private_key: 'k' } }, parameters: { allowedRegions: ['EU'] } })).toBeUndefined();
    expect(jsonBodyProblem(nested(MAX_JSON_DEPTH))).toBeUndefined();
  });

  it('refuses a body nested past the limit, however deep, without recursing', () => {
    expect(jsonBodyProblem(nested(MAX_JSON_DEPTH + 1))).toMatch(/nested deeper than 32 levels/);
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(jsonBodyProblem(deep)).toMatch(/nested deeper than 32 levels/);
  });

  it('refuses a __proto__ key anywhere, naming where', () => {
    expect(jsonBodyProblem(JSON.parse('{"__proto__": {"role": "admin"}}'))).toBe('property __proto__ should not exist');
    expect(jsonBodyProblem(JSON.parse('{"parameters": {"__proto__": {}}}'))).toBe('property parameters.__proto__ should not exist');
    expect(({} as Record<string, unknown>).role).toBeUndefined();
  });
});
