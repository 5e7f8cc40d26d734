/**
 * Finds the problems in a scope's statements: the same shape run again and again (an N+1, a
 * count per row, a write per row) and, when asked, relations loaded with `include` that the
 * code never read.
 *
 * @module
 */
import { describeCallSite } from './call-site.js';
import {
  displayShape,
  kindOf,
  lookupColumnOf,
  shapeOf,
  tableOf,
  type QueryStatement,
  type StatementKind,
} from './statement.js';
import type { IncludeUsage } from './unused-includes.js';

/** The kinds of problem the helper reports. */
export type ProblemKind = 'n-plus-one' | 'per-row-count' | 'write-loop' | 'unused-include';

/** One problem found in a scope, with everything needed to find and fix it. */
export interface QueryProblem {
  /** What went wrong. */
  readonly kind: ProblemKind;
  /** The model (table) concerned, e.g. `User`. */
  readonly model: string;
  /** The Prisma method behind it, when the client was watched (`findUnique`, `count`…). */
  readonly operation: string | undefined;
  /** The repeated statement with its data replaced by `?` (for an unused include: the relation). */
  readonly shape: string;
  /** How many times the shape ran (for an unused include: how many rows carried the relation). */
  readonly count: number;
  /** The first frame of the user's code that started it, `path:line:column (function)`. */
  readonly callSite: string;
  /** The project's frames of that stack, innermost first. */
  readonly stack: readonly string[];
  /** How to fix it, in Prisma terms. */
  readonly suggestion: string;
}

/** A problem to ignore on purpose, like Bullet's safelist. Every given field must match. */
export interface SafelistEntry {
  /** Model (table) name, compared case-insensitively. */
  model?: string;
  /** Matches when any project frame of the call site contains this text or matches this pattern. */
  callSite?: string | RegExp;
  /** Only this kind of problem. */
  kind?: ProblemKind;
}

/** How eagerly problems are reported. */
export interface DetectionOptions {
  /** How many runs of the same shape make a problem; 3 when not given (see {@link DEFAULT_THRESHOLD}). */
  threshold?: number;
  /** Problems to ignore. */
  safelist?: readonly SafelistEntry[];
  /**
   * Also report `include`d relations the code never read (Bullet's "unused eager loading").
   * Off by default: a relation read only after the scope has ended counts as unused.
   */
  unusedIncludes?: boolean;
}

/**
 * Three runs of one shape make an N+1. Two is too eager: loading the signed-in user and a post's
 * author is one shape run twice, and nothing to fix.
 */
export const DEFAULT_THRESHOLD = 3;

const shapes = new Map<string, string>();

/** {@link shapeOf}, remembered per SQL text: Prisma sends the same text for every run of a query. */
export function cachedShapeOf(sql: string): string {
  let shape = shapes.get(sql);
  if (shape === undefined) {
    if (shapes.size > 5000) shapes.clear();
    shape = shapeOf(sql);
    shapes.set(sql, shape);
  }
  return shape;
}

/** Checks a scope's statements and include usage; returns the problems not safelisted. */
export function detectProblems(
  statements: readonly QueryStatement[],
  includes: readonly IncludeUsage[],
  options: DetectionOptions = {},
): QueryProblem[] {
  const threshold = options.threshold ?? DEFAULT_THRESHOLD;
  if (!Number.isInteger(threshold) || threshold < 2) {
    throw new Error(`threshold must be a whole number of 2 or more, got ${threshold}`);
  }
  const byShape = new Map<string, QueryStatement[]>();
  for (const statement of statements) {
    const shape = cachedShapeOf(statement.sql);
    const group = byShape.get(shape);
    if (group) group.push(statement);
    else byShape.set(shape, [statement]);
  }
  const problems: QueryProblem[] = [];
  for (const [shape, group] of byShape) {
    if (group.length >= threshold) problems.push(repeatedShape(shape, group));
  }
  if (options.unusedIncludes) {
    for (const usage of includes) {
      if (!usage.read && usage.rows > 0) problems.push(unusedInclude(usage));
    }
  }
  return problems.filter((problem) => !(options.safelist ?? []).some((entry) => safelisted(problem, entry)));
}

