/**
 * One SQL statement as the helper records it, and the rules that turn its text into a *shape*:
 * the statement with every literal and parameter replaced by `?`, so that the lookup of user 1
 * and the lookup of user 2 count as the same query run twice.
 *
 * @module N+1 queries/Statement shapes
 */
import type { CallSite } from './call-site.js';

/** What a statement does, as far as N+1 detection cares. */
export type StatementKind = 'select' | 'count' | 'write';

/** The Prisma call that sent a statement, as `watchQueries()` sees it when Prisma runs the call. */
export interface PrismaOperation {
  /** Model name as in schema.prisma, e.g. `User`; `undefined` for a raw query. */
  readonly model: string | undefined;
  /** Client method, e.g. `findUnique`, `count`, `create`, `$queryRaw`. */
  readonly operation: string;
  /** Where the user's code called the method. */
  readonly callSite: CallSite;
  /**
   * `batch` when the call was one of a `$transaction([...])` array, `interactive` inside
   * `$transaction(async (tx) => ...)`, `undefined` otherwise.
   */
  readonly transaction: 'batch' | 'interactive' | undefined;
}

/** One SQL statement Prisma sent to the database inside a query scope. */
export interface QueryStatement {
  /** The SQL text exactly as the driver adapter received it. */
  readonly sql: string;
  /** The bound parameters, as the JSON text Prisma's query event carries. */
  readonly params: string;
  /** How long the database took, in milliseconds. */
  readonly durationMs: number;
  /** The Prisma call behind the statement, when known (see `watchQueries()`). */
  readonly operation: PrismaOperation | undefined;
}

const TRANSACTION_CONTROL = /^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|START TRANSACTION|SET TRANSACTION)\b/i;
const WRITE = /^\s*(INSERT|UPDATE|DELETE|REPLACE|MERGE)\b/i;
const COUNT = /^\s*SELECT\s+COUNT\(/i;
const WRITE_OPERATIONS = new Set([
  'create',
  'createMany',
  'createManyAndReturn',
  'update',
  'updateMany',
  'updateManyAndReturn',
  'upsert',
  'delete',
  'deleteMany',
]);
const COUNT_OPERATIONS = new Set(['count', 'aggregate', 'groupBy']);

/**
 * `true` for BEGIN, COMMIT, ROLLBACK and savepoints. The helper leaves them out of every count,
 * as Rails' `assert_queries_count` does: they are the price of a transaction, not a query.
 */
export function isTransactionControl(sql: string): boolean {
  return TRANSACTION_CONTROL.test(sql);
}

/**
 * Classifies a statement. The Prisma operation wins over the SQL text: the `SELECT` that
 * Prisma runs to read back a nested `create` belongs to a write, not to a read loop.
 */
export function kindOf(statement: Pick<QueryStatement, 'sql' | 'operation'>): StatementKind {
  const operation = statement.operation?.operation;
  if (operation && WRITE_OPERATIONS.has(operation)) return 'write';
  if (operation && COUNT_OPERATIONS.has(operation)) return 'count';
  if (WRITE.test(statement.sql)) return 'write';
  if (COUNT.test(statement.sql)) return 'count';
  return 'select';
}

/**
 * The statement's shape: parameters (`?`, `$1`), string and number literals become `?`, an
 * `IN (?, ?, ?)` list becomes `IN (?...)` and several `VALUES` rows become one, so statements
 * that differ only in their data compare equal.
 */
export function shapeOf(sql: string): string {
  return sql
    .replace(/'(?:[^']|'')*'/g, '?')
    .replace(/\$\d+/g, '?')
    .replace(/(?<![\w."`])-?\d+(?:\.\d+)?(?![\w."`])/g, '?')
    .replace(/\s+/g, ' ')
    .replace(/\bIN \(\?(?:\s*,\s*\?)*\)/gi, 'IN (?...)')
    .replace(/(\(\?(?:\s*,\s*\?)*\))(?:\s*,\s*\(\?(?:\s*,\s*\?)*\))+/g, '$1')
    .trim();
}

/**
 * A shape made readable for a person: no quoting, no schema prefix (`main.`, `public.`), and a
 * long column list shortened to `…`.
 */
export function displayShape(shape: string): string {
  return shape
    .replace(/[`"]/g, '')
    .replace(/\b(main|public)\./g, '')
    .replace(/^SELECT ([^()]{30,}?) FROM /i, 'SELECT … FROM ');
}

/** The table a statement reads or writes first (`FROM`, `INTO`, `UPDATE`), without schema or quotes. */
export function tableOf(sql: string): string | undefined {
  const match = /\b(?:FROM|INTO|UPDATE)\s+((?:[`"]?\w+[`"]?\.)?[`"]?\w+[`"]?)/i.exec(sql);
  return match?.[1]?.replace(/[`"]/g, '').split('.').pop();
}

/**
 * The column a per-row lookup filters on (`postId` in `WHERE "Comment"."postId" = $1`), which
 * names the foreign key a batched query would use with `in`.
 */
export function lookupColumnOf(sql: string): string | undefined {
  const where = /\bWHERE\b(.*)$/is.exec(sql)?.[1] ?? '';
  const match = /[`"]?(\w+)[`"]?\s*=\s*(?:\?|\$\d+)/.exec(where.replace(/[`"]?\w+[`"]?\./g, ''));
  return match?.[1];
}
