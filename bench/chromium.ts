import { chromium, type Browser } from 'playwright-core';

/**
 * Debian's chromium (apt-get install chromium; .ci/run installs it), headless, with nothing that
 * reaches out to the internet: these machines have none, and a browser that tries waits. Playwright
 * gives every launch a fresh temporary profile (user-data-dir).
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}
