/**
 * `Rails.cache` for TypeScript: `fetch` with expiry, `force`, `skipNil`, versions and
 * `raceConditionTtl`, on any {@link CacheStore}, failing open when the store does.
 *
 * @module Cache/Cache and fetch
 */
import type { JsonValue } from '../jobs/job-data.js';
import { parseEntry, serializeEntry, type CacheEntry } from './entry.js';
import { DEFAULT_MAX_KEY_BYTES, normalizeKey } from './keys.js';
import type { CacheStore } from './store.js';

/** Every entry expires: one hour unless the cache or the call says otherwise. */
export const DEFAULT_EXPIRES_IN_MS = 60 * 60 * 1000;

/**
 * What a cache can hold: plain JSON. `undefined` means "not in the cache" and is never stored.
 * The methods take any type and check the value when they write it, because a TypeScript
 * `interface` does not count as JSON to the compiler even when all its fields are.
 */
export type Cacheable = JsonValue;

/** Options of {@link Cache}. */
export interface CacheOptions {
  /** Where entries live: a `MemoryStore` or a `RedisStore`. */
  store: CacheStore;
  /** Expiry for writes that give none, in ms (default {@link DEFAULT_EXPIRES_IN_MS}). */
  expiresIn?: number;
  /** Rails' `error_handler`: hears every store failure that the cache turned into a miss. */
  onError?: (failure: CacheFailure) => void;
  /** The clock entries expire by; tests pass a fake one. */
  now?: () => Date;
  /** Random numbers in [0, 1) for early expiration; tests pass a fixed one. */
  random?: () => number;
  /** Keys longer than this are shortened by a hash (see {@link normalizeKey}). */
  maxKeyBytes?: number;
}

/** A store failure the cache survived: which operation, which key, what went wrong. */
export interface CacheFailure {
  operation: 'read' | 'write' | 'delete' | 'increment';
  key: string;
  error: unknown;
}

/** Options of {@link Cache.write} (and of the write that a miss in {@link Cache.fetch} makes). */
export interface WriteOptions {
  /** Milliseconds until the entry is stale (Rails' `expires_in`). */
  expiresIn?: number;
  /** Version the entry belongs to (Rails' `version:`); see `recordCacheKey`. */
  version?: string;
  /**
   * Milliseconds an expired entry may still be served while one caller recomputes it (Rails'
   * `race_condition_ttl`). The store keeps entries this much longer than `expiresIn`.
   */
  raceConditionTtl?: number;
}

/** Options of {@link Cache.fetch}. */
export interface FetchOptions extends WriteOptions {
  /** Skip the read and run the loader (Rails' `force: true`), e.g. in a warming job. */
  force?: boolean;
  /** Do not cache a `null` result (Rails' `skip_nil: true`): a record that is missing now may exist later. */
  skipNil?: boolean;
  /**
   * Probabilistic early expiration (XFetch, Vattani et al., VLDB 2015): the closer an entry is to
   * its expiry, and the longer its loader took, the likelier a read recomputes it early, so one
   * caller refreshes a hot key before it expires instead of all of them after. `beta` 1 is the
   * paper's choice; more means earlier.
   */
  earlyExpiration?: { beta: number };
}

/** Counters for hit-ratio graphs (chapter 7): what this cache did since it was created. */
export interface CacheStats {
  namespace: string;
  /** Reads answered from the cache. */
  hits: number;
  /** Reads that found nothing usable (missing, expired, another version). */
  misses: number;
  /** Fetches that waited for the same key's loader, already running in this process. */
  coalesced: number;
  /** Entries written. */
  writes: number;
  /** Keys deleted. */
  deletes: number;
  /** Store failures survived (each also went to `onError`). */
  errors: number;
}

/** What `fetch` runs on a miss: returns the value to cache, or a promise of it. */
export type Loader<T> = () => T | Promise<T>;

/** A fetch of one key that is under way in this process. */
interface InFlight {
  result: Promise<unknown>;
  /** An expired entry inside its race window: what other callers get while this one recomputes. */
  stale?: { value: unknown };
}

