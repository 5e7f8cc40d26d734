/**
 * Connects a Prisma client to the helper.
 *
 * Two sources, because neither alone tells the whole story in Prisma 7:
 * - the client's `query` event (`log: [{ emit: 'event', level: 'query' }]`) gives every SQL
 *   statement with its parameters and duration, on SQLite and PostgreSQL alike;
 * - Prisma's request path gives, for every call, the model, the method, the arguments and the
 *   stack Prisma takes anyway for its error messages, and decides which calls share a statement
 *   (see `request-attribution.ts`).
 *
 * Nothing is wrapped per model call: the only thing `watchQueries` adds on top of the client is a
 * call site for raw queries (Prisma takes their stack too late to show your line), kept through
 * `$transaction` and `$extends`.
 *
 * @module N+1 queries/Watching a client
 */
import { captureCallSite, type CallSite } from './call-site.js';
import { SchemaRelations } from './relations.js';
import { attributeRequests, type ClientInfo } from './request-attribution.js';
import { queryContext } from './scope.js';

/**
 * The client options that make Prisma emit its statements as events. Pass them when creating the
 * client: `createDatabase(url, queryLogOptions)` or `new PrismaClient({ adapter, ...queryLogOptions })`.
 */
export const queryLogOptions: { log: { emit: 'event'; level: 'query' }[] } = { log: [{ emit: 'event', level: 'query' }] };

/** The part of a Prisma client the helper listens to. */
interface QueryEventSource {
  $on(event: 'query', listener: (event: { query: string; params: string; duration: number }) => void): unknown;
}

type PrismaPromiseLike = Promise<unknown> & { requestTransaction?: (...args: unknown[]) => unknown };

const RAW_METHODS = new Set(['$queryRaw', '$queryRawUnsafe', '$executeRaw', '$executeRawUnsafe', '$queryRawTyped']);
const listening = new WeakSet<object>();
const watched = new WeakMap<object, object>();

/**
 * Returns `db` wired to the helper: statements sent inside a query scope are recorded with their
 * model, method and call site, and credited to the scope whose code caused them. Outside any
 * scope the helper does nothing but pass calls through.
 *
 * The result has the same type as `db` and may be used anywhere `db` is; so may `db` itself,
 * except that raw queries sent through `db` carry no call site. Watching the same client twice
 * returns the same wrapper.
 *
 * @param db a Prisma client created with {@link queryLogOptions} (not a `$extends` result:
 *   extended clients have no `$on`; watch the base client and extend the result instead)
 * @throws Error when `db` cannot emit its queries.
 */
export function watchQueries<T extends object>(db: T): T {
  const known = watched.get(db);
  if (known) return known as T;
  listen(db);
  const proxy = watchClient(db);
  watched.set(db, proxy);
  return proxy;
}

function listen(db: object): void {
  if (listening.has(db)) return;
  if (typeof (db as Partial<QueryEventSource>).$on !== 'function') {
    throw new Error('watchQueries() needs a Prisma client with $on(): pass the base client, not the result of $extends().');
  }
  const config = (db as { _engineConfig?: { logQueries?: boolean; inlineSchema?: string } })._engineConfig;
  if (config && !config.logQueries) {
    throw new Error(
      'watchQueries() needs the client to emit its SQL: create it with `log: [{ emit: "event", level: "query" }]`, ' +
        'e.g. createDatabase(url, queryLogOptions).',
    );
  }
  const info: ClientInfo = {
    schema: new SchemaRelations(config?.inlineSchema),
    errorFormat: (db as { _errorFormat?: string })._errorFormat,
  };
  attributeRequests(db, info);
  (db as QueryEventSource).$on('query', (event) => {
    const context = queryContext.getStore();
    if (context === undefined) return;
    if (context.batch !== undefined) context.batch.add(event.query, event.params, event.duration);
    else context.scope.record({ sql: event.query, params: event.params, durationMs: event.duration, operation: context.operation });
  });
  listening.add(db);
}

/** Wraps a client (an interactive-transaction client, an extended client) so raw queries carry their call site. */
function watchClient<T extends object>(client: T): T {
  const cache = new Map<PropertyKey, unknown>();
  return new Proxy(client, {
    get(target, property) {
      if (cache.has(property)) return cache.get(property);
      const value: unknown = Reflect.get(target, property, target);
      let wrapped = value;
      if (typeof value === 'function' && typeof property === 'string' && RAW_METHODS.has(property)) {
        wrapped = watchRaw(target, value as (...args: unknown[]) => unknown);
      } else if (property === '$transaction' && typeof value === 'function') {
        wrapped = watchTransactions(target, value as (...args: unknown[]) => unknown);
      } else if (property === '$extends' && typeof value === 'function') {
        wrapped = (...args: unknown[]) => watchClient((value as (...a: unknown[]) => object).apply(target, args));
      } else if (typeof value === 'function') {
        wrapped = value.bind(target);
      }
      cache.set(property, wrapped);
      return wrapped;
    },
  });
}

function watchTransactions(client: object, transaction: (...args: unknown[]) => unknown) {
  return (first: unknown, ...rest: unknown[]) =>
    typeof first === 'function'
      ? transaction.call(client, (tx: object) => (first as (tx: object) => unknown)(watchClient(tx)), ...rest)
      : transaction.call(client, first, ...rest);
}

/**
 * Raw queries: Prisma takes their stack when the query starts, after your code has moved on, so
 * the helper takes it at the call and hands it to the request when the promise is awaited (or
 * put in a `$transaction([...])`).
 */
function watchRaw(client: object, method: (...args: unknown[]) => unknown) {
  return function watchedRaw(...args: unknown[]): unknown {
    const result = method.apply(client, args);
    if (queryContext.getStore() === undefined || !isPrismaPromise(result)) return result;
    return withCallSite(result, captureCallSite(watchedRaw));
  };
}

function isPrismaPromise(value: unknown): value is PrismaPromiseLike {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/** Makes the calls that start the query (`then`, `catch`, `finally`, `requestTransaction`) carry `callSite`. */
function withCallSite(promise: PrismaPromiseLike, callSite: CallSite): PrismaPromiseLike {
  const starters = ['then', 'catch', 'finally', 'requestTransaction'] as const;
  try {
    for (const name of starters) {
      const start = promise[name] as ((...args: unknown[]) => unknown) | undefined;
      if (typeof start !== 'function') continue;
      Object.defineProperty(promise, name, {
        configurable: true,
        writable: true,
        value(...args: unknown[]) {
          const store = queryContext.getStore();
          if (store === undefined) return start.apply(promise, args);
          return queryContext.run({ scope: store.scope, callSite }, () => start.apply(promise, args));
        },
      });
    }
  } catch {
    // Should a future Prisma freeze its promises, the raw query is still counted, only without a call site.
  }
  return promise;
}
