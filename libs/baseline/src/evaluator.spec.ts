import type { OAuthGrant, PostureDocument, ResidencyObservation, SettingObservation } from '@tollgate/connector-sdk';
import type { Baseline, Check, Control, Finding, JsonValue, SettingOperator } from './baseline.types';
import { BaselineParameterError, compileScopePatterns, evaluate, resolveParameters } from './evaluator';

function control(id: string, check: Check, area: Control['area'] = check.type === 'setting' || check.type === 'attestation' ? 'sharing' : check.type): Control {
  return {
    id,
    title: `${id} title`,
    area,
    severity: 'high',
    references: ['internal policy TEST'],
    rationale: 'Because.',
    remediation: 'Fix it.',
    check,
  };
}

function baseline(controls: Control[], parameters: Baseline['parameters'] = {}): Baseline {
  return {
    id: 'test',
    version: 1,
    provider: 'slack',
    title: 'Test',
    parameters,
    controls,
    source: 'test.yaml',
    hash: '0'.repeat(64),
  };
}

function doc(parts: Partial<PostureDocument> = {}): PostureDocument {
  return {
    provider: 'slack',
    tenant: { id: 'E1' },
    settings: [],
    oauthGrants: [],
    residency: [],
    gaps: [],
    ...parts,
  };
}

const setting = (key: string, value: JsonValue, resourceKey = 'tenant', source: SettingObservation['source'] = 'observed') => ({
  key,
  resourceKey,
  value,
  source,
});

const grant = (appId: string, scopes: string[], extra: Partial<OAuthGrant> = {}): OAuthGrant => ({
  appId,
  appName: `App ${appId}`,
  scopes,
  grantType: 'approved',
  ...extra,
});

