import { Queue } from 'bullmq';
import { expect, it } from 'vitest';
import { EnqueueManyError, enqueueMany } from '../src/jobs/enqueue-many.js';
import { useTestEnv } from './harness.js';

const env = useTestEnv();
const jobs = (count: number) => Array.from({ length: count }, (_, index) => ({ name: 'noop', data: { index } }));

it('adds every job, in input order, in chunks with several in flight', async () => {
  const queue = env.track(new Queue<{ index: number }>('bulk', { connection: env.connection, prefix: env.prefix }));

  const added = await enqueueMany(queue, jobs(2500), { chunkSize: 1000, inFlight: 2 });

  expect(added.map((job) => job.data.index)).toEqual(jobs(2500).map((job) => job.data.index));
  expect(await queue.getWaitingCount()).toBe(2500);
  const waiting = await queue.getWaiting(0, -1);
  expect(new Set(waiting.map((job) => job.id))).toEqual(new Set(added.map((job) => job.id)));
});

it('reports a failed chunk and still adds the others, so nothing is lost silently', async () => {
  const queue = env.track(new Queue<{ index: number }>('bulk', { connection: env.connection, prefix: env.prefix }));
  const input = jobs(6).map((job, i) => (i === 3 ? { ...job, opts: { jobId: 'import:3' } } : job)); // ':' is refused in a custom id: chunk 2 fails

  const error = await enqueueMany(queue, input, { chunkSize: 2 }).catch((caught: unknown) => caught);

  expect(error).toBeInstanceOf(EnqueueManyError);
  expect((error as EnqueueManyError).notAdded).toEqual([2, 3]);
  expect((error as EnqueueManyError).added.map((job) => job.data.index)).toEqual([0, 1, 4, 5]);
  expect(await queue.getWaitingCount()).toBe(4);
});

it('refuses bad options with a TypeError before adding anything', async () => {
  const queue = env.track(new Queue('bulk', { connection: env.connection, prefix: env.prefix }));
  await expect(enqueueMany(queue, jobs(3), { chunkSize: 0 })).rejects.toThrow(TypeError);
  await expect(enqueueMany(queue, jobs(3), { inFlight: 1.5 })).rejects.toThrow(TypeError);
  await expect(enqueueMany(queue, 'jobs' as never)).rejects.toThrow(TypeError);
  expect(await queue.getWaitingCount()).toBe(0);
});
