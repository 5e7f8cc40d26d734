/**
 * Connects a Prisma client to the helper.
 *
 * Two sources, because neither alone tells the whole story in Prisma 7:
 * - the client's `query` event (`log: [{ emit: 'event', level: 'query' }]`) gives every SQL
 *   statement with its parameters and duration, on SQLite and PostgreSQL alike, but its stack
 *   holds only Prisma's internals;
 * - so {@link watchQueries} also returns a thin proxy that notes, when your code calls
 *   `db.user.findUnique(...)`, which model and method it was and where the call came from.
 *   Everything else passes straight through to the real client.
 *
 * @module
 */
import { captureCallSite, type CallSite } from './call-site.js';
import { queryContext, type QueryContext } from './scope.js';
import type { PrismaOperation } from './statement.js';
import { trackIncludes } from './unused-includes.js';

/**
 * The client options that make Prisma emit its statements as events. Pass them when creating the
 * client: `createDatabase(url, queryLogOptions)` or `new PrismaClient({ adapter, ...queryLogOptions })`.
 */
export const queryLogOptions: { log: { emit: 'event'; level: 'query' }[] } = { log: [{ emit: 'event', level: 'query' }] };

/** The part of a Prisma client the helper listens to. */
interface QueryEventSource {
  $on(event: 'query', listener: (event: { query: string; params: string; duration: number }) => void): unknown;
}

type PrismaPromiseLike = Promise<unknown> & { requestTransaction?: unknown };

const listening = new WeakSet<object>();
const watched = new WeakMap<object, object>();

/**
 * Returns `db` wired to the helper: statements sent inside a query scope are recorded with their
 * model, method and call site. Outside any scope the helper does nothing but pass calls through.
 *
 * The result has the same type as `db` and may be used anywhere `db` is. Watching the same client
 * twice returns the same wrapper.
 *
 * @param db a Prisma client created with {@link queryLogOptions} (not a `$extends` result:
 *   extended clients have no `$on`; watch the base client and extend the result instead)
 * @throws Error when `db` cannot emit its queries.
 */
export function watchQueries<T extends object>(db: T): T {
  const known = watched.get(db);
  if (known) return known as T;
  listen(db);
  const proxy = watchModels(db);
  watched.set(db, proxy);
  return proxy;
}

function listen(db: object): void {
  if (listening.has(db)) return;
  if (typeof (db as Partial<QueryEventSource>).$on !== 'function') {
    throw new Error('watchQueries() needs a Prisma client with $on(): pass the base client, not the result of $extends().');
  }
  const config = (db as { _engineConfig?: { logQueries?: boolean } })._engineConfig;
  if (config && !config.logQueries) {
    throw new Error(
      'watchQueries() needs the client to emit its SQL: create it with `log: [{ emit: "event", level: "query" }]`, ' +
        'e.g. createDatabase(url, queryLogOptions).',
    );
  }
  (db as QueryEventSource).$on('query', (event) => {
    const context = queryContext.getStore();
    if (!context) return;
    context.scope.record({
      sql: event.query,
      params: event.params,
      durationMs: event.duration,
      operation: context.operation,
    });
  });
  listening.add(db);
}

/** Wraps a client (or an interactive-transaction client) so model calls carry their call site. */
function watchModels<T extends object>(client: T): T {
  const cache = new Map<PropertyKey, unknown>();
  return new Proxy(client, {
    get(target, property) {
      if (cache.has(property)) return cache.get(property);
      const value: unknown = Reflect.get(target, property, target);
      let wrapped = value;
      if (property === '$transaction' && typeof value === 'function') {
        wrapped = watchTransactions(target, value as (...args: unknown[]) => unknown);
      } else if (typeof value === 'function') {
        wrapped = value.bind(target);
      } else if (typeof property === 'string' && !property.startsWith('$') && !property.startsWith('_') && isDelegate(value)) {
        wrapped = watchDelegate(value, property.charAt(0).toUpperCase() + property.slice(1));
      }
      cache.set(property, wrapped);
      return wrapped;
    },
  });
}