describe('evaluate: setting checks', () => {
  const KEY = 'slack.test.value';

  it('reports a setting the document lacks as unknown at tenant, never pass, with the gap reason', () => {
    const b = baseline([control('S.1', { type: 'setting', key: KEY, op: 'isFalse' })]);
    const [finding] = evaluate(doc(), b);
    expect(finding).toMatchObject({
      controlId: 'S.1',
      resourceKey: 'tenant',
      status: 'unknown',
      observed: null,
      expected: { op: 'isFalse' },
    });
    expect(finding.message).toBe(`${KEY} was not exposed by the provider API (the connector reported no reason)`);

    const withGap = evaluate(doc({ gaps: [{ area: 'sharing', what: KEY, reason: 'missing_scope: admin.teams:read' }] }), b);
    expect(withGap).toHaveLength(1);
    expect(withGap[0].message).toBe(`${KEY} was not exposed by the provider API: missing_scope: admin.teams:read`);

    const byPrefix = evaluate(doc({ gaps: [{ area: 'sharing', what: 'slack.test', reason: 'plan has no admin API' }] }), b);
    expect(byPrefix[0].message).toContain('plan has no admin API');
    const unrelated = evaluate(doc({ gaps: [{ area: 'sharing', what: 'slack.other.value', reason: 'nope' }] }), b);
    expect(unrelated[0].message).not.toContain('nope');
  });

  it('gives one finding per resource, with the expected value resolved from parameters', () => {
    const b = baseline(
      [control('S.1', { type: 'setting', key: KEY, op: 'in', value: { param: 'allowed' } })],
      { allowed: { description: 'allowed values', default: ['invite_only', 'closed'] } },
    );
    const d = doc({ settings: [setting(KEY, 'open', 'team:T2'), setting(KEY, 'closed', 'team:T1')] });
    expect(evaluate(d, b)).toEqual([
      expect.objectContaining({
        resourceKey: 'team:T1',
        status: 'pass',
        expected: { op: 'in', value: ['invite_only', 'closed'] },
        observed: 'closed',
      }),
      expect.objectContaining({ resourceKey: 'team:T2', status: 'fail', observed: 'open' }),
    ]);
    const overridden = evaluate(d, b, { allowed: ['open'] });
    expect(overridden.map((f) => f.status)).toEqual(['fail', 'pass']);
    expect(overridden[0].expected).toEqual({ op: 'in', value: ['open'] });
  });

  const cases: [SettingOperator, JsonValue | undefined, JsonValue, Finding['status']][] = [
    ['equals', 'a', 'a', 'pass'],
    ['equals', 'a', 'b', 'fail'],
    ['equals', { x: [1, 2] }, { x: [1, 2] }, 'pass'],
    ['equals', 'a', null, 'fail'],
    ['equals', true, 'true', 'unknown'],
    ['notEquals', 'open', 'closed', 'pass'],
    ['notEquals', 'open', 'open', 'fail'],
    ['notEquals', 'open', false, 'unknown'],
    ['in', ['a', 'b'], 'a', 'pass'],
    ['in', ['a', 'b'], 'c', 'fail'],
    ['in', ['a', 'b'], 3, 'unknown'],
    ['notIn', ['open'], 'closed', 'pass'],
    ['notIn', ['open'], 'open', 'fail'],
    ['notIn', ['open'], 5, 'unknown'],
    ['lte', 0, 0, 'pass'],
    ['lte', 0, 1, 'fail'],
    ['lte', 0, '0', 'unknown'],
    ['lte', 0, null, 'unknown'],
    ['gte', 8, 12, 'pass'],
    ['gte', 8, 6, 'fail'],
    ['gte', 8, true, 'unknown'],
    ['subsetOf', ['T1', 'T2'], ['T1'], 'pass'],
    ['subsetOf', ['T1', 'T2'], [], 'pass'],
    ['subsetOf', ['T1', 'T2'], ['T1', 'T9'], 'fail'],
    ['subsetOf', [], ['T9'], 'fail'],
    ['subsetOf', ['T1'], 'T1', 'unknown'],
    ['isEmpty', undefined, [], 'pass'],
    ['isEmpty', undefined, '', 'pass'],
    ['isEmpty', undefined, null, 'pass'],
    ['isEmpty', undefined, {}, 'pass'],
    ['isEmpty', undefined, ['x'], 'fail'],
    ['isEmpty', undefined, 0, 'unknown'],
    ['isTrue', undefined, true, 'pass'],
    ['isTrue', undefined, false, 'fail'],
    ['isTrue', undefined, 'true', 'unknown'],
    ['isFalse', undefined, false, 'pass'],
    ['isFalse', undefined, true, 'fail'],
    ['isFalse', undefined, null, 'unknown'],
  ];

  it.each(cases)('%s %j on observed %j is %s', (op, value, observed, status) => {
    const check: Check = value === undefined ? { type: 'setting', key: KEY, op } : { type: 'setting', key: KEY, op, value };
    const [finding] = evaluate(doc({ settings: [setting(KEY, observed)] }), baseline([control('S.1', check)]));
    expect(finding.status).toBe(status);
    expect(finding.observed).toEqual(observed);
    expect(finding.message.startsWith(KEY)).toBe(true);
  });

  it('explains a type mismatch instead of passing it', () => {
    const [finding] = evaluate(
      doc({ settings: [setting(KEY, 'lots')] }),
      baseline([control('S.1', { type: 'setting', key: KEY, op: 'lte', value: 3 })]),
    );
    expect(finding).toMatchObject({ status: 'unknown', observed: 'lots' });
    expect(finding.message).toBe(`${KEY} is "lots": operator "lte" compares numbers, not a string with a number`);
  });

  it('names the offending values of a subsetOf failure', () => {
    const [finding] = evaluate(
      doc({ settings: [setting(KEY, ['T1', 'T8', 'T9'])] }),
      baseline([control('S.1', { type: 'setting', key: KEY, op: 'subsetOf', value: ['T1'] })]),
    );
    expect(finding.message).toBe(`${KEY} has 2 values outside the allowed list ["T1"]: ["T8","T9"]`);
  });

  it('reports conflicting observations of one resource as unknown', () => {
    const [finding] = evaluate(
      doc({ settings: [setting(KEY, true), setting(KEY, false)] }),
      baseline([control('S.1', { type: 'setting', key: KEY, op: 'isTrue' })]),
    );
    expect(finding).toMatchObject({ status: 'unknown', observed: [true, false] });
  });

  it('says when the value is the provider default rather than an explicit setting', () => {
    const [finding] = evaluate(
      doc({ settings: [setting(KEY, false, 'tenant', 'default')] }),
      baseline([control('S.1', { type: 'setting', key: KEY, op: 'isFalse' })]),
    );
    expect(finding.status).toBe('pass');
    expect(finding.message).toContain('documented default');
  });
});

