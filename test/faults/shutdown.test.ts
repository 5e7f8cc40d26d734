/**
 * Stopping a worker: SIGTERM with jobs that outlast the deadline, SIGTERM while Redis is down,
 * and signals that reach npm but not the worker under it. The worker must exit within
 * `SHUTDOWN_TIMEOUT` (plus the few seconds of hand-back), never be left running, and lose nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { taskJobId } from '../../src/app/task-jobs.js';
import { waitUntil } from '../harness.js';
import { appPid, enqueueTasks, exitTime, figure, Lab, lostAndDoubled, scratchDatabase, startRedis, startWorker, STALL_PICKUP_LIMIT_MS, tasksQueue } from './processes.js';

const lab = new Lab();
afterEach(() => lab.cleanUp());

const DEADLINE_S = 2;
/** The deadline, the hand-back grace (3 s) and a margin for a busy machine. */
const EXIT_LIMIT_MS = (DEADLINE_S + 3) * 1000 + 2000;

async function setUp(jobs: number) {
  const redis = await startRedis(lab);
  const { url: databaseUrl, db } = await scratchDatabase(lab);
  const queue = tasksQueue(lab, redis.url);
  const env = { REDIS_URL: redis.url, DATABASE_URL: databaseUrl, SHUTDOWN_TIMEOUT: String(DEADLINE_S) };
  const slow = await startWorker(lab, { ...env, DEMO_JOB_WORK_MS: '60000' });
  const ids = await enqueueTasks(db, queue, jobs, 'slow');
  await waitUntil(async () => (await queue.getJobCounts('active')).active === jobs, { timeoutMs: 10_000, message: `${jobs} active jobs` });
  return { redis, db, queue, env, slow, ids };
}

describe('stopping a worker', () => {
  it('SIGTERM with jobs longer than the deadline: exits in time and hands them back unharmed', async () => {
    const { db, queue, env, slow, ids } = await setUp(3);
    const node = appPid(slow);
    const signalled = Date.now();
    process.kill(node, 'SIGTERM'); // as a process manager stops a worker
    const at = await exitTime(node, EXIT_LIMIT_MS, 'the worker to exit');
    figure(`SIGTERM, 60 s jobs, SHUTDOWN_TIMEOUT=${DEADLINE_S}: exit after (s)`, ((at - signalled) / 1000).toFixed(1));
    expect(at - signalled).toBeGreaterThanOrEqual(DEADLINE_S * 1000 - 100);
    await slow.exited;
    expect(slow.lines.some((line) => /deadline of 2 s reached: handing the jobs still running back/.test(line))).toBe(true);
    // Back in the queue at once, with no attempt used up.
    const jobs = await Promise.all(ids.map((id) => queue.getJob(taskJobId(id))));
    expect(await Promise.all(jobs.map((job) => job!.getState()))).toEqual(['waiting', 'waiting', 'waiting']);
    expect(jobs.map((job) => job!.attemptsMade)).toEqual([0, 0, 0]);

    await startWorker(lab, env);
    await waitUntil(async () => (await queue.getJobCounts('completed')).completed === 3, { timeoutMs: 10_000, message: '3 completed jobs' });
    expect(await lostAndDoubled(db, ids)).toMatchObject({ lost: 0, doubled: 0 });
  });

  it('SIGTERM while Redis is down: exits within the deadline, and the jobs run once Redis is back', async () => {
    const { redis, db, queue, env, slow, ids } = await setUp(2);
    redis.process.signal('SIGKILL');
    await redis.process.exited;
    const node = appPid(slow);
    const signalled = Date.now();
    process.kill(node, 'SIGTERM');
    const at = await exitTime(node, EXIT_LIMIT_MS, 'the worker to exit with Redis down');
    figure('SIGTERM with Redis down: exit after (s)', ((at - signalled) / 1000).toFixed(1));

    await redis.restart(); // same port, same append-only file
    const restartedAt = Date.now();
    await startWorker(lab, env);
    await waitUntil(async () => (await queue.getJobCounts('completed')).completed === 2, { timeoutMs: STALL_PICKUP_LIMIT_MS + 15_000, message: '2 completed jobs' });
    figure('SIGTERM with Redis down: jobs completed after Redis restart (s)', ((Date.now() - restartedAt) / 1000).toFixed(1));
    expect(await lostAndDoubled(db, ids)).toMatchObject({ lost: 0, doubled: 0 });
  });

  it('SIGTERM to npm only: the worker under it shuts down too', async () => {
    const { slow } = await setUp(1);
    const node = appPid(slow);
    const signalled = Date.now();
    process.kill(slow.pid, 'SIGTERM'); // npm's pid only, not its group
    const at = await exitTime(node, EXIT_LIMIT_MS + 1000, 'the worker under npm to exit');
    figure('SIGTERM to npm only: worker gone after (s)', ((at - signalled) / 1000).toFixed(1));
  });

  it('SIGKILL to npm only: the orphaned worker notices and shuts down, handing its job back', async () => {
    const { db, queue, env, slow, ids } = await setUp(1);
    const node = appPid(slow);
    process.kill(slow.pid, 'SIGKILL');
    const killed = Date.now();
    // One poll of the parent (1 s), then the same deadline as for SIGTERM.
    const at = await exitTime(node, EXIT_LIMIT_MS + 1000, 'the orphaned worker to exit');
    figure('SIGKILL to npm only: orphaned worker gone after (s)', ((at - killed) / 1000).toFixed(1));
    expect(slow.lines.some((line) => /parent process gone/.test(line))).toBe(true);
    await startWorker(lab, env);
    await waitUntil(async () => (await queue.getJobCounts('completed')).completed === 1, { timeoutMs: 10_000, message: 'the handed-back job to complete' });
    expect(await lostAndDoubled(db, ids)).toMatchObject({ lost: 0, doubled: 0 });
  });
});
