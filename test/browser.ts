/**
 * Debian's Chromium driven by playwright-core, for the tests that open a page in a real browser
 * (the dashboard, the docs site). No browser is downloaded: `CHROMIUM_PATH` overrides
 * `/usr/bin/chromium`. Without Chromium such a test is skipped with the reason, except under CI,
 * where it must run.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import type { TestEnv } from './harness.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Why a browser test cannot run here, or `undefined`; throws under CI, where it must run. Use it with `describe.skipIf`. */
export function browserMissing(): string | undefined {
  const missing = existsSync(CHROMIUM) ? undefined : `no Chromium at ${CHROMIUM} (Debian/Ubuntu: apt-get install chromium)`;
  if (missing && process.env.CI) throw new Error(`CI is set, so the browser test must run, but: ${missing}`);
  return missing;
}

/** Launches Chromium; `env` closes it after the test, whatever happens. */
export async function launchBrowser(env: Pick<TestEnv, 'track'>): Promise<Browser> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS, timeout: 30_000 });
  env.track({ close: () => browser.close() });
  return browser;
}
