/**
 * Job payloads must be plain JSON: the Sidekiq rule "pass ids, not objects", enforced.
 *
 * BullMQ stores `data` with `JSON.stringify`. Whatever JSON cannot hold is lost without a word:
 * a `Date` comes back as a string, a `Map` as `{}`, `undefined` disappears, a class instance
 * loses its methods, and a Prisma record is a snapshot that is stale by the time the job runs.
 * {@link assertJobData} turns each of those silent losses into an error before the job is added.
 *
 * @module
 */

/** A value that survives `JSON.stringify` and `JSON.parse` unchanged. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * Throws unless `data` is plain JSON data: objects (with no prototype but `Object`), arrays,
 * strings, finite numbers, booleans and null.
 *
 * @throws TypeError naming the path of the first offending value, e.g. `data.user.createdAt is a Date`.
 */
export function assertJobData(data: unknown, path = 'data', seen = new Set<object>()): asserts data is JsonValue {
  if (data === null || typeof data === 'string' || typeof data === 'boolean') return;
  if (typeof data === 'number') {
    if (Number.isFinite(data)) return;
    throw rejection(path, `${data}, which JSON turns into null`);
  }
  if (typeof data !== 'object') throw rejection(path, `${typeof data === 'undefined' ? 'undefined, which JSON drops' : `a ${typeof data}`}`);
  if (seen.has(data)) throw rejection(path, 'a circular reference');
  seen.add(data);
  if (Array.isArray(data)) {
    data.forEach((item, index) => assertJobData(item, `${path}[${index}]`, seen));
  } else {
    const prototype = Object.getPrototypeOf(data);
    if (prototype !== Object.prototype && prototype !== null) {
      throw rejection(path, `a ${data.constructor?.name ?? 'class instance'}, which JSON cannot rebuild`);
    }
    for (const [key, value] of Object.entries(data)) assertJobData(value, `${path}.${key}`, seen);
  }
  seen.delete(data);
}

function rejection(path: string, what: string): TypeError {
  return new TypeError(
    `Job ${path} is ${what}. Job data must be plain JSON: pass ids (e.g. { userId: user.id }) and load the record inside the job.`,
  );
}
