import fc from 'fast-check';
import request from 'supertest';
import { COMPLIANT_SLACK_IDS, putCompliantSlackTenant, slackConnection, startSimulator } from './support/simulator';
import { createTestDatabase, type TestDatabase } from './support/database';
import { ADMIN_KEY, pollNow, startTollgate, type RunningTollgate } from './support/tollgate';

/**
 * Property: no input to any documented route gets a 5xx. Every operation of the OpenAPI document
 * the app serves is driven with path ids, query values and JSON bodies made from its own schemas,
 * mixed with hostile values (NUL, unpaired surrogates, huge and odd numbers, dates Postgres cannot
 * hold, cursors that decode to nonsense, prototype keys), with an admin key against the real app
 * and Postgres. The run is seeded: a failure prints the seed and path (fast-check's report), and
 * `FC_SEED=<seed> FC_PATH=<path>` replays exactly that case.
 */

type Schema = {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  pattern?: string;
  example?: unknown;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
};
type Parameter = { name: string; in: 'path' | 'query' | 'header'; required?: boolean; schema?: Schema };
type Operation = { parameters?: Parameter[]; requestBody?: { content?: Record<string, { schema?: Schema }> } };
type Document = { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Schema> } };

const RUNS = Number(process.env.FC_RUNS ?? 400);
const METHODS = ['get', 'post', 'patch', 'put', 'delete'] as const;
type Method = (typeof METHODS)[number];

const HOSTILE_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfff',
  '\ud83d\ude80 ok',
  '__proto__',
  'constructor',
  'prototype',
  "' OR '1'='1",
  '1; DROP TABLE drifts;--',
  '../../etc/passwd',
  '%00',
  '-1',
  '0',
  '1e999',
  'NaN',
  'Infinity',
  '99999999999999999999',
  '9223372036854775808',
  '+275760-09-13T00:00:00Z',
  '-271821-04-20T00:00:00Z',
  '0000-01-01T00:00:00Z',
  '2026-02-30T00:00:00Z',
  'Z 1',
  '1',
  '------------------------------------',
  '00000000-0000-0000-0000-000000000000',
  'x'.repeat(5000),
];
const HOSTILE_NUMBERS = [-1, 0, 1.5, 2 ** 31, 2 ** 53 + 2, 1e21, 1e308, -1e308, Number.MIN_VALUE];

const hostileString = fc.constantFrom(...HOSTILE_STRINGS);
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.constantFrom(...HOSTILE_NUMBERS),
  fc.constantFrom(null, true, false, [], {}),
  fc.string({ unit: 'binary', maxLength: 20 }),
);
/** A cursor as the API encodes them (base64url of a JSON pair), holding anything. */
const cursor = fc
  .tuple(
    fc.oneof(hostileString, fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), fc.integer()),
    fc.oneof(hostileString, fc.uuid()),
    fc.option(hostileValue, { freq: 4 }),
  )
  .map(([time, id, extra]) => Buffer.from(JSON.stringify(extra === null ? [time, id] : [time, id, extra])).toString('base64url'));

/** An own, enumerable prototype key, which JSON.stringify writes out as JSON.parse would read it. */
function withKey(obj: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  Object.defineProperty(obj, key, { value, enumerable: true, configurable: true, writable: true });
  return obj;
}

