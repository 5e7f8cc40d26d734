import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { Queue } from 'bullmq';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { useTestEnv } from '../../test/harness.js';
import type { OnboardUserData } from './onboard-user-job.js';
import { createSignupRouter } from './signup-route.js';

const env = useTestEnv();

/** A real HTTP server on a free port with the router mounted; returns the queue and a POST helper. */
async function startApp() {
  const queue = env.track(new Queue<OnboardUserData>('onboarding', { connection: env.connection, prefix: env.prefix }));
  const server = express().use(express.json(), createSignupRouter({ db: env.db, queue })).listen(0, '127.0.0.1');
  await once(server, 'listening');
  env.track({ close: () => new Promise((resolve) => server.close(resolve)) });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/signups`;
  const post = async (body: unknown) => {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  return { queue, post };
}

describe('POST /signups', () => {
  it('answers 202 with the user id and the job id, and leaves the job waiting for a worker', async () => {
    const { queue, post } = await startApp();
    const response = await post({ email: 'ada@example.com', name: 'Ada' });

    expect(response.status).toBe(202);
    const user = await env.db.user.findUniqueOrThrow({ where: { email: 'ada@example.com' } });
    expect(response.body).toEqual({ userId: user.id, jobId: expect.any(String) });
    const job = await queue.getJob(response.body.jobId as string);
    expect(job?.data).toEqual({ userId: user.id });
    expect(await job?.getState()).toBe('waiting');
  });

  it.each([[{ email: 'ada@example.com' }], [{ email: 'not-an-email', name: 'Ada' }], [{ email: 42, name: 'Ada' }]])(
    'answers 400 with an error message for %o and enqueues nothing',
    async (body) => {
      const { queue, post } = await startApp();
      const response = await post(body);
      expect(response.status).toBe(400);
      expect(response.body.error).toEqual(expect.any(String));
      expect(await queue.count()).toBe(0);
    },
  );

  it('answers 409 when the email is already registered', async () => {
    const { queue, post } = await startApp();
    await env.db.user.create({ data: { email: 'ada@example.com', name: 'Ada' } });
    const response = await post({ email: 'ada@example.com', name: 'Ada' });
    expect(response.status).toBe(409);
    expect(response.body.error).toMatch(/already registered/);
    expect(await queue.count()).toBe(0);
  });
});
