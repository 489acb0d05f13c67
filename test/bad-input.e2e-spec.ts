import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from './support/database';
import { keyFor } from './support/keys';
import { putCompliantSlackTenant, slackConnection, startSimulator } from './support/simulator';
import { eventually, pollNow, startTollgate, ADMIN_KEY, type RunningTollgate } from './support/tollgate';

type Method = 'get' | 'post' | 'patch' | 'delete';

const NOBODY = '00000000-0000-4000-8000-000000000000';
const UUIDS = (n: number) => Array.from({ length: n }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
/** Cursors that pass a loose shape check but break the SQL casts (issue 11: each answered 500). */
const CAST_BREAKING_CURSORS: [string, string][] = [
  ['a dash-only id', cursorOf(['2020-01-01T00:00:00Z', '------------------------------------'])],
  ['a number for a time', cursorOf(['1', NOBODY])],
  ['a year past what Postgres stores', cursorOf(['+275760-09-13T00:00:00Z', NOBODY])],
  ['a time Date.parse is lenient about', cursorOf(['Z 1', NOBODY])],
  ['year zero', cursorOf(['0000-01-01T00:00:00.000Z', NOBODY])],
  ['February 30th', cursorOf(['2026-02-30T00:00:00.000Z', NOBODY])],
];
const cursorCases = (): BadCase[] =>
  CAST_BREAKING_CURSORS.map(([what, cursor]) => ({ what: `a cursor with ${what}`, query: `cursor=${cursor}`, message: /cursor is not one this API returned/ }));
const NUL = '\u0000';
const LONE_SURROGATE = '\ud800';
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

/** One bad request to one route; the answer must be `status` with a message matching `message` (which names the field). */
interface BadCase {
  what: string;
  query?: string;
  body?: unknown;
  /** Which id goes into `{id}`: the fixture connection, or one that does not exist. */
  id?: 'connection';
  status?: number;
  message: RegExp;
  /** More of the body to match, e.g. file/line/reason of a refused baseline. */
  extra?: Record<string, unknown>;
}

interface RouteInputs {
  /** The route validates a JSON body: a body it does not expect is a 400, not ignored. */
  body: boolean;
  /** The route validates its query string: unknown parameters are a 400. */
  query: boolean;
  /** A body the route accepts, sent with the id attacks so that the id is what gets refused. */
  validBody?: object;
  cases: BadCase[];
}

const validException = (connectionId: string) => ({
  connectionId,
  controlId: 'SLACK.SHARING.1',
  justification: 'a partner workspace needs to stay discoverable until March',
  expiresAt: inDays(7),
});

/**
 * The bad inputs of every route of the API, beyond what test/api.e2e-spec.ts already covers for
 * POST /connections and GET /drifts. The spec checks the table against the OpenAPI document, and
 * runs the id, body and query attacks below against every documented route whether or not it has
 * a row, so a new route is exercised (and must be added here) automatically.
 */
function routeTable(ctx: { connectionId: string; slackBaselineDir: string }): Record<string, RouteInputs> {
  const none: RouteInputs = { body: false, query: false, cases: [] };
  const reasonCases: BadCase[] = [
    { what: 'a missing reason', body: {}, message: /reason must be a string/ },
    { what: 'a reason of the wrong type', body: { reason: 42 }, message: /reason must be a string/ },
    { what: 'a reason too short to say anything', body: { reason: 'ok' }, message: /reason must be longer than or equal to 3/ },
    { what: 'a state smuggled into the decision', body: { reason: 'looks fine', state: 'approved' }, message: /property state should not exist/ },
  ];
  return {
    'get /connections': none,
    'post /connections': {
      body: true,
      query: false,
      cases: [
        { what: 'a name of the wrong type', body: { name: 42 }, message: /name must be a string/ },
        { what: 'a null name', body: { name: null }, message: /name must be a string/ },
        { what: 'a name over 200 characters', body: { name: 'n'.repeat(201) }, message: /name must be shorter than or equal to 200/ },
        { what: 'credentials as a string', body: { credentials: 'xoxp-in-a-string' }, message: /credentials must be an object/ },
        { what: 'missing credentials', body: { credentials: undefined }, message: /credentials must be an object/ },
        { what: 'endpoints as an array', body: { endpoints: ['http://127.0.0.1'] }, message: /endpoints must be an object/ },
        { what: 'parameters as a string', body: { parameters: 'allowedRegions=EU' }, message: /parameters must be an object/ },
        { what: 'an interval of a trillion seconds', body: { pollIntervalSeconds: 1e12 }, message: /pollIntervalSeconds must not be greater than 86400/ },
        { what: 'a fractional interval', body: { pollIntervalSeconds: 90.5 }, message: /pollIntervalSeconds must be an integer/ },
        { what: 'a reconcile period out of range', body: { fullReconcileHours: 1000 }, message: /fullReconcileHours must not be greater than 168/ },
        { what: 'a cloud with path meta-characters', body: { cloud: '../gov' }, message: /cloud must match/ },
        { what: 'a residency with SQL meta-characters', body: { declaredResidency: "EU'; DELETE FROM drifts;--" }, message: /declaredResidency must be a region code/ },
        { what: 'a baseline of another provider', body: { baselineId: 'microsoft365-locked-down' }, message: /baselineId: baseline microsoft365-locked-down is for microsoft365, not slack/ },
        { what: 'a baseline id with path meta-characters', body: { baselineId: '../../etc/passwd' }, message: /baselineId must be a baseline id/ },
        { what: 'a file endpoint', body: { endpoints: { api: 'file:///etc/passwd' } }, message: /endpoints: endpoint "api" rejected: scheme file/ },
        { what: 'a baseline parameter of the wrong type', body: { parameters: { allowedRegions: 'EU' } }, message: /parameters: .*allowedRegions/ },
        { what: 'a NUL in the name', body: { name: `acme${NUL}` }, message: /^name must not contain the NUL character/ },
        { what: 'a NUL in a parameter', body: { parameters: { allowedRegions: [`EU${NUL}`] } }, message: /^parameters\.allowedRegions\.0 must not contain the NUL character/ },
        { what: 'a NUL in a parameter name', body: { parameters: { [`allowed${NUL}Regions`]: [] } }, message: /^property name parameters\.allowed\\u0000Regions must not contain the NUL/ },
        { what: 'a lone surrogate in the name', body: { name: `acme${LONE_SURROGATE}` }, message: /^name must not contain an unpaired UTF-16 surrogate/ },
        { what: 'a NUL in a credential', body: { credentials: { token: `xoxp-${NUL}` } }, message: /^credentials\.token must not contain the NUL character/ },
        { what: 'a constructor field', body: { constructor: { name: 'x' } }, message: /property constructor should not exist/ },
        { what: 'a prototype field', body: { parameters: { prototype: {} } }, message: /property parameters\.prototype should not exist/ },
      ].map((c) => ({ ...c, body: { ...slackConnection({ url: 'http://127.0.0.1:9' }, 'xoxp-bad-input', `bad ${c.what}`), ...(c.body as object) } })),
    },
    'get /connections/{id}': none,
    'patch /connections/{id}': {
      body: true,
      query: false,
      validBody: { enabled: true },
      cases: [
        { what: 'a provider change', id: 'connection', body: { provider: 'microsoft365' }, message: /property provider should not exist/ },
        { what: 'enabled as a string', id: 'connection', body: { enabled: 'yes' }, message: /enabled must be a boolean value/ },
        { what: 'an empty name', id: 'connection', body: { name: '' }, message: /name must be longer than or equal to 1/ },
        { what: 'credentials as a string', id: 'connection', body: { credentials: 'xoxp' }, message: /credentials must be an object/ },
        { what: 'credentials without a token', id: 'connection', body: { credentials: {} }, message: /credentials: / },
        { what: 'an interval with SQL meta-characters', id: 'connection', body: { pollIntervalSeconds: '60; DROP TABLE connections' }, message: /pollIntervalSeconds must be an integer/ },
        { what: 'a baseline of another provider', id: 'connection', body: { baselineId: 'google-workspace-locked-down' }, message: /baselineId: .* is for google-workspace, not slack/ },
        { what: 'an unknown baseline', id: 'connection', body: { baselineId: 'no-such-baseline' }, message: /baselineId: baseline no-such-baseline does not exist/ },
        { what: 'an endpoint with credentials in it', id: 'connection', body: { endpoints: { api: 'https://user:pw@slack.com/api' } }, message: /endpoints: endpoint "api" rejected: credentials/ },
        { what: 'an unknown endpoint name', id: 'connection', body: { endpoints: { metadata: 'http://169.254.169.254' } }, message: /endpoints: endpoint "metadata" rejected: unknown endpoint name/ },
        { what: 'a NUL in the name', id: 'connection', body: { name: `renamed${NUL}` }, message: /^name must not contain the NUL character/ },
        { what: 'a NUL in a parameter', id: 'connection', body: { parameters: { approvedApps: [`A${NUL}`] } }, message: /^parameters\.approvedApps\.0 must not contain the NUL/ },
        { what: 'a constructor field', id: 'connection', body: { constructor: 'x' }, message: /property constructor should not exist/ },
      ],
    },
    'delete /connections/{id}': none,
    'get /connections/{id}/changes': {
      body: false,
      query: true,
      cases: [
        { what: 'an unknown status', query: 'status=waiting', message: /status must be one of/ },
        { what: 'a huge limit', query: 'limit=100000', message: /limit must not be greater than 500/ },
        { what: 'a forged cursor', query: 'cursor=bm90LWEtY3Vyc29y', message: /cursor is not one this API returned/ },
        { what: 'an unknown parameter', query: 'requestedBy=me', message: /property requestedBy should not exist/ },
      ],
    },
    'get /connections/{id}/changes/{changeId}': none,
    'post /connections/{id}/changes/{changeId}/approve': { body: true, query: false, validBody: { reason: 'fine by me' }, cases: reasonCases },
    'post /connections/{id}/changes/{changeId}/reject': { body: true, query: false, validBody: { reason: 'not now' }, cases: reasonCases },
    'post /connections/{id}/poll': none,
    'get /connections/{id}/findings': none,
    'get /connections/{id}/snapshot': none,
    'get /baselines': none,
    'get /baselines/{id}': none,
    'post /baselines/reload': none,
    'post /baselines/validate': {
      body: true,
      query: false,
      cases: [
        { what: 'missing content', body: {}, message: /content must be a string/ },
        { what: 'content of the wrong type', body: { content: 42 }, message: /content must be a string/ },
        { what: 'empty content', body: { content: '' }, message: /content must be longer than or equal to 1/ },
        { what: 'a file name with path meta-characters', body: { content: 'id: x', fileName: '../../etc/passwd' }, message: /fileName must match/ },
        {
          what: 'malformed YAML',
          body: { content: ['id: x', 'version: 1', 'controls:', '  - id: A', '   title: [unclosed'].join('\n'), fileName: 'broken.yaml' },
          status: 422,
          message: /broken\.yaml:\d+:\d+: invalid YAML/,
          extra: { file: 'broken.yaml', line: expect.any(Number), reason: expect.stringMatching(/invalid YAML/) },
        },
        {
          what: 'an unknown operator',
          body: { content: baselineYaml({ op: 'roughlyEquals' }), fileName: 'acme.yaml' },
          status: 422,
          message: /acme\.yaml:17:\d+: .*op/,
          extra: { file: 'acme.yaml', line: 17, reason: expect.stringMatching(/roughlyEquals/) },
        },
        {
          what: 'duplicate control ids',
          body: { content: baselineYaml({ duplicate: true }), fileName: 'acme.yaml' },
          status: 422,
          message: /acme\.yaml:\d+:\d+: .*duplicate control id "ACME.SHARING.1"/,
          extra: { file: 'acme.yaml', line: 19, reason: expect.stringMatching(/duplicate control id "ACME.SHARING.1" \(first defined on line 7\)/) },
        },
      ],
    },
    'get /drifts': {
      body: false,
      query: true,
      cases: [
        { what: 'a limit that is not a number', query: 'limit=lots', message: /limit must be an integer/ },
        { what: 'an infinite limit', query: 'limit=1e999', message: /limit must be an integer/ },
        { what: 'a limit given twice', query: 'limit=1&limit=2', message: /limit must be an integer/ },
        { what: 'a negative limit', query: 'limit=-1', message: /limit must not be less than 1/ },
        { what: 'a cursor with SQL meta-characters', query: `cursor=${encodeURIComponent("' OR 1=1;--")}`, message: /cursor is not one this API returned/ },
        { what: 'an oversized cursor', query: `cursor=${'A'.repeat(1000)}`, message: /cursor must be shorter than or equal to 200/ },
        { what: 'February 30th', query: 'until=2026-02-30T00:00:00Z', message: /until must be an ISO-8601 date-time/ },
        { what: 'a date without a time zone of any kind', query: 'since=2026-01-01T25:00:00Z', message: /since must be an ISO-8601 date-time/ },
        { what: 'an unknown provider', query: 'provider=myspace', message: /provider must be one of/ },
        { what: 'a control id with SQL meta-characters', query: `controlId=${encodeURIComponent("x' OR '1'='1")}`, message: /controlId must be a control id/ },
        { what: 'a status given twice', query: 'status=open&status=resolved', message: /status must be one of/ },
        { what: 'a NUL in a filter', query: 'controlId=SLACK%00', message: /^controlId must not contain the NUL character/ },
        { what: 'a NUL in a parameter name', query: 'li%00mit=1', message: /^query parameter name li\\u0000mit must not contain the NUL/ },
        ...cursorCases(),
      ],
    },
    'get /drifts/{id}': none,
    'get /reports/drift': {
      body: false,
      query: true,
      cases: [
        { what: 'an unknown format', query: 'format=xml', message: /format must be one of/ },
        { what: 'a date that is not one', query: 'since=last%20week', message: /since must be an ISO-8601 date-time/ },
        { what: 'an invalid until', query: 'until=2026-13-01T00:00:00Z', message: /until must be an ISO-8601 date-time/ },
        { what: 'since after until', query: 'since=2026-02-01T00:00:00Z&until=2026-01-01T00:00:00Z', message: /since must be before until/ },
        { what: 'an unknown parameter', query: 'connectionId=x', message: /property connectionId should not exist/ },
      ],
    },
    'get /reports/posture': none,
    'get /reports/overview': none,
    'post /exceptions': {
      body: true,
      query: false,
      cases: [
        { what: 'no fields at all', body: {}, message: /^connectionId must be a UUID\ncontrolId must be a string\njustification must be a string\nexpiresAt must be an ISO-8601[^\n]*$/ },
        { what: 'a connection id with SQL meta-characters', body: { connectionId: "1' OR '1'='1" }, message: /connectionId must be a UUID/ },
        { what: 'a connection that does not exist', body: { connectionId: NOBODY }, status: 404, message: /connection 00000000-0000-4000-8000-000000000000 does not exist/ },
        { what: 'a lower-case control id', body: { controlId: 'slack.sharing.1; drop' }, message: /controlId must be a control id/ },
        { what: 'a control the baseline does not have', body: { controlId: 'SLACK.NOPE.1' }, message: /controlId: SLACK.NOPE.1 is not a control of baseline slack-locked-down/ },
        { what: 'a one-word justification', body: { justification: 'because' }, message: /justification must say why, in at least 10 characters/ },
        { what: 'an expiry that is not a date', body: { expiresAt: 'next week' }, message: /expiresAt must be an ISO-8601 date-time/ },
        { what: 'an expiry in the past', body: { expiresAt: '2001-01-01T00:00:00Z' }, message: /expiresAt must be in the future/ },
        { what: 'an expiry ten years out', body: { expiresAt: inDays(3650) }, message: /expiresAt must be within \d+ days/ },
        { what: 'a resource key of the wrong type', body: { resourceKey: 42 }, message: /resourceKey must be a string/ },
        { what: 'an oversized external reference', body: { externalRef: 'J'.repeat(201) }, message: /externalRef must be shorter than or equal to 200/ },
        { what: 'a state set by the requester', body: { state: 'approved' }, message: /property state should not exist/ },
        { what: 'a NUL in the justification', body: { justification: `needed until March${NUL}` }, message: /^justification must not contain the NUL character/ },
        { what: 'a NUL in the resource key', body: { resourceKey: `app:A1${NUL}` }, message: /^resourceKey must not contain the NUL character/ },
        { what: 'a NUL in the external reference', body: { externalRef: `JIRA-1${NUL}` }, message: /^externalRef must not contain the NUL character/ },
        { what: 'a lone low surrogate in the justification', body: { justification: `needed until March \udc00` }, message: /^justification must not contain an unpaired UTF-16 surrogate/ },
      ].map((c) => ({ ...c, body: Object.keys(c.body).length === 0 ? {} : { ...validException(ctx.connectionId), ...c.body } })),
    },
    'get /exceptions': {
      body: false,
      query: true,
      cases: [
        { what: 'an unknown state', query: 'state=pending', message: /state must be one of/ },
        { what: 'a connection id with SQL meta-characters', query: `connectionId=${encodeURIComponent('1 OR 1=1')}`, message: /connectionId must be a UUID/ },
        { what: 'a forged cursor', query: 'cursor=bm90LWEtY3Vyc29y', message: /cursor/ },
        { what: 'a huge limit', query: 'limit=100000', message: /limit must not be greater than 500/ },
        { what: 'an unknown parameter', query: 'colour=red', message: /property colour should not exist/ },
        ...cursorCases(),
      ],
    },
    'get /exceptions/{id}': none,
    'post /exceptions/{id}/approve': { body: true, query: false, validBody: { reason: 'fine by me' }, cases: reasonCases },
    'post /exceptions/{id}/reject': { body: true, query: false, validBody: { reason: 'not now' }, cases: reasonCases },
    'post /exceptions/{id}/revoke': { body: true, query: false, validBody: { reason: 'no longer needed' }, cases: reasonCases },
    'post /attestations': {
      body: true,
      query: false,
      cases: [
        { what: 'no fields at all', body: {}, message: /connectionId must be a UUID[\s\S]*controlId must be a string[\s\S]*statement must be a string[\s\S]*evidenceRef must be a string[\s\S]*expiresAt must be an ISO-8601/ },
        { what: 'a connection id with SQL meta-characters', body: { connectionId: "1' OR '1'='1" }, message: /connectionId must be a UUID/ },
        { what: 'a connection that does not exist', body: { connectionId: NOBODY }, status: 404, message: /connection 00000000-0000-4000-8000-000000000000 does not exist/ },
        { what: 'a control the baseline does not have', body: { controlId: 'SLACK.NOPE.1' }, message: /controlId: SLACK.NOPE.1 is not a control of baseline slack-locked-down/ },
        { what: 'a control checked through the API', body: { controlId: 'SLACK.SHARING.1' }, message: /SLACK.SHARING.1 is checked through the provider API/ },
        { what: 'a one-word statement', body: { statement: 'fine' }, message: /statement must say what is attested, in at least 10 characters/ },
        { what: 'an empty evidence reference', body: { evidenceRef: '' }, message: /evidenceRef must be longer than or equal to 1/ },
        { what: 'an expiry that is not a date', body: { expiresAt: 'next year' }, message: /expiresAt must be an ISO-8601 date-time/ },
        { what: 'an expiry in the past', body: { expiresAt: '2001-01-01T00:00:00Z' }, message: /expiresAt must be in the future/ },
        { what: 'an expiry more than a year out', body: { expiresAt: inDays(366) }, message: /expiresAt must be within 365 days/ },
        { what: 'an attester named in the body', body: { attestedBy: 'someone-else' }, message: /property attestedBy should not exist/ },
      ].map((c) => ({
        ...c,
        // Slack has no attestation control, so a valid body still ends at the control check.
        body: Object.keys(c.body).length === 0 ? {} : { connectionId: ctx.connectionId, controlId: 'SLACK.SHARING.1', statement: 'Checked in the admin center by hand.', evidenceRef: 'SEC-1', expiresAt: inDays(30), ...c.body },
      })),
    },
    'get /attestations': {
      body: false,
      query: true,
      cases: [
        { what: 'an active flag that is not a boolean', query: 'active=yes', message: /active must be true or false/ },
        { what: 'a connection id with SQL meta-characters', query: `connectionId=${encodeURIComponent('1 OR 1=1')}`, message: /connectionId must be a UUID/ },
        { what: 'a control id with SQL meta-characters', query: `controlId=${encodeURIComponent("x' OR '1'='1")}`, message: /controlId must be a control id/ },
        { what: 'a forged cursor', query: 'cursor=bm90LWEtY3Vyc29y', message: /cursor/ },
        { what: 'a huge limit', query: 'limit=100000', message: /limit must not be greater than 500/ },
        { what: 'an unknown parameter', query: 'colour=red', message: /property colour should not exist/ },
      ],
    },
    'get /attestations/{id}': none,
    'post /attestations/{id}/revoke': { body: true, query: false, validBody: { reason: 'no longer true' }, cases: reasonCases },
    'get /evidence/ledger': {
      body: false,
      query: true,
      cases: [
        { what: 'a negative position', query: 'afterSeq=-1', message: /afterSeq must not be less than 0/ },
        { what: 'a position that is not a number', query: 'afterSeq=first', message: /afterSeq must be an integer/ },
        { what: 'a position past 2^53', query: 'afterSeq=99999999999999999999', message: /afterSeq must not be greater than/ },
        { what: 'a huge limit', query: 'limit=100000', message: /limit must not be greater than 1000/ },
        { what: 'a fractional limit', query: 'limit=1.5', message: /limit must be an integer/ },
      ],
    },
    'get /evidence/verify': none,
    'get /evidence/checkpoints': none,
    'get /evidence/head': none,
    'get /evidence/public-key': none,
    'get /audit-events': {
      body: false,
      query: true,
      cases: [
        { what: 'a position that is not an id', query: 'before=yesterday', message: /before must be an event id/ },
        { what: 'position zero', query: 'before=0', message: /before must be an event id/ },
        { what: 'a position past the bigint range', query: 'before=9999999999999999999', message: /before must be an event id/ },
        { what: 'a huge limit', query: 'limit=501', message: /limit must not be greater than 500/ },
      ],
    },
    'post /api-keys': {
      body: true,
      query: false,
      cases: [
        { what: 'an unknown role', body: { name: 'x', role: 'root' }, message: /role must be one of/ },
        { what: 'a missing name', body: { role: 'viewer', principal: 'p@example.test' }, message: /name must be a string/ },
        { what: 'a missing principal', body: { name: 'x', role: 'viewer' }, message: /principal must be a string/ },
        { what: 'a principal padded with spaces', body: { name: 'x', role: 'viewer', principal: ' alice ' }, message: /principal must not start or end with white space/ },
        { what: 'a name over 100 characters', body: { name: 'k'.repeat(101), role: 'viewer' }, message: /name must be shorter than or equal to 100/ },
        { what: 'connection ids as a string', body: { name: 'x', role: 'viewer', connectionIds: NOBODY }, message: /connectionIds must be an array/ },
        { what: 'a connection id that is not a UUID', body: { name: 'x', role: 'viewer', connectionIds: ['../admin'] }, message: /each value in connectionIds must be a UUID/ },
        { what: 'more than 1000 connection ids', body: { name: 'x', role: 'viewer', connectionIds: UUIDS(1001) }, message: /connectionIds must contain no more than 1000 elements/ },
        { what: 'a chosen secret', body: { name: 'x', role: 'viewer', key: 'tg_mine' }, message: /property key should not exist/ },
        { what: 'a NUL in the name', body: { name: `ci${NUL}`, role: 'viewer' }, message: /^name must not contain the NUL character/ },
      ],
    },
    'get /api-keys': none,
    'delete /api-keys/{id}': none,
    'get /webhooks/deliveries': {
      body: false,
      query: true,
      cases: [
        { what: 'an unknown state', query: 'state=lost', message: /state must be one of/ },
        { what: 'a zero limit', query: 'limit=0', message: /limit must not be less than 1/ },
        { what: 'an infinite limit', query: 'limit=Infinity', message: /limit must be an integer/ },
      ],
    },
  };
}

/** A one-control Slack baseline; `op` and `duplicate` make it bad in the two ways operators get wrong most. */
function baselineYaml(opts: { op?: string; version?: number; duplicate?: boolean; extraControl?: boolean } = {}): string {
  const control = (id: string, op = 'in') => [
    `  - id: ${id}`,
    '    title: Workspaces are not open to join',
    '    area: sharing',
    '    severity: medium',
    "    references: ['Acme policy 7']",
    '    rationale: open workspaces leak',
    '    remediation: set invite only',
    '    check:',
    '      type: setting',
    '      key: slack.workspace.discoverability',
    `      op: ${op}`,
    '      value: [invite_only, closed, unlisted]',
  ];
  return [
    'id: acme-slack',
    `version: ${opts.version ?? 1}`,
    'provider: slack',
    'title: Acme Slack',
    'parameters: {}',
    'controls:',
    ...control('ACME.SHARING.1', opts.op),
    ...(opts.duplicate ? control('ACME.SHARING.1') : []),
    ...(opts.extraControl ? control('ACME.SHARING.2') : []),
  ].join('\n');
}

/** Hostile path ids: each must be a clear 4xx on every route with an `{id}`. */
const BAD_IDS = [
  'not-a-uuid',
  "1' OR '1'='1",
  '..%2F..%2Fetc%2Fpasswd',
  '%2e%2e',
  '%00',
  '%E0%A4%A',
  '00000000-0000-0000-0000-000000000000',
  `${NOBODY}%20OR%201=1`,
  'x'.repeat(5000),
];

/** Query strings no route accepts as valid. */
const BAD_QUERIES = [
  'limit=1e999',
  'limit=99999999999999999999',
  `cursor=${encodeURIComponent("'; DROP TABLE drifts;--")}`,
  'since=0000-00-00T00:00:00Z',
  'until=9999999-01-01T00:00:00Z',
  'since=0000-01-01T00:00:00Z',
  'until=-000001-01-01T00:00:00Z',
  'id[$ne]=1',
  'limit=1&limit=500&limit=100000',
];

/** Request bodies no route accepts. */
const BAD_BODIES: { what: string; type: string; raw: string; status?: number; message?: RegExp }[] = [
  { what: 'a JSON array', type: 'application/json', raw: '[]' },
  { what: 'a JSON string', type: 'application/json', raw: '"hello"' },
  { what: 'malformed JSON', type: 'application/json', raw: '{"name": "x",' },
  { what: 'only an unknown field', type: 'application/json', raw: '{"colour":"red"}' },
  { what: 'a prototype-pollution key', type: 'application/json', raw: '{"reason":"fine by me","__proto__":{"role":"admin"}}', status: 400, message: /property __proto__ should not exist/ },
  { what: 'a constructor key', type: 'application/json', raw: '{"reason":"fine by me","constructor":{"prototype":{"role":"admin"}}}', status: 400, message: /property constructor should not exist/ },
  { what: 'a NUL escape in a string', type: 'application/json', raw: '{"reason":"fine\\u0000by me"}', status: 400, message: /^reason must not contain the NUL character/ },
  { what: 'deeply nested JSON', type: 'application/json', raw: `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`, status: 400, message: /nested deeper than 32 levels/ },
  { what: 'form encoding', type: 'application/x-www-form-urlencoded', raw: 'name=x&role=admin', status: 415, message: /request bodies must be JSON/ },
  { what: 'plain text', type: 'text/plain', raw: '{"name":"x"}', status: 415, message: /request bodies must be JSON/ },
  { what: 'a body over 256 kB', type: 'application/json', raw: JSON.stringify({ name: 'x'.repeat(300_000) }), status: 413, message: /too large/i },
];

describe('bad input on every route: a clear 4xx, never a 500, nothing written', () => {
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  let db: TestDatabase;
  let t: RunningTollgate;
  let ds: DataSource;
  let connectionId: string;
  let routes: { method: Method; path: string }[];
  let table: Record<string, RouteInputs>;
  const keys = { revoked: '', live: '' };
  const baselinesDir = mkdtempSync(join(tmpdir(), 'tollgate-bad-input-baselines-'));
  const baselineFile = join(baselinesDir, 'acme-slack.yaml');

  /**
   * Everything a request could write, except the audit trail of refused requests (which must be
   * written) and of baseline reloads (a good set reloads, whatever body came with the request).
   */
  const fingerprint = async () => {
    const [row] = await ds.query(`
      SELECT (SELECT count(*) FROM connections) AS connections,
             (SELECT md5(coalesce(string_agg(c::text, '|' ORDER BY id), '')) FROM connections c) AS connection_rows,
             (SELECT count(*) FROM snapshots) AS snapshots,
             (SELECT count(*) FROM drifts) AS drifts,
             (SELECT count(*) FROM drift_events) AS drift_events,
             (SELECT count(*) FROM poll_runs) AS poll_runs,
             (SELECT md5(coalesce(string_agg(k::text, '|' ORDER BY id), '')) FROM api_keys k) AS api_keys,
             (SELECT md5(coalesce(string_agg(e::text, '|' ORDER BY id), '')) FROM exception_tickets e) AS exception_tickets,
             (SELECT count(*) FROM exception_events) AS exception_events,
             (SELECT count(*) FROM webhook_deliveries) AS webhook_deliveries,
             (SELECT count(*) FROM evidence_ledger) AS evidence_entries,
             (SELECT count(*) FROM audit_events WHERE outcome = 'success' AND action <> 'POST /api/v1/baselines/reload') AS audit_successes`);
    return row as Record<string, string>;
  };

  const messageOf = (res: request.Response) => ([] as string[]).concat(res.body.message).join('\n');
  const send = (method: Method, path: string) => request(t.url)[method](`/api/v1${path}`).set('Authorization', `Bearer ${ADMIN_KEY}`);

  /** statusCode/error/message, with the status repeated in the body; 413 comes from the body parser, without `error`. */
  const expectClearError = (res: request.Response, status: number) => {
    expect({ status: res.status, body: res.body }).toMatchObject({ status, body: { statusCode: status, message: expect.anything() } });
    if (status !== 413) expect(typeof res.body.error).toBe('string');
    const message = ([] as string[]).concat(res.body.message);
    expect(message.every((m) => typeof m === 'string' && m.length > 0)).toBe(true);
  };

  beforeAll(async () => {
    writeFileSync(baselineFile, baselineYaml());
    sim = await startSimulator();
    db = await createTestDatabase();
    t = await startTollgate({ ...db.env, TOLLGATE_BASELINES_DIR: baselinesDir });
    ds = t.app.get(DataSource);
    await putCompliantSlackTenant(sim, 'xoxp-bad-input');
    connectionId = (await t.api().post('/connections').send(slackConnection(sim, 'xoxp-bad-input', 'bad input fixture')).expect(201)).body.id;
    // The first poll is due at once; after it the next is an hour away, so nothing moves under the fingerprint.
    await eventually('the first poll', async () => (await t.api().get(`/connections/${connectionId}`).expect(200)).body.status.lastSuccessAt);
    await t.api().post('/exceptions').send(validException(connectionId)).expect(201);
    const revoked = (await t.api().post('/api-keys').send({ name: 'soon revoked', principal: 'soon-revoked@example.test', role: 'viewer' }).expect(201)).body;
    await t.api().delete(`/api-keys/${revoked.id}`).expect(204);
    keys.revoked = revoked.key;
    keys.live = (await t.api().post('/api-keys').send({ name: 'live', principal: 'live@example.test', role: 'viewer' }).expect(201)).body.key;
    // Audit rows of the set-up are written after the answer; wait for them before fingerprinting.
    await eventually('the set-up audit rows', async () => Number((await fingerprint()).audit_successes) >= 5);
    table = routeTable({ connectionId, slackBaselineDir: baselinesDir });
    const doc = (await request(t.url).get('/docs-json').expect(200)).body as { paths: Record<string, Record<string, unknown>> };
    routes = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith('/api/v1/'))
      .flatMap(([path, ops]) => Object.keys(ops).map((method) => ({ method: method as Method, path: path.replace(/^\/api\/v1/, '') })));
  });

  afterAll(async () => {
    await t?.close();
    await db?.drop();
    await sim?.close();
  });

  describe('every documented route', () => {
    let before: Record<string, string>;
    beforeEach(async () => {
      before = await fingerprint();
    });
    afterEach(async () => {
      expect(await fingerprint()).toEqual(before);
    });

    it('has its bad inputs listed in this spec', () => {
      expect(routes.map((r) => `${r.method} ${r.path}`).sort()).toEqual(Object.keys(table).sort());
    });

    it.each(BAD_IDS)('refuses the path id %s on every route that takes one', async (id) => {
      const withId = routes.filter((r) => r.path.includes('{id}'));
      expect(withId.length).toBeGreaterThan(10);
      for (const route of withId) {
        const res = await send(route.method, route.path.replace('{id}', id).replace('{changeId}', NOBODY)).send(table[`${route.method} ${route.path}`]?.validBody);
        // Baseline ids are names, not UUIDs: an odd one simply does not exist (or cannot even be decoded).
        const status = route.path === '/baselines/{id}' && !id.startsWith('%E0') ? 404 : 400;
        expectClearError(res, status);
        if (status === 400) expect(messageOf(res)).toMatch(/id must be a UUID|Failed to decode param/);
        else expect(res.body.message).toMatch(/baseline .* does not exist/);
      }
    });

    it.each(BAD_QUERIES)('answers ?%s on every GET route with a 4xx or ignores it, never a 500', async (query) => {
      for (const route of routes.filter((r) => r.method === 'get')) {
        const res = await send('get', `${route.path.replace('{id}', NOBODY).replace('{changeId}', NOBODY)}?${query}`);
        if (table[`get ${route.path}`]?.query) {
          expectClearError(res, 400);
        } else {
          expect(res.status).toBeLessThan(500);
          if (res.status >= 400) expectClearError(res, res.status);
        }
      }
    });

    it.each(BAD_BODIES)('answers $what on every POST and PATCH route with a 4xx, never a 500', async ({ type, raw, status, message }) => {
      for (const route of routes.filter((r) => r.method === 'post' || r.method === 'patch')) {
        const res = await send(route.method, route.path.replace('{id}', NOBODY).replace('{changeId}', NOBODY)).set('Content-Type', type).send(raw);
        const takesBody = table[`${route.method} ${route.path}`]?.body ?? true;
        if (status) {
          expectClearError(res, status);
          expect(messageOf(res)).toMatch(message!);
        } else if (takesBody) expectClearError(res, 400);
        else {
          // A route without a body ignores one; the reload of a good baseline set then simply succeeds.
          expect(res.status).toBeLessThan(500);
          if (res.status >= 400) expectClearError(res, res.status);
        }
      }
    });

    const cases = () =>
      Object.entries(routeTable({ connectionId: NOBODY, slackBaselineDir: '' })).flatMap(([route, inputs]) =>
        inputs.cases.map((c, index) => ({ route, what: c.what, index })),
      );

    it.each(cases())('$route with $what', async ({ route, index }) => {
      const c = table[route].cases[index];
      const [method, path] = route.split(' ') as [Method, string];
      const url = `${path.replace('{id}', c.id === 'connection' ? connectionId : NOBODY).replace('{changeId}', NOBODY)}${c.query ? `?${c.query}` : ''}`;
      const req = send(method, url);
      const res = await (c.body === undefined ? req : req.send(c.body as object));
      const status = c.status ?? 400;
      expectClearError(res, status);
      expect(messageOf(res)).toMatch(c.message);
      if (c.extra) expect(res.body).toMatchObject(c.extra);
    });

    it('refuses an unknown key, a revoked key and a wrong secret alike', async () => {
      const answers = [];
      for (const key of [`tg_zzzzzzzzzzzz_${'A'.repeat(43)}`, keys.revoked, keys.live.replace(/_[^_]+$/, `_${'A'.repeat(43)}`)]) {
        const res = await request(t.url).get('/api/v1/connections').set('Authorization', `Bearer ${key}`);
        answers.push({ status: res.status, body: res.body });
      }
      expect(answers[0]).toEqual({ status: 401, body: { statusCode: 401, error: 'Unauthorized', message: expect.any(String) } });
      expect(answers[1]).toEqual(answers[0]);
      expect(answers[2]).toEqual(answers[0]);
    });
  });

  describe('a refused body', () => {
    it('lists every problem at once, one per field, in the order the fields were sent', async () => {
      const before = await fingerprint();
      const res = await send('post', '/connections').send({ name: 42, pollIntervalSeconds: 'soon', provider: 'myspace', credentials: {} });
      expect({ status: res.status, body: res.body }).toEqual({
        status: 400,
        body: {
          statusCode: 400,
          error: 'Bad Request',
          message: [
            'name must be a string',
            'pollIntervalSeconds must be an integer number',
            'provider must be one of the following values: slack, microsoft365, google-workspace',
          ],
        },
      });
      // The same fields sent in another order come back in that order.
      const reordered = await send('post', '/connections').send({ provider: 'myspace', credentials: {}, pollIntervalSeconds: 'soon', name: 42 });
      expect(reordered.body.message).toEqual([
        'provider must be one of the following values: slack, microsoft365, google-workspace',
        'pollIntervalSeconds must be an integer number',
        'name must be a string',
      ]);
      expect(await fingerprint()).toEqual(before);
    });
  });

  describe('baseline files', () => {
    const findingIds = async () =>
      ((await t.api().get(`/connections/${connectionId}/findings`).expect(200)).body.findings as { controlId: string }[]).map((f) => f.controlId).filter((id, i, all) => all.indexOf(id) === i).sort();

    it('a bad set on reload is refused with file, line and reason, and polls keep evaluating the previous set', async () => {
      // Another baseline loosens what the connection is held to: it waits for a second person.
      const change = (await t.api().patch(`/connections/${connectionId}`).send({ baselineId: 'acme-slack', parameters: {} }).expect(202)).body;
      const approver = await keyFor(t, 'approver', 'baseline approver');
      await approver.post(`/connections/${connectionId}/changes/${change.id}/approve`).send({ reason: 'acme baseline for this test' }).expect(200);
      await pollNow(t, connectionId);
      expect(await findingIds()).toEqual(['ACME.SHARING.1']);

      const bad: [string, string, RegExp][] = [
        ['an unknown operator', baselineYaml({ version: 2, op: 'roughlyEquals', extraControl: true }), /op/],
        ['duplicate control ids', baselineYaml({ version: 2, duplicate: true }), /duplicate control id "ACME.SHARING.1"/],
        ['malformed YAML', `${baselineYaml({ version: 2 })}\n  - id: [unclosed`, /invalid YAML/],
      ];
      for (const [, content, reason] of bad) {
        writeFileSync(baselineFile, content);
        const res = await t.api().post('/baselines/reload').expect(422);
        expect(res.body).toMatchObject({ statusCode: 422, error: 'Unprocessable Entity', file: baselineFile, line: expect.any(Number), reason: expect.stringMatching(reason) });
        expect(res.body.line).toBeGreaterThan(1);
        expect(res.body.message).toContain(`${baselineFile}:${res.body.line}:`);
        expect((await t.api().get('/baselines/acme-slack').expect(200)).body).toMatchObject({ version: 1 });
        const polled = await pollNow(t, connectionId);
        expect(polled).toMatchObject({ status: { consecutiveFailures: 0, lastFailure: null } });
        expect(await findingIds()).toEqual(['ACME.SHARING.1']);
      }
      expect(t.logs.some((l) => l.includes('baseline reload refused'))).toBe(true);

      writeFileSync(baselineFile, baselineYaml({ version: 2, extraControl: true }));
      const res = await t.api().post('/baselines/reload').expect(200);
      expect(res.body.items).toEqual(expect.arrayContaining([expect.objectContaining({ id: 'acme-slack', version: 2, controls: 2 })]));
      await pollNow(t, connectionId);
      expect(await findingIds()).toEqual(['ACME.SHARING.1', 'ACME.SHARING.2']);
    });
  });
});
