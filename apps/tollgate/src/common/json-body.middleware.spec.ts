import { jsonBodyProblem, MAX_JSON_DEPTH, queryProblem } from './json-body.middleware';

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

describe('what Postgres cannot store, and prototype keys', () => {
  it('refuses constructor and prototype keys like __proto__', () => {
    expect(jsonBodyProblem(JSON.parse('{"constructor": {"prototype": {}}}'))).toBe('property constructor should not exist');
    expect(jsonBodyProblem({ parameters: { prototype: 1 } })).toBe('property parameters.prototype should not exist');
  });

  it('refuses NUL and unpaired surrogates in values and names, naming the field with the character escaped', () => {
    expect(jsonBodyProblem(JSON.parse('{"name": "a\\u0000b"}'))).toBe('name must not contain the NUL character (U+0000)');
    expect(jsonBodyProblem({ parameters: { approvedApps: ['ok', 'x\ud800'] } })).toBe('parameters.approvedApps.1 must not contain an unpaired UTF-16 surrogate');
    expect(jsonBodyProblem({ justification: '\udc00 trailing' })).toBe('justification must not contain an unpaired UTF-16 surrogate');
    expect(jsonBodyProblem({ ['k\u0000']: 1 })).toBe('property name k\\u0000 must not contain the NUL character (U+0000)');
  });

  it('accepts text Postgres stores, paired surrogates (emoji) included', () => {
    expect(jsonBodyProblem({ name: 'Acme 🚀 Zürich 東京', justification: 'tab\there' })).toBeUndefined();
  });

  it('checks query parameter names and values, repeated ones too', () => {
    expect(queryProblem({ controlId: 'A\u0000' })).toBe('controlId must not contain the NUL character (U+0000)');
    expect(queryProblem({ status: ['open', '\ud800'] })).toBe('status must not contain an unpaired UTF-16 surrogate');
    expect(queryProblem({ ['a\u0000']: 'x' })).toBe('query parameter name a\\u0000 must not contain the NUL character (U+0000)');
    expect(queryProblem({ limit: '5' })).toBeUndefined();
  });
});
