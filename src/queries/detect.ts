/**
 * Finds the problems in a scope's statements: the same statement shape run again and again from
 * one place in the code (an N+1, a count per row, a write per row), the same row read again and
 * again, and, when asked, relations loaded with `include` that the code never read.
 *
 * Rules, in the order they apply:
 * - a *call* is one Prisma call (one `findUnique`, one `createMany`): the statements Prisma sends
 *   for it count once, so a `createMany` split over several INSERTs is one call;
 * - calls are grouped by statement shape *and* call site: three lookups from three lines are not
 *   a loop, and one shape from two loops is two problems, each naming its loop;
 * - a group of reads that pages through a table (`take` with a `cursor`, a `skip`, or a range on
 *   the key, and otherwise the same filter each time) is batched reading, not an N+1; writes sent
 *   together in one `$transaction([...])` are batched writing, not a write loop;
 * - the identical statement with identical parameters read again and again, from one place or
 *   several, is its own problem: read once and reuse the row.
 *
 * @module N+1 queries/Detection
 */
import { callSiteKeys, describeCallSite, type CallSite } from './call-site.js';
import type { ParentRelation } from './relations.js';
import { RecordedOperation } from './request-attribution.js';
import {
  displayShape,
  kindOf,
  lookupColumnOf,
  shapeOf,
  tableOf,
  type PrismaOperation,
  type QueryStatement,
  type StatementKind,
} from './statement.js';
import type { IncludeUsage } from './unused-includes.js';

/** The kinds of problem the helper reports. */
export type ProblemKind = 'n-plus-one' | 'per-row-count' | 'write-loop' | 'repeated-read' | 'unused-include';

/** One problem found in a scope, with everything needed to find and fix it. */
export interface QueryProblem {
  /** What went wrong. */
  readonly kind: ProblemKind;
  /** The model (table) concerned, e.g. `User`. */
  readonly model: string;
  /** The Prisma method behind it (`findUnique`, `count`, `$queryRaw`…), when known. */
  readonly operation: string | undefined;
  /** The repeated statement with its data replaced by `?` (for an unused include: the relation). */
  readonly shape: string;
  /** How many calls ran it (for an unused include: how many rows carried the relation). */
  readonly count: number;
  /** The first frame of the user's code that started it, `path:line:column (function)`, or why there is none. */
  readonly callSite: string;
  /** The project's frames of that stack, innermost first. */
  readonly stack: readonly string[];
  /** The parent rows the loop walks and the relation to load with them, when the schema tells. */
  readonly parent?: { readonly model: string; readonly relation: string };
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
  /** How many calls of the same shape from one place make a problem; 3 when not given (see {@link DEFAULT_THRESHOLD}). */
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
 * Three calls of one shape from one place make an N+1. Two is too eager: loading the signed-in
 * user and a post's author is one shape run twice, and nothing to fix.
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

/** A group of statements and the calls that sent them. */
interface Group {
  readonly statements: QueryStatement[];
  /** One entry per call (the operation), or per statement for statements without one. */
  readonly calls: (PrismaOperation | QueryStatement)[];
}

function newGroup(): Group & { seen: Set<unknown> } {
  return { statements: [], calls: [], seen: new Set() };
}

function addTo(group: Group & { seen: Set<unknown> }, statement: QueryStatement): void {
  group.statements.push(statement);
  const call = statement.operation ?? statement;
  // A call's statements usually arrive together: check the last call before the set.
  if (group.calls[group.calls.length - 1] === call || group.seen.has(call)) return;
  group.seen.add(call);
  group.calls.push(call);
}

interface Found {
  readonly problem: QueryProblem;
  readonly calls: readonly unknown[];
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
  const byShape = new Map<string, ReturnType<typeof newGroup>>();
  let previousSql: string | undefined;
  let group: ReturnType<typeof newGroup> | undefined;
  for (const statement of statements) {
    // A loop sends the same text again and again: skip the lookup when it does.
    if (statement.sql !== previousSql) {
      previousSql = statement.sql;
      const shape = cachedShapeOf(statement.sql);
      group = byShape.get(shape);
      if (!group) byShape.set(shape, (group = newGroup()));
    }
    addTo(group!, statement);
  }

