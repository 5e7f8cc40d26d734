import { Queue } from 'bullmq';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { DATABASE_KINDS, postgresSkipReason, serve, useTestEnv } from '../../test/harness.js';
import type { OnboardUserData } from './onboard-user-job.js';
import { createSignupRouter } from './signup-route.js';

// Two sign-ups at the same moment race for the email: PostgreSQL lets them really overlap.
for (const database of DATABASE_KINDS) {
  const skip = database === 'postgres' ? postgresSkipReason() : undefined;
  describe.skipIf(skip)(`POST /signups on ${database}`, () => {
    const env = useTestEnv({ database });

    /** A real HTTP server on a free port with the router mounted; returns the queue and a POST helper. */
    async function startApp() {
      const queue = env.track(new Queue<OnboardUserData>('onboarding', { connection: env.connection, prefix: env.prefix }));
      const url = `${await serve(env, express().use(express.json(), createSignupRouter({ db: env.db, queue })))}/signups`;
      const post = async (body: unknown) => {
        const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
        // An unhandled error is express's HTML 500 page, not JSON.
        const json = response.headers.get('content-type')?.includes('application/json');
        return { status: response.status, body: (json ? await response.json() : { html: await response.text() }) as Record<string, unknown> };
      };
      return { queue, post };
    }

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

    it('answers 409 with an error message when the email is already registered', async () => {
      const { queue, post } = await startApp();
      await env.db.user.create({ data: { email: 'ada@example.com', name: 'Ada' } });
      const response = await post({ email: 'ada@example.com', name: 'Ada' });
      expect(response.status).toBe(409);
      expect(response.body.error).toEqual(expect.any(String));
      expect(await queue.count()).toBe(0);
    });

    it('answers one 202 and 409s, never a 500, when one email signs up five times at once', async () => {
      const { queue, post } = await startApp();
      // Open five HTTP connections (fetch keeps them alive) and five database connections first,
      // as in a server that has been up for a while, so the sign-ups really run side by side.
      await Promise.all([1, 2, 3, 4, 5].map(() => post({})));
      await Promise.all([1, 2, 3, 4, 5].map(() => env.db.$transaction([env.db.user.count()])));
      const responses = await Promise.all([1, 2, 3, 4, 5].map((n) => post({ email: 'ada@example.com', name: `Ada ${n}` })));

      expect(responses.map((response) => response.status).sort()).toEqual([202, 409, 409, 409, 409]);
      expect(await env.db.user.count()).toBe(1);
      expect(await queue.count()).toBe(1);
    });
  });
}
