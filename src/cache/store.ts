/**
 * What a cache store does: keep serialized entries under keys, each with a time to live.
 *
 * Rails has `ActiveSupport::Cache::Store` with MemoryStore, FileStore, RedisCacheStore… behind
 * one API. Here `Cache` holds the Rails-like API (`fetch`, versions, stampede protection,
 * failing open) and a store only moves strings: `MemoryStore` in this process,
 * `RedisStore` in Redis. Both speak milliseconds, like BullMQ.
 *
 * @module Cache/Store interface
 */

/** One entry for {@link CacheStore.setMany}. */
export interface StoreWrite {
  key: string;
  /** The serialized entry. */
  value: string;
  /** How long the store keeps it, in milliseconds. */
  ttlMs: number;
}

/** The storage behind a `Cache`. Keys are given without the namespace; the store adds it. */
export interface CacheStore {
  /** Keeps this store's keys apart from others' (Rails' `namespace:` option). */
  readonly namespace: string;
  /** The serialized entry under `key`, or `undefined`. */
  get(key: string): Promise<string | undefined>;
  /** Several entries in one round trip, in the order of `keys`. */
  getMany(keys: readonly string[]): Promise<(string | undefined)[]>;
  /** Stores `value` under `key` for `ttlMs` milliseconds. */
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** Stores several entries in one round trip. */
  setMany(writes: readonly StoreWrite[]): Promise<void>;
  /** Removes `key`; resolves to whether it was there. */
  delete(key: string): Promise<boolean>;
  /** Removes every key matching a Redis-style glob (`*`, `?`, `[abc]`); resolves to how many. */
  deleteMatched(pattern: string): Promise<number>;
  /**
   * Adds `by` to the integer counter under `key` (a missing counter counts from 0) and resolves
   * to the new value. A new counter expires after `ttlMs`; incrementing does not extend it.
   */
  increment(key: string, by: number, ttlMs: number): Promise<number>;
}
