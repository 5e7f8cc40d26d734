/**
 * What a scope found, as data and as text a person can act on.
 *
 * @module N+1 queries/Reports
 */
import type { QueryProblem } from './detect.js';
import type { QueryStatement } from './statement.js';

/** The outcome of one query scope. */
export interface QueryReport {
  /** The scope's label (`GET /posts`, a job, a test). */
  readonly label: string;
  /** Every statement the scope ran, in order (transaction control left out). */
  readonly statements: readonly QueryStatement[];
  /** Sum of the statements' database time, in milliseconds. */
  readonly totalDurationMs: number;
  /** N+1s, per-row counts, write loops, repeated reads and unused includes found. */
  readonly problems: readonly QueryProblem[];
}

const TITLES: Record<QueryProblem['kind'], string> = {
  'n-plus-one': 'N+1 query',
  'per-row-count': 'N+1 count (a count per row)',
  'write-loop': 'Write loop (one write per row)',
  'repeated-read': 'Repeated query (the same statement with the same parameters)',
  'unused-include': 'Unused eager loading',
};

/** One problem as a few lines: what, how often, where, and the fix. */
export function formatProblem(problem: QueryProblem): string {
  const what = problem.operation ? `${problem.model}.${problem.operation}` : problem.model;
  const times =
    problem.kind === 'unused-include'
      ? `on ${problem.count} row(s)`
      : `ran ${problem.count} times${problem.parent ? `, once per ${problem.parent.model}` : ''}`;
  const lines = [
    `${TITLES[problem.kind]}: ${what} ${times}`,
    `    ${problem.shape}`,
    `  call site: ${problem.callSite}`,
    ...problem.stack.slice(1).map((frame) => `             ${frame}`),
    `  fix: ${problem.suggestion}`,
  ];
  return lines.join('\n');
}

/** A one-line summary: `GET /posts: 12 queries in 3.4 ms, 1 problem`. */
export function summarizeReport(report: QueryReport): string {
  const problems = report.problems.length;
  return (
    `${report.label}: ${report.statements.length} ${report.statements.length === 1 ? 'query' : 'queries'} ` +
    `in ${report.totalDurationMs.toFixed(1)} ms` +
    (problems ? `, ${problems} ${problems === 1 ? 'problem' : 'problems'}` : '')
  );
}

/** The summary followed by every problem. */
export function formatReport(report: QueryReport): string {
  return [summarizeReport(report), ...report.problems.map(formatProblem)].join('\n');
}

/** Thrown by a scope in `raise` mode, like Bullet's `raise = true`. Its message is the full report. */
export class NPlusOneError extends Error {
  /** The report whose problems caused the error. */
  readonly report: QueryReport;

  /** Creates the error from a report with at least one problem. */
  constructor(report: QueryReport) {
    super(formatReport(report));
    this.name = 'NPlusOneError';
    this.report = report;
  }
}
