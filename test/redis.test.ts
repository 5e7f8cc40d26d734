import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { checkRedis, queueConnectionOptions, redisOptionsFromUrl } from '../src/redis/connection.js';
import { REDIS_NOT_INSTALLED, startEmbeddedRedis } from '../src/redis/embedded-server.js';
import { isRedisTooOld } from '../src/redis/version.js';
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

describe('isRedisTooOld', () => {
  it('draws the line at 7.0.0, and lets a version it cannot read try', () => {
    expect(['5.0.7', '6.2.14', '6.9'].map(isRedisTooOld)).toEqual([true, true, true]);
    expect(['7.0.0', '7.0', '7.2.4', '8.0.2', 'unknown'].map(isRedisTooOld)).toEqual([false, false, false, false, false]);
  });
});

describe('startEmbeddedRedis', () => {
  it('says how to install Redis when the binary is missing', async () => {
    await expect(startEmbeddedRedis('redis-server-that-does-not-exist')).rejects.toThrow(REDIS_NOT_INSTALLED);
  });

  it('refuses a redis-server older than 7.0 with what to do, before starting or writing anything', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'old-redis-'));
    const binary = join(dir, 'redis-server');
    // What Ubuntu 22.04's redis-server prints; started for real it would serve, and fail later.
    const calls = join(dir, 'calls');
    writeFileSync(binary, `#!/bin/sh\necho "$@" >> '${calls}'\necho "Redis server v=6.0.16 sha=00000000:0 malloc=jemalloc-5.2.1 bits=64 build=a3fdef44459b3ad6"\n`, { mode: 0o755 });
    try {
      await expect(startEmbeddedRedis(binary)).rejects.toThrow(/is Redis 6\.0\.16, older than the 7\.0\.0 the workbook needs\. Install Redis 7 .*REDIS_URL/);
      // Asked its version, never started as a server.
      expect(readFileSync(calls, 'utf8')).toBe('--version\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('starts a private server that answers, and stops it', async () => {
    const server = await startEmbeddedRedis();
    env.track({ close: () => server.stop() });
    await expect(checkRedis(server.url)).resolves.toBeTruthy();
    await server.stop();
    await expect(checkRedis(server.url, 500)).rejects.toThrow(/Cannot reach Redis/);
  });
});
