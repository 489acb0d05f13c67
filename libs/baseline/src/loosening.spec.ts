import { parseBaseline } from './baseline.loader';
import { BaselineRegistry, SHIPPED_PRESETS_DIR } from './baseline.registry';
import { looseningReasons } from './loosening';
import type { Baseline, JsonValue } from './baseline.types';

const registry = BaselineRegistry.load([SHIPPED_PRESETS_DIR]);
const slack = registry.get('slack-locked-down')!;

const change = (baseline: Baseline, before: Record<string, JsonValue>, after: Record<string, JsonValue>, next: Baseline = baseline) =>
  looseningReasons({ baseline, parameters: before }, { baseline: next, parameters: after });

/** A baseline whose checks read parameters every other way a check can. */
const custom = parseBaseline(
  `id: acme-custom
version: 1
provider: slack
title: Custom
parameters:
  minRetentionDays: { description: lower bound, default: 30 }
  blockedModes: { description: refused values, default: [open] }
  exactMode: { description: the one value, default: closed }
  unused: { description: read by nothing, default: 1 }
  badScopes: { description: forbidden scopes, default: ['admin.*'] }
controls:
  - { id: C.1, title: t, area: sharing, severity: low, references: [r], rationale: r, remediation: r,
      check: { type: setting, key: slack.retention.days, op: gte, value: { param: minRetentionDays } } }
  - { id: C.2, title: t, area: sharing, severity: low, references: [r], rationale: r, remediation: r,
      check: { type: setting, key: slack.workspace.discoverability, op: notIn, value: { param: blockedModes } } }
  - { id: C.3, title: t, area: sharing, severity: low, references: [r], rationale: r, remediation: r,
      check: { type: setting, key: slack.workspace.discoverability, op: equals, value: { param: exactMode } } }
  - { id: C.4, title: t, area: oauth, severity: low, references: [r], rationale: r, remediation: r,
      check: { type: oauth, forbiddenScopes: { param: badScopes } } }
`,
  'acme-custom.yaml',
);

describe('looseningReasons', () => {
  it('adding approved apps loosens the OAuth control, naming the apps', () => {
    const reasons = change(slack, {}, { approvedApps: ['A0BAD1', 'A0BAD2'] });
    expect(reasons.length).toBeGreaterThan(0);
    for (const r of reasons) expect(r).toMatch(/^parameters\.approvedApps \(SLACK\.OAUTH\.\d\): allows A0BAD1, A0BAD2$/);
  });

  it('removing approved apps, organisations or regions tightens', () => {
    expect(change(slack, { approvedApps: ['A1', 'A2'], allowedExternalOrgs: ['T1'], allowedRegions: ['EU', 'US'] }, { approvedApps: ['A1'], allowedRegions: ['EU'] })).toEqual([]);
  });

  it('adding an allowed organisation loosens every control that reads it', () => {
    const reasons = change(slack, {}, { allowedExternalOrgs: ['T0PARTNER'] });
    expect(reasons).toEqual([
      'parameters.allowedExternalOrgs (SLACK.CONNECT.1): allows T0PARTNER',
      'parameters.allowedExternalOrgs (SLACK.CONNECT.2): allows T0PARTNER',
    ]);
  });

  it('adding an allowed region loosens; reordering the same regions changes nothing', () => {
    expect(change(slack, { allowedRegions: ['EU'] }, { allowedRegions: ['EU', 'US'] })).toEqual([expect.stringContaining('allows US')]);
    expect(change(slack, { allowedRegions: ['EU', 'US'] }, { allowedRegions: ['US', 'EU'] })).toEqual([]);
  });

  it('raising an upper bound loosens, lowering it tightens', () => {
    expect(change(slack, {}, { maxMultiChannelGuests: 5 })).toEqual(['parameters.maxMultiChannelGuests (SLACK.GUESTS.1): raised from 0 to 5']);
    expect(change(slack, { maxSingleChannelGuests: 25 }, { maxSingleChannelGuests: 10 })).toEqual([]);
  });

  it('an override equal to the default changes nothing', () => {
    expect(change(slack, {}, { maxSingleChannelGuests: 25, approvedApps: [] })).toEqual([]);
  });

  it('lowering a lower bound loosens, raising it tightens', () => {
    expect(change(custom, {}, { minRetentionDays: 7 })).toEqual(['parameters.minRetentionDays (C.1): lowered from 30 to 7']);
    expect(change(custom, {}, { minRetentionDays: 90 })).toEqual([]);
  });

  it('removing from a deny-list loosens, adding to it tightens', () => {
    expect(change(custom, {}, { blockedModes: [] })).toEqual(['parameters.blockedModes (C.2): no longer refuses open']);
    expect(change(custom, {}, { blockedModes: ['open', 'unlisted'] })).toEqual([]);
    expect(change(custom, {}, { badScopes: [] })).toEqual(['parameters.badScopes (C.4): no longer refuses admin.*']);
    expect(change(custom, {}, { badScopes: ['admin.*', 'files:read'] })).toEqual([]);
  });

  it('a change that cannot be proven tighter counts as loosening', () => {
    expect(change(custom, {}, { exactMode: 'invite_only' })).toEqual([expect.stringMatching(/^parameters\.exactMode \(C\.3\): changed .* cannot be shown to be stricter$/)]);
    expect(change(custom, {}, { unused: 2 })).toEqual([expect.stringMatching(/^parameters\.unused: changed, and no control reads it/)]);
  });

  it('switching baseline loosens whatever the new one holds', () => {
    expect(change(slack, {}, {}, custom)).toEqual(['baselineId: switches from slack-locked-down to acme-custom']);
  });
});