  const found: Found[] = [];
  const loose: QueryStatement[] = []; // reads in no problem: checked below for one row read from several places
  for (const [shape, group] of byShape) {
    if (group.calls.length < threshold) {
      loose.push(...group.statements);
      continue;
    }
    // Only shapes run often enough are split by call site: reading a stack back costs about a
    // microsecond, so it is done for the candidates only.
    const bySite = new Map<string, ReturnType<typeof newGroup>>();
    const keys = callSiteKeys(group.statements.map((statement) => statement.operation?.callSite));
    group.statements.forEach((statement, index) => {
      let site = bySite.get(keys[index]!);
      if (!site) bySite.set(keys[index]!, (site = newGroup()));
      addTo(site, statement);
    });
    for (const site of bySite.values()) {
      if (site.calls.length < threshold) {
        loose.push(...site.statements);
        continue;
      }
      const problem = repeatedShape(shape, site, statements);
      if (problem && !found.some((other) => sameCalls(other.calls, site.calls))) found.push({ problem, calls: site.calls });
    }
  }
  const problems = found.map((entry) => entry.problem);
  problems.push(...repeatedReads(loose, threshold));
  if (options.unusedIncludes) {
    for (const usage of includes) {
      if (!usage.read && usage.rows > 0) problems.push(unusedInclude(usage));
    }
  }
  return problems.filter((problem) => !(options.safelist ?? []).some((entry) => safelisted(problem, entry)));
}

/**
 * The same calls behind two shapes (a `findUnique` with `include`, a fluent `.author()`: one call,
 * two statements) are one problem, reported once under the first shape.
 */
function sameCalls(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((call, index) => call === b[index]);
}

const PROBLEM_OF: Record<StatementKind, ProblemKind> = {
  select: 'n-plus-one',
  count: 'per-row-count',
  write: 'write-loop',
};

function repeatedShape(shape: string, group: Group, all: readonly QueryStatement[]): QueryProblem | undefined {
  const first = group.statements.find((s) => s.operation) ?? group.statements[0]!;
  const kind = kindOf(first);
  const operation = first.operation;
  if (kind === 'write' && group.statements.every((s) => s.operation?.transaction === 'batch')) return undefined;
  if (kind !== 'write' && isPagination(group)) return undefined;
  const model = operation?.model ?? tableOf(first.sql) ?? 'unknown';
  const site = operation?.callSite;
  const identical = kind !== 'write' && group.statements.every((s) => s.sql === first.sql && s.params === first.params);
  if (identical) return repeatedRead(first, group.calls.length, [site]);
  const parent = kind === 'write' ? undefined : parentOf(first, group, all);
  return {
    kind: PROBLEM_OF[kind],
    model,
    operation: operation?.operation,
    shape: displayShape(shape),
    count: group.calls.length,
    callSite: describeCallSite(site),
    stack: site?.frames ?? [],
    ...(parent ? { parent: { model: parent.relation.model, relation: parent.relation.relation } } : {}),
    suggestion: suggest(kind, model, operation, first.sql, parent),
  };
}

/**
 * Batched reading: every call pages (`take` with a cursor, a skip or a range filter) and, apart
 * from where the page starts, asks the same thing. A lookup per row asks for a different row
 * each time, so it stays an N+1 even with `take` and `skip`.
 */
function isPagination(group: Group): boolean {
  let signature: string | undefined;
  for (const call of group.calls) {
    const args = (call as { args?: unknown }).args as Record<string, unknown> | undefined;
    if (!args || typeof args !== 'object' || args.take === undefined) return false;
    const where = args.where;
    if (args.cursor === undefined && args.skip === undefined && !hasRange(where)) return false;
    const own = stableText({ ...args, cursor: undefined, skip: undefined, where: withoutRanges(where) });
    if (signature === undefined) signature = own;
    else if (own !== signature) return false;
  }
  return true;
}

const RANGE = new Set(['gt', 'gte', 'lt', 'lte']);

function hasRange(where: unknown): boolean {
  if (!where || typeof where !== 'object') return false;
  return Object.entries(where).some(([key, value]) => RANGE.has(key) || (typeof value === 'object' && hasRange(value)));
}

function withoutRanges(where: unknown): unknown {
  if (!where || typeof where !== 'object' || where instanceof Date) return where;
  if (Array.isArray(where)) return where.map(withoutRanges);
  return Object.fromEntries(Object.entries(where).filter(([key]) => !RANGE.has(key)).map(([key, value]) => [key, withoutRanges(value)]));
}

function stableText(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
}

/** The same statement with the same parameters read again and again, from one place or several. */
function repeatedReads(loose: readonly QueryStatement[], threshold: number): QueryProblem[] {
  const byText = new Map<string, ReturnType<typeof newGroup>>();
  for (const statement of loose) {
    if (kindOf(statement) === 'write') continue;
    const key = `${statement.sql}\u0000${statement.params}`;
    let group = byText.get(key);
    if (!group) byText.set(key, (group = newGroup()));
    addTo(group, statement);
  }
  const problems: QueryProblem[] = [];
  for (const group of byText.values()) {
    if (group.calls.length < threshold) continue;
    const sites = new Map<string, CallSite | undefined>();
    const all = group.statements.map((statement) => statement.operation?.callSite);
    callSiteKeys(all).forEach((key, index) => {
      if (!sites.has(key)) sites.set(key, all[index]);
    });
    problems.push(repeatedRead(group.statements.find((s) => s.operation) ?? group.statements[0]!, group.calls.length, [...sites.values()]));
  }
  return problems;
}

function repeatedRead(first: QueryStatement, count: number, sites: readonly (CallSite | undefined)[]): QueryProblem {
  const operation = first.operation;
  const isCount = kindOf(first) === 'count';
  const others = sites.slice(1).map((site) => describeCallSite(site));
  const where =
    others.length === 0
      ? ''
      : ` It is read from ${sites.length} places: here and ${others.slice(0, 3).join(', ')}${others.length > 3 ? ` and ${others.length - 3} more` : ''}.`;
  return {
    kind: 'repeated-read',
    model: operation?.model ?? tableOf(first.sql) ?? 'unknown',
    operation: operation?.operation,
    shape: displayShape(cachedShapeOf(first.sql)),
    count,
    callSite: describeCallSite(sites[0]),
    stack: sites[0]?.frames ?? [],
    suggestion:
      (isCount
        ? `the same count run ${count} times: count once and reuse the number`
        : `the same row read ${count} times: read it once and reuse it`) +
      ` (keep it in a variable, or pass it to the code that needs it).${where}`,
  };
}

/** The parent rows a loop walks, from the schema; the parent query that loaded them, from the scope. */
interface ParentFound {
  readonly relation: ParentRelation;
  /** Relations followed below the parent (a fluent `.author().posts()`): `['author', 'posts']`. */
  readonly path: readonly string[];
  readonly driver: PrismaOperation | undefined;
}

function parentOf(first: QueryStatement, group: Group, all: readonly QueryStatement[]): ParentFound | undefined {
  const operation = first.operation;
  if (!(operation instanceof RecordedOperation) || !operation.model) return undefined;
  const index = all.indexOf(group.statements[0]!);
  const driverOf = (models: readonly string[]) => {
    for (let i = index - 1; i >= 0; i--) {
      const candidate = all[i]!.operation;
      if (candidate?.model && models.includes(candidate.model) && !group.calls.includes(candidate)) return candidate;
    }
    return undefined;
  };
  if (operation.fluent.length > 0) {
    const relation = { model: operation.model, relation: operation.fluent[0]!, list: false };
    return { relation, path: operation.fluent, driver: driverOf([operation.model]) };
  }
  const candidates = operation.schema.parentsOf(operation.model, lookupKeys(operation.args));
  if (candidates.length === 0) return undefined;
  const driver = driverOf(candidates.map((candidate) => candidate.model));
  const chosen = driver ? candidates.filter((candidate) => candidate.model === driver.model) : candidates;
  if (chosen.length !== 1) return undefined;
  return { relation: chosen[0]!, path: [chosen[0]!.relation], driver };
}

/** The fields a lookup's `where` compares for equality: `{ postId: 1 }` and `{ postId: { equals: 1 } }` give `postId`. */
function lookupKeys(args: unknown): string[] {
  const where = (args as { where?: unknown } | undefined)?.where;
  if (!where || typeof where !== 'object') return [];
  return Object.entries(where)
    .filter(([key, value]) => {
      if (key === 'AND' || key === 'OR' || key === 'NOT') return false;
      if (value === null || typeof value !== 'object' || value instanceof Date) return true;
      return 'equals' in value;
    })
    .map(([key]) => key);
}

function delegateOf(model: string): string {
  return model.charAt(0).toLowerCase() + model.slice(1);
}

function includeOf(path: readonly string[]): string {
  const [head, ...rest] = path;
  return rest.length === 0 ? `{ ${head}: true }` : `{ ${head}: { include: ${includeOf(rest)} } }`;
}

function suggest(kind: StatementKind, model: string, operation: PrismaOperation | undefined, sql: string, parent: ParentFound | undefined): string {
  const delegate = delegateOf(model);
  const method = operation?.operation;
  const column = lookupColumnOf(sql) ?? 'id';
  if (kind === 'write') {
    if (/^\s*INSERT/i.test(sql) || method?.startsWith('create')) {
      return `insert the rows in one statement with \`${delegate}.createMany({ data: rows })\`, or send the writes together in one \`$transaction([...])\`.`;
    }
    if (/^\s*DELETE/i.test(sql) || method?.startsWith('delete')) {
      return `delete the rows in one statement with \`${delegate}.deleteMany({ where: { ${column}: { in: ids } } })\`.`;
    }
    return (
      `when the rows get the same change, use one \`${delegate}.updateMany({ where: { ${column}: { in: ids } }, data })\`; ` +
      `otherwise send the updates together in one \`$transaction([...])\`.`
    );
  }
  if (parent) return relationFix(kind, model, parent, column);
  if (kind === 'count') {
    return (
      `count in the parent query instead: \`select: { _count: { select: { <relation>: true } } }\` ` +
      `(Rails' counter cache), or one \`${delegate}.groupBy({ by: ['${column}'], where: { ${column}: { in: ids } }, _count: true })\`.`
    );
  }
  if (method === 'findMany' || (column !== 'id' && !method?.startsWith('findUnique'))) {
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

/** The fix named like Bullet names it: the parent query, with the relation added. */
function relationFix(kind: StatementKind, model: string, parent: ParentFound, column: string): string {
  const { relation, path, driver } = parent;
  const finder = driver && /^find(Many|First)/.test(driver.operation) ? driver.operation.replace(/OrThrow$/, '') : 'findMany';
  const call = `${delegateOf(relation.model)}.${finder}`;
  const at = driver ? ` at ${describeCallSite(driver.callSite)}` : '';
  const bullet = `Bullet: ${relation.model} => [:${path.join(' => :')}]`;
  const delegate = delegateOf(model);
  if (kind === 'count') {
    return (
      `count in the query that loads the ${relation.model} rows${at}: ` +
      `\`${call}({ select: { _count: { select: { ${relation.relation}: true } } } })\` ` +
      `(\`_count\` works inside \`include\` too; it is Rails' counter cache), ` +
      `or one \`${delegate}.groupBy({ by: ['${column}'], where: { ${column}: { in: ids } }, _count: true })\`.`
    );
  }
  const alternative = relation.list
    ? `or run one \`${delegate}.findMany({ where: { ${column}: { in: parentIds } } })\` and group the rows by ${column}`
    : `or collect the ids and run one \`${delegate}.findMany({ where: { ${column}: { in: ids } } })\``;
  return (
    `load the ${relation.relation} with the ${relation.model} rows, in the query that loads them${at}: ` +
    `\`${call}({ include: ${includeOf(path)} })\` (${bullet}); ` +
    `\`select: { ${relation.relation}: { select: { … } } }\` loads only the fields you show; ${alternative}.`
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
