import { Queue, Worker } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { dashboardCredentialsFromEnv } from '../../src/monitoring/dashboard-auth.js';
import { useTestEnv, waitUntil } from '../harness.js';
import { ADMIN, basic, startDashboards, VIEWER } from './dashboard-server.js';

const env = useTestEnv();

/** A `mail` queue holding one failed job, and the dashboards' base URL. */
async function withFailedJob() {
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
  return { queue, jobId: job.id!, base: await startDashboards(env, [queue]) };
}

const retryPath = (mount: string, jobId: string) => `/${mount}/queues/api/queues/mail/${jobId}/retry`;

describe('the dashboard behind a login', () => {
  it('answers 401 with a Basic challenge without credentials, on the page and on its API', async () => {
    const { base } = await withFailedJob();
    for (const path of ['/admin/queues', '/admin/queues/api/queues', '/ops/queues', '/admin/queues/static/images/logo.svg']) {
      const response = await fetch(base + path);
      expect(response.status, path).toBe(401);
      expect(response.headers.get('www-authenticate'), path).toMatch(/^Basic realm="/);
    }
  });

  it('answers 401 to a wrong password, a wrong user, and the other dashboard’s login', async () => {
    const { base } = await withFailedJob();
    const attempts = [
      ['/admin/queues/api/queues', basic({ ...ADMIN, password: 'wrong-password-123' })],
      ['/admin/queues/api/queues', basic({ ...ADMIN, user: 'root' })],
      ['/admin/queues/api/queues', basic(VIEWER)],
      ['/ops/queues/api/queues', basic(ADMIN)],
      ['/admin/queues/api/queues', 'Basic not-base64!'],
      ['/admin/queues/api/queues', `Bearer ${ADMIN.password}`],
    ] as const;
    for (const [path, authorization] of attempts) {
      expect((await fetch(base + path, { headers: { authorization } })).status, authorization).toBe(401);
    }
  });

  it('answers 200 with the right password and lists the queue', async () => {
    const { base } = await withFailedJob();
    expect((await fetch(`${base}/admin/queues`, { headers: { authorization: basic(ADMIN) } })).status).toBe(200);
    const response = await fetch(`${base}/admin/queues/api/queues`, { headers: { authorization: basic(ADMIN) } });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { queues: { name: string; counts: { failed: number } }[] };
    expect(body.queues).toEqual([expect.objectContaining({ name: 'mail', counts: expect.objectContaining({ failed: 1 }) })]);
  });

  it('refuses a cross-site POST with 403, even with the right password, and adds nothing', async () => {
    const { base, queue } = await withFailedJob();
    const response = await fetch(`${base}/admin/queues/api/queues/mail/add`, {
      method: 'POST',
      headers: { authorization: basic(ADMIN), 'sec-fetch-site': 'cross-site', 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'evil', data: {} }),
    });
    expect(response.status).toBe(403);
    expect(await queue.count()).toBe(0);
  });

  it('refuses a change without Sec-Fetch-Site (Sidekiq’s rule), and makes it with same-origin', async () => {
    const { base, queue, jobId } = await withFailedJob();
    const put = (headers: Record<string, string>) =>
      fetch(base + retryPath('admin', jobId), { method: 'PUT', headers: { authorization: basic(ADMIN), ...headers } });

    expect((await put({})).status).toBe(403);
    expect((await put({ 'sec-fetch-site': 'same-site' })).status).toBe(403);
    expect(await queue.getJobState(jobId)).toBe('failed');

    expect((await put({ 'sec-fetch-site': 'same-origin' })).ok).toBe(true);
    expect(await queue.getJobState(jobId)).toBe('waiting');
  });

  it('lets the read-only dashboard look but answers 405 to a retry, and the job stays failed', async () => {
    const { base, queue, jobId } = await withFailedJob();
    const list = await fetch(`${base}/ops/queues/api/queues`, { headers: { authorization: basic(VIEWER) } });
    expect(list.status).toBe(200);
    const response = await fetch(base + retryPath('ops', jobId), {
      method: 'PUT',
      headers: { authorization: basic(VIEWER), 'sec-fetch-site': 'same-origin' },
    });
    expect(response.status).toBe(405);
    expect(await queue.getJobState(jobId)).toBe('failed');
  });
});

describe('dashboard credentials from the environment', () => {
  it('uses DASHBOARD_USER and DASHBOARD_PASSWORD when set', () => {
    expect(dashboardCredentialsFromEnv('DASHBOARD', 'admin', { DASHBOARD_USER: 'ops', DASHBOARD_PASSWORD: 'a-long-enough-secret' })).toEqual({
      user: 'ops',
      password: 'a-long-enough-secret',
      generated: false,
    });
  });

  it('makes up a different random password on each start when none is set, never a default', () => {
    const first = dashboardCredentialsFromEnv('DASHBOARD', 'admin', {});
    const second = dashboardCredentialsFromEnv('DASHBOARD', 'admin', {});
    expect(first).toMatchObject({ user: 'admin', generated: true });
    expect(first.password.length).toBeGreaterThanOrEqual(20);
    expect(first.password).not.toBe(second.password);
  });

  it('refuses a short password or a user name with a colon, naming the variables', () => {
    expect(() => dashboardCredentialsFromEnv('DASHBOARD', 'admin', { DASHBOARD_PASSWORD: 'secret' })).toThrow(/DASHBOARD_PASSWORD.*at least 12/);
    expect(() => dashboardCredentialsFromEnv('DASHBOARD', 'admin', { DASHBOARD_USER: 'a:b', DASHBOARD_PASSWORD: 'a-long-enough-secret' })).toThrow(
      /DASHBOARD_USER.*":"/,
    );
  });
});
