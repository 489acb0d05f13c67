import type { PostureDocument, ResidencyObservation } from '@tollgate/connector-sdk';
import { BaselineRegistry, SHIPPED_PRESETS_DIR } from './baseline.registry';
import { evaluate } from './evaluator';
import { MICROSOFT365_PRESET_FIXTURES } from './microsoft365-preset.fixtures';

const registry = BaselineRegistry.load([SHIPPED_PRESETS_DIR]);
const baseline = registry.get('microsoft365-locked-down')!;

function doc(part: Partial<PostureDocument>): PostureDocument {
  return { provider: 'microsoft365', tenant: { id: 'tenant-1' }, settings: [], oauthGrants: [], residency: [], gaps: [], ...part };
}

describe('microsoft365-locked-down', () => {
  it('is the default baseline for Microsoft 365 connections', () => {
    expect(registry.defaultFor('microsoft365')).toBe(baseline);
  });

  it('reads only keys of the Microsoft 365 settings catalog', () => {
    const keys = baseline.controls.flatMap((c) => (c.check.type === 'setting' ? [c.check.key] : []));
    expect([...new Set(keys)].sort()).toEqual([
      'microsoft365.crosstenant.b2b_collaboration_inbound_users',
      'microsoft365.crosstenant.b2b_direct_connect_inbound_users',
      'microsoft365.crosstenant.b2b_direct_connect_outbound_users',
      'microsoft365.crosstenant.partner_tenants_opening_default',
      'microsoft365.entra.admin_consent_workflow',
      'microsoft365.entra.allow_invites_from',
      'microsoft365.entra.app_management.certificate_lifetime',
      'microsoft365.entra.app_management.certificate_max_lifetime_days',
      'microsoft365.entra.app_management.password_addition',
      'microsoft365.entra.app_management.password_lifetime',
      'microsoft365.entra.app_management.password_max_lifetime_days',
      'microsoft365.entra.guest_user_role',
      'microsoft365.entra.user_consent_scope',
      'microsoft365.entra.users_can_register_apps',
      'microsoft365.sharepoint.allowed_domains',
      'microsoft365.sharepoint.external_domain_restriction',
      'microsoft365.sharepoint.resharing_by_external_users',
      'microsoft365.sharepoint.sharing_capability',
    ]);
  });

  it('cites a CISA SCuBA or CIS id wherever one applies', () => {
    const cited = baseline.controls.filter(
      (c) => c.check.type !== 'attestation' && c.references.some((r) => /^(CISA MS\.|CIS Microsoft 365)/.test(r)),
    );
    expect(cited.map((c) => c.id).sort()).toEqual(
      ['M365.ENTRA.1', 'M365.ENTRA.2', 'M365.ENTRA.3', 'M365.ENTRA.4', 'M365.ENTRA.5', 'M365.ENTRA.6', 'M365.ENTRA.7']
        .concat(['M365.ENTRA.8', 'M365.ENTRA.9', 'M365.ENTRA.10'])
        .concat(['M365.SHAREPOINT.1', 'M365.SHAREPOINT.2', 'M365.SHAREPOINT.3', 'M365.SHAREPOINT.4', 'M365.SHAREPOINT.5'])
        .sort(),
    );
  });

  it('attests, with their exact CISA ids, the SCuBA policies Graph v1.0 does not show', () => {
    const attested = baseline.controls.filter((c) => c.check.type === 'attestation');
    expect(attested.map((c) => [c.id, c.references])).toEqual([
      ['M365.ATTEST.TEAMS.1', ['CISA MS.TEAMS.1.2v2']],
      ['M365.ATTEST.TEAMS.2', ['CISA MS.TEAMS.1.3v1']],
      ['M365.ATTEST.TEAMS.3', ['CISA MS.TEAMS.2.1v2']],
      ['M365.ATTEST.TEAMS.4', ['CISA MS.TEAMS.2.2v2']],
      ['M365.ATTEST.TEAMS.5', ['CISA MS.TEAMS.2.3v2']],
      ['M365.ATTEST.EXO.1', ['CISA MS.EXO.1.1v2']],
      ['M365.ATTEST.EXO.2', ['CISA MS.EXO.6.1v1']],
      ['M365.ATTEST.EXO.3', ['CISA MS.EXO.6.2v1']],
      ['M365.ATTEST.SHAREPOINT.1', ['CISA MS.SHAREPOINT.2.1v1']],
      ['M365.ATTEST.SHAREPOINT.2', ['CISA MS.SHAREPOINT.2.2v1']],
      ['M365.ATTEST.SHAREPOINT.3', ['CISA MS.SHAREPOINT.3.1v1']],
      ['M365.ATTEST.SHAREPOINT.4', ['CISA MS.SHAREPOINT.3.2v1']],
      ['M365.ATTEST.SHAREPOINT.5', ['CISA MS.SHAREPOINT.3.3v2']],
      ['M365.ATTEST.ENTRA.1', ['CISA MS.AAD.8.3v1']],
    ]);
  });

  it('names each app and the permissions that break the OAuth rules, matched case-insensitively', () => {
    const { fail } = MICROSOFT365_PRESET_FIXTURES['M365.OAUTH.1'];
    const findings = evaluate(doc(fail.doc), baseline).filter((f) => f.controlId === 'M365.OAUTH.1');
    expect(findings.map((f) => [f.resourceKey, f.observed])).toEqual([
      ['app:app-admin', { appName: 'Tenant Admin Tool', scopes: ['RoleManagement.ReadWrite.Directory', 'application.readwrite.all'] }],
      ['app:app-sync', { appName: 'File Sync', scopes: ['Files.Read.All'] }],
    ]);
  });

  it('does not pass the OAuth rules when part of the grant inventory was unreadable', () => {
    const findings = evaluate(
      doc({ gaps: [{ area: 'oauth', what: 'oauth2PermissionGrants', reason: 'HTTP 403 Authorization_RequestDenied' }] }),
      baseline,
    ).filter((f) => f.controlId.startsWith('M365.OAUTH.'));
    expect(findings.map((f) => f.status)).toEqual(['unknown', 'unknown']);
  });

  it('judges each cross-tenant partner on its own, and passes a tenant without partner configurations', () => {
    const partner = (tenantId: string, opens: boolean) => ({
      key: 'microsoft365.crosstenant.partner_tenants_opening_default',
      resourceKey: `partner:${tenantId}`,
      value: opens ? [tenantId] : [],
      source: 'observed' as const,
    });
    const verdicts = (settings: PostureDocument['settings'], allowedPartnerTenants: string[] = []) =>
      evaluate(doc({ settings }), baseline, { allowedPartnerTenants })
        .filter((f) => f.controlId === 'M365.CROSSTENANT.4')
        .map((f) => [f.resourceKey, f.status]);
    const settings = [partner('tenant-a', true), partner('tenant-b', false), partner('tenant-c', true)];
    expect(verdicts(settings)).toEqual([
      ['partner:tenant-a', 'fail'],
      ['partner:tenant-b', 'pass'],
      ['partner:tenant-c', 'fail'],
    ]);
    expect(verdicts(settings, ['tenant-c'])).toEqual([
      ['partner:tenant-a', 'fail'],
      ['partner:tenant-b', 'pass'],
      ['partner:tenant-c', 'pass'],
    ]);
    expect(verdicts([{ ...partner('none', false), resourceKey: 'tenant' }])).toEqual([['tenant', 'pass']]);
  });

  it('passes MS.SHAREPOINT.1.3v1 for a tenant that does not share externally, as CISA does', () => {
    const findings = evaluate(
      doc({ settings: [{ key: 'microsoft365.sharepoint.external_domain_restriction', resourceKey: 'tenant', value: 'sharingDisabled', source: 'observed' }] }),
      baseline,
    ).filter((f) => f.controlId === 'M365.SHAREPOINT.3');
    expect(findings.map((f) => f.status)).toEqual(['pass']);
  });

  it('cites each CISA policy it checks through Graph with its current id and version suffix', () => {
    // Attested controls cite theirs too; presets.spec.ts checks those.
    const cisa = baseline.controls.filter((c) => c.check.type !== 'attestation').flatMap((c) => c.references.filter((r) => r.startsWith('CISA ')).map((r) => [c.id, r]));
    expect(cisa).toEqual([
      ['M365.SHAREPOINT.1', 'CISA MS.SHAREPOINT.1.1v1'],
      ['M365.SHAREPOINT.3', 'CISA MS.SHAREPOINT.1.3v1'],
      ['M365.SHAREPOINT.4', 'CISA MS.SHAREPOINT.1.3v1'],
      ['M365.ENTRA.1', 'CISA MS.AAD.5.1v1'],
      ['M365.ENTRA.2', 'CISA MS.AAD.5.2v1'],
      ['M365.ENTRA.3', 'CISA MS.AAD.8.1v1'],
      ['M365.ENTRA.4', 'CISA MS.AAD.8.2v1'],
      ['M365.ENTRA.5', 'CISA MS.AAD.5.3v1'],
      ['M365.ENTRA.6', 'CISA MS.AAD.5.5v1'],
      ['M365.ENTRA.7', 'CISA MS.AAD.5.6v1'],
      ['M365.ENTRA.8', 'CISA MS.AAD.5.6v1'],
      ['M365.ENTRA.9', 'CISA MS.AAD.5.7v1'],
      ['M365.ENTRA.10', 'CISA MS.AAD.5.7v1'],
    ]);
  });

  it('before allowed regions are set, passes a tenant pinned to one region and fails one spread over several (Multi-Geo)', () => {
    const residencyOf = (residency: ResidencyObservation[]) =>
      evaluate(doc({ residency }), baseline).filter((f) => f.controlId === 'M365.RESIDENCY.1');
    expect(residencyOf([{ resourceKey: 'tenant', region: 'EU', source: 'observed' }])).toEqual([
      expect.objectContaining({ status: 'pass', resourceKey: 'tenant' }),
    ]);
    const spread = residencyOf([
      { resourceKey: 'tenant', region: 'EU', source: 'observed' },
      { resourceKey: 'site:contoso-us', region: 'US', source: 'observed' },
    ]);
    expect(spread.map((f) => [f.resourceKey, f.status])).toEqual([
      ['site:contoso-us', 'fail'],
      ['tenant', 'fail'],
    ]);
    expect(spread[0].message).toContain('spread over 2 regions (EU, US)');
  });
});
