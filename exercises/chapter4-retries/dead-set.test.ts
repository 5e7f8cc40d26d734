import { Queue, Worker, type Job } from 'bullmq';
import { expect, it } from 'vitest';
import { useTestEnv, waitUntil } from '../../test/harness.js';
import { listDeadSet, listRetrySet, retryAllDeadJobs, retryDeadJob } from './dead-set.js';

const env = useTestEnv();

/** A `crm` queue whose Worker fails every job while `crm.down` is true. */
function crm() {
  const options = { connection: env.connection, prefix: env.prefix };
  const queue = env.track(new Queue('crm', options));
  const state = { down: true };
  env.track(
    new Worker(
      'crm',
      async (job: Job<{ contactId: number }>) => {
        if (state.down) throw new Error(`CRM is down (contact ${job.data.contactId})`);
        return 'synced';
      },
      options,
    ),
  );
  return { queue, state };
}

/** Adds one `sync-contact` job per contact with no retries, and waits until all are dead. */
async function deadJobs(queue: Queue, contactIds: number[]): Promise<string[]> {
  const jobs = await Promise.all(contactIds.map((contactId) => queue.add('sync-contact', { contactId })));
  await waitUntil(async () => (await queue.getFailedCount()) === contactIds.length, { message: `${contactIds.length} failed jobs` });
  return jobs.map((job) => job.id!);
}

function byId<T extends { id: string }>(jobs: T[]): T[] {
  return [...jobs].sort((a, b) => Number(a.id) - Number(b.id));
}

it('lists a job waiting for its next attempt in the retry set, but not a job merely scheduled for later', async () => {
  const { queue } = crm();
  const retrying = await queue.add('sync-contact', { contactId: 1 }, { attempts: 3, backoff: { type: 'fixed', delay: 60_000 } });
  await queue.add('weekly-digest', {}, { delay: 60_000 });
  await waitUntil(async () => (await queue.getJob(retrying.id!))?.attemptsMade === 1, { message: 'the first failure' });

  expect(await listRetrySet(queue)).toEqual([
    expect.objectContaining({ id: retrying.id, name: 'sync-contact', data: { contactId: 1 }, failedReason: 'CRM is down (contact 1)', attemptsMade: 1 }),
  ]);
  expect(await listDeadSet(queue)).toEqual([]);
});

it('lists jobs with no retry left in the dead set, with the reason each one failed', async () => {
  const { queue } = crm();
  const ids = await deadJobs(queue, [1, 2]);

  expect(byId(await listDeadSet(queue))).toEqual([
    expect.objectContaining({ id: ids[0], name: 'sync-contact', data: { contactId: 1 }, failedReason: 'CRM is down (contact 1)', attemptsMade: 1 }),
    expect.objectContaining({ id: ids[1], name: 'sync-contact', data: { contactId: 2 }, failedReason: 'CRM is down (contact 2)', attemptsMade: 1 }),
  ]);
  expect(await listRetrySet(queue)).toEqual([]);
});

it('retries one dead job, which then runs and completes, and leaves the others dead', async () => {
  const { queue, state } = crm();
  const [first, second] = await deadJobs(queue, [1, 2]);
  state.down = false;

  await retryDeadJob(queue, first!);
  await waitUntil(async () => (await queue.getJobState(first!)) === 'completed', { message: 'the retried job to complete' });
  expect((await listDeadSet(queue)).map((job) => job.id)).toEqual([second]);
});

it('retries the whole dead set and says how many jobs it moved', async () => {
  const { queue, state } = crm();
  await deadJobs(queue, [1, 2, 3]);
  state.down = false;

  await expect(retryAllDeadJobs(queue)).resolves.toBe(3);
  await waitUntil(async () => (await queue.getCompletedCount()) === 3, { message: '3 completed jobs' });
  expect(await listDeadSet(queue)).toEqual([]);
});

it('counts the jobs it really moved, even when the dead set changes under it', async () => {
  const { queue, state } = crm();
  const [first, second, third] = await deadJobs(queue, [1, 2, 3]);
  state.down = false;
  // A job failed by a worker whose clock runs a minute ahead: BullMQ dates the failure by that
  // clock, and a retry of "every job failed until now" by this one does not reach it yet.
  const redis = await queue.getBackend().client;
  await redis.runCommand('zadd', [queue.keys.failed, Date.now() + 60_000, third!]);

  const moved = await retryAllDeadJobs(queue);
  const stillDead = (await listDeadSet(queue)).map((job) => job.id);
  // However many a solution manages to move, the number it returns is the number that moved.
  expect(moved).toBe(3 - stillDead.length);
  await waitUntil(async () => (await queue.getCompletedCount()) === moved, { message: `${moved} completed jobs` });
  expect([first, second, third].filter((id) => !stillDead.includes(id!))).toHaveLength(moved);
});

it('refuses to retry a job that does not exist or is not dead, naming it', async () => {
  const { queue, state } = crm();
  state.down = false;
  const done = await queue.add('sync-contact', { contactId: 5 });
  await waitUntil(async () => (await queue.getJobState(done.id!)) === 'completed', { message: 'a completed job' });

  await expect(retryDeadJob(queue, 'no-such-job')).rejects.toThrow(/no-such-job/);
  await expect(retryDeadJob(queue, done.id!)).rejects.toThrow(new RegExp(`\\b${done.id}\\b`));
  expect(await queue.getJobState(done.id!)).toBe('completed');
});
