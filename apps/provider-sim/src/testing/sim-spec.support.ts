// Imported rather than global: the production build compiles this file without jest's global types.
import { afterAll, beforeAll, beforeEach } from '@jest/globals';
import { startProviderSim, type ProviderSim } from '../provider-sim.server';
import { callControl, callSlack, type SimAnswer } from './sim-http.client';

export interface SimSpec {
  /** The running simulator (from the first beforeAll on). */
  sim(): ProviderSim;
  slack(method: string, token: string | undefined, params?: Record<string, string>): Promise<SimAnswer>;
  control(method: string, path: string, body?: unknown): Promise<SimAnswer>;
}

/**
 * One simulator for the enclosing describe block, emptied before each test. Call it first in the
 * block, so the reset runs before the block's own beforeEach puts its tenants.
 */
export function useProviderSim(): SimSpec {
  let server: ProviderSim;
  beforeAll(async () => {
    server = await startProviderSim({ port: 0 });
  });
  afterAll(() => server.close());
  beforeEach(() => server.state.reset());
  return {
    sim: () => server,
    slack: (method, token, params) => callSlack(server.url, method, token, params),
    control: (method, path, body) => callControl(server.url, method, path, body),
  };
}
