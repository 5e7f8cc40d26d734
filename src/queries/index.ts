/**
 * The query-counting helper: Bullet for Prisma.
 *
 * It records every SQL statement a Prisma client sends inside a *query scope* (a block, an HTTP
 * request, a BullMQ job, a test), flags the same statement shape run again and again from one
 * place (N+1 reads, counts per row, writes per row), the same row read again and again, and
 * optionally unused `include`s, each with the call site in your code and a fix that names the
 * relation, and checks query budgets in tests.
 *
 * ```ts
 * const db = watchQueries(await createDatabase(url, queryLogOptions));
 * const { report } = await runQueryScope(() => listFeed(db), { mode: 'collect' });
 * await expectQueries({ atMost: 2 }, () => listFeed(db));
 * ```
 *
 * @module N+1 queries
 */
export { expectNoNPlusOne, expectNoQueries, expectQueries, QueryBudgetError, type QueryBudget } from './budget.js';
export { withQueryReport, type JobQueryReportOptions } from './bullmq.js';
export { captureCallSite, describeCallSite, projectFrames, type CallSite } from './call-site.js';
export {
  DEFAULT_THRESHOLD,
  detectProblems,
  type DetectionOptions,
  type ProblemKind,
  type QueryProblem,
  type SafelistEntry,
} from './detect.js';
export { reportingByDefault } from './enabled.js';
export { queryReportMiddleware, type QueryReportMiddlewareOptions } from './express.js';
export { formatProblem, formatReport, NPlusOneError, summarizeReport, type QueryReport } from './report.js';
export {
  currentQueryScope,
  finishScope,
  openScopeCount,
  QueryScope,
  runQueryScope,
  type DetectionMode,
  type QueryScopeOptions,
  type ScopeOutcome,
} from './scope.js';
export {
  displayShape,
  isTransactionControl,
  kindOf,
  shapeOf,
  tableOf,
  type PrismaOperation,
  type QueryStatement,
  type StatementKind,
} from './statement.js';
export type { IncludeUsage } from './unused-includes.js';
export { queryLogOptions, watchQueries } from './watch.js';
