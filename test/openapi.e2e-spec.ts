import request from 'supertest';
import { createTestDatabase, type TestDatabase } from './support/database';
import { startTollgate, type RunningTollgate } from './support/tollgate';

/**
 * The OpenAPI document is the contract clients are generated from: every operation, parameter,
 * answer and error must be in it, described. A route added without its docs fails here.
 */

type Schema = {
  $ref?: string;
  type?: string;
  description?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  allOf?: Schema[];
  oneOf?: Schema[];
  additionalProperties?: boolean | Schema;
};
type Parameter = { name: string; in: string; required?: boolean; description?: string; schema?: Schema };
type Content = Record<string, { schema?: Schema }>;
type Operation = {
  summary?: string;
  description?: string;
  tags?: string[];
  security?: unknown[];
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content?: Content };
  responses: Record<string, { description?: string; content?: Content }>;
};
type Document = {
  security?: unknown[];
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema>; securitySchemes: Record<string, unknown> };
};

const PUBLIC = ['get /healthz', 'get /readyz', 'get /metrics', 'get /auth/login', 'get /auth/callback'];
/** Sign-in steps are browser navigations: their success is a redirect. */
const REDIRECTS = ['get /auth/login', 'get /auth/callback'];
/** Operations whose success is not (only) JSON, with every content type they document. */
const NON_JSON: Record<string, string[]> = {
  'get /api/v1/reports/drift': ['application/json', 'text/csv'],
  'get /metrics': ['text/plain'],
};
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
/** Operations with two documented successes; every other has exactly one. */
const TWO_SUCCESSES: Record<string, string[]> = {
  // 200: applied at once; 202: a loosening change, stored pending until another principal approves it.
  'patch /api/v1/connections/{id}': ['200', '202'],
};
const ERROR_REF = '#/components/schemas/ErrorResponse';

