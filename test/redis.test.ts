import { describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { checkRedis, queueConnectionOptions, redisOptionsFromUrl } from '../src/redis/connection.js';
import { REDIS_NOT_INSTALLED, startEmbeddedRedis } from '../src/redis/embedded-server.js';
import { useTestEnv } from './harness.js';

const env = useTestEnv();

describe('redisOptionsFromUrl', () => {
  it('reads host, port, credentials and database number', () => {
    expect(redisOptionsFromUrl('redis://me:s%40cret@cache.internal:6380/2')).toMatchObject({
      host: 'cache.internal',
      port: 6380,
      username: 'me',
      password: 's@cret',
      db: 2,
    });
  });
});

describe('checkRedis', () => {
  it('returns the server version when Redis answers', async () => {
    await expect(checkRedis(env.redisUrl)).resolves.toMatch(/^\d+\.\d+/);
  });

  it('fails fast with a message that names the URL when nothing listens', async () => {
    const started = Date.now();
    await expect(checkRedis('redis://127.0.0.1:1')).rejects.toThrow(/Cannot reach Redis at redis:\/\/127\.0\.0\.1:1.*redis-server/);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('queueConnectionOptions', () => {
  it('makes queue.add() reject instead of waiting for a Redis that is down', async () => {
    const queue = env.track(
      new Queue('orphan', {
        connection: queueConnectionOptions('redis://127.0.0.1:1'),
        prefix: env.prefix,
        skipWaitingForReady: true,
      }),
    );
    queue.on('error', () => {});
    await expect(queue.add('job', {})).rejects.toThrow();
  });
});

describe('startEmbeddedRedis', () => {
  it('says how to install Redis when the binary is missing', async () => {
    await expect(startEmbeddedRedis('redis-server-that-does-not-exist')).rejects.toThrow(REDIS_NOT_INSTALLED);
  });

  it('starts a private server that answers, and stops it', async () => {
    const server = await startEmbeddedRedis();
    await expect(checkRedis(server.url)).resolves.toBeTruthy();
    await server.stop();
    await expect(checkRedis(server.url, 500)).rejects.toThrow(/Cannot reach Redis/);
  });
});
