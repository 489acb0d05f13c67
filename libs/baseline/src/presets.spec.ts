import type { OAuthGrant, PostureDocument, ResidencyObservation } from '@tollgate/connector-sdk';
import { BaselineRegistry, SHIPPED_PRESETS_DIR } from './baseline.registry';
import type { EvaluationContext, JsonValue } from './baseline.types';
import { evaluate } from './evaluator';
import { MICROSOFT365_PRESET_FIXTURES } from './microsoft365-preset.fixtures';
import { GOOGLE_WORKSPACE_PRESET_FIXTURES } from './google-workspace-preset.fixtures';

/**
 * Every shipped control has a passing and a failing fixture. A fixture is the part of a
 * normalized posture document the control reads (plus any parameter overrides of a connection).
 */
interface Fixture {
  doc: Partial<PostureDocument>;
  overrides?: Record<string, JsonValue>;
  /** Attestations and the instant they are judged at, for attestation controls. */
  context?: EvaluationContext;
}
type PresetFixtures = Record<string, { pass: Fixture; fail: Fixture }>;

const slackGrant = (
  appId: string,
  appName: string,
  scopes: string[],
  grantType: OAuthGrant['grantType'] = 'approved',
  sensitiveScopes?: string[],
): OAuthGrant => ({ appId, appName, scopes, grantType, ...(sensitiveScopes ? { sensitiveScopes } : {}) });

const SLACK: PresetFixtures = {
  'SLACK.SHARING.1': {
    pass: {
      doc: {
        settings: [
          { key: 'slack.workspace.discoverability', resourceKey: 'team:T01', value: 'invite_only', source: 'observed' },
          { key: 'slack.workspace.discoverability', resourceKey: 'team:T02', value: 'unlisted', source: 'observed' },
        ],
      },
    },
    fail: {
      doc: {
        settings: [
          { key: 'slack.workspace.discoverability', resourceKey: 'team:T01', value: 'closed', source: 'observed' },
          { key: 'slack.workspace.discoverability', resourceKey: 'team:T03', value: 'open', source: 'observed' },
        ],
      },
    },
  },
  'SLACK.CONNECT.1': {
    pass: {
      doc: {
        settings: [
          { key: 'slack.connect.external_organizations', resourceKey: 'tenant', value: ['T0PARTNER'], source: 'observed' },
        ],
      },
      overrides: { allowedExternalOrgs: ['T0PARTNER', 'T0SUPPLIER'] },
    },
    fail: {
      doc: {
        settings: [
          {
            key: 'slack.connect.external_organizations',
            resourceKey: 'tenant',
            value: ['T0PARTNER', 'T0STRANGER'],
            source: 'observed',
          },
        ],
      },
      overrides: { allowedExternalOrgs: ['T0PARTNER'] },
    },
  },
  'SLACK.CONNECT.2': {
    pass: {
      doc: {
        settings: [
          { key: 'slack.connect.shared_channel_organizations', resourceKey: 'tenant', value: [], source: 'observed' },
        ],
      },
    },
    fail: {
      doc: {
        settings: [
          {
            key: 'slack.connect.shared_channel_organizations',
            resourceKey: 'tenant',
            value: ['E0OTHERGRID'],
            source: 'observed',
          },
        ],
      },
    },
  },
  'SLACK.GUESTS.1': {
    pass: {
      doc: { settings: [{ key: 'slack.guests.multi_channel_count', resourceKey: 'tenant', value: 0, source: 'observed' }] },
    },
    fail: {
      doc: { settings: [{ key: 'slack.guests.multi_channel_count', resourceKey: 'tenant', value: 3, source: 'observed' }] },
    },
  },
  'SLACK.GUESTS.2': {
    pass: {
      doc: { settings: [{ key: 'slack.guests.single_channel_count', resourceKey: 'tenant', value: 25, source: 'observed' }] },
    },
    fail: {
      doc: { settings: [{ key: 'slack.guests.single_channel_count', resourceKey: 'tenant', value: 26, source: 'observed' }] },
    },
  },
  'SLACK.OAUTH.1': {
    pass: {
      doc: {
        oauthGrants: [
          slackGrant('A0POLLS', 'Polls', ['commands', 'chat:write', 'channels:read']),
          slackGrant('A0POLLS', 'Polls', ['users:read'], 'installed'),
          // Blocked by an admin or merely asked for: neither holds access.
          slackGrant('A0SCRAPER', 'Scraper', ['channels:history', 'files:read'], 'restricted'),
          slackGrant('A0WANTS', 'Wants Everything', ['admin'], 'requested'),
          // Reviewed and approved through the connection's parameters.
          slackGrant('A0SIEM', 'SIEM export', ['auditlogs:read', 'admin.teams:read']),
        ],
      },
      overrides: { approvedApps: ['A0SIEM'] },
    },
    fail: {
      doc: {
        oauthGrants: [
          slackGrant('A0POLLS', 'Polls', ['commands', 'chat:write']),
          slackGrant('A0ARCHIVER', 'Archiver', ['channels:history', 'groups:history', 'chat:write'], 'installed'),
          slackGrant('A0HELPER', 'Admin helper', ['admin.users:write']),
        ],
      },
    },
  },
  'SLACK.OAUTH.2': {
    pass: {
      doc: {
        oauthGrants: [
          slackGrant('A0POLLS', 'Polls', ['commands', 'chat:write'], 'approved', []),
          slackGrant('A0DIRECTORY', 'Directory', ['users:read', 'users:read.email'], 'approved', ['users:read.email']),
        ],
      },
      overrides: { approvedApps: ['A0DIRECTORY'] },
    },
    fail: {
      doc: {
        oauthGrants: [
          slackGrant('A0DIRECTORY', 'Directory', ['users:read', 'users:read.email'], 'approved', ['users:read.email']),
        ],
      },
    },
  },
  'SLACK.RESIDENCY.1': {
    pass: {
      doc: { residency: [{ resourceKey: 'tenant', region: 'EU', source: 'declared' }] },
      overrides: { allowedRegions: ['EU'] },
    },
    fail: {
      doc: { residency: [{ resourceKey: 'tenant', region: 'US', source: 'declared' }] },
      overrides: { allowedRegions: ['EU'] },
    },
  },
  'SLACK.GUESTS.3': {
    pass: {
      doc: { settings: [{ key: 'slack.guests.without_expiry_count', resourceKey: 'tenant', value: 0, source: 'observed' }] },
    },
    fail: {
      doc: { settings: [{ key: 'slack.guests.without_expiry_count', resourceKey: 'tenant', value: 1, source: 'observed' }] },
    },
  },
};

