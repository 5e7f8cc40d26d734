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
