/**
 * Job payloads must be plain JSON: the Sidekiq rule "pass ids, not objects", enforced.
 *
 * BullMQ stores `data` with `JSON.stringify`. Whatever JSON cannot hold is lost without a word:
 * a `Date` comes back as a string, a `Map` as `{}`, `undefined` disappears, a class instance
 * loses its methods, and a Prisma record is a snapshot that is stale by the time the job runs.
 * {@link assertJobData} turns each of those silent losses into an error before the job is added.
 *
 * @module Jobs/Job data checks
 */

/** A value that survives `JSON.stringify` and `JSON.parse` unchanged. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * Throws unless `data` is plain JSON data: objects (with no prototype but `Object`), arrays,
 * strings, finite numbers, booleans and null.
 *
 * @throws TypeError naming the path of the first offending value, e.g. `data.user.createdAt is a Date`.
 */
export function assertJobData(data: unknown): asserts data is JsonValue {
  const problem = findNonJson(data, 'data');
  if (problem) {
    throw new TypeError(
      `Job ${problem}. Job data must be plain JSON: pass ids (e.g. { userId: user.id }) and load the record inside the job.`,
    );
  }
}

/**
 * Describes the first value inside `value` that JSON would silently change, as
 * `"<path> is <what>"` (e.g. `value.createdAt is a Date, which JSON cannot rebuild`), or returns
 * `undefined` when `value` is plain JSON. The cache (chapter 5) refuses such values the same way.
 */
export function findNonJson(value: unknown, path: string, seen = new Set<object>()): string | undefined {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : `${path} is ${value}, which JSON turns into null`;
  if (typeof value !== 'object') {
    return `${path} is ${typeof value === 'undefined' ? 'undefined, which JSON drops' : `a ${typeof value}`}`;
  }
  if (seen.has(value)) return `${path} is a circular reference`;
  seen.add(value);
  try {
    if (Array.isArray(value)) {
      for (const [index, item] of value.entries()) {
        const problem = findNonJson(item, `${path}[${index}]`, seen);
        if (problem) return problem;
      }
      return undefined;
    }
    const prototype = Object.getPrototypeOf(value);
    if (prototype !== Object.prototype && prototype !== null) {
      return `${path} is a ${value.constructor?.name ?? 'class instance'}, which JSON cannot rebuild`;
    }
    for (const [key, item] of Object.entries(value)) {
      const problem = findNonJson(item, `${path}.${key}`, seen);
      if (problem) return problem;
    }
    return undefined;
  } finally {
    seen.delete(value);
  }
}