describe('evaluate: OAuth checks', () => {
  const oauth = (check: Omit<Extract<Check, { type: 'oauth' }>, 'type'>, parameters: Baseline['parameters'] = {}) =>
    baseline([control('O.1', { type: 'oauth', ...check })], parameters);

  it('matches * wildcards case-insensitively against the whole scope name', () => {
    const matches = compileScopePatterns(['admin*', '*.ReadWrite.All', 'files:read', 'a.b']);
    expect(['admin', 'admin.users:write', 'ADMIN.apps:read', 'Files.ReadWrite.All', 'sites.readwrite.all', 'FILES:READ', 'a.b']
      .every(matches)).toBe(true);
    expect(['xadmin', 'Files.ReadWrite.All.Extra', 'Files.Read.All', 'files:read.extra', 'aXb', 'files:write'].some(matches)).toBe(
      false,
    );
    expect(compileScopePatterns([])('anything')).toBe(false);
  });

  it('fails each app holding a forbidden scope, merging its grants, listing only the offending scopes sorted', () => {
    const b = oauth({ forbiddenScopes: ['admin*', 'channels:history'] });
    const findings = evaluate(
      doc({
        oauthGrants: [
          grant('A2', ['chat:write', 'channels:history']),
          grant('A1', ['users:read']),
          grant('A2', ['admin.users:write', 'channels:history'], { grantType: 'installed', principal: 'U1' }),
          grant('A3', ['chat:write']),
        ],
      }),
      b,
    );
    expect(findings).toEqual([
      {
        controlId: 'O.1',
        title: 'O.1 title',
        area: 'oauth',
        severity: 'high',
        references: ['internal policy TEST'],
        resourceKey: 'app:A2',
        status: 'fail',
        expected: { forbiddenScopes: ['admin*', 'channels:history'], allowedApps: [] },
        observed: { appName: 'App A2', scopes: ['admin.users:write', 'channels:history'] },
        message: 'App A2 (A2) holds forbidden scopes ["admin.users:write","channels:history"]',
      },
    ]);
  });

  it('passes once at tenant, counting the apps checked, when no app breaks the rule', () => {
    const findings = evaluate(
      doc({ oauthGrants: [grant('A1', ['chat:write']), grant('A1', ['users:read']), grant('A2', ['files:write'])] }),
      oauth({ forbiddenScopes: ['admin*'] }),
    );
    expect(findings).toEqual([
      expect.objectContaining({ resourceKey: 'tenant', status: 'pass', observed: { appsChecked: 2 } }),
    ]);
  });

  it('exempts allowed apps, by id and case-insensitively, also through a parameter override', () => {
    const b = oauth(
      { forbiddenScopes: ['admin*'], allowedApps: { param: 'approvedApps' } },
      { approvedApps: { description: 'reviewed', default: ['a1'] } },
    );
    const d = doc({ oauthGrants: [grant('A1', ['admin']), grant('A2', ['admin'])] });
    expect(evaluate(d, b).map((f) => [f.resourceKey, f.status])).toEqual([['app:A2', 'fail']]);
    expect(evaluate(d, b, { approvedApps: ['A1', 'A2'] })).toEqual([
      expect.objectContaining({
        resourceKey: 'tenant',
        status: 'pass',
        observed: { appsChecked: 2 },
        expected: { forbiddenScopes: ['admin*'], allowedApps: ['A1', 'A2'] },
      }),
    ]);
  });

  it('ignores restricted and requested grants by default and honours an explicit grantTypes filter', () => {
    const d = doc({
      oauthGrants: [
        grant('R', ['admin'], { grantType: 'restricted' }),
        grant('Q', ['admin'], { grantType: 'requested' }),
        grant('I', ['admin'], { grantType: 'installed' }),
      ],
    });
    expect(evaluate(d, oauth({ forbiddenScopes: ['admin'] })).map((f) => f.resourceKey)).toEqual(['app:I']);
    expect(evaluate(d, oauth({ forbiddenScopes: ['admin'], grantTypes: ['requested'] })).map((f) => f.resourceKey)).toEqual([
      'app:Q',
    ]);
  });

  it('fails apps holding scopes the provider flags as sensitive when asked to', () => {
    const d = doc({
      oauthGrants: [
        grant('A1', ['chat:write', 'im:history'], { sensitiveScopes: ['im:history'] }),
        grant('A2', ['chat:write']),
      ],
    });
    const [finding, ...rest] = evaluate(d, oauth({ forbidSensitiveScopes: true }));
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      resourceKey: 'app:A1',
      status: 'fail',
      observed: { appName: 'App A1', scopes: ['im:history'] },
      expected: { forbiddenScopes: [], allowedApps: [], forbidSensitiveScopes: true },
    });
    expect(finding.message).toBe('App A1 (A1) holds scopes the provider flags as sensitive ["im:history"]');
  });

  it('does not pass when the grant inventory could not be read completely', () => {
    const [finding] = evaluate(
      doc({ gaps: [{ area: 'oauth', what: 'admin.apps.approved.list', reason: 'missing_scope: admin.apps:read' }] }),
      oauth({ forbiddenScopes: ['admin'] }),
    );
    expect(finding).toMatchObject({ resourceKey: 'tenant', status: 'unknown' });
    expect(finding.message).toContain('missing_scope: admin.apps:read');
  });
});

