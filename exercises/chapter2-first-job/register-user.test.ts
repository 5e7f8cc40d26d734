import { Queue } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { useTestEnv } from '../../test/harness.js';
import { registerUser, RegistrationError } from './register-user.js';

const env = useTestEnv();

function onboardingQueue() {
  return env.track(new Queue('onboarding', { connection: env.connection, prefix: env.prefix }));
}

describe('registerUser', () => {
  it('writes the user, then enqueues onboard-user with its id', async () => {
    const queue = onboardingQueue();
    const { user, job } = await registerUser(env.db, queue, { email: 'ada@example.com', name: 'Ada' });

    expect(await env.db.user.findUnique({ where: { email: 'ada@example.com' } })).toMatchObject({ id: user.id, name: 'Ada' });
    const waiting = await queue.getJobs(['waiting']);
    expect(waiting.map((j) => [j.id, j.name, j.data])).toEqual([[job.id, 'onboard-user', { userId: user.id }]]);
  });

  it.each([
    ['an email without @', { email: 'ada', name: 'Ada' }],
    ['a blank name', { email: 'ada@example.com', name: '  ' }],
  ])('rejects %s with a RegistrationError, writing and enqueueing nothing', async (_case, registration) => {
    const queue = onboardingQueue();
    await expect(registerUser(env.db, queue, registration)).rejects.toBeInstanceOf(RegistrationError);
    expect(await env.db.user.count()).toBe(0);
    expect(await queue.count()).toBe(0);
  });

  it('rejects an email that is already registered, and enqueues nothing for it', async () => {
    const queue = onboardingQueue();
    await env.db.user.create({ data: { email: 'ada@example.com', name: 'Ada' } });
    const error = await registerUser(env.db, queue, { email: 'ada@example.com', name: 'Ada again' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistrationError);
    expect((error as Error).message).toMatch(/already registered/);
    expect(await queue.count()).toBe(0);
  });
});