/**
 * The cache. One instance per store and namespace; share it across the app.
 *
 * @example
 * ```ts
 * const cache = new Cache({ store: new RedisStore(await connectCacheRedis(url), 'cache') });
 * const product = await cache.fetch(`products/${id}`, { expiresIn: 5 * 60_000, skipNil: true }, () =>
 *   db.product.findUnique({ where: { id }, include: { category: true } }),
 * );
 * ```
 */
export class Cache {
  private readonly store: CacheStore;
  private readonly defaultExpiresIn: number;
  private readonly onError: (failure: CacheFailure) => void;
  private readonly now: () => Date;
  private readonly random: () => number;
  private readonly maxKeyBytes: number;
  private readonly inFlight = new Map<string, InFlight>();
  private readonly counters: Omit<CacheStats, 'namespace'> = { hits: 0, misses: 0, coalesced: 0, writes: 0, deletes: 0, errors: 0 };

  /** Creates a cache on `options.store`. */
  constructor(options: CacheOptions) {
    this.store = options.store;
    this.defaultExpiresIn = checkDuration('expiresIn', options.expiresIn ?? DEFAULT_EXPIRES_IN_MS);
    this.onError = options.onError ?? (() => {});
    this.now = options.now ?? (() => new Date());
    this.random = options.random ?? Math.random;
    this.maxKeyBytes = options.maxKeyBytes ?? DEFAULT_MAX_KEY_BYTES;
  }

  /**
   * Returns the cached value for `key`; on a miss runs `loader`, caches what it returns and
   * returns it. Concurrent fetches of one key in this process share a single loader run.
   * A loader that throws caches nothing, and its error reaches every caller waiting on it.
   * When the store fails, the loader runs and its value is returned (`onError` is told).
   *
   * @throws CacheValueError when the loader returns something JSON cannot hold (undefined, a Date…).
   */
  async fetch<T>(key: string, options: FetchOptions, loader: Loader<T>): Promise<T> {
    const storeKey = this.key(key);
    checkWriteOptions(options);
    if (options.force) return this.load(storeKey, options, loader);

    const flightKey = `${storeKey}\u0000${options.version ?? ''}`;
    const flight = this.inFlight.get(flightKey);
    if (flight) {
      this.counters.coalesced++;
      return (flight.stale ? flight.stale.value : flight.result) as Promise<T> | T;
    }
    const started: InFlight = { result: Promise.resolve() };
    started.result = this.readThrough(storeKey, options, loader, started).finally(() => this.inFlight.delete(flightKey));
    this.inFlight.set(flightKey, started);
    return started.result as Promise<T>;
  }

  /** The cached value of `key` for `version`, or `undefined` when missing, expired or another version. */
  async read<T = Cacheable>(key: string, options: { version?: string } = {}): Promise<T | undefined> {
    const entry = await this.readEntry(this.key(key));
    const fresh = entry && this.matches(entry, options.version) && entry.expiresAt > this.now().getTime();
    this.counters[fresh ? 'hits' : 'misses']++;
    return fresh ? (entry.value as T) : undefined;
  }

  /**
   * Stores `value` under `key` until `expiresIn` (default: the cache's). Resolves to `false` when
   * the store failed (and `onError` was told), like Rails.
   *
   * @throws CacheValueError when JSON cannot hold `value`.
   */
  async write(key: string, value: unknown, options: WriteOptions = {}): Promise<boolean> {
    checkWriteOptions(options);
    return this.writeEntry(this.key(key), value, options);
  }

  /** Removes `key`; resolves to whether it was there (`false` too when the store failed). */
  async delete(key: string): Promise<boolean> {
    const storeKey = this.key(key);
    const deleted = await this.failsafe('delete', storeKey, () => this.store.delete(storeKey), false);
    if (deleted) this.counters.deletes++;
    return deleted;
  }

