/**
 * The shared store, Rails' `RedisCacheStore`: every process of the app sees the same entries.
 *
 * @module Cache/Redis store
 */
import { Redis, type RedisOptions } from 'ioredis';
import { redisOptionsFromUrl } from '../redis/connection.js';
import type { CacheStore, StoreWrite } from './store.js';

/** How long a cache command may take before the cache gives up on Redis and runs the loader. */
export const CACHE_COMMAND_TIMEOUT_MS = 500;

/**
 * ioredis options for a cache client: the opposite of a Worker's. A Worker waits for Redis as
 * long as it takes (`maxRetriesPerRequest: null`); a cache that waits turns a Redis hiccup into
 * a slow site. So: a command timeout, no offline queue (fail at once while disconnected), one
 * retry, and a short connect timeout. Rails' RedisCacheStore uses 1 s timeouts for the same reason.
 */
export function cacheRedisOptions(url: string, commandTimeoutMs = CACHE_COMMAND_TIMEOUT_MS): RedisOptions {
  return {
    ...redisOptionsFromUrl(url),
    commandTimeout: commandTimeoutMs,
    connectTimeout: 1000,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    // Keep reconnecting in the background, at most every 2 s, so the cache heals when Redis is back.
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  };
}

/**
 * Connects a Redis client for the cache (its own client: never share the Worker's, whose
 * commands wait forever) and resolves once it is ready.
 *
 * @throws Error naming the URL when Redis cannot be reached at start-up.
 */
export async function connectCacheRedis(url: string, commandTimeoutMs = CACHE_COMMAND_TIMEOUT_MS): Promise<Redis> {
  const client = new Redis({ ...cacheRedisOptions(url, commandTimeoutMs), lazyConnect: true });
  // Each failed command reaches the Cache's onError; the connection's own error events would
  // only repeat that, once per reconnect attempt.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    throw new Error(`Cannot reach Redis for the cache at ${url}: ${(error as Error).message}`);
  }
  return client;
}

/**
 * Keeps entries in Redis under `<namespace>:<key>`, with `SET … PX` so Redis itself expires them.
 * Batches use one round trip each: MGET for reads, a pipeline for writes.
 */
export class RedisStore implements CacheStore {
  /** Creates a store on `redis` (see {@link connectCacheRedis}); the caller owns and closes the client. */
  constructor(
    readonly redis: Redis,
    readonly namespace: string,
  ) {
    if (!namespace || /[*?[\]]/.test(namespace)) throw new TypeError(`Cache namespace "${namespace}" must be non-empty and free of glob characters`);
  }

  private fullKey(key: string): string {
    return `${this.namespace}:${key}`;
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.redis.get(this.fullKey(key))) ?? undefined;
  }

  async getMany(keys: readonly string[]): Promise<(string | undefined)[]> {
    if (keys.length === 0) return [];
    const values = await this.redis.mget(keys.map((key) => this.fullKey(key)));
    return values.map((value) => value ?? undefined);
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    await this.redis.set(this.fullKey(key), value, 'PX', ttlMs);
  }

  async setMany(writes: readonly StoreWrite[]): Promise<void> {
    if (writes.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const { key, value, ttlMs } of writes) pipeline.set(this.fullKey(key), value, 'PX', ttlMs);
    const results = (await pipeline.exec()) ?? [];
    const failure = results.find(([error]) => error);
    if (failure) throw failure[0];
  }

  async delete(key: string): Promise<boolean> {
    return (await this.redis.unlink(this.fullKey(key))) > 0;
  }

  async deleteMatched(pattern: string): Promise<number> {
    // SCAN walks the keyspace in steps and never blocks Redis the way KEYS does on a big database.
    let deleted = 0;
    const stream = this.redis.scanStream({ match: this.fullKey(pattern), count: 1000 });
    for await (const keys of stream as AsyncIterable<string[]>) {
      if (keys.length > 0) deleted += await this.redis.unlink(...keys);
    }
    return deleted;
  }

  async increment(key: string, by: number, ttlMs: number): Promise<number> {
    const fullKey = this.fullKey(key);
    // NX (Redis 7+): set the expiry only when the counter has none, i.e. when INCRBY created it.
    const results = (await this.redis.multi().incrby(fullKey, by).pexpire(fullKey, ttlMs, 'NX').exec()) ?? [];
    const [error, value] = results[0] ?? [new Error('INCRBY gave no reply')];
    if (error) throw error;
    return Number(value);
  }
}
