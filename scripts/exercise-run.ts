/**
 * Running commands and the exercise tests from the maintainers' scripts (`npm run verify`,
 * `npm run mistake`), with a title line before and the exit status and time after.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';

/** vitest's JSON report (`--reporter=json`), the parts the scripts read. */
export interface JsonReport {
  testResults: {
    name: string;
    message?: string;
    assertionResults: { ancestorTitles: string[]; title: string; fullName: string; status: string }[];
  }[];
}

/** Runs `command` with the terminal's output, between a title line and its exit status; returns that status. */
export function runTitled(title: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}): number {
  console.log(`\n=== ${title}: ${command} ${args.join(' ')}`);
  const started = Date.now();
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  console.log(`--- ${title}: exit ${result.status} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return result.status ?? 1;
}

/**
 * One vitest run of the exercise tests (all of them, or `testFiles`) with a JSON report. Every
 * run includes the PostgreSQL variants of the race tests: the maintainers prove both databases.
 */
export function exerciseRun(title: string, env: NodeJS.ProcessEnv, testFiles: string[] = []): JsonReport {
  mkdirSync('.vitest-results', { recursive: true });
  const outputFile = `.vitest-results/${title.replace(/\W+/g, '-')}.json`;
  rmSync(outputFile, { force: true });
  runTitled(`exercise tests against ${title}`, 'vitest', ['run', '--project', 'exercises', '--reporter=json', `--outputFile=${outputFile}`, ...testFiles], {
    WORKBOOK_POSTGRES: '1',
    ...env,
  });
  if (!existsSync(outputFile)) return { testResults: [] };
  return JSON.parse(readFileSync(outputFile, 'utf8')) as JsonReport;
}

/** A test's name as vitest's reporter API gives it (`TestCase.fullName`): its suites and its title, joined by ` > `. */
export function testName(result: { ancestorTitles: string[]; title: string }): string {
  return [...result.ancestorTitles, result.title].join(' > ');
}
