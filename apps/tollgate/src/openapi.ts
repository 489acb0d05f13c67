import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { VERSION } from './version';

/** OpenAPI generated from the controllers and DTOs: the UI at /docs, the document at /docs-json. */
export function setUpOpenApi(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('Tollgate API')
    .setDescription(
      'SaaS security posture: connections, findings, drift history, exceptions and evidence. Every /api/v1 route needs ' +
        '`Authorization: Bearer <api key>` or a person\'s session cookie (signed in through /auth/login; every POST, PATCH, PUT and ' +
        'DELETE made with a session also needs `X-CSRF-Token` from GET /auth/session); each operation names the roles allowed (admin ' +
        'may do everything). Errors share one body, `ErrorResponse`. Probes and /metrics need no API key.',
    )
    .setVersion(VERSION)
    // Paths carry their /api/v1 prefix, so the one server is the origin the document was fetched from.
    .addServer('/', 'The Tollgate instance serving this document')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'API key' })
    .addSecurityRequirements('bearer')
    .addTag('connections', 'SaaS tenants Tollgate polls, their findings and posture snapshots')
    .addTag('baselines', 'The baselines in force, and checking a baseline file')
    .addTag('drifts', 'Drift episodes: a control failing on a resource, from open to resolved')
    .addTag('exceptions', 'Accepted risks: requested, approved by another approver, revoked or expired')
    .addTag('reports', 'Drift and posture reports')
    .addTag('evidence', 'The hash-chained evidence ledger and its signed checkpoints')
    .addTag('audit', 'Who changed what through the API')
    .addTag('api-keys', 'API keys and their roles')
    .addTag('auth', 'Sign-in for people through the identity provider (OpenID Connect), sessions')
    .addTag('webhooks', 'Webhook delivery log')
    .addTag('health', 'Liveness and readiness probes')
    .addTag('metrics', 'Prometheus scrape endpoint')
    .build();
  // package.json says UNLICENSED (no open licence is granted); the document says the same. Set
  // directly because DocumentBuilder.setLicense always writes a `url`, and there is none to give.
  config.info.license = { name: 'UNLICENSED' };
  const document = closeRequestBodies(SwaggerModule.createDocument(app, config));
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json', raw: ['json'] });
}

/**
 * The validation pipe refuses unknown fields in a body (forbidNonWhitelisted); decorators cannot say
 * so, so every schema used as a request body is marked closed here.
 */
function closeRequestBodies(document: OpenAPIObject): OpenAPIObject {
  const schemas = document.components?.schemas ?? {};
  for (const operations of Object.values(document.paths)) {
    for (const operation of Object.values(operations)) {
      const ref = (operation as { requestBody?: { content?: Record<string, { schema?: { $ref?: string } }> } }).requestBody?.content?.[
        'application/json'
      ]?.schema?.$ref;
      const schema = ref ? schemas[ref.replace('#/components/schemas/', '')] : undefined;
      if (schema && !('$ref' in schema)) schema.additionalProperties = false;
    }
  }
  return document;
}
