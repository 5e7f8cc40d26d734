import { Queue } from 'bullmq';
import { expect, it } from 'vitest';
import { useTestEnv } from '../../test/harness.js';
import { enqueueWelcomeEmail } from './enqueue-welcome-email.js';

const env = useTestEnv();

it('puts one welcome-email job with the user id on the queue', async () => {
  const queue = env.track(new Queue('mailers', { connection: env.connection, prefix: env.prefix }));
  const job = await enqueueWelcomeEmail(queue, { id: 7, email: 'ada@example.com' });
  expect(job.id).toBeDefined();
  const waiting = await queue.getJobs(['waiting']);
  expect(waiting.map((j) => [j.name, j.data])).toEqual([['welcome-email', { userId: 7 }]]);
});

it('returns the job BullMQ created, with its id, like perform_async returns a jid', async () => {
  const queue = env.track(new Queue('mailers', { connection: env.connection, prefix: env.prefix }));
  const first = await enqueueWelcomeEmail(queue, { id: 1, email: 'a@example.com' });
  const second = await enqueueWelcomeEmail(queue, { id: 2, email: 'b@example.com' });
  expect(first.id).not.toBe(second.id);
  expect((await queue.getJob(second.id!))?.data).toEqual({ userId: 2 });
  expect(await queue.getJobCounts('waiting')).toEqual({ waiting: 2 });
});