  /**
   * `fetch` for many keys in two round trips, Rails' `fetch_multi`: one read of all keys, one
   * `loader` call with the keys that missed (it returns their values in the same order), one
   * write of those values. Resolves to the values in the order of `keys`.
   */
  async fetchMulti<T>(
    keys: readonly string[],
    options: Omit<FetchOptions, 'version' | 'raceConditionTtl' | 'earlyExpiration'>,
    loader: (missing: string[]) => T[] | Promise<T[]>,
  ): Promise<T[]> {
    checkWriteOptions(options);
    const storeKeys = keys.map((key) => this.key(key));
    const now = this.now().getTime();
    const raw = options.force ? [] : await this.failsafe('read', storeKeys.join(' '), () => this.store.getMany(storeKeys), []);
    const values = new Map<string, T>();
    raw.forEach((text, index) => {
      const entry = text === undefined ? undefined : parseEntry(text);
      if (entry && entry.version === undefined && entry.expiresAt > now) values.set(keys[index]!, entry.value as T);
    });
    const missing = [...new Set(keys.filter((key) => !values.has(key)))];
    this.counters.hits += keys.length - missing.length;
    this.counters.misses += missing.length;
    if (missing.length > 0) {
      const loaded = await loader(missing);
      if (!Array.isArray(loaded) || loaded.length !== missing.length) {
        throw new TypeError(`fetchMulti's loader must return ${missing.length} values, one per missing key, in order`);
      }
      missing.forEach((key, index) => values.set(key, loaded[index]!));
      await this.writeMulti(
        missing.flatMap((key, index) => (loaded[index] === null && options.skipNil ? [] : [{ key, value: loaded[index]! }])),
        options,
      );
    }
    return keys.map((key) => values.get(key)!);
  }

  /**
   * Writes many entries in one round trip (a Redis pipeline), e.g. to warm the cache after an
   * import. Each entry may carry its own version.
   *
   * @throws CacheValueError when JSON cannot hold one of the values (nothing is written then).
   */
  async writeMulti(entries: readonly { key: string; value: unknown; version?: string }[], options: Omit<WriteOptions, 'version'> = {}): Promise<boolean> {
    checkWriteOptions(options);
    const writes = entries.map(({ key, value, version }) => {
      const storeKey = this.key(key);
      return { key: storeKey, ...this.prepare(storeKey, value, { ...options, version }) };
    });
    if (writes.length === 0) return true;
    const ok = await this.failsafe('write', writes.map((w) => w.key).join(' '), () => this.store.setMany(writes).then(() => true), false);
    if (ok) this.counters.writes += writes.length;
    return ok;
  }

  /** Deletes every key matching a glob such as `products/*` (SCAN and UNLINK on Redis, never KEYS). */
  async deleteMatched(pattern: string): Promise<number> {
    const deleted = await this.failsafe('delete', pattern, () => this.store.deleteMatched(pattern), 0);
    this.counters.deletes += deleted;
    return deleted;
  }

  /**
   * Adds `by` to a counter and resolves to its new value, or `undefined` when the store failed.
   * A new counter expires after `expiresIn` (default: the cache's); counting does not extend it,
   * so `increment('signups/2026-11-27', 1, { expiresIn: day })` counts for one day.
   * Counters are not entries: read them back with `increment(key, 0)`.
   */
  async increment(key: string, by = 1, options: { expiresIn?: number } = {}): Promise<number | undefined> {
    if (!Number.isInteger(by)) throw new RangeError(`increment: by must be a whole number, got ${by}`);
    const ttl = checkDuration('expiresIn', options.expiresIn ?? this.defaultExpiresIn);
    const storeKey = this.key(key);
    return this.failsafe('increment', storeKey, () => this.store.increment(storeKey, by, ttl), undefined);
  }

  /** Hit, miss, write and error counts so far, with the store's namespace. */
  stats(): CacheStats {
    return { namespace: this.store.namespace, ...this.counters };
  }

  private key(key: string): string {
    return normalizeKey(key, this.maxKeyBytes);
  }

