/**
 * One worker process for `example-scale-out.ts`, which starts several of these: `bundle exec
 * sidekiq` run more than once against the same Redis. Each job pretends to call a slow service,
 * notes in Redis that it ran (so the parent can prove no job ran twice), and says which process
 * ran it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { workerConnectionOptions } from '../../src/redis/connection.js';
import { closeOnSignals } from '../../src/worker/shutdown.js';

const { REDIS_URL, SCALE_OUT_PREFIX, SCALE_OUT_CONCURRENCY } = process.env;
if (!REDIS_URL || !SCALE_OUT_PREFIX) {
  console.error('Started by tutorials/07-monitoring/example-scale-out.ts, which sets REDIS_URL and SCALE_OUT_PREFIX.');
  process.exit(1);
}

/** The Redis hash where each job id counts its runs. */
const RUNS_KEY = 'runs';

const redis = new Redis(workerConnectionOptions(REDIS_URL));
const worker = new Worker(
  'thumbnails',
  async (job: Job<{ workMs: number }>) => {
    await sleep(job.data.workMs); // the slow service: I/O, not CPU, as most jobs are
    await redis.hincrby(`${SCALE_OUT_PREFIX}:${RUNS_KEY}`, job.id!, 1);
    return { pid: process.pid };
  },
  { connection: workerConnectionOptions(REDIS_URL), prefix: SCALE_OUT_PREFIX, concurrency: Number(SCALE_OUT_CONCURRENCY ?? 5) },
);
worker.on('failed', (job, error) => console.error(`job ${job?.id} failed in process ${process.pid}: ${error.message}`));
closeOnSignals([() => worker.close(), () => redis.quit()], process, () => {});
