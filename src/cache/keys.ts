/**
 * Cache keys: shortening the over-long ones, and the stable key plus version of a record.
 *
 * @module Cache/Keys and versions
 */
import { createHash } from 'node:crypto';

/** Keys longer than this many bytes are shortened by {@link normalizeKey} (Rails' `max_key_size` idea). */
export const DEFAULT_MAX_KEY_BYTES = 1024;

/**
 * Returns `key` unchanged when it fits in `maxBytes`; otherwise keeps its readable start and
 * replaces the rest with `:hash:` and the SHA-256 of the whole key, so two long keys that share a
 * prefix still differ, and the same long key always maps to the same short one.
 *
 * @throws TypeError for an empty key.
 */
export function normalizeKey(key: string, maxBytes = DEFAULT_MAX_KEY_BYTES): string {
  if (typeof key !== 'string' || key.length === 0) throw new TypeError('A cache key must be a non-empty string');
  if (Buffer.byteLength(key) <= maxBytes) return key;
  const digest = `:hash:${createHash('sha256').update(key).digest('hex')}`;
  const room = Math.max(0, maxBytes - digest.length);
  // Cutting bytes can split a multi-byte character; drop the half character that leaves.
  const start = Buffer.from(key).subarray(0, room).toString('utf8').replace(/\uFFFD+$/, '');
  return start + digest;
}

/** A record's recyclable cache key and its version (see {@link recordCacheKey}). */
export interface RecordCacheKey {
  /** Stable for the record's whole life, e.g. `products/5`. */
  key: string;
  /** Changes whenever the record does: its `updatedAt`. */
  version: string;
}

/**
 * Rails' `cache_key` and `cache_version` (recyclable keys, Rails 5.2+): the key names the record
 * and never changes, the version is its `updatedAt`. Pass both to `cache.fetch(key, { version })`:
 * an entry written for another version is a miss, and the new write replaces it under the same
 * key, so an update leaves no orphaned key behind.
 */
export function recordCacheKey(collection: string, record: { id: number | string; updatedAt: Date }): RecordCacheKey {
  return { key: `${collection}/${record.id}`, version: record.updatedAt.toISOString() };
}
