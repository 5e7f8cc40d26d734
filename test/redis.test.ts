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
  it('makes queue.add() reject at once when Redis goes away, instead of waiting for it', async () => {
    const server = await startEmbeddedRedis();
    env.track({ close: () => server.stop() }); // stopped even when the test fails half-way
    // Not tracked: close() sends QUIT, which a stopped Redis cannot take, so it rejects; that is expected.
    const queue = new Queue('orphan', { connection: queueConnectionOptions(server.url), prefix: env.prefix });
    queue.on('error', () => {});
    await expect(queue.add('job', {})).resolves.toHaveProperty('id');
    await server.stop();
    await expect(queue.add('job', {})).rejects.toThrow(/enableOfflineQueue|Connection is closed|ECONNREFUSED/);
    await queue.close().catch(() => {});
  });
});

describe('startEmbeddedRedis', () => {
  it('says how to install Redis when the binary is missing', async () => {
    await expect(startEmbeddedRedis('redis-server-that-does-not-exist')).rejects.toThrow(REDIS_NOT_INSTALLED);
  });

  it('starts a private server that answers, and stops it', async () => {
    const server = await startEmbeddedRedis();
    env.track({ close: () => server.stop() });
    await expect(checkRedis(server.url)).resolves.toBeTruthy();
    await server.stop();
    await expect(checkRedis(server.url, 500)).rejects.toThrow(/Cannot reach Redis/);
  });
});
