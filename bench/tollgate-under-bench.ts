import type { INestApplication } from '@nestjs/common';
import { compliantSlackTenant, COMPLIANT_SLACK_IDS } from '@tollgate/provider-sim';
import { startTollgateApp } from '../apps/tollgate/src/bootstrap';
import { benchConfig, simRequest } from './bench-support';

/** Baseline parameters under which the simulator's compliant tenant passes (as in the e2e specs). */
export const COMPLIANT_PARAMETERS = { allowedExternalOrgs: [COMPLIANT_SLACK_IDS.partnerOrgId], allowedRegions: ['EU'] };

export async function putSlackTenant(simUrl: string, token: string, overrides: Parameters<typeof compliantSlackTenant>[1] = {}): Promise<void> {
  await simRequest(simUrl, 'PUT', `/_sim/slack/tenants/${token}`, compliantSlackTenant(token, overrides));
}

export interface RunningApp {
  app: INestApplication;
  url: string;
  close(): Promise<void>;
}

/**
 * The real service, in this process, on a random port. Logs at warn: a log line per poll would
 * put the bench's terminal in the measurement. Jitter 0 so that each next due time is exactly the
 * claim time plus the interval, which is what the schedule-lag figure is computed from.
 */
export async function startApp(databaseUrl: string, env: Record<string, string> = {}, listenOn = 0): Promise<RunningApp> {
  const config = benchConfig({
    DATABASE_URL: databaseUrl,
    TOLLGATE_MIN_POLL_INTERVAL_SECONDS: '1',
    TOLLGATE_POLL_JITTER_RATIO: '0',
    // The production defaults (tick 1000 ms, concurrency 8) unless a scenario tunes them.
    TOLLGATE_DATABASE_POOL_SIZE: '20',
    TOLLGATE_LEASE_SECONDS: '300',
    TOLLGATE_POLL_TIMEOUT_SECONDS: '240',
    ...env,
  });
  const app = await startTollgateApp(config, undefined, listenOn, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  return { app, url: `http://127.0.0.1:${port}`, close: () => app.close() };
}
