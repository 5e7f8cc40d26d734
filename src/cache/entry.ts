/**
 * What the cache writes under a key: the value with its own expiry and version, as JSON.
 *
 * Rails keeps an `Entry` object with `expires_at` and `version` inside it, for two reasons this
 * workbook copies: `race_condition_ttl` must see that an entry has expired while it still exists,
 * and a recyclable key must tell one version of a record from the next.
 *
 * @module Cache/Entries
 */
import { findNonJson, type JsonValue } from '../jobs/job-data.js';

/** An entry as stored (`JSON.stringify` of this object). */
export interface CacheEntry {
  value: JsonValue;
  /** When the value stops being fresh, in ms since the epoch. */
  expiresAt: number;
  /** The version it was written for (see `recordCacheKey`), if any. */
  version?: string;
  /** How long the loader took, in ms: what early expiration weighs. */
  computeMs?: number;
}

/** Thrown when a value cannot be cached as it is, because JSON would change it. */
export class CacheValueError extends TypeError {
  override name = 'CacheValueError';
}

/**
 * Serializes an entry, refusing a value that JSON would silently change (a `Date`, a `BigInt`,
 * `undefined`, a `Map`, a class instance…), instead of storing something that reads back different.
 *
 * @throws CacheValueError naming the key and the offending path.
 */
export function serializeEntry(key: string, entry: Omit<CacheEntry, 'value'> & { value: unknown }): string {
  const problem = findNonJson(entry.value, 'value');
  if (problem) {
    throw new CacheValueError(
      `Cannot cache "${key}": ${problem}. Cache plain JSON: e.g. turn dates into ISO strings, or select only the fields you need.`,
    );
  }
  return JSON.stringify(entry);
}

/** Parses what {@link serializeEntry} wrote; `undefined` for anything else (e.g. a counter). */
export function parseEntry(raw: string): CacheEntry | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || !('value' in parsed) || !('expiresAt' in parsed)) return undefined;
  return typeof parsed.expiresAt === 'number' ? (parsed as CacheEntry) : undefined;
}