function isDelegate(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { findMany?: unknown }).findMany === 'function';
}

function watchTransactions(client: object, transaction: (...args: unknown[]) => unknown) {
  return (first: unknown, ...rest: unknown[]) =>
    typeof first === 'function'
      ? transaction.call(client, (tx: object) => (first as (tx: object) => unknown)(watchModels(tx)), ...rest)
      : transaction.call(client, first, ...rest);
}

function watchDelegate(delegate: Record<string, unknown>, model: string): Record<string, unknown> {
  const methods = new Map<PropertyKey, unknown>();
  return new Proxy(delegate, {
    get(target, property) {
      const known = methods.get(property);
      if (known) return known;
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      const method = value as (...args: unknown[]) => unknown;
      const watchedMethod = function (this: unknown, ...args: unknown[]): unknown {
        const result = method.apply(target, args);
        const context = queryContext.getStore();
        if (!context || !isPrismaPromise(result)) return result;
        const operation: PrismaOperation = { model, operation: property, callSite: sampleCallSite(context, model, property, watchedMethod) };
        const include = (args[0] as { include?: unknown } | undefined)?.include;
        return runWhenAwaited(result, { scope: context.scope, operation }, include);
      };
      methods.set(property, watchedMethod);
      return watchedMethod;
    },
  });
}

/** How many calls of one model method per scope get their stack captured; see {@link sampleCallSite}. */
const CALL_SITES_PER_METHOD = 5;
const NO_CALL_SITE: CallSite = { frames: [] };

/**
 * Capturing a stack is the helper's biggest cost (tens of microseconds in a deep async stack).
 * A loop calls the same method from the same line every time, so the first few calls of each
 * model method in a scope are enough to point at it; later calls share no stack.
 */
function sampleCallSite(context: QueryContext, model: string, method: string, skip: Function): CallSite {
  const key = `${model}.${method}`;
  const seen = context.scope.callSitesTaken.get(key) ?? 0;
  if (seen >= CALL_SITES_PER_METHOD) return NO_CALL_SITE;
  context.scope.callSitesTaken.set(key, seen + 1);
  return captureCallSite(skip);
}

function isPrismaPromise(value: unknown): value is PrismaPromiseLike {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/**
 * A Prisma query starts when its promise is first awaited (`then`, `catch` or `finally`). Making
 * that call inside the operation's context lets the query event see the operation.
 */
function runWhenAwaited(promise: PrismaPromiseLike, context: QueryContext, include: unknown): PrismaPromiseLike {
  const { then, catch: catchFn, finally: finallyFn } = promise;
  const operation = context.operation!;
  const tracked =
    include && typeof include === 'object' && context.scope.options.unusedIncludes
      ? (value: unknown) => {
          context.scope.includes.push(...trackIncludes(value, include as Record<string, unknown>, operation));
          return value;
        }
      : undefined;
  try {
    Object.assign(promise, {
      then(onFulfilled?: (v: unknown) => unknown, onRejected?: (e: unknown) => unknown) {
        return queryContext.run(context, () =>
          tracked ? then.call(promise, tracked).then(onFulfilled, onRejected) : then.call(promise, onFulfilled, onRejected),
        );
      },
      catch(onRejected?: (e: unknown) => unknown) {
        return queryContext.run(context, () => (tracked ? then.call(promise, tracked).catch(onRejected) : catchFn.call(promise, onRejected)));
      },
      finally(onFinally?: () => void) {
        return queryContext.run(context, () => (tracked ? then.call(promise, tracked).finally(onFinally) : finallyFn.call(promise, onFinally)));
      },
    });
  } catch {
    // Should a future Prisma freeze its promises, statements are still counted, only without a call site.
  }
  return promise;
}