const FIXTURES: Record<string, PresetFixtures> = {
  'slack-locked-down': SLACK,
  'microsoft365-locked-down': MICROSOFT365_PRESET_FIXTURES,
  'google-workspace-locked-down': GOOGLE_WORKSPACE_PRESET_FIXTURES,
};

function postureDocument(provider: string, part: Partial<PostureDocument>): PostureDocument {
  return {
    provider,
    tenant: { id: 'E0ACME', name: 'Acme' },
    settings: [],
    oauthGrants: [],
    residency: [],
    gaps: [],
    ...part,
  };
}

const registry = BaselineRegistry.load([SHIPPED_PRESETS_DIR]);
const presets = registry.list();
const controls = presets.flatMap((b) => b.controls.map((c) => [b.id, c.id] as const));

describe('shipped presets', () => {
  it.each(presets.map((b) => [b.id]))('%s has a passing and a failing fixture for every control, and no others', (id) => {
    const baseline = registry.get(id)!;
    expect(Object.keys(FIXTURES[id] ?? {}).sort()).toEqual(baseline.controls.map((c) => c.id).sort());
  });

  it.each(controls)('%s %s passes on its passing fixture', (baselineId, controlId) => {
    const fixture = FIXTURES[baselineId]?.[controlId]?.pass;
    if (!fixture) throw new Error(`no passing fixture for ${controlId}`);
    const baseline = registry.get(baselineId)!;
    const findings = evaluate(postureDocument(baseline.provider, fixture.doc), baseline, fixture.overrides, fixture.context).filter(
      (f) => f.controlId === controlId,
    );
    expect(findings.length).toBeGreaterThan(0);
    expect(findings.map((f) => [f.resourceKey, f.status, f.message])).toEqual(
      findings.map((f) => [f.resourceKey, 'pass', f.message]),
    );
  });

  // An attestation control never fails (no API shows the setting): its failing fixture, an expired
  // attestation, leaves it unknown.
  it.each(controls)('%s %s fails (attestation controls: stays unknown) on its failing fixture', (baselineId, controlId) => {
    const fixture = FIXTURES[baselineId]?.[controlId]?.fail;
    if (!fixture) throw new Error(`no failing fixture for ${controlId}`);
    const baseline = registry.get(baselineId)!;
    const attested = baseline.controls.find((c) => c.id === controlId)?.check.type === 'attestation';
    const findings = evaluate(postureDocument(baseline.provider, fixture.doc), baseline, fixture.overrides, fixture.context).filter(
      (f) => f.controlId === controlId,
    );
    if (attested) expect(findings.map((f) => f.status)).toEqual(['unknown']);
    else expect(findings.some((f) => f.status === 'fail')).toBe(true);
  });

  it.each(controls)('%s %s never passes on a document that lacks what it reads', (baselineId, controlId) => {
    const baseline = registry.get(baselineId)!;
    // No settings, no residency, and a grant inventory the connector could not read.
    const empty = postureDocument(baseline.provider, {
      gaps: [{ area: 'oauth', what: 'oauthGrants', reason: 'missing_scope: admin.apps:read' }],
    });
    const statuses = evaluate(empty, baseline)
      .filter((f) => f.controlId === controlId)
      .map((f) => f.status);
    expect(statuses).toEqual(['unknown']);
  });
});

