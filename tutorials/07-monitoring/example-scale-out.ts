/**
 * Chapter 7: scaling out, made visible. The same 400 jobs run by 1, then 2, then 4 worker
 * *processes* on one Redis, each process with concurrency 5, each job 50 ms of waiting on a
 * "slow service". It prints who did how much, that no job ran twice, the throughput and the
 * latency (how long jobs waited before they started), then exits.
 *
 *   npx tsx tutorials/07-monitoring/example-scale-out.ts
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { loadConfig } from '../../src/config.js';
import { workerConnectionOptions } from '../../src/redis/connection.js';
import { acquireRedis } from '../../src/redis/redis-url.js';

const JOBS = Number(process.env.JOBS ?? 400);
const WORK_MS = 50;
const CONCURRENCY = 5;
const workerScript = fileURLToPath(new URL('./scale-out-worker.ts', import.meta.url));

const redis = await acquireRedis(loadConfig().redisUrl);
const client = new Redis(workerConnectionOptions(redis.url));
const children = new Set<ChildProcess>();

/** Starts `count` worker processes and resolves once all of them are connected to the queue. */
async function startWorkers(queue: Queue, prefix: string, count: number): Promise<ChildProcess[]> {
  const started = Array.from({ length: count }, () => {
    const child = spawn(process.execPath, ['--import', 'tsx', workerScript], {
      env: { ...process.env, REDIS_URL: redis.url, SCALE_OUT_PREFIX: prefix, SCALE_OUT_CONCURRENCY: String(CONCURRENCY) },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    children.add(child);
    child.once('exit', () => children.delete(child));
    return child;
  });
  await waitFor(async () => (await queue.getWorkersCount()) >= count, 30_000, `${count} worker processes to connect`);
  return started;
}

/** Stops the processes the way a deploy does (SIGTERM: finish running jobs, then exit). */
async function stopWorkers(processes: ChildProcess[]): Promise<void> {
  await Promise.all(
    processes.map(async (child) => {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }),
  );
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function run(processCount: number): Promise<void> {
  const prefix = `example-07-scale-${process.pid}-${processCount}`;
  const queue = new Queue('thumbnails', { connection: workerConnectionOptions(redis.url), prefix });
  const workers = await startWorkers(queue, prefix, processCount);
  try {
    const startedAt = Date.now();
    await queue.addBulk(Array.from({ length: JOBS }, (_, i) => ({ name: 'resize', data: { workMs: WORK_MS, image: i } })));
    await waitFor(
      async () => {
        const { completed, failed } = await queue.getJobCounts('completed', 'failed');
        if (failed) throw new Error(`${failed} jobs failed`);
        return completed === JOBS;
      },
      60_000,
      `${JOBS} jobs to complete`,
    );
    const seconds = (Date.now() - startedAt) / 1000;

    const done = await queue.getCompleted(0, -1);
    const perProcess = new Map<number, number>();
    for (const job of done) perProcess.set(job.returnvalue.pid, (perProcess.get(job.returnvalue.pid) ?? 0) + 1);
    const waits = done.map((job) => job.processedOn! - job.timestamp).sort((a, b) => a - b);
    const runs = Object.values(await client.hgetall(`${prefix}:runs`)).map(Number);
    const twice = runs.filter((count) => count > 1).length;

    console.log(
      `${processCount} process${processCount === 1 ? ' ' : 'es'}: ${JOBS} jobs in ${seconds.toFixed(2)} s = ${(JOBS / seconds).toFixed(0).padStart(4)} jobs/s; ` +
        `wait before start: median ${waits[Math.floor(waits.length / 2)]} ms, worst ${waits.at(-1)} ms; ` +
        `jobs per process ${[...perProcess.values()].join('/')}; ran ${runs.length} distinct jobs, ${twice} twice`,
    );
    if (runs.length !== JOBS || twice > 0) throw new Error('a job was lost or ran twice');
  } finally {
    await stopWorkers(workers);
    await queue.obliterate({ force: true });
    await client.del(`${prefix}:runs`);
    await queue.close();
  }
}

try {
  console.log(`${JOBS} jobs of ${WORK_MS} ms each; every process runs ${CONCURRENCY} at a time. Capacity = processes x ${CONCURRENCY} / ${WORK_MS / 1000} s.\n`);
  for (const processCount of [1, 2, 4]) await run(processCount);
  console.log('\nThe worst wait is the queue latency a burst like this one leaves behind; it halves each time the processes double.');
} finally {
  for (const child of children) child.kill('SIGKILL');
  client.disconnect();
  await redis.release();
}
