/**
 * The cache toolkit of chapter 5: `Rails.cache` on raw ioredis, small enough to read in one sitting.
 *
 * ```ts
 * const cache = new Cache({ store: new RedisStore(await connectCacheRedis(redisUrl), 'cache') });
 * const { key, version } = recordCacheKey('products', product);
 * const card = await cache.fetch(key, { version, expiresIn: 5 * 60_000 }, () => renderCard(product));
 * ```
 *
 * @module Cache
 */
export { Cache, DEFAULT_EXPIRES_IN_MS, type Cacheable, type CacheFailure, type CacheOptions, type CacheStats, type FetchOptions, type Loader, type WriteOptions } from './cache.js';
export { CacheValueError, parseEntry, serializeEntry, type CacheEntry } from './entry.js';
export { DEFAULT_MAX_KEY_BYTES, normalizeKey, recordCacheKey, type RecordCacheKey } from './keys.js';
export { MemoryStore, type MemoryStoreOptions } from './memory-store.js';
export { CACHE_COMMAND_TIMEOUT_MS, cacheRedisOptions, connectCacheRedis, RedisStore } from './redis-store.js';
export type { CacheStore, StoreWrite } from './store.js';
