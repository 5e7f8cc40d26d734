/**
 * Express middleware: one query scope per HTTP request, a log line when the response is done,
 * and (in development) the query count as a response header — what Bullet's footer and
 * rack-mini-profiler show a Rails developer.
 *
 * @module N+1 queries/Per-request scope
 */
import type { Request, RequestHandler, Response } from 'express';
import type { DetectionOptions } from './detect.js';
import { reportingByDefault } from './enabled.js';
import { formatReport, type QueryReport } from './report.js';
import { currentQueryScope, finishScope, queryContext, QueryScope } from './scope.js';

/** Options of {@link queryReportMiddleware}. */
export interface QueryReportMiddlewareOptions extends DetectionOptions {
  /**
   * Whether to report at all. Defaults to `true` unless `NODE_ENV` is `production`; when `false`
   * the middleware only calls `next()`: no scope, no header, no log line, no cost.
   */
  enabled?: boolean;
  /**
   * Response header that carries the request's query count, or `false` for none. Defaults to
   * `X-Query-Count` unless `NODE_ENV` is `production`.
   */
  header?: string | false;
  /** Where the per-request line (and any problems) go; `console.info` when not given. */
  log?: (message: string) => void;
  /** Called with each request's report, e.g. to feed metrics. */
  onReport?: (report: QueryReport, req: Request, res: Response) => void;
}

/**
 * Reports the queries of every request. Mount it before your routes:
 * `app.use(queryReportMiddleware())`. Problems are logged, never thrown: a request that has
 * already been answered cannot fail any more. Off in production unless `enabled: true`.
 */
export function queryReportMiddleware(options: QueryReportMiddlewareOptions = {}): RequestHandler {
  if (!(options.enabled ?? reportingByDefault())) return (_req, _res, next) => next();
  const header = options.header ?? (process.env.NODE_ENV === 'production' ? false : 'X-Query-Count');
  const log = options.log ?? console.info;
  return (req, res, next) => {
    const scope = new QueryScope({ ...options, label: `${req.method} ${req.originalUrl}`, mode: 'collect' }, currentQueryScope());
    if (header) {
      const writeHead = res.writeHead;
      // The count must be set at the last moment before the headers leave: that is writeHead.
      res.writeHead = function (this: Response, ...args: unknown[]) {
        if (!res.headersSent) res.setHeader(header, String(scope.statements.length));
        return (writeHead as (...a: unknown[]) => Response).apply(this, args);
      } as Response['writeHead'];
    }
    const done = () => {
      if (scope.closed) return;
      const report = finishScope(scope);
      log(formatReport({ ...report, label: `${report.label} ${res.statusCode}` }));
      options.onReport?.(report, req, res);
    };
    res.once('finish', done);
    // A request the client abandoned never finishes; its scope must still close.
    res.once('close', done);
    queryContext.run({ scope }, () => next());
  };
}