describe('slack-locked-down', () => {
  const slack = registry.get('slack-locked-down')!;

  it('is the default baseline for Slack connections', () => {
    expect(registry.defaultFor('slack')).toBe(slack);
  });

  it('reads exactly the normalized keys the Slack connector emits', () => {
    const keys = slack.controls.flatMap((c) => (c.check.type === 'setting' ? [c.check.key] : []));
    expect(keys.sort()).toEqual([
      'slack.connect.external_organizations',
      'slack.connect.shared_channel_organizations',
      'slack.guests.multi_channel_count',
      'slack.guests.single_channel_count',
      'slack.guests.without_expiry_count',
      'slack.workspace.discoverability',
    ]);
  });

  it('names the apps and scopes that break the OAuth rules', () => {
    const { fail } = SLACK['SLACK.OAUTH.1'];
    const findings = evaluate(postureDocument('slack', fail.doc), slack).filter((f) => f.controlId === 'SLACK.OAUTH.1');
    expect(findings.map((f) => [f.resourceKey, f.observed])).toEqual([
      ['app:A0ARCHIVER', { appName: 'Archiver', scopes: ['channels:history', 'groups:history'] }],
      ['app:A0HELPER', { appName: 'Admin helper', scopes: ['admin.users:write'] }],
    ]);
  });

  it('passes a declared region as pinned before any allowed region is set, and stays unknown without one', () => {
    const residencyOf = (residency: ResidencyObservation[]) =>
      evaluate(postureDocument('slack', { residency }), slack).filter((f) => f.controlId === 'SLACK.RESIDENCY.1');
    expect(residencyOf([{ resourceKey: 'tenant', region: 'EU', source: 'declared' }])).toEqual([
      expect.objectContaining({ status: 'pass', resourceKey: 'tenant' }),
    ]);
    expect(residencyOf([])).toEqual([expect.objectContaining({ status: 'unknown', resourceKey: 'tenant' })]);
  });
});

describe('google-workspace-locked-down', () => {
  const google = registry.get('google-workspace-locked-down')!;

  it('is the default baseline for Google Workspace connections', () => {
    expect(registry.defaultFor('google-workspace')).toBe(google);
  });

  it('reports a drifted child org unit under a compliant root as its own finding', () => {
    const { fail } = GOOGLE_WORKSPACE_PRESET_FIXTURES['GWS.DRIVE.1'];
    const findings = evaluate(postureDocument('google-workspace', fail.doc), google).filter((f) => f.controlId === 'GWS.DRIVE.1');
    expect(findings.map((f) => [f.resourceKey, f.status])).toEqual([
      ['orgUnit:03ph8a2z0root', 'pass'],
      ['orgUnit:03ph8a2z1sales', 'fail'],
    ]);
  });

  it('attests, with their exact CISA ids, the SCuBA policies ScubaGoggles cannot read through the Policy API', () => {
    const attested = google.controls.filter((c) => c.check.type === 'attestation');
    expect(attested.map((c) => [c.id, c.references])).toEqual([
      ['GWS.ATTEST.DRIVEDOCS.1', ['CISA GWS.DRIVEDOCS.1.10v1']],
      ['GWS.ATTEST.DRIVEDOCS.2', ['CISA GWS.DRIVEDOCS.1.11v1']],
      ['GWS.ATTEST.COMMONCONTROLS.1', ['CISA GWS.COMMONCONTROLS.16.3v1']],
      ['GWS.ATTEST.COMMONCONTROLS.2', ['CISA GWS.COMMONCONTROLS.16.4v1']],
    ]);
  });

  it('names the apps holding forbidden scopes', () => {
    const { fail } = GOOGLE_WORKSPACE_PRESET_FIXTURES['GWS.OAUTH.1'];
    const findings = evaluate(postureDocument('google-workspace', fail.doc), google).filter((f) => f.controlId === 'GWS.OAUTH.1');
    expect(findings.map((f) => f.resourceKey)).toEqual([
      'app:drive-sync.apps.googleusercontent.com',
      'app:gmail-reader.apps.googleusercontent.com',
      'app:mailer.apps.googleusercontent.com',
    ]);
  });
});
