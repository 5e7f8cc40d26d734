import { Queue, QueueEvents } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { startEmbeddedRedis } from '../../src/redis/embedded-server.js';
import { useTestEnv } from '../../test/harness.js';
import { createProducerQueue, createWorker } from './producer-queue.js';

const env = useTestEnv();

/** Rejects with "still waiting" if `promise` has not settled within `ms`. */
function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`still waiting after ${ms} ms`)), ms)));
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

describe('createProducerQueue', () => {
  it('adds jobs while Redis is up', async () => {
    const queue = env.track(createProducerQueue('emails', env.redisUrl, env.prefix));
    const job = await queue.add('welcome', { userId: 1 });
    expect(await queue.getJobState(job.id!)).toBe('waiting');
  });

  it('rejects add() at once when Redis has gone away, instead of waiting for it to come back', async () => {
    const redis = await startEmbeddedRedis();
    env.track({ close: () => redis.stop() }); // stopped even when the test fails half-way
    const queue = createProducerQueue('emails', redis.url);
    queue.on('error', () => {});
    await queue.add('welcome', { userId: 1 });
    await redis.stop();

    const error = await within(queue.add('welcome', { userId: 2 }), 2000).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).not.toMatch(/still waiting/);
    await queue.close().catch(() => {}); // QUIT cannot reach a stopped Redis: expected
  });
});

describe('createWorker', () => {
  it('processes jobs, on a connection that never gives up on a command', async () => {
    const queue = env.track(new Queue('emails', { connection: env.connection, prefix: env.prefix }));
    const events = env.track(new QueueEvents('emails', { connection: env.connection, prefix: env.prefix }));
    await events.waitUntilReady();
    const worker = env.track(createWorker('emails', env.redisUrl, async (job) => `sent to user ${job.data.userId}`, env.prefix));

    const job = await queue.add('welcome', { userId: 3 });
    await expect(job.waitUntilFinished(events, 5000)).resolves.toBe('sent to user 3');
    expect(worker.opts.connection).toMatchObject({ maxRetriesPerRequest: null });
  });
});
