/**
 * Bullet's "unused eager loading", for Prisma: notices an `include`d relation that no code
 * read before the scope ended.
 *
 * How: when a watched query with `include` returns, each included relation on each row is
 * turned into a getter that marks the relation as read. Anything that reads it counts, including
 * `JSON.stringify` and object spread, so the check errs towards silence, never towards a false
 * alarm, as long as the rows are used inside the scope. Relations selected through `select`
 * (rather than `include`) are not tracked.
 *
 * @module N+1 queries/Unused includes
 */
import type { CallSite } from './call-site.js';

/** One relation loaded by one `include` call. */
export interface IncludeUsage {
  /** The model the query ran on, e.g. `Post`. */
  readonly model: string;
  /** The Prisma method, e.g. `findMany`. */
  readonly operation: string;
  /** The relation's path from that model, e.g. `comments` or `comments.author`. */
  readonly relation: string;
  /** Where the query was started. */
  readonly callSite: CallSite;
  /** How many rows carried the relation. */
  rows: number;
  /** Whether any code read the relation on any row. */
  read: boolean;
}

type Row = Record<string, unknown>;

/**
 * Makes every relation named in `include` on `result` (a row, rows, or null) report its first
 * read, and returns one usage record per relation (nested includes included).
 */
export function trackIncludes(
  result: unknown,
  include: Record<string, unknown>,
  where: { model: string; operation: string; callSite: CallSite },
  path = '',
): IncludeUsage[] {
  const rows = (Array.isArray(result) ? result : [result]).filter(isRow);
  if (rows.length === 0) return [];
  const usages: IncludeUsage[] = [];
  for (const [relation, spec] of Object.entries(include)) {
    if (!spec || relation === '_count') continue;
    const usage: IncludeUsage = { ...where, relation: path + relation, rows: 0, read: false };
    const children: unknown[] = [];
    for (const row of rows) {
      if (!(relation in row)) continue;
      let value = row[relation];
      usage.rows++;
      children.push(value);
      Object.defineProperty(row, relation, {
        enumerable: true,
        configurable: true,
        get() {
          usage.read = true;
          return value;
        },
        set(next: unknown) {
          value = next;
        },
      });
    }
    usages.push(usage);
    const nested = typeof spec === 'object' ? (spec as { include?: unknown }).include : undefined;
    if (nested && typeof nested === 'object') {
      usages.push(...trackIncludes(children.flat(), nested as Record<string, unknown>, where, `${path}${relation}.`));
    }
  }
  return usages;
}

function isRow(value: unknown): value is Row {
  return typeof value === 'object' && value !== null;
}
