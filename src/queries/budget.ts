/**
 * Query budgets for tests, like Rails' `assert_queries_count` / `assert_no_queries` and Django's
 * `assertNumQueries`: run a block and fail, listing every statement it ran, when it ran more
 * (or other) queries than stated.
 *
 * They throw plain errors, so they work in any test runner; in vitest just `await` them.
 *
 * @module N+1 queries/Query budgets
 */
import type { CallSite } from './call-site.js';
import { formatProblem, type QueryReport } from './report.js';
import { runQueryScope, type QueryScopeOptions } from './scope.js';
import { displayShape, shapeOf, tableOf } from './statement.js';

/** What a block may run. Give at least one field; every given field must hold. */
export interface QueryBudget {
  /** Exactly this many statements. */
  exactly?: number;
  /** No more than this many statements. */
  atMost?: number;
  /** At least this many statements. */
  atLeast?: number;
  /** Every statement reads or writes one of these tables (model names as in schema.prisma). */
  tables?: readonly string[];
}

/** Thrown when a block breaks its {@link QueryBudget}. The message lists the statements it ran. */
export class QueryBudgetError extends Error {
  /** What the block ran. */
  readonly report: QueryReport;

  /** Creates the error; `broken` says which rule failed. */
  constructor(broken: string, report: QueryReport) {
    super(`${broken}\n${listStatements(report)}`);
    this.name = 'QueryBudgetError';
    this.report = report;
  }
}

/**
 * Runs `block` and checks the statements it ran against `budget` (a number means `exactly`).
 * Resolves to what the block returned.
 *
 * @example
 * ```ts
 * const feed = await expectQueries({ atMost: 2 }, () => listFeed(db));
 * ```
 * @throws QueryBudgetError when the block ran more, fewer or other statements than allowed.
 */
export async function expectQueries<T>(budget: QueryBudget | number, block: () => T | Promise<T>): Promise<T> {
  const rules = typeof budget === 'number' ? { exactly: budget } : budget;
  checkBudget(rules);
  const { value, report } = await runQueryScope(block, { label: 'budget', mode: 'collect' });
  const count = report.statements.length;
  const noun = (n: number) => `${n} ${n === 1 ? 'query' : 'queries'}`;
  if (rules.exactly !== undefined && count !== rules.exactly) {
    throw new QueryBudgetError(`Expected exactly ${noun(rules.exactly)}, but ${count} ran:`, report);
  }
  if (rules.atMost !== undefined && count > rules.atMost) {
    throw new QueryBudgetError(`Expected at most ${noun(rules.atMost)}, but ${count} ran:`, report);
  }
  if (rules.atLeast !== undefined && count < rules.atLeast) {
    throw new QueryBudgetError(`Expected at least ${noun(rules.atLeast)}, but ${count} ran:`, report);
  }
  if (rules.tables) {
    const allowed = new Set(rules.tables.map((t) => t.toLowerCase()));
    const other = report.statements.filter((s) => !allowed.has((tableOf(s.sql) ?? '').toLowerCase()));
    if (other.length > 0) {
      throw new QueryBudgetError(
        `Expected queries on ${rules.tables.join(', ')} only, but ${other.length} touched ${[...new Set(other.map((s) => tableOf(s.sql)))].join(', ')}:`,
        report,
      );
    }
  }
  return value;
}

/** Fails when `block` runs any statement at all, like Rails' `assert_no_queries`. */
export function expectNoQueries<T>(block: () => T | Promise<T>): Promise<T> {
  return expectQueries({ exactly: 0 }, block);
}

/**
 * Runs `block` in a `raise`-mode scope: fails with an `NPlusOneError` when it ran an N+1, a
 * count per row, a write loop or the same read again and again (and, with `unusedIncludes: true`,
 * an unused include).
 * Resolves to what the block returned.
 */
export async function expectNoNPlusOne<T>(block: () => T | Promise<T>, options: Omit<QueryScopeOptions, 'mode'> = {}): Promise<T> {
  const { value } = await runQueryScope(block, { label: 'expectNoNPlusOne', ...options, mode: 'raise' });
  return value;
}

function checkBudget(rules: QueryBudget): void {
  const counts = [rules.exactly, rules.atMost, rules.atLeast].filter((n) => n !== undefined);
  if (counts.length === 0 && !rules.tables) throw new Error('A query budget needs exactly, atMost, atLeast or tables');
  for (const n of counts) {
    if (!Number.isInteger(n) || n < 0) throw new Error(`A query budget's counts are whole numbers of 0 or more, got ${n}`);
  }
}

function listStatements(report: QueryReport): string {
  // Consecutive runs of the same statement from the same place are one line: an N+1 of 500
  // lookups should not bury the other statements.
  const lines: string[] = [];
  let previous: { text: string; site: CallSite | undefined; first: number; last: number } | undefined;
  const flush = () => {
    if (!previous) return;
    const span = previous.first === previous.last ? `${previous.first}.` : `${previous.first}-${previous.last}.`;
    const times = previous.last - previous.first + 1;
    // Formatted here, once per line printed, not once per statement.
    const frame = previous.site?.frames[0];
    const where = frame ? ` at ${frame}` : '';
    lines.push(`  ${span} ${previous.text}${times > 1 ? ` ×${times}` : ''}${where}`);
  };
  report.statements.forEach((s, i) => {
    const what = s.operation ? ` (${s.operation.model ? `${s.operation.model}.` : ''}${s.operation.operation})` : '';
    const text = `${displayShape(shapeOf(s.sql))}${what}`;
    if (previous?.text === text) {
      previous.last = i + 1;
      return;
    }
    flush();
    previous = { text, site: s.operation?.callSite, first: i + 1, last: i + 1 };
  });
  flush();
  const problems = report.problems.map((p) => formatProblem(p).replace(/^/gm, '  '));
  return [...lines, ...(problems.length ? ['Found in them:', ...problems] : [])].join('\n');
}