describe('evaluate: residency checks', () => {
  const residency = (allowed: string[] | { param: string }) =>
    baseline([control('R.1', { type: 'residency', allowedRegions: allowed })], {
      allowedRegions: { description: 'regions', default: [] },
    });
  const at = (region: string, source: ResidencyObservation['source'], resourceKey = 'tenant'): ResidencyObservation => ({
    resourceKey,
    region,
    source,
  });

  it('is unknown at tenant when residency is neither observed nor declared', () => {
    const [finding, ...rest] = evaluate(doc(), residency(['EU']));
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ resourceKey: 'tenant', status: 'unknown', observed: null });
  });

  describe('with no allowed regions set, unpinned data fails', () => {
    const unset = () => residency({ param: 'allowedRegions' });

    it('fails data at rest in no region, saying it is not pinned', () => {
      const findings = evaluate(doc({ residency: [at('ANY', 'observed', 'orgUnit:root')] }), unset());
      expect(findings).toEqual([
        expect.objectContaining({
          resourceKey: 'orgUnit:root',
          status: 'fail',
          observed: { region: 'ANY', source: 'observed' },
          message: 'data at rest is not pinned to any region: the provider may store it in any of its regions',
        }),
      ]);
    });

    it('fails data spread over several regions, naming how many', () => {
      const findings = evaluate(
        doc({ residency: [at('EUR', 'observed', 'tenant'), at('NAM', 'observed', 'site:b'), at('EUR', 'observed', 'site:a')] }),
        unset(),
      );
      expect(findings.map((f) => [f.resourceKey, f.status])).toEqual([
        ['site:a', 'fail'],
        ['site:b', 'fail'],
        ['tenant', 'fail'],
      ]);
      expect(findings[1].message).toBe(
        "data resides in NAM (observed through the provider API), but this tenant's data is spread over 2 regions (EUR, NAM), not pinned to one; set parameter allowedRegions to accept them",
      );
    });

    it('passes data pinned to one region, observed or declared', () => {
      const observed = evaluate(doc({ residency: [at('EUROPE', 'observed', 'orgUnit:a'), at('europe', 'observed', 'orgUnit:b')] }), unset());
      expect(observed.map((f) => f.status)).toEqual(['pass', 'pass']);
      expect(observed[0].message).toBe('data resides in EUROPE (observed through the provider API); pinned to one region (parameter allowedRegions not set)');
      const [declared] = evaluate(doc({ residency: [at('EU', 'declared')] }), unset());
      expect(declared).toMatchObject({ resourceKey: 'tenant', status: 'pass', observed: { region: 'EU', source: 'declared' } });
    });
  });

  it('with allowed regions set, narrows which pinned regions pass and still fails unpinned data', () => {
    const findings = evaluate(
      doc({ residency: [at('US', 'observed', 'orgUnit:a'), at('EUROPE', 'observed', 'orgUnit:b'), at('ANY', 'observed', 'orgUnit:c')] }),
      residency(['EUROPE', 'ANY']),
    );
    expect(findings.map((f) => [f.resourceKey, f.status])).toEqual([
      ['orgUnit:a', 'fail'],
      ['orgUnit:b', 'pass'],
      ['orgUnit:c', 'fail'],
    ]);
    expect(findings[2].message).toBe(
      'data at rest is not pinned to any region: the provider may store it in any of its regions; allowed: EUROPE, ANY',
    );
  });

  it('reports a declared residency as declared, not observed', () => {
    const [finding] = evaluate(doc({ residency: [at('eu', 'declared')] }), residency(['EU']));
    expect(finding).toMatchObject({
      status: 'pass',
      observed: { region: 'eu', source: 'declared' },
      expected: { allowedRegions: ['EU'] },
    });
    expect(finding.message).toBe(
      'data residency is declared by the operator as eu (not observed: the provider API does not expose it); allowed: EU',
    );
  });

  it('fails each resource outside the allowed regions, case-insensitively', () => {
    const findings = evaluate(
      doc({ residency: [at('NAM', 'observed', 'site:b'), at('eur', 'observed', 'site:a')] }),
      residency(['EUR']),
    );
    expect(findings.map((f) => [f.resourceKey, f.status])).toEqual([
      ['site:a', 'pass'],
      ['site:b', 'fail'],
    ]);
    expect(findings[1].message).toBe('data resides in NAM (observed through the provider API), outside the allowed regions EUR');
  });

  it('lets an observation outrank a declaration for the same resource', () => {
    const [finding] = evaluate(doc({ residency: [at('EU', 'declared'), at('US', 'observed')] }), residency(['EU']));
    expect(finding).toMatchObject({ status: 'fail', observed: { region: 'US', source: 'observed' } });
  });
});

