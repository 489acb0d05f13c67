import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { importEsm } from '@tollgate/auth';

/**
 * A local OpenID Connect provider for the demo and the e2e specs: panva's `oidc-provider` (8.x, the
 * line that supports Node 20; ES modules only, hence the dynamic import) on 127.0.0.1, one user per
 * Tollgate role with a `groups` claim. Not for production: fixed passwords, in-memory storage.
 */
export interface DemoUser {
  login: string;
  password: string;
  email: string;
  name: string;
  groups: string[];
  /** What the user is for, for the demo banner. */
  role: string;
}

export const DEMO_USERS: readonly DemoUser[] = [
  { login: 'ciso', password: 'ciso-demo', email: 'ciso@demo.tollgate.test', name: 'Casey CISO', groups: ['tollgate-viewers'], role: 'viewer' },
  { login: 'operator', password: 'operator-demo', email: 'operator@demo.tollgate.test', name: 'Olu Operator', groups: ['tollgate-operators'], role: 'operator' },
  { login: 'approver', password: 'approver-demo', email: 'approver@demo.tollgate.test', name: 'Ada Approver', groups: ['tollgate-approvers'], role: 'approver' },
  { login: 'approver2', password: 'approver2-demo', email: 'approver2@demo.tollgate.test', name: 'Bo Approver', groups: ['tollgate-approvers'], role: 'approver' },
  { login: 'auditor', password: 'auditor-demo', email: 'auditor@demo.tollgate.test', name: 'Avery Auditor', groups: ['tollgate-auditors'], role: 'auditor' },
  { login: 'admin', password: 'admin-demo', email: 'admin@demo.tollgate.test', name: 'Sam Admin', groups: ['tollgate-admins', 'tollgate-viewers'], role: 'admin' },
  { login: 'guest', password: 'guest-demo', email: 'guest@demo.tollgate.test', name: 'Gus Guest', groups: ['marketing'], role: 'none (no mapped group: refused)' },
];

/** TOLLGATE_OIDC_ROLE_MAPPING matching the demo users' groups. */
export const DEMO_ROLE_MAPPING =
  'tollgate-viewers=viewer,tollgate-auditors=auditor,tollgate-operators=operator,tollgate-approvers=approver,tollgate-admins=admin';

export interface DemoIdp {
  issuer: string;
  clientId: string;
  clientSecret: string;
  users: readonly DemoUser[];
  close(): Promise<void>;
}

/** The settings that make a Tollgate reached at `publicUrl` sign people in through `idp`. */
export function tollgateOidcEnv(idp: DemoIdp, publicUrl: string): Record<string, string> {
  return {
    TOLLGATE_OIDC_ISSUER: idp.issuer,
    TOLLGATE_OIDC_CLIENT_ID: idp.clientId,
    TOLLGATE_OIDC_CLIENT_SECRET: idp.clientSecret,
    TOLLGATE_OIDC_SCOPES: 'openid email profile groups',
    TOLLGATE_OIDC_ROLE_MAPPING: DEMO_ROLE_MAPPING,
    TOLLGATE_PUBLIC_URL: publicUrl,
  };
}

/* Only what is used of oidc-provider's API (it ships no types). */
interface InteractionDetails {
  uid: string;
  prompt: { name: string };
  params: Record<string, unknown>;
}
interface OidcProvider {
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
  interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
  interactionFinished(req: IncomingMessage, res: ServerResponse, result: unknown, options?: { mergeWithLastSubmission?: boolean }): Promise<void>;
  Grant: new (init: { clientId: string; accountId: string }) => {
    addOIDCScope(scope: string): void;
    save(): Promise<string>;
  };
}
type ProviderClass = new (issuer: string, configuration: Record<string, unknown>) => OidcProvider;
interface GrantContext {
  oidc: {
    client: { clientId: string };
    session: { accountId: string; grantIdFor(clientId: string): string | undefined };
    result?: { consent?: { grantId?: string } };
    provider: OidcProvider & { Grant: { find(id: string): Promise<unknown> } };
  };
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > 10_000) throw new Error('form too large');
  }
  return new URLSearchParams(body);
}

function loginPage(uid: string, error?: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Demo identity provider</title></head><body>
<h1>Sign in to the demo identity provider</h1>${error ? `<p role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/interaction/${escapeHtml(uid)}/login">
<label>User <input name="login" autocomplete="username" required></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button></form>
<p>Users: ${DEMO_USERS.map((u) => `${escapeHtml(u.login)} / ${escapeHtml(u.password)}`).join(', ')}</p></body></html>`;
}

/**
 * Starts the provider. `redirectUris` and `postLogoutRedirectUris` are the relying party's (Tollgate's
 * `<public url>/auth/callback` and `<public url>/`). Port 0 picks a free port; the issuer names it.
 */
export async function startDemoIdp(options: { port?: number; redirectUris: string[]; postLogoutRedirectUris: string[]; clientId?: string }): Promise<DemoIdp> {
  const { default: Provider } = await importEsm<{ default: ProviderClass }>('oidc-provider');
  const clientId = options.clientId ?? 'tollgate-demo';
  const clientSecret = randomBytes(24).toString('base64url');
  const users = new Map(DEMO_USERS.map((u) => [u.login, u]));
  const signingKey = { ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }), kid: 'demo-1', use: 'sig', alg: 'RS256' };

  let handle: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.writeHead(503).end();
  const server = createServer((req, res) => handle(req, res));
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(options.port ?? 0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: options.redirectUris,
        post_logout_redirect_uris: options.postLogoutRedirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    pkce: { required: () => true },
    scopes: ['openid', 'email', 'profile', 'groups'],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'], groups: ['groups'] },
    // The groups and email go into the ID token itself, as Entra ID and Okta do when configured to.
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: false }, rpInitiatedLogout: { enabled: true } },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    findAccount: (_ctx: unknown, id: string) => {
      const user = users.get(id);
      return user
        ? { accountId: id, claims: () => ({ sub: id, email: user.email, email_verified: true, name: user.name, groups: user.groups }) }
        : undefined;
    },
    // Tollgate is this provider's own first-party client: no consent screen.
    loadExistingGrant: async (ctx: GrantContext) => {
      const grantId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope('openid email profile groups');
      await grant.save();
      return grant;
    },
  });
  const oidc = provider.callback();

  handle = (req, res) => {
    const match = /^\/interaction\/([\w-]+)(\/login)?$/.exec(req.url ?? '');
    if (!match) return oidc(req, res);
    void (async () => {
      await provider.interactionDetails(req, res);
      if (req.method === 'GET' && !match[2]) {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(loginPage(match[1]));
        return;
      }
      if (req.method !== 'POST' || !match[2]) return void res.writeHead(405).end();
      const form = await readForm(req);
      const user = users.get(form.get('login') ?? '');
      if (!user || user.password !== form.get('password')) {
        res.writeHead(401, { 'content-type': 'text/html; charset=utf-8' }).end(loginPage(match[1], 'Wrong user or password.'));
        return;
      }
      await provider.interactionFinished(req, res, { login: { accountId: user.login } }, { mergeWithLastSubmission: false });
    })().catch((err: Error) => {
      if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/plain' }).end(`interaction failed: ${err.message}`);
    });
  };

  return {
    issuer,
    clientId,
    clientSecret,
    users: DEMO_USERS,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
