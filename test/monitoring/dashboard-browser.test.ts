/**
 * The dashboard in a real browser: Debian's Chromium, driven by playwright-core (test/browser.ts),
 * logs in and sees a completed job.
 */
import { Queue, Worker } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { browserMissing, launchBrowser } from '../browser.js';
import { useTestEnv, waitUntil } from '../harness.js';
import { ADMIN, startDashboards } from './dashboard-server.js';

const missing = browserMissing();
const env = useTestEnv();

describe.skipIf(missing)('the dashboard in Chromium', () => {
  it('logs in and shows a completed job', { timeout: 60_000 }, async () => {
    const options = { connection: env.connection, prefix: env.prefix };
    const queue = env.track(new Queue('mail', options));
    env.track(new Worker('mail', async (job) => `sent to user ${job.data.userId}`, options));
    const job = await queue.add('welcome-email', { userId: 42 });
    await waitUntil(async () => (await queue.getJobState(job.id!)) === 'completed', { message: 'the job to complete' });
    const base = await startDashboards(env, [queue]);

    const browser = await launchBrowser(env);
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
