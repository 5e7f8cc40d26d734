/**
 * Workers killed with SIGKILL (no handler runs: an OOM kill, a host that dies): after the job's
 * write and before BullMQ recorded it as completed, and twice in a row during a job. The job must
 * run again after the stall settings' delay, its effect must happen once, and two crashes must
 * not fail it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { taskJobId } from '../../src/app/task-jobs.js';
import { waitUntil } from '../harness.js';
import { enqueueTasks, figure, Lab, lostAndDoubled, scratchDatabase, startRedis, startRedisProxy, startWorker, STALL_PICKUP_LIMIT_MS, tasksQueue, waitForExit } from './processes.js';

const lab = new Lab();
afterEach(() => lab.cleanUp());

describe('a worker killed with SIGKILL', () => {
  it('after the write and before completion: the job runs again and its effect is not doubled', async () => {
    const redis = await startRedis(lab);
    const { url: databaseUrl, db } = await scratchDatabase(lab);
    const queue = tasksQueue(lab, redis.url);
    const env = { REDIS_URL: redis.url, DATABASE_URL: databaseUrl };
    const proxy = await startRedisProxy(lab, redis);
    const first = await startWorker(lab, { ...env, REDIS_URL: proxy.url, DEMO_JOB_WORK_MS: '1500' });
    const ids = await enqueueTasks(db, queue, 5, 'write then die');
    await waitUntil(async () => (await queue.getJobCounts('active')).active === 5, { timeoutMs: 10_000, message: '5 active jobs' });

    // Cut what the worker sends to Redis, let its database writes land, then kill it: the
    // writes are done, and BullMQ never heard that the jobs completed.
    proxy.hold();
    await waitUntil(async () => (await lostAndDoubled(db, ids)).done === 5, { timeoutMs: 15_000, message: 'the 5 writes' });
    first.signalGroup('SIGKILL');
    await first.exited;
    expect(await queue.getJobCounts('active', 'completed')).toEqual({ active: 5, completed: 0 });

    const killedAt = Date.now();
    const second = await startWorker(lab, env);
    await waitUntil(async () => (await queue.getJobCounts('completed')).completed === 5, { timeoutMs: STALL_PICKUP_LIMIT_MS + 15_000, message: '5 completed jobs' });
    figure('stalled jobs completed by another worker after (s)', ((Date.now() - killedAt) / 1000).toFixed(1));
    const { lost, doubled } = await lostAndDoubled(db, ids);
    figure('killed after the write: lost / doubled', { lost, doubled });
    expect({ lost, doubled }).toEqual({ lost: 0, doubled: 0 });
    const results = await Promise.all(ids.map(async (id) => (await queue.getJob(taskJobId(id)))!.returnvalue));
    expect(results.every((result) => result.logged === false && /already logged/.test(result.reason))).toBe(true);
    second.signal('SIGTERM');
    await second.exited;
  });

  it('twice during a job: it runs a third time and completes, within the stall settings each time', async () => {
    const redis = await startRedis(lab);
    const { url: databaseUrl, db } = await scratchDatabase(lab);
    const queue = tasksQueue(lab, redis.url);
    const env = { REDIS_URL: redis.url, DATABASE_URL: databaseUrl };
    const [id] = await enqueueTasks(db, queue, 1, 'killed twice');
    const jobId = taskJobId(id!);
    const activeSince = async (after: number) => {
      const job = await queue.getJob(jobId);
      return (await job?.getState()) === 'active' && (job!.processedOn ?? 0) > after;
    };

    const pickups: number[] = [];
    let killedAt = 0;
    for (const attempt of [1, 2]) {
      const worker = await startWorker(lab, { ...env, DEMO_JOB_WORK_MS: '60000' });
      await waitUntil(() => activeSince(killedAt), { timeoutMs: STALL_PICKUP_LIMIT_MS + 15_000, message: `run ${attempt} to start` });
      if (killedAt > 0) pickups.push(Date.now() - killedAt);
      worker.signalGroup('SIGKILL');
      await worker.exited;
      killedAt = Date.now();
    }
    const last = await startWorker(lab, env);
    await waitUntil(async () => (await queue.getJob(jobId))?.finishedOn, { timeoutMs: STALL_PICKUP_LIMIT_MS + 15_000, message: 'the third run to finish' });
    pickups.push(Date.now() - killedAt);
    figure('killed twice: seconds from each kill to the next run', pickups.map((ms) => (ms / 1000).toFixed(1)));
    expect(await queue.getJobState(jobId)).toBe('completed');
    expect(await lostAndDoubled(db, [id!])).toMatchObject({ lost: 0, doubled: 0 });
    for (const ms of pickups) expect(ms).toBeLessThan(STALL_PICKUP_LIMIT_MS);
    last.signal('SIGTERM');
    await waitForExit(last.pid, 10_000);
  });
});
