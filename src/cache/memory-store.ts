/**
 * The in-process store, Rails' `MemoryStore`: fast, private to one process, bounded in size.
 *
 * @module Cache/Memory store
 */
import { LRUCache } from 'lru-cache';
import type { CacheStore, StoreWrite } from './store.js';

/** Options of {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /** Label for stats and logs (nothing else shares this store). Default `'memory'`. */
  namespace?: string;
  /** Upper bound on the bytes of keys and entries kept, like MemoryStore's `size:` (default 32 MiB). */
  maxBytes?: number;
  /** The clock the store's expiry follows; tests pass a fake one. */
  now?: () => Date;
}

/**
 * Keeps entries in this process with least-recently-used eviction once `maxBytes` is reached, on
 * lru-cache (the library most Node caches, bentocache's L1 among them, are built on).
 *
 * Entries are stored as JSON strings and parsed on every read, so each caller gets its own copy:
 * changing a value you read never changes what the next reader gets (Rails dups for the same reason).
 */
export class MemoryStore implements CacheStore {
  readonly namespace: string;
  private readonly entries: LRUCache<string, string>;

  /** Creates an empty store. */
  constructor({ namespace = 'memory', maxBytes = 32 * 1024 * 1024, now = () => new Date() }: MemoryStoreOptions = {}) {
    this.namespace = namespace;
    this.entries = new LRUCache<string, string>({
      maxSize: maxBytes,
      sizeCalculation: (value, key) => Buffer.byteLength(value) + Buffer.byteLength(key),
      // Read the clock on every check, so a test that moves a fake clock sees expiry at once.
      perf: { now: () => now().getTime() },
      ttlResolution: 0,
    });
  }

  async get(key: string): Promise<string | undefined> {
    return this.entries.get(key);
  }

  async getMany(keys: readonly string[]): Promise<(string | undefined)[]> {
    return keys.map((key) => this.entries.get(key));
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    this.entries.set(key, value, { ttl: ttlMs });
  }

  async setMany(writes: readonly StoreWrite[]): Promise<void> {
    for (const { key, value, ttlMs } of writes) this.entries.set(key, value, { ttl: ttlMs });
  }

  async delete(key: string): Promise<boolean> {
    return this.entries.delete(key);
  }

  async deleteMatched(pattern: string): Promise<number> {
    const matcher = globToRegExp(pattern);
    let deleted = 0;
    for (const key of [...this.entries.keys()]) {
      if (matcher.test(key) && this.entries.delete(key)) deleted++;
    }
    return deleted;
  }

  async increment(key: string, by: number, ttlMs: number): Promise<number> {
    const current = this.entries.get(key);
    const next = (current === undefined ? 0 : Number(current)) + by;
    if (!Number.isInteger(next)) throw new TypeError(`The value under "${key}" is not a counter`);
    // A counter keeps the expiry it was created with, like `EXPIRE … NX` on Redis.
    this.entries.set(key, String(next), current === undefined ? { ttl: ttlMs } : { noUpdateTTL: true });
    return next;
  }
}

/** Redis' glob syntax (`*`, `?`, `[…]`, `\` escapes) as a RegExp over the whole key. */
function globToRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    if (char === '*') source += '.*';
    else if (char === '?') source += '.';
    else if (char === '\\' && i + 1 < pattern.length) source += escapeRegExp(pattern[++i]!);
    else if (char === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end === -1) source += '\\[';
      else {
        const body = pattern.slice(i + 1, end).replace(/\\/g, '\\\\');
        source += `[${body.startsWith('^') ? `^${body.slice(1)}` : body}]`;
        i = end;
      }
    } else source += escapeRegExp(char);
  }
  return new RegExp(`^${source}$`, 's');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
