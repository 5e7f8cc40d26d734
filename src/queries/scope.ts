/**
 * Query scopes: a unit of work (a block, an HTTP request, a job, a test) whose SQL statements
 * are collected and checked together.
 *
 * A scope follows the async context through Node's `AsyncLocalStorage`, the way Rails keeps
 * Bullet's state per request thread: two requests served at the same time each see only their
 * own queries, however their awaits interleave.
 *
 * @module
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { detectProblems, type DetectionOptions } from './detect.js';
import { NPlusOneError, type QueryReport } from './report.js';
import type { PrismaOperation, QueryStatement } from './statement.js';
import { isTransactionControl } from './statement.js';
import type { IncludeUsage } from './unused-includes.js';

/**
 * What the helper does when a scope ends with problems, as in Bullet: `raise` throws an
 * {@link NPlusOneError} (tests), `warn` logs the report (development), `collect` only returns it.
 */
export type DetectionMode = 'raise' | 'warn' | 'collect';

/** How a scope is named, checked and reported. */
export interface QueryScopeOptions extends DetectionOptions {
  /** A name for reports: `GET /posts`, `job mailers:welcome#12`, a test's name. */
  label?: string;
  /** What to do with problems; `raise` when not given. */
  mode?: DetectionMode;
  /** Where `warn` writes; `console.warn` when not given. */
  log?: (message: string) => void;
}

/** What {@link runQueryScope} resolves to. */
export interface ScopeOutcome<T> {
  /** What the block returned. */
  readonly value: T;
  /** The statements the block ran and the problems found in them. */
  readonly report: QueryReport;
}

/** The statements and eager loads recorded for one unit of work. Read it through {@link currentQueryScope}. */
export class QueryScope {
  /** Every statement of this scope and of the scopes nested in it, in the order they finished. */
  readonly statements: QueryStatement[] = [];
  /** Relations loaded with `include` inside the scope (tracked when `unusedIncludes` is on). */
  readonly includes: IncludeUsage[] = [];
  /** How many call sites were captured per `Model.method`; the helper samples the first few. */
  readonly callSitesTaken = new Map<string, number>();

  /** Creates a scope; `parent` also receives every statement recorded here. */
  constructor(
    /** The options the scope was opened with. */
    readonly options: QueryScopeOptions,
    /** The scope this one is nested in, if any. */
    readonly parent: QueryScope | undefined,
  ) {}

  /** Adds a statement to this scope and its parents (transaction control statements are left out). */
  record(statement: QueryStatement): void {
    if (isTransactionControl(statement.sql)) return;
    for (let scope: QueryScope | undefined = this; scope; scope = scope.parent) scope.statements.push(statement);
  }

  /** The statements so far, checked for N+1, write loops and (if asked) unused includes. */
  report(): QueryReport {
    return {
      label: this.options.label ?? 'query scope',
      statements: [...this.statements],
      totalDurationMs: this.statements.reduce((sum, s) => sum + s.durationMs, 0),
      problems: detectProblems(this.statements, this.includes, this.options),
    };
  }
}

/** The async context the helper's parts share: the open scope and the Prisma call being run. */
export interface QueryContext {
  /** The innermost open scope. */
  readonly scope: QueryScope;
  /** The Prisma call whose statements are running now, if known. */
  readonly operation?: PrismaOperation;
}

/** The helper's `AsyncLocalStorage`. Exported for the helper's own modules; use the functions instead. */
export const queryContext = new AsyncLocalStorage<QueryContext>();

/** The innermost scope open in the current async context, or `undefined` outside any scope. */
export function currentQueryScope(): QueryScope | undefined {
  return queryContext.getStore()?.scope;
}

/**
 * Runs `block` as one unit of work: collects every statement it sends through a watched client,
 * then acts on the problems found according to `options.mode`.
 *
 * Scopes nest: an outer scope (a test) also counts what an inner one (a request) ran.
 *
 * @throws NPlusOneError in `raise` mode when the block ran an N+1, a write loop or an unused include.
 */
export async function runQueryScope<T>(block: () => T | Promise<T>, options: QueryScopeOptions = {}): Promise<ScopeOutcome<T>> {
  const scope = new QueryScope(options, currentQueryScope());
  // Awaiting inside run() matters: a Prisma query starts only when its promise is awaited,
  // and the scope must be the async context at that moment.
  const value = await queryContext.run({ scope }, async () => await block());
  const report = finishScope(scope);
  return { value, report };
}

/**
 * Builds the scope's report and applies its mode. Used by {@link runQueryScope} and by the
 * express and BullMQ integrations, which open their scopes themselves.
 *
 * @throws NPlusOneError in `raise` mode when problems were found.
 */
export function finishScope(scope: QueryScope): QueryReport {
  const report = scope.report();
  if (report.problems.length === 0) return report;
  const mode = scope.options.mode ?? 'raise';
  if (mode === 'raise') throw new NPlusOneError(report);
  if (mode === 'warn') (scope.options.log ?? console.warn)(new NPlusOneError(report).message);
  return report;
}
