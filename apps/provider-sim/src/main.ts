import { compliantSlackTenant, startProviderSim } from './index';

/** Token of the tenant seeded at start, so `curl` works before any scenario is loaded. */
const DEMO_TOKEN = 'xoxp-sim-demo';

async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? 9090);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`provider-sim: PORT must be an integer 0-65535, got "${process.env.PORT}"`);
    process.exit(1);
  }
  const sim = await startProviderSim({ port, host: process.env.HOST ?? '127.0.0.1' });
  if (process.env.SIM_SEED !== 'false') sim.state.slack.put(DEMO_TOKEN, compliantSlackTenant(DEMO_TOKEN));
  console.log(`provider-sim listening on ${sim.url} (Slack API at ${sim.url}/slack/api)`);

  const stop = (): void => {
    sim.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error('provider-sim failed to start', err);
  process.exit(1);
});
