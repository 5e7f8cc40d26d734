/**
 * Per-request timing in the browser's devtools, rack-mini-profiler style: a `Server-Timing`
 * response header with the request's total time and its database time and query count, taken
 * from the query helper of chapter 6.
 *
 * @module Monitoring/Server-Timing
 */
import type { RequestHandler, Response } from 'express';
import { currentQueryScope, QueryScope, queryContext } from '../queries/scope.js';

/** Options of {@link serverTiming}. */
export interface ServerTimingOptions {
  /** Monotonic milliseconds; tests pass a fake clock. */
  now?: () => number;
}

/**
 * Adds `Server-Timing: total;dur=<ms>, db;dur=<ms>;desc="<n> queries"` to every response.
 * `total` runs from the moment the middleware sees the request to the moment the headers
 * leave; `db` sums the duration Prisma reported for each statement, and counts them.
 *
 * Mount it before the routes. The database client must be watched
 * (`watchQueries(await createDatabase(url, queryLogOptions))`), or `db` stays at 0 queries.
 */
export function serverTiming({ now = () => performance.now() }: ServerTimingOptions = {}): RequestHandler {
  return (req, res, next) => {
    const started = now();
    const scope = new QueryScope({ label: `${req.method} ${req.originalUrl}`, mode: 'collect' }, currentQueryScope());
    const writeHead = res.writeHead;
    // The header must be written at the last moment before the headers leave: that is writeHead.
    res.writeHead = function (this: Response, ...args: unknown[]) {
      if (!res.headersSent) res.append('Server-Timing', formatServerTiming(now() - started, scope));
      return (writeHead as (...a: unknown[]) => Response).apply(this, args);
    } as Response['writeHead'];
    queryContext.run({ scope }, () => next());
  };
}

/** The header value for a request that took `totalMs` and ran `scope`'s statements. */
export function formatServerTiming(totalMs: number, scope: Pick<QueryScope, 'statements'>): string {
  const dbMs = scope.statements.reduce((sum, statement) => sum + statement.durationMs, 0);
  const count = scope.statements.length;
  return `total;dur=${totalMs.toFixed(1)}, db;dur=${dbMs.toFixed(1)};desc="${count} ${count === 1 ? 'query' : 'queries'}"`;
}
