import { startDemoIdp, tollgateOidcEnv, type DemoIdp } from '../apps/demo-idp/src/demo-idp';

/**
 * The demo's people: a local OpenID Connect provider on 127.0.0.1 with one user per role, and the
 * Tollgate settings that point at it. `publicUrl` is where the browser reaches Tollgate.
 */
export async function startDemoSignIn(publicUrl: string, port: number): Promise<{ idp: DemoIdp; env: Record<string, string>; banner: string }> {
  const idp = await startDemoIdp({ port, redirectUris: [`${publicUrl}/auth/callback`], postLogoutRedirectUris: [`${publicUrl}/`] });
  const env = tollgateOidcEnv(idp, publicUrl);
  const width = Math.max(...idp.users.map((u) => u.login.length));
  const banner = [
    `  console    ${publicUrl}/   (sign in: ${publicUrl}/auth/login; who am I: ${publicUrl}/auth/session)`,
    `  identity   ${idp.issuer}   (demo OpenID Connect provider; user / password, role)`,
    ...idp.users.map((u) => `             ${u.login.padEnd(width)}  ${u.password.padEnd(width + 5)}  ${u.role}`),
  ].join('\n');
  return { idp, env, banner };
}