describe('resolveParameters', () => {
  const b = baseline(
    [
      control('P.1', { type: 'setting', key: 'a.b', op: 'lte', value: { param: 'max' } }),
      control('P.2', { type: 'oauth', forbiddenScopes: ['admin'], allowedApps: { param: 'apps' } }),
    ],
    { max: { description: 'max', default: 0 }, apps: { description: 'apps', default: [] } },
  );

  it('applies overrides over defaults', () => {
    expect(resolveParameters(b)).toEqual({ max: 0, apps: [] });
    expect(resolveParameters(b, { apps: ['A1'] })).toEqual({ max: 0, apps: ['A1'] });
  });

  it('rejects unknown names, naming all of them', () => {
    expect(() => resolveParameters(b, { maxx: 1, other: 2, max: 3 })).toThrow(
      'unknown parameters for baseline test: maxx, other (known: apps, max)',
    );
    try {
      resolveParameters(b, { maxx: 1 });
    } catch (err) {
      expect(err).toBeInstanceOf(BaselineParameterError);
      expect((err as BaselineParameterError).parameters).toEqual(['maxx']);
    }
  });

  it('rejects values of the wrong shape', () => {
    expect(() => resolveParameters(b, { max: '3' })).toThrow(
      'invalid parameter value for baseline test: max must be a number like its default, got a string',
    );
    expect(() => resolveParameters(b, { apps: ['A1', 2] })).toThrow(
      'invalid parameter value for baseline test: apps must be a list of strings (P.2 uses it with allowedApps)',
    );
  });

  it('is applied by evaluate, so bad overrides never reach a finding', () => {
    expect(() => evaluate(doc(), b, { nope: 1 })).toThrow(BaselineParameterError);
  });
});

