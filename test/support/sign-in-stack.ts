import { startDemoIdp, tollgateOidcEnv, type DemoIdp } from '../../apps/demo-idp/src/demo-idp';
import { createTestDatabase, type TestDatabase } from './database';
import { freePort } from './processes';
import { startTollgate, type RunningTollgate } from './tollgate';

export interface SignInStack {
  idp: DemoIdp;
  /** One running Tollgate for each entry of `apps`, in the same order. */
  apps: RunningTollgate[];
  /**
   * Stops app `index` and starts it again on the same port and database with `env` as its own
   * settings instead (e.g. another role mapping, naming connections created meanwhile).
   */
  restart(index: number, env: Record<string, string>): Promise<RunningTollgate>;
  /** Stops the apps, drops the database, stops the provider. */
  close(): Promise<void>;
}

/**
 * The demo OpenID Connect provider and Tollgate apps that sign people in through it, all on one
 * fresh test database (Postgres or embedded, as createTestDatabase decides). Each entry of `apps`
 * holds one app's own extra settings. Every app's port is chosen first: the provider must know
 * each callback URL before it starts.
 */
export async function startSignInStack(apps: Record<string, string>[] = [{}]): Promise<SignInStack> {
  const ports: number[] = [];
  for (let i = 0; i < apps.length; i++) ports.push(await freePort());
  const urls = ports.map((port) => `http://127.0.0.1:${port}`);
  const idp = await startDemoIdp({ redirectUris: urls.map((u) => `${u}/auth/callback`), postLogoutRedirectUris: urls.map((u) => `${u}/`) });
  let db: TestDatabase | undefined;
  const started: RunningTollgate[] = [];
  const close = async () => {
    for (const app of [...started].reverse()) await app.close();
    await db?.drop();
    await idp.close();
  };
  const start = (i: number, env: Record<string, string>) => startTollgate({ ...db!.env, ...tollgateOidcEnv(idp, urls[i]), ...env }, {}, ports[i]);
  try {
    db = await createTestDatabase();
    for (const [i, env] of apps.entries()) started.push(await start(i, env));
  } catch (err) {
    // A start that fails half-way leaves nothing running behind it.
    await close();
    throw err;
  }
  const restart = async (index: number, env: Record<string, string>) => {
    const [stopped] = started.splice(index, 1);
    await stopped.close();
    started.splice(index, 0, await start(index, env));
    return started[index];
  };
  return { idp, apps: started, restart, close };
}
