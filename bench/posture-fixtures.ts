import type { OAuthGrant, PostureDocument } from '@tollgate/connector-sdk';

/** Scopes the Slack preset forbids (admin, bulk read) and ones it does not. */
const RISKY_SCOPES = ['admin.users:read', 'channels:history', 'files:read'];
const PLAIN_SCOPES = ['commands', 'chat:write', 'users:read', 'reactions:read', 'channels:read', 'emoji:read'];

/**
 * A Slack posture document with `grants` OAuth grants spread over grants/10 apps, one app in twenty
 * holding a forbidden scope: large tenants have many users per app, and a few bad apps.
 */
export function slackDocumentWithGrants(grants: number, variant = 0): PostureDocument {
  const apps = Math.max(1, Math.floor(grants / 10));
  const oauthGrants: OAuthGrant[] = [];
  for (let i = 0; i < grants; i++) {
    const app = i % apps;
    const risky = app % 20 === 0;
    const scopes = [PLAIN_SCOPES[app % PLAIN_SCOPES.length], PLAIN_SCOPES[(app + 1) % PLAIN_SCOPES.length]];
    if (risky) scopes.push(RISKY_SCOPES[(app + variant) % RISKY_SCOPES.length]);
    oauthGrants.push({
      appId: `A${String(app).padStart(9, '0')}`,
      appName: `Bench app ${app}`,
      scopes,
      grantType: i < apps ? 'approved' : 'installed',
      principal: `U${String(i).padStart(9, '0')}`,
      sensitiveScopes: [],
    });
  }
  return {
    provider: 'slack',
    tenant: { id: 'E0BENCH', name: 'Bench Grid', domain: 'bench' },
    settings: [
      { key: 'slack.workspace.discoverability', resourceKey: 'team:T0BENCH1', value: 'invite_only', source: 'observed' },
      { key: 'slack.connect.external_organizations', resourceKey: 'tenant', value: [], source: 'observed' },
      { key: 'slack.connect.shared_channel_organizations', resourceKey: 'tenant', value: [], source: 'observed' },
      { key: 'slack.guests.multi_channel_count', resourceKey: 'tenant', value: 0, source: 'observed' },
      { key: 'slack.guests.single_channel_count', resourceKey: 'tenant', value: 3, source: 'observed' },
    ],
    oauthGrants,
    residency: [{ resourceKey: 'tenant', region: 'EU', source: 'declared' }],
    gaps: [],
  };
}
