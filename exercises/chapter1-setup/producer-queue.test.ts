import { randomUUID } from 'node:crypto';
import { Queue, QueueEvents, type Worker } from 'bullmq';
import { Redis } from 'ioredis';
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

/**
 * A Redis user of its own (an ACL user) on the test's Redis, and a URL that logs in as it and
 * picks database 3, as a hosted Redis URL often does. The user and the keys in database 3 are
 * removed after the test.
 */
async function urlWithUserAndDatabase(): Promise<{ url: string; user: string; database3: Redis }> {
  const user = `${env.prefix}-app`;
  const password = randomUUID();
  const admin = new Redis(env.connection);
  const database3 = new Redis({ ...env.connection, db: 3 });
  await admin.call('ACL', 'SETUSER', user, 'on', `>${password}`, '~*', '&*', '+@all');
  env.track({
    close: async () => {
      const keys = await database3.keys(`${env.prefix}:*`);
      if (keys.length > 0) await database3.del(...keys);
      await admin.call('ACL', 'DELUSER', user);
      admin.disconnect();
      database3.disconnect();
    },
  });
  const url = new URL(env.redisUrl);
  url.username = user;
  url.password = password;
  url.pathname = '/3';
  return { url: url.toString(), user, database3 };
}

/** What Redis itself says about a connection: the user it is logged in as and its database. */
async function whoAmI(connectedTo: Queue | Worker) {
  const info = await (await connectedTo.getBackend().client).clientInfo();
  return { user: /\buser=(\S+)/.exec(info)?.[1], db: Number(/\bdb=(\d+)/.exec(info)?.[1]) };
}

describe('the whole Redis URL counts: user name, password and database number', () => {
  it('createProducerQueue adds jobs as the user, to the database, that the URL names', async () => {
    const { url, user, database3 } = await urlWithUserAndDatabase();
    const queue = env.track(createProducerQueue('emails', url, env.prefix));
    const job = await queue.add('welcome', { userId: 4 });

    expect(await whoAmI(queue)).toEqual({ user, db: 3 });
    expect(await database3.exists(`${env.prefix}:emails:${job.id}`)).toBe(1);
  });

  it('createWorker takes jobs as the user, from the database, that the URL names', async () => {
    const { url, user } = await urlWithUserAndDatabase();
    const options = { connection: { ...env.connection, db: 3 }, prefix: env.prefix };
    const queue = env.track(new Queue('emails', options));
    const events = env.track(new QueueEvents('emails', options));
    await events.waitUntilReady();
    const worker = env.track(createWorker('emails', url, async (job) => `sent to user ${job.data.userId}`, env.prefix));

    const job = await queue.add('welcome', { userId: 5 });
    await expect(job.waitUntilFinished(events, 5000)).resolves.toBe('sent to user 5');
    expect(await whoAmI(worker)).toEqual({ user, db: 3 });
  });
});

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
