/**
 * Query scopes: a unit of work (a block, an HTTP request, a job, a test) whose SQL statements
 * are collected and checked together.
 *
 * A scope follows the async context through Node's `AsyncLocalStorage`, the way Rails keeps
 * Bullet's state per request thread: two requests served at the same time each see only their
 * own queries, however their awaits interleave. Up to Node 22 `AsyncLocalStorage` hooks every
 * promise the process creates while it is enabled (Node 24 needs no hooks), so the helper
 * enables it when the first scope opens and disables it again when the last one closes: a
 * process that opens no scope pays nothing.
 *
 * @module N+1 queries/Scopes
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { CallSite } from './call-site.js';
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

let openScopes = 0;

/** How many scopes are open in this process (the helper's hooks work only while one is). */
export function openScopeCount(): number {
  return openScopes;
}

/** The statements and eager loads recorded for one unit of work. Read it through {@link currentQueryScope}. */
export class QueryScope {
  /** Every statement of this scope and of the scopes nested in it, in the order they finished. */
  readonly statements: QueryStatement[] = [];
  /** Relations loaded with `include` inside the scope (tracked when `unusedIncludes` is on). */
  readonly includes: IncludeUsage[] = [];
  #closed = false;

  /** Opens a scope; `parent` also receives every statement recorded here. Close it with {@link finishScope}. */
  constructor(
    /** The options the scope was opened with. */
    readonly options: QueryScopeOptions,
    /** The scope this one is nested in, if any. */
    readonly parent: QueryScope | undefined,
  ) {
    openScopes += 1;
  }

  /** `true` once the scope has been finished: statements that arrive later are not recorded. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Adds a statement to this scope and its parents (transaction control statements are left out). */
  record(statement: QueryStatement): void {
    if (this.#closed || isTransactionControl(statement.sql)) return;
    for (let scope: QueryScope | undefined = this; scope; scope = scope.parent) {
      if (!scope.closed) scope.statements.push(statement);
    }
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

  /** Stops recording; the last scope to close switches the async context tracking off. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    openScopes -= 1;
    if (openScopes === 0) queryContext.disable();
  }
}

/**
 * Records one statement into several scopes at once — the scopes whose calls Prisma answered
 * with that one statement — each scope (and each common parent) once.
 */
export function recordShared(statement: QueryStatement, targets: readonly { scope: QueryScope; operation?: PrismaOperation }[]): void {
  if (isTransactionControl(statement.sql)) return;
  const seen = new Set<QueryScope>();
  for (const { scope: first, operation } of targets) {
    const own = operation === statement.operation ? statement : { ...statement, operation };
    for (let scope: QueryScope | undefined = first; scope && !seen.has(scope); scope = scope.parent) {
      seen.add(scope);
      if (!scope.closed) scope.statements.push(own);
    }
  }
}

/** Collects the statements of one Prisma batch while it runs; see `watchQueries()`. */
export interface BatchRecorder {
  /** Called for each statement the batch sends. */
  add(sql: string, params: string, durationMs: number): void;
}

/** The async context the helper's parts share. */
export interface QueryContext {
  /** The innermost open scope. */
  readonly scope: QueryScope;
  /** The Prisma call whose statements are running now, if known. */
  readonly operation?: PrismaOperation;
  /** A call site taken by the helper itself at the call (raw queries), for the request that follows. */
  readonly callSite?: CallSite;
  /** Set while Prisma runs a batch of calls: its statements are shared out when it ends. */
  readonly batch?: BatchRecorder;
}

/** The helper's `AsyncLocalStorage`. Exported for the helper's own modules; use the functions instead. */
export const queryContext = new AsyncLocalStorage<QueryContext | undefined>();

/** The innermost scope open in the current async context, or `undefined` outside any scope. */
export function currentQueryScope(): QueryScope | undefined {
  const scope = queryContext.getStore()?.scope;
  // Code that outlives its scope (a timer it started) must not report into it, nor nest under it.
  return scope && !scope.closed ? scope : undefined;
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
  let value: T;
  try {
    // Awaiting inside run() matters: a Prisma query starts only when its promise is awaited,
    // and the scope must be the async context at that moment.
    value = await queryContext.run({ scope }, async () => await block());
  } catch (error) {
    scope.close();
    throw error;
  }
  const report = finishScope(scope);
  return { value, report };
}

/**
 * Closes the scope, builds its report and applies its mode. Used by {@link runQueryScope} and by
 * the express and BullMQ integrations, which open their scopes themselves.
 *
 * @throws NPlusOneError in `raise` mode when problems were found.
 */
export function finishScope(scope: QueryScope): QueryReport {
  scope.close();
  const report = scope.report();
  if (report.problems.length === 0) return report;
  const mode = scope.options.mode ?? 'raise';
  if (mode === 'raise') throw new NPlusOneError(report);
  if (mode === 'warn') (scope.options.log ?? console.warn)(new NPlusOneError(report).message);
  return report;
}
