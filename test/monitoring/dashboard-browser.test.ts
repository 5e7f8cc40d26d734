/**
 * The dashboard in a real browser: Debian's Chromium, driven by playwright-core, logs in and
 * sees a completed job. Skipped (with the reason) when there is no Chromium, except under CI,
 * where it must run.
 */
import { existsSync } from 'node:fs';
import { Queue, Worker } from 'bullmq';
import { chromium, type Browser } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useTestEnv, waitUntil } from '../harness.js';
import { ADMIN, startDashboards } from './dashboard-server.js';

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
const missing = existsSync(CHROMIUM) ? undefined : `no Chromium at ${CHROMIUM} (Debian/Ubuntu: apt-get install chromium)`;
if (missing && process.env.CI) throw new Error(`CI is set, so the browser test must run, but: ${missing}`);

const env = useTestEnv();

/** Launches Chromium; closing it is tracked, so it is closed after the test whatever happens. */
async function launch(): Promise<Browser> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS, timeout: 30_000 });
  env.track({ close: () => browser.close() });
  return browser;
}

describe.skipIf(missing)('the dashboard in Chromium', () => {
  it('logs in and shows a completed job', { timeout: 60_000 }, async () => {
    const options = { connection: env.connection, prefix: env.prefix };
    const queue = env.track(new Queue('mail', options));
    env.track(new Worker('mail', async (job) => `sent to user ${job.data.userId}`, options));
    const job = await queue.add('welcome-email', { userId: 42 });
    await waitUntil(async () => (await queue.getJobState(job.id!)) === 'completed', { message: 'the job to complete' });
    const base = await startDashboards(env, [queue]);

    const browser = await launch();
    const anonymous = await browser.newContext();
    expect((await anonymous.request.get(`${base}/admin/queues`)).status()).toBe(401);

    const context = await browser.newContext({ httpCredentials: { username: ADMIN.user, password: ADMIN.password } });
    const page = await context.newPage();
    const response = await page.goto(`${base}/admin/queues/queue/mail?status=completed`);
    expect(response?.status()).toBe(200);
    await page.getByText('welcome-email').first().waitFor({ timeout: 20_000 });
    await expect(page.getByText(`sent to user 42`).first().isVisible()).resolves.toBe(true);
  });
});