describe('GET /docs-json', () => {
  let db: TestDatabase;
  let t: RunningTollgate;
  let doc: Document;
  let operations: { key: string; path: string; op: Operation }[];

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTollgate(db.env);
    doc = (await request(t.url).get('/docs-json').expect(200)).body as Document;
    operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([method]) => METHODS.includes(method))
        .map(([method, op]) => ({ key: `${method} ${path}`, path, op })),
    );
  });

  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  /** Collects "<operation>: <problem>" for every operation, so one run names every gap at once. */
  const problems = (check: (op: Operation, key: string, path: string) => (string | false | undefined)[]) =>
    operations.flatMap(({ key, path, op }) => check(op, key, path).filter((p): p is string => Boolean(p)).map((p) => `${key}: ${p}`));

  const resolve = (schema: Schema | undefined): Schema | undefined => {
    if (!schema?.$ref) return schema;
    return doc.components.schemas[schema.$ref.replace('#/components/schemas/', '')];
  };

  it('documents every route the server answers, and nothing else', () => {
    // Express 5 keeps the routes Nest registered on its router; /docs* are the document's own routes.
    const express = t.app.getHttpAdapter().getInstance() as {
      router: { stack: { route?: { path: string; methods: Record<string, boolean> } }[] };
    };
    const served = express.router.stack
      .flatMap((layer) => (layer.route ? Object.keys(layer.route.methods).map((m) => `${m} ${layer.route!.path.replace(/:(\w+)/g, '{$1}')}`) : []))
      .filter((key) => METHODS.includes(key.split(' ')[0]) && !/^\w+ \/docs/.test(key));
    expect(served.length).toBeGreaterThan(30);
    expect(operations.map((o) => o.key).sort()).toEqual([...new Set(served)].sort());
  });

  it('gives every operation a summary, a description and a tag', () => {
    expect(
      problems((op) => [
        !op.summary?.trim() && 'no summary',
        !op.description?.trim() && 'no description',
        !(op.tags && op.tags.length > 0) && 'no tag',
      ]),
    ).toEqual([]);
  });

  it('describes every path and query parameter, with a schema', () => {
    expect(
      problems((op, _key, path) => {
        const params = op.parameters ?? [];
        const placeholders = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
        return [
          ...placeholders.map((name) => !params.some((p) => p.in === 'path' && p.name === name) && `path parameter ${name} is missing`),
          ...params.flatMap((p) => [
            !['path', 'query'].includes(p.in) && `parameter ${p.name} is in ${p.in}`,
            !p.schema?.type && !p.schema?.$ref && `parameter ${p.name} has no schema`,
            !p.description?.trim() && `parameter ${p.name} has no description`,
            p.in === 'path' && p.required !== true && `path parameter ${p.name} is not required`,
          ]),
        ];
      }),
    ).toEqual([]);
  });

  it('documents a success answer with its schema and content types', () => {
    expect(
      problems((op, key) => {
        if (REDIRECTS.includes(key)) return [!op.responses['302']?.description?.trim() && 'no described 302'];
        const success = Object.entries(op.responses).filter(([status]) => /^2\d\d$/.test(status));
        const expected = TWO_SUCCESSES[key] ?? [success[0]?.[0]];
        if (JSON.stringify(success.map(([s]) => s)) !== JSON.stringify(expected)) return [`success answers ${success.map(([s]) => s).join(', ') || 'none'}`];
        return success.flatMap(([status, response]) => {
          if (status === '204') return [response.content && 'a 204 with content'];
          const types = Object.keys(response.content ?? {}).sort();
          return [
            !response.description?.trim() && `${status} success answer has no description`,
            JSON.stringify(types) !== JSON.stringify((NON_JSON[key] ?? ['application/json']).sort()) && `success content types ${types.join(', ')}`,
            ...types.map((type) => {
              const schema = response.content![type].schema;
              if (type === 'application/json') return !resolve(schema)?.properties && `${type} success has no object schema`;
              return schema?.type !== 'string' && `${type} success is not a string schema`;
            }),
          ];
        });
      }),
    ).toEqual([]);
  });

  it('marks only the probes, /metrics and the sign-in steps public; every other operation needs the bearer key', () => {
    expect(doc.security).toEqual([{ bearer: [] }]);
    expect(doc.components.securitySchemes).toHaveProperty('bearer');
    const open = operations.filter(({ op }) => op.security !== undefined).map((o) => o.key);
    expect(open.sort()).toEqual([...PUBLIC].sort());
    for (const key of PUBLIC) expect(operations.find((o) => o.key === key)?.op.security).toEqual([]);
  });

  it('documents 401, 403 and 429 on every authenticated operation, and 400 wherever input is validated', () => {
    expect(
      problems((op, key) => {
        if (PUBLIC.includes(key)) return [];
        const validated =
          op.requestBody !== undefined ||
          (op.parameters ?? []).some((p) => p.in === 'query' || (p.in === 'path' && (p.schema as { format?: string })?.format === 'uuid'));
        const required = ['401', '403', '429', ...(validated ? ['400'] : []), ...(op.requestBody ? ['413', '415'] : [])];
        return required.map((status) => !op.responses[status] && `no ${status}`);
      }),
    ).toEqual([]);
  });

  it('gives every error answer a description and the shared ErrorResponse body (or one extending it)', () => {
    const extendsError = (schema: Schema | undefined): boolean => {
      if (!schema) return false;
      if (schema.$ref === ERROR_REF) return true;
      if (schema.oneOf) return schema.oneOf.every(extendsError);
      const resolved = resolve(schema);
      return (resolved?.allOf ?? []).some(extendsError) || (resolved !== undefined && ['statusCode', 'message'].every((k) => k in (resolved.properties ?? {})));
    };
    expect(
      problems((op) =>
        Object.entries(op.responses)
          .filter(([status]) => Number(status) >= 400)
          .flatMap(([status, response]) => [
            !response.description?.trim() && `${status} has no description`,
            !extendsError(response.content?.['application/json']?.schema) && `${status} does not use ErrorResponse`,
          ]),
      ),
    ).toEqual([]);
    const error = doc.components.schemas.ErrorResponse;
    expect(Object.keys(error.properties ?? {}).sort()).toEqual(['error', 'message', 'statusCode']);
    expect(error.properties!.message.oneOf).toEqual([{ type: 'string' }, { type: 'array', items: { type: 'string' } }]);
  });

  it('gives every request body a closed schema', () => {
    expect(
      problems((op) => {
        if (!op.requestBody) return [];
        const content = op.requestBody.content ?? {};
        const schema = resolve(content['application/json']?.schema);
        return [
          Object.keys(content).join() !== 'application/json' && `request body types ${Object.keys(content).join(', ')}`,
          op.requestBody.required !== true && 'request body is not required',
          !schema?.properties && 'request body has no object schema',
          schema?.additionalProperties !== false && 'request body schema accepts unknown properties',
        ];
      }),
    ).toEqual([]);
  });

  it('describes every property of every schema, and every reference resolves', () => {
    const missing: string[] = [];
    const walk = (schema: Schema | undefined, where: string) => {
      if (!schema) return;
      if (schema.$ref && !resolve(schema)) missing.push(`${where}: ${schema.$ref} does not exist`);
      for (const [name, property] of Object.entries(schema.properties ?? {})) {
        if (!property.description?.trim()) missing.push(`${where}.${name}: no description`);
        walk(property, `${where}.${name}`);
      }
      for (const nested of [schema.items, ...(schema.allOf ?? []), ...(schema.oneOf ?? [])]) walk(nested, where);
      if (typeof schema.additionalProperties === 'object') walk(schema.additionalProperties, `${where}{}`);
    };
    for (const [name, schema] of Object.entries(doc.components.schemas)) walk(schema, name);
    for (const { key, op } of operations) {
      for (const [status, response] of Object.entries(op.responses)) {
        for (const [type, media] of Object.entries(response.content ?? {})) walk(media.schema, `${key} ${status} ${type}`);
      }
      walk(op.requestBody?.content?.['application/json']?.schema, `${key} body`);
    }
    expect(missing).toEqual([]);
  });
});
