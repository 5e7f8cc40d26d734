import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { Queue, Worker } from 'bullmq';
import express from 'express';
import { expect, it } from 'vitest';
import { serve, useTestEnv, waitUntil } from '../../test/harness.js';
import { requireLogin, sameOriginOnly } from './dashboard-login.js';

const env = useTestEnv();
const login = { user: 'admin', password: 'correct horse: battery staple' };

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

/** bull-board for a `mail` queue holding one failed job, behind the two middlewares, on a real server. */
async function dashboard() {
  const options = { connection: env.connection, prefix: env.prefix };
  const queue = env.track(new Queue('mail', options));
  const worker = env.track(
    new Worker(
      'mail',
      async () => {
        throw new Error('SMTP is down');
      },
      options,
    ),
  );
  const job = await queue.add('welcome', { userId: 1 });
  await waitUntil(async () => (await queue.getJobState(job.id!)) === 'failed', { message: 'the job to fail' });
  await worker.close();

  const board = new ExpressAdapter();
  board.setBasePath('/admin/queues');
  createBullBoard({ queues: [new BullMQAdapter(queue)], serverAdapter: board });
  const app = express();
  app.use('/admin/queues', requireLogin(login), sameOriginOnly(), board.getRouter());
  const base = `${await serve(env, app)}/admin/queues`;
  return { queue, jobId: job.id!, base };
}

it('answers 401 with a Basic challenge to a request without a login, on the page and the API', async () => {
  const { base } = await dashboard();
  for (const url of [base, `${base}/api/queues`]) {
    const response = await fetch(url);
    expect(response.status, url).toBe(401);
    expect(response.headers.get('www-authenticate'), url).toMatch(/^Basic realm=/i);
  }
});

it('answers 401 to a wrong password, a wrong user, or a login that is not Basic', async () => {
  const { base } = await dashboard();
  for (const authorization of [
    basic('admin', 'correct horse'),
    basic('admin', `${login.password}!`),
    basic('root', login.password),
    basic('', ''),
    `Bearer ${login.password}`,
  ]) {
    expect((await fetch(`${base}/api/queues`, { headers: { authorization } })).status, authorization).toBe(401);
  }
});

it('answers 200 with the right login (a password may contain a colon) and shows the queue', async () => {
  const { base } = await dashboard();
  expect((await fetch(base, { headers: { authorization: basic(login.user, login.password) } })).status).toBe(200);
  const response = await fetch(`${base}/api/queues`, { headers: { authorization: basic(login.user, login.password) } });
  expect(response.status).toBe(200);
  expect(((await response.json()) as { queues: { name: string }[] }).queues.map((q) => q.name)).toEqual(['mail']);
});

it('refuses a cross-site POST with 403 even with the right login, and no job is added', async () => {
  const { base, queue } = await dashboard();
  const response = await fetch(`${base}/api/queues/mail/add`, {
    method: 'POST',
    headers: { authorization: basic(login.user, login.password), 'sec-fetch-site': 'cross-site', 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'spam', data: {} }),
  });
  expect(response.status).toBe(403);
  expect(await queue.count()).toBe(0);
});

it('refuses a retry without Sec-Fetch-Site or from the same site but another origin, and allows it from the same origin', async () => {
  const { base, queue, jobId } = await dashboard();
  const retry = (headers: Record<string, string>) =>
    fetch(`${base}/api/queues/mail/${jobId}/retry`, { method: 'PUT', headers: { authorization: basic(login.user, login.password), ...headers } });

  expect((await retry({})).status).toBe(403);
  expect((await retry({ 'sec-fetch-site': 'same-site' })).status).toBe(403);
  expect(await queue.getJobState(jobId)).toBe('failed');

  expect((await retry({ 'sec-fetch-site': 'same-origin' })).ok).toBe(true);
  expect(await queue.getJobState(jobId)).toBe('waiting');
});

it('lets a page be opened from a link on another site (a GET changes nothing)', async () => {
  const { base } = await dashboard();
  const response = await fetch(base, { headers: { authorization: basic(login.user, login.password), 'sec-fetch-site': 'cross-site' } });
  expect(response.status).toBe(200);
});

it('refuses to be set up without a user or a password', () => {
  expect(() => requireLogin(login)).not.toThrow();
  expect(() => requireLogin({ user: 'admin', password: '' })).toThrow();
  expect(() => requireLogin({ user: '', password: login.password })).toThrow();
});