function repeatedShape(shape: string, group: QueryStatement[]): QueryProblem {
  const first = group.find((s) => s.operation) ?? group[0]!;
  const kind = kindOf(first);
  const model = first.operation?.model ?? tableOf(first.sql) ?? 'unknown';
  const operation = first.operation?.operation;
  const site = firstSite(group);
  return {
    kind: PROBLEM_OF[kind],
    model,
    operation,
    shape: displayShape(shape),
    count: group.length,
    callSite: describeCallSite(site),
    stack: site?.frames ?? [],
    suggestion: suggest(kind, model, operation, first.sql),
  };
}

const PROBLEM_OF: Record<StatementKind, ProblemKind> = {
  select: 'n-plus-one',
  count: 'per-row-count',
  write: 'write-loop',
};

/**
 * The call site of the first statement that has one. Formatting a stack is the costly part of a
 * report, so only the stacks a report prints are ever formatted.
 */
function firstSite(group: QueryStatement[]) {
  for (const statement of group) {
    const site = statement.operation?.callSite;
    if (site && site.frames.length > 0) return site;
  }
  return undefined;
}

function delegateOf(model: string): string {
  return model.charAt(0).toLowerCase() + model.slice(1);
}

function suggest(kind: StatementKind, model: string, operation: string | undefined, sql: string): string {
  const delegate = delegateOf(model);
  const column = lookupColumnOf(sql) ?? 'id';
  if (kind === 'count') {
    return (
      `count in the parent query instead: \`select: { _count: { select: { <relation>: true } } }\` ` +
      `(Rails' counter cache), or one \`${delegate}.groupBy({ by: ['${column}'], where: { ${column}: { in: ids } }, _count: true })\`.`
    );
  }
  if (kind === 'write') {
    if (/^\s*INSERT/i.test(sql) || operation?.startsWith('create')) {
      return `insert the rows in one statement with \`${delegate}.createMany({ data: rows })\`, or run the writes in one \`$transaction([...])\`.`;
    }
    if (/^\s*DELETE/i.test(sql) || operation?.startsWith('delete')) {
      return `delete the rows in one statement with \`${delegate}.deleteMany({ where: { ${column}: { in: ids } } })\`.`;
    }
    return (
      `when the rows get the same change, use one \`${delegate}.updateMany({ where: { ${column}: { in: ids } }, data })\`; ` +
      `otherwise run the updates in one \`$transaction([...])\` so they share a round trip and a commit.`
    );
  }
  if (operation === 'findMany' || (column !== 'id' && !operation?.startsWith('findUnique'))) {
    return (
      `load the ${model} rows with their parents: \`include: { <relation>: true }\` (or \`select\`) on the parent query, ` +
      `or run one \`${delegate}.findMany({ where: { ${column}: { in: parentIds } } })\` and group the rows by ${column}.`
    );
  }
  return (
    `load each ${model} with the row that points to it: \`include: { <relation>: true }\` (or \`select\`) on the parent query, ` +
    `or collect the ids and run one \`${delegate}.findMany({ where: { ${column}: { in: ids } } })\`.`
  );
}

function unusedInclude(usage: IncludeUsage): QueryProblem {
  return {
    kind: 'unused-include',
    model: usage.model,
    operation: usage.operation,
    shape: `include: { ${usage.relation}: … }`,
    count: usage.rows,
    callSite: describeCallSite(usage.callSite),
    stack: usage.callSite.frames,
    suggestion:
      `the code never read \`${usage.relation}\`: drop it from \`include\`, or \`select\` only the fields you use. ` +
      `Each included relation costs a statement and the rows it returns.`,
  };
}

function safelisted(problem: QueryProblem, entry: SafelistEntry): boolean {
  if (entry.kind && entry.kind !== problem.kind) return false;
  if (entry.model && entry.model.toLowerCase() !== problem.model.toLowerCase()) return false;
  if (entry.callSite) {
    const pattern = entry.callSite;
    const hit = problem.stack.some((frame) => (typeof pattern === 'string' ? frame.includes(pattern) : pattern.test(frame)));
    if (!hit) return false;
  }
  return true;
}
