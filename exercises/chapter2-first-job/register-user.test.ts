import { Queue } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { createDatabase } from '../../src/db/client.js';
import { DATABASE_KINDS, postgresSkipReason, useTestEnv } from '../../test/harness.js';
import type { OnboardUserData } from './onboard-user-job.js';
import { registerUser, RegistrationError } from './register-user.js';

// SQLite serialises writes; PostgreSQL lets two sign-ups for one email really overlap.
for (const database of DATABASE_KINDS) {
  const skip = database === 'postgres' ? postgresSkipReason() : undefined;
  describe.skipIf(skip)(`registerUser on ${database}`, () => {
    const env = useTestEnv({ database });

    function onboardingQueue() {
      return env.track(new Queue<OnboardUserData>('onboarding', { connection: env.connection, prefix: env.prefix }));
    }

    it('writes the user, then enqueues onboard-user with its id', async () => {
      const queue = onboardingQueue();
      const { user, job } = await registerUser(env.db, queue, { email: 'ada@example.com', name: 'Ada' });

      expect(await env.db.user.findUnique({ where: { email: 'ada@example.com' } })).toMatchObject({ id: user.id, name: 'Ada' });
      const waiting = await queue.getJobs(['waiting']);
      expect(waiting.map((j) => [j.id, j.name, j.data])).toEqual([[job.id, 'onboard-user', { userId: user.id }]]);
    });

    it('adds the job only once the user is committed: a worker that takes it at once finds the user', async () => {
      // A worker runs in another process, on a database connection of its own: it sees committed rows only.
      const worker = await createDatabase(env.databaseUrl);
      try {
        const queue = onboardingQueue();
        const foundByWorker: unknown[] = [];
        // The worker looks the user up the instant the job is in Redis, before registerUser goes on.
        const add = queue.add.bind(queue);
        queue.add = (async (...args: Parameters<typeof add>) => {
          const job = await add(...args);
          foundByWorker.push(await worker.user.findUnique({ where: { id: job.data.userId } }));
          return job;
        }) as typeof queue.add;

        const { user } = await registerUser(env.db, queue, { email: 'ada@example.com', name: 'Ada' });
        expect(foundByWorker).toEqual([expect.objectContaining({ id: user.id, email: 'ada@example.com' })]);
      } finally {
        await worker.$disconnect();
      }
    });

    it.each([
      ['an email without @', { email: 'ada', name: 'Ada' }],
      ['a blank name', { email: 'ada@example.com', name: '  ' }],
    ])('rejects %s with an INVALID_INPUT RegistrationError, writing and enqueueing nothing', async (_case, registration) => {
      const queue = onboardingQueue();
      const error = await registerUser(env.db, queue, registration).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RegistrationError);
      expect(error).toMatchObject({ code: 'INVALID_INPUT' });
      expect(await env.db.user.count()).toBe(0);
      expect(await queue.count()).toBe(0);
    });

    it('rejects an email that is already registered with an EMAIL_TAKEN RegistrationError, and enqueues nothing for it', async () => {
      const queue = onboardingQueue();
      await env.db.user.create({ data: { email: 'ada@example.com', name: 'Ada' } });
      const error = await registerUser(env.db, queue, { email: 'ada@example.com', name: 'Ada again' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RegistrationError);
      expect(error).toMatchObject({ code: 'EMAIL_TAKEN' });
      expect(await queue.count()).toBe(0);
    });

    it('gives every sign-up but one an EMAIL_TAKEN RegistrationError when one email signs up five times at once', async () => {
      const queue = onboardingQueue();
      const outcomes = await Promise.allSettled(
        [1, 2, 3, 4, 5].map((n) => registerUser(env.db, queue, { email: 'ada@example.com', name: `Ada ${n}` })),
      );

      expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
      for (const outcome of outcomes) {
        if (outcome.status === 'fulfilled') continue;
        expect(outcome.reason).toBeInstanceOf(RegistrationError);
        expect(outcome.reason).toMatchObject({ code: 'EMAIL_TAKEN' });
      }
      expect(await env.db.user.count()).toBe(1);
      expect(await queue.count()).toBe(1);
    });
  });
}