/** Query values and path segments: percent-encoded, unpaired surrogates as the bytes a client would send. */
function encode(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return [...Buffer.from(value, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
  }
}

describe('no input to any documented route gets a 5xx (property-based)', () => {
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  let db: TestDatabase;
  let t: RunningTollgate;
  let doc: Document;
  let ids: string[];

  const resolve = (schema: Schema | undefined): Schema => {
    let s = schema ?? {};
    for (let i = 0; s.$ref && i < 10; i++) s = doc.components.schemas[s.$ref.replace('#/components/schemas/', '')] ?? {};
    if (s.allOf?.length) return s.allOf.map(resolve).reduce((a, b) => ({ ...a, ...b, properties: { ...a.properties, ...b.properties } }), {});
    return s;
  };

  /**
   * A value the schema describes: its example, a string matching its pattern, an enum member, a real
   * id, a date in the near future. Valid values matter: a request refused at its first bad field
   * never reaches the database, where the 500s were.
   */
  const validFor = (raw: Schema | undefined, depth = 0): fc.Arbitrary<unknown> => {
    const s = resolve(raw);
    const alternatives = s.oneOf ?? s.anyOf;
    if (alternatives?.length) return fc.oneof(...alternatives.map((a) => validFor(a, depth + 1)));
    if (s.enum?.length) return fc.constantFrom(...s.enum);
    const example = s.example === undefined ? [] : [fc.constant(s.example)];
    if (s.type === 'string') {
      if (s.format === 'uuid') return fc.oneof(fc.constantFrom(...ids), fc.uuid());
      if (s.format === 'date-time') return fc.integer({ min: 1, max: 20 * 24 }).map((h) => new Date(Date.now() + h * 3_600_000).toISOString());
      const text = s.pattern
        ? fc.stringMatching(new RegExp(s.pattern))
        : fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz ABC0123456789.-'), minLength: s.minLength ?? 0, maxLength: Math.min(s.maxLength ?? 40, 40) });
      return fc.oneof(...example, text);
    }
    if (s.type === 'integer' || s.type === 'number') return fc.oneof(...example, fc.integer({ min: s.minimum ?? 0, max: Math.min(s.maximum ?? 10_000, 1e9) }));
    if (s.type === 'boolean') return fc.boolean();
    if (s.type === 'array') return depth > 4 ? fc.constant([]) : fc.array(validFor(s.items, depth + 1), { maxLength: 2 });
    if (s.type === 'object' || s.properties) {
      if (depth > 4 || !s.properties) return fc.oneof(...example, fc.constant({}));
      const props = Object.entries(s.properties);
      return fc.record(Object.fromEntries(props.map(([k, v]) => [k, validFor(v, depth + 1)])), { requiredKeys: (s.required ?? []).filter((k) => s.properties?.[k]) });
    }
    return fc.oneof(...example, hostileValue);
  };

  /** Every place in a JSON value a mutation can go: the paths of its members, objects included. */
  const paths = (value: unknown, at: string[] = []): string[][] => {
    if (value === null || typeof value !== 'object') return [at];
    return [at, ...Object.entries(value).flatMap(([k, v]) => paths(v, [...at, k]))];
  };

  /** A copy of `value` with the member at `path` replaced (or added, on an object) by `next`. */
  const replaced = (value: unknown, path: string[], next: (old: unknown) => unknown): unknown => {
    if (path.length === 0) return next(value);
    const copy: Record<string, unknown> = Array.isArray(value) ? ([...value] as unknown as Record<string, unknown>) : { ...(value as Record<string, unknown>) };
    return withKey(copy, path[0], replaced(copy[path[0]], path.slice(1), next));
  };

  /**
   * A valid value with, four times in five, one hostile change: a NUL or an unpaired surrogate put
   * into one of its strings, a member replaced by a hostile value, or a prototype or unknown key
   * added to one of its objects.
   */
  const fromSchema = (schema: Schema | undefined): fc.Arbitrary<unknown> =>
    validFor(schema).chain((base) => {
      const all = paths(base);
      const at = (path: string[]) => path.reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], base);
      const strings = all.filter((p) => typeof at(p) === 'string');
      const objects = all.filter((p) => { const v = at(p); return v !== null && typeof v === 'object' && !Array.isArray(v); });
      const changes: fc.WeightedArbitrary<unknown>[] = [
        { weight: 1, arbitrary: fc.constant(base) },
        { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...all), hostileValue).map(([path, hostile]) => replaced(base, path, () => hostile)) },
      ];
      if (strings.length) {
        changes.push({
          weight: 2,
          arbitrary: fc.tuple(fc.constantFrom(...strings), fc.constantFrom('\u0000', '\ud800', '\udc00')).map(([path, char]) => replaced(base, path, (old) => `${String(old).slice(0, 3)}${char}${String(old).slice(3)}`)),
        });
      }
      if (objects.length) {
        changes.push({
          weight: 1,
          arbitrary: fc
            .tuple(fc.constantFrom(...objects), fc.constantFrom('__proto__', 'constructor', 'prototype', 'a\u0000b', '\ud800', 'unknownField'), hostileValue)
            .map(([path, key, hostile]) => replaced(base, path, (old) => withKey({ ...(old as Record<string, unknown>) }, key, hostile))),
        });
      }
      return fc.oneof(...changes);
    });

  /** Present one time in four: most requests carry few query parameters, so that one bad value is what gets tested. */
  const sometimes = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: arb });

  /** One request to one operation: its path with ids filled in, a query string and a body. */
  const requestFor = (method: Method, path: string, op: Operation) => {
    const params = op.parameters ?? [];
    const pathParams = params.filter((p) => p.in === 'path');
    const queryParams = params.filter((p) => p.in === 'query');
    const pathValue = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...ids) }, { weight: 1, arbitrary: fc.uuid() }, { weight: 1, arbitrary: hostileString });
    const queryValue = (p: Parameter) =>
      p.name === 'cursor' ? cursor : fc.oneof({ weight: 2, arbitrary: validFor(p.schema) }, { weight: 1, arbitrary: hostileValue }).map((v) => (typeof v === 'string' ? v : (JSON.stringify(v) ?? '')));
    const bodySchema = op.requestBody?.content?.['application/json']?.schema;
    return fc
      .record({
        path: fc.tuple(...pathParams.map(() => pathValue)).map((values) => pathParams.reduce((p, param, i) => p.replace(`{${param.name}}`, encode(String(values[i]))), path)),
        query: fc
          .tuple(
            // A cursor is worth sending every other time: it is decoded and cast in SQL.
            ...queryParams.map((p) => (p.name === 'cursor' ? fc.option(queryValue(p)) : sometimes(queryValue(p))).map((v) => (v === null ? null : `${p.name}=${encode(v)}`))),
            sometimes(fc.tuple(fc.constantFrom('constructor', '__proto__', 'x\u0000', 'limit'), hostileString).map(([k, v]) => `${encode(k)}=${encode(v)}`)),
          )
          .map((parts) => parts.filter((p): p is string => p !== null).join('&')),
        body: bodySchema ? fromSchema(bodySchema) : fc.option(hostileValue, { freq: 4 }),
      })
      .map((r) => ({ method, ...r }));
  };

  beforeAll(async () => {
    sim = await startSimulator();
    await putCompliantSlackTenant(sim, 'xoxp-no-5xx');
    await sim.control().patch(`/_sim/slack/tenants/xoxp-no-5xx/teams/${COMPLIANT_SLACK_IDS.teamIds[1]}`).send({ discoverability: 'open' }).expect(200);
    db = await createTestDatabase();
    t = await startTollgate(db.env);
    const connectionId = (await t.api().post('/connections').send(slackConnection(sim, 'xoxp-no-5xx', 'fuzzed')).expect(201)).body.id as string;
    await pollNow(t, connectionId);
    const drift = (await t.api().get('/drifts?limit=1').expect(200)).body.items[0];
    const exception = (
      await t
        .api()
        .post('/exceptions')
        .send({ connectionId, controlId: drift.controlId, resourceKey: drift.resourceKey, justification: 'needed for the fuzz fixture', expiresAt: new Date(Date.now() + 86_400_000).toISOString() })
    ).body;
    const key = (await t.api().post('/api-keys').send({ name: 'fuzz fixture', principal: 'fuzz@example.test', role: 'viewer' }).expect(201)).body;
    // Real ids, so that generated requests reach past the 404s into the handlers.
    ids = [connectionId, drift.id, exception.id, key.id].filter((id): id is string => typeof id === 'string');
    doc = (await request(t.url).get('/docs-json').expect(200)).body as Document;
  }, 60_000);

  afterAll(async () => {
    await t?.close();
    await db?.drop();
    await sim?.close();
  });

  it(`answers ${RUNS} generated requests over every operation without a 5xx`, async () => {
    const operations = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith('/api/v1/'))
      .flatMap(([path, ops]) => METHODS.filter((m) => ops[m]).map((method) => ({ method, path, op: ops[method] })));
    expect(operations.length).toBeGreaterThan(25);
    const seen = new Set<string>();
    const statuses = new Map<number, number>();

    await fc.assert(
      // Operations that take more input get more of the runs.
      fc.asyncProperty(fc.oneof(...operations.map(({ method, path, op }) => ({ weight: 1 + (op.parameters?.length ?? 0) + (op.requestBody ? 3 : 0), arbitrary: requestFor(method, path, op) }))), async (r) => {
        const url = `${r.path}${r.query ? `?${r.query}` : ''}`;
        let req = request(t.url)[r.method](url).set('Authorization', `Bearer ${ADMIN_KEY}`).timeout(15_000);
        if (r.body !== null && r.method !== 'get' && r.method !== 'delete') req = req.set('Content-Type', 'application/json').send(JSON.stringify(r.body) ?? 'null');
        const res = await req;
        seen.add(`${r.method} ${r.path.split('?')[0].replace(/\/[^/]*$/, '')}`);
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status >= 500) throw new Error(`${r.method.toUpperCase()} ${url} answered ${res.status}: ${JSON.stringify(res.body).slice(0, 300)}`);
      }),
      {
        numRuns: RUNS,
        seed: process.env.FC_SEED ? Number(process.env.FC_SEED) : undefined,
        path: process.env.FC_PATH,
        endOnFailure: !process.env.FC_SHRINK,
        interruptAfterTimeLimit: 120_000,
      },
    );
    // Not vacuous: the requests got past authentication and validation into the handlers, too.
    expect([...statuses.keys()].some((s) => s >= 200 && s < 300)).toBe(true);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(0);
    expect(seen.size).toBeGreaterThan(10);
  }, 180_000);
});
