import { describe, expect, it, vi } from 'vitest';
import { Cache, RedisStore, connectCacheRedis, type CacheFailure } from '../src/cache/index.js';
import { startEmbeddedRedis } from '../src/redis/embedded-server.js';
import { useTestEnv } from './harness.js';

const env = useTestEnv();

/** The bound this workbook promises: with Redis gone or stuck, a fetch answers within a second. */
const FAIL_OPEN_BOUND_MS = 1000;
const COMMAND_TIMEOUT_MS = 200;

/** A cache on a Redis of its own, which the test may stop or freeze. */
async function cacheOnPrivateRedis() {
  const server = await startEmbeddedRedis();
  env.track({ close: () => server.stop() });
  const redis = await connectCacheRedis(server.url, COMMAND_TIMEOUT_MS);
  env.track({ close: async () => redis.disconnect() });
  const failures: CacheFailure[] = [];
  const cache = new Cache({ store: new RedisStore(redis, 'cache'), onError: (failure) => failures.push(failure) });
  return { server, cache, failures };
}

async function timed<T>(action: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await action();
  return { value, ms: performance.now() - started };
}

describe('the cache fails open, like Rails’ RedisCacheStore', () => {
  it('answers from the loader when Redis has stopped, and tells onError', async () => {
    const { server, cache, failures } = await cacheOnPrivateRedis();
    await cache.write('products/1', 'cached');
    expect(await cache.fetch('products/1', {}, () => 'loaded')).toBe('cached');

    await server.stop();
    const loader = vi.fn(() => 'loaded');
    const { value, ms } = await timed(() => cache.fetch('products/1', {}, loader));
    expect(value).toBe('loaded');
    expect(loader).toHaveBeenCalledOnce();
    expect(ms).toBeLessThan(FAIL_OPEN_BOUND_MS);
    console.log(`fail-open: fetch with Redis stopped took ${ms.toFixed(1)} ms`);
    expect(failures.map((failure) => failure.operation)).toEqual(['read', 'write']);
    expect(failures[0]).toMatchObject({ key: 'products/1' });

    expect(await cache.read('products/1')).toBeUndefined();
    expect(await cache.write('products/1', 'x')).toBe(false);
    expect(await cache.delete('products/1')).toBe(false);
    expect(await cache.increment('hits')).toBeUndefined();
    expect(cache.stats().errors).toBe(failures.length);
  });

  it('gives up on a Redis that stalls after the command timeout, then uses it again once it is back', async () => {
    const { server, cache, failures } = await cacheOnPrivateRedis();
    await cache.write('products/1', 'cached');

    process.kill(server.pid, 'SIGSTOP');
    try {
      const { value, ms } = await timed(() => cache.fetch('products/1', {}, () => 'loaded'));
      expect(value).toBe('loaded');
      console.log(`fail-open: fetch with Redis stalled took ${ms.toFixed(1)} ms (command timeout ${COMMAND_TIMEOUT_MS} ms)`);
      expect(ms).toBeGreaterThanOrEqual(COMMAND_TIMEOUT_MS * 0.9);
      expect(ms).toBeLessThan(FAIL_OPEN_BOUND_MS * 2); // a read and a write, each cut off by the timeout
      expect(failures.map((failure) => String(failure.error))).toContain('Error: Command timed out');
    } finally {
      process.kill(server.pid, 'SIGCONT');
    }
    // The write that timed out was already on its way: Redis runs it once it wakes up. A timeout
    // tells the client it stopped waiting, not that the command did not happen.
    await vi.waitFor(async () => expect(await cache.read('products/1')).toBe('loaded'), { timeout: 5000, interval: 50 });
  });

  it('refuses to start without Redis, naming the URL', async () => {
    await expect(connectCacheRedis('redis://127.0.0.1:1')).rejects.toThrow(/Cannot reach Redis for the cache at redis:\/\/127\.0\.0\.1:1/);
  });
});