describe('evaluate: output', () => {
  const b = baseline([
    control('Z.1', { type: 'setting', key: 'k.z', op: 'isTrue' }),
    control('A.2', { type: 'oauth', forbiddenScopes: ['admin'] }),
    control('A.1', { type: 'setting', key: 'k.a', op: 'isTrue' }),
    control('M.1', { type: 'residency', allowedRegions: ['EU'] }),
  ]);
  const settings = [setting('k.a', true, 'team:T2'), setting('k.a', false, 'team:T1'), setting('k.z', true, 'team:T10'), setting('k.z', true, 'team:T9')];
  const oauthGrants = [grant('B', ['admin']), grant('A', ['admin']), grant('C', ['chat:write'])];
  const residency: ResidencyObservation[] = [{ resourceKey: 'tenant', region: 'EU', source: 'declared' }];

  it('is sorted by control id, then resource key, whatever the input order', () => {
    const findings = evaluate(doc({ settings, oauthGrants, residency }), b);
    expect(findings.map((f) => `${f.controlId} ${f.resourceKey}`)).toEqual([
      'A.1 team:T1',
      'A.1 team:T2',
      'A.2 app:A',
      'A.2 app:B',
      'M.1 tenant',
      'Z.1 team:T10',
      'Z.1 team:T9',
    ]);
    const reversed = evaluate(
      doc({ settings: [...settings].reverse(), oauthGrants: [...oauthGrants].reverse(), residency }),
      { ...b, controls: [...b.controls].reverse() },
    );
    expect(reversed).toEqual(findings);
  });

  it('does not modify its inputs', () => {
    const input = doc({ settings, oauthGrants, residency });
    const frozen = JSON.parse(JSON.stringify(input)) as PostureDocument;
    const freeze = (v: unknown): void => {
      if (v && typeof v === 'object') {
        Object.freeze(v);
        Object.values(v).forEach(freeze);
      }
    };
    freeze(frozen);
    expect(evaluate(frozen, b)).toEqual(evaluate(input, b));
  });
});

describe('attestation checks', () => {
  const now = new Date('2030-06-01T12:00:00Z');
  const b = baseline([
    control('TEST.ATTEST.1', { type: 'attestation', statement: 'Anonymous users cannot join meetings.' }, 'sharing'),
  ]);
  const attestation = {
    id: '7d7c1c0e-51f5-4b55-9d36-2d5d6f0c0a01',
    statement: 'Checked in the Teams admin center: anonymous join is off.',
    evidenceRef: 'SEC-42',
    attestedBy: 'alice@example.test',
    expiresAt: '2030-09-01T00:00:00.000Z',
  };

  it('passes while an unexpired attestation is recorded, saying who attested and until when', () => {
    const [finding] = evaluate(doc(), b, undefined, { attestations: { 'TEST.ATTEST.1': attestation }, now });
    expect(finding).toMatchObject({
      controlId: 'TEST.ATTEST.1',
      resourceKey: 'tenant',
      status: 'pass',
      expected: { attested: true, statement: 'Anonymous users cannot join meetings.' },
      observed: { attestationId: attestation.id, attestedBy: 'alice@example.test', expiresAt: attestation.expiresAt, evidenceRef: 'SEC-42' },
      attestation: { id: attestation.id, attestedBy: 'alice@example.test', expiresAt: attestation.expiresAt },
    });
    expect(finding.message).toMatch(/^attested by alice@example\.test until 2030-09-01T00:00:00\.000Z/);
  });

  it('is unknown, not attested, when no attestation is recorded for the control', () => {
    const other = { 'TEST.OTHER.1': attestation };
    for (const context of [undefined, { now }, { attestations: other, now }]) {
      const [finding] = evaluate(doc(), b, undefined, context);
      expect(finding).toMatchObject({ status: 'unknown', observed: null });
      expect(finding.message).toMatch(/^not attested/);
      expect(finding.attestation).toBeUndefined();
    }
  });

  it('is unknown once the attestation expired, at the expiry instant exactly too', () => {
    for (const at of [new Date(attestation.expiresAt), new Date('2031-01-01T00:00:00Z')]) {
      const [finding] = evaluate(doc(), b, undefined, { attestations: { 'TEST.ATTEST.1': attestation }, now: at });
      expect(finding.status).toBe('unknown');
      expect(finding.message).toMatch(/^attestation expired on 2030-09-01T00:00:00\.000Z \(attested by alice@example\.test\)/);
      expect(finding.attestation).toBeUndefined();
    }
    const unreadable = { ...attestation, expiresAt: 'soon' };
    const [finding] = evaluate(doc(), b, undefined, { attestations: { 'TEST.ATTEST.1': unreadable }, now });
    expect(finding.status).toBe('unknown');
  });

  it('never passes by default, whatever the document holds', () => {
    const settings: SettingObservation[] = [{ key: 'test.attest.value', resourceKey: 'tenant', value: true, source: 'observed' }];
    const findings = evaluate(doc({ settings }), b);
    expect(findings.map((f) => f.status)).toEqual(['unknown']);
  });
});