  private async readThrough<T>(storeKey: string, options: FetchOptions, loader: Loader<T>, flight: InFlight): Promise<T> {
    const entry = await this.readEntry(storeKey);
    const now = this.now().getTime();
    if (entry && this.matches(entry, options.version)) {
      if (entry.expiresAt > now && !this.expiresEarly(entry, now, options)) {
        this.counters.hits++;
        return entry.value as T;
      }
      const race = options.raceConditionTtl;
      if (race && entry.expiresAt <= now && now - entry.expiresAt <= race) {
        // Rails' race_condition_ttl: push the stale entry's expiry forward a little, so that
        // readers elsewhere keep getting it while this caller recomputes; in this process,
        // callers that arrive meanwhile get it too.
        flight.stale = { value: entry.value };
        await this.writeEntry(storeKey, entry.value, { expiresIn: race, version: entry.version, raceConditionTtl: race }, entry.computeMs);
      }
    }
    this.counters.misses++;
    return this.load(storeKey, options, loader);
  }

  private async load<T>(storeKey: string, options: FetchOptions, loader: Loader<T>): Promise<T> {
    const started = this.now().getTime();
    const value = await loader();
    if (value === null && options.skipNil) return value;
    await this.writeEntry(storeKey, value, options, this.now().getTime() - started);
    return value;
  }

  /** XFetch: recompute early when `now - computeMs * beta * ln(random)` has reached the expiry. */
  private expiresEarly(entry: CacheEntry, now: number, options: FetchOptions): boolean {
    if (!options.earlyExpiration || !entry.computeMs) return false;
    return now - entry.computeMs * options.earlyExpiration.beta * Math.log(this.random()) >= entry.expiresAt;
  }

  private matches(entry: CacheEntry, version: string | undefined): boolean {
    return (entry.version ?? undefined) === (version ?? undefined);
  }

  private async readEntry(storeKey: string): Promise<CacheEntry | undefined> {
    const raw = await this.failsafe('read', storeKey, () => this.store.get(storeKey), undefined);
    return raw === undefined ? undefined : parseEntry(raw);
  }

  private prepare(storeKey: string, value: unknown, options: WriteOptions, computeMs?: number): { value: string; ttlMs: number } {
    const expiresIn = options.expiresIn ?? this.defaultExpiresIn;
    const entry = { value, expiresAt: this.now().getTime() + expiresIn, version: options.version, computeMs };
    // The store keeps an entry for its race window too, so that it still exists, expired, to be served.
    return { value: serializeEntry(storeKey, entry), ttlMs: expiresIn + (options.raceConditionTtl ?? 0) };
  }

  private async writeEntry(storeKey: string, value: unknown, options: WriteOptions, computeMs?: number): Promise<boolean> {
    const { value: text, ttlMs } = this.prepare(storeKey, value, options, computeMs);
    const ok = await this.failsafe('write', storeKey, () => this.store.set(storeKey, text, ttlMs).then(() => true), false);
    if (ok) this.counters.writes++;
    return ok;
  }

  /** Rails' `failsafe`: a store error becomes `fallback`, reported to `onError`, never thrown. */
  private async failsafe<R>(operation: CacheFailure['operation'], key: string, action: () => Promise<R>, fallback: R): Promise<R> {
    try {
      return await action();
    } catch (error) {
      this.counters.errors++;
      try {
        this.onError({ operation, key, error });
      } catch {
        // A throwing error handler must not turn a cache failure into a request failure.
      }
      return fallback;
    }
  }
}

function checkWriteOptions(options: WriteOptions & { earlyExpiration?: { beta: number } }): void {
  if (options.expiresIn !== undefined) checkDuration('expiresIn', options.expiresIn);
  if (options.raceConditionTtl !== undefined) checkDuration('raceConditionTtl', options.raceConditionTtl);
  const beta = options.earlyExpiration?.beta;
  if (beta !== undefined && !(Number.isFinite(beta) && beta > 0)) throw new RangeError(`earlyExpiration.beta must be a positive number, got ${beta}`);
}

/** Durations are whole, positive milliseconds: an entry that never expires is the stale-data bug of K7. */
function checkDuration(name: string, ms: number): number {
  if (!Number.isInteger(ms) || ms < 1) {
    throw new RangeError(`${name} must be a whole number of milliseconds, 1 or more (got ${ms}); every cache entry expires`);
  }
  return ms;
}
