/**
 * `npm run verify`: the maintainers' proof that the workbook works. CI runs exactly this.
 *
 * 1. typecheck of everything (src, tests, exercises, solutions, tutorials, scripts)
 * 2. the exercise manifest: every exercise test has a starter, a solution and a hint
 * 3. the toolkit's own tests, then the fault suite (real processes killed and stopped on purpose)
 * 4. every exercise test PASSES against its reference solution
 * 5. every exercise test FAILS against its starter (a test that passes unsolved proves nothing)
 * 6. every exercise's tests FAIL against each of its recorded mistakes (mistakes/: the wrong
 *    solutions learners really write), so the tests catch more than an untouched starter
 * 7. every tutorial example runs and exits 0 by itself
 * 8. the docs site builds with no TypeDoc warning
 *
 * `npm run verify -- --exercises` runs steps 2, 4, 5 and 6 only: CI uses it to prove the exercises
 * again on a second Node version.
 */
// First: on a too-old Node the native SQLite driver crashes instead of failing.
import '../src/process/node-version.js';
// Then: a folder this user cannot write is refused with a sentence, not a permission error.
import '../src/process/writable-checkout.js';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { checkManifest, listExamples, listMistakes, type RecordedMistake } from './workbook-layout.js';

interface JsonReport {
  testResults: { name: string; message?: string; assertionResults: { fullName: string; status: string }[] }[];
}

const problems: string[] = [];
let checksPassed = 0;

function run(title: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}): number {
  console.log(`\n=== ${title}: ${command} ${args.join(' ')}`);
  const started = Date.now();
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  console.log(`--- ${title}: exit ${result.status} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return result.status ?? 1;
}

function step(title: string, ok: boolean, detail: string[] = []): void {
  if (ok) {
    checksPassed++;
  } else {
    problems.push(`${title}${detail.length ? `:\n    ${detail.join('\n    ')}` : ''}`);
  }
}

/**
 * One vitest run of the exercise tests (all of them, or `testFiles`) with a JSON report. Every
 * run includes the PostgreSQL variants of the race tests: verify proves both databases.
 */
function exerciseRun(title: string, env: NodeJS.ProcessEnv, testFiles: string[] = []): JsonReport {
  const outputFile = `.vitest-results/${title.replace(/\W+/g, '-')}.json`;
  rmSync(outputFile, { force: true });
  run(`exercise tests against ${title}`, 'vitest', ['run', '--project', 'exercises', '--reporter=json', `--outputFile=${outputFile}`, ...testFiles], {
    WORKBOOK_POSTGRES: '1',
    ...env,
  });
  if (!existsSync(outputFile)) return { testResults: [] };
  return JSON.parse(readFileSync(outputFile, 'utf8')) as JsonReport;
}

/**
 * Groups the recorded mistakes into rounds, at most one per exercise in each, so one vitest run
 * per round proves them all. Returns the problems: each mistake's tests must load and fail.
 */
function proveMistakes(mistakes: RecordedMistake[]): string[] {
  const rounds: RecordedMistake[][] = [];
  for (const mistake of mistakes) {
    const round = rounds.find((r) => !r.some((other) => other.starter === mistake.starter));
    if (round) round.push(mistake);
    else rounds.push([mistake]);
  }
  return rounds.flatMap((round, index) => {
    const testFiles = round.map((m) => `exercises/${m.starter.replace(/\.ts$/, '.test.ts')}`);
    const report = exerciseRun(`recorded mistakes, round ${index + 1} of ${rounds.length}`, {
      WORKBOOK_TARGET: 'mistakes',
      WORKBOOK_MISTAKES: JSON.stringify(Object.fromEntries(round.map((m) => [m.starter, m.file]))),
    }, testFiles);
    return round.flatMap((mistake, i) => {
      const file = report.testResults.find((result) => result.name.endsWith(testFiles[i]!));
      if (!file || file.assertionResults.length === 0) return [`mistakes/${mistake.file}: its tests did not run (${file?.message?.split('\n')[0] ?? 'no result'})`];
      if (file.assertionResults.some((t) => t.status === 'failed')) return [];
      return [`mistakes/${mistake.file} ("${mistake.title}"): every test of ${testFiles[i]} passes on it`];
    });
  });
}

mkdirSync('.vitest-results', { recursive: true });

const exercisesOnly = process.argv.includes('--exercises');
console.log(`verify on Node ${process.version}${exercisesOnly ? ': the exercise proofs only' : ''}`);

if (!exercisesOnly) step('typecheck', run('typecheck', 'tsc', ['--noEmit']) === 0);

const manifestProblems = checkManifest();
console.log(`\n=== exercise manifest: ${manifestProblems.length === 0 ? 'complete' : 'incomplete'}`);
step('exercise manifest', manifestProblems.length === 0, manifestProblems);

if (!exercisesOnly) {
  step('toolkit tests', run('toolkit tests', 'vitest', ['run', '--project', 'toolkit']) === 0);
  step('fault suite', run('fault suite', 'vitest', ['run', '--project', 'faults']) === 0);
}

const solved = exerciseRun('the solutions', { WORKBOOK_TARGET: 'solutions' });
const notPassing = solved.testResults.flatMap((file) =>
  file.assertionResults.length === 0
    ? [`${file.name}: no test ran (${file.message?.split('\n')[0] ?? 'load error'})`]
    : file.assertionResults.filter((t) => t.status !== 'passed').map((t) => `${file.name} > ${t.fullName}: ${t.status}`),
);
const solvedCount = solved.testResults.reduce((sum, file) => sum + file.assertionResults.length, 0);
step('exercise tests pass against the solutions', notPassing.length === 0 && solvedCount > 0, notPassing);

const unsolved = exerciseRun('the starters', { WORKBOOK_TARGET: 'starters' });
const notFailing = unsolved.testResults.flatMap((file) =>
  file.assertionResults.length === 0
    ? [`${file.name}: the starter does not load, so no test can be seen failing on its own`]
    : file.assertionResults.filter((t) => t.status !== 'failed').map((t) => `${file.name} > ${t.fullName}: ${t.status} on the starter`),
);
step('exercise tests fail against the starters', notFailing.length === 0, notFailing);

const { mistakes, problems: mistakeProblems } = listMistakes();
const uncaught = [...mistakeProblems, ...proveMistakes(mistakes)];
step('exercise tests fail against every recorded mistake', uncaught.length === 0, uncaught);

if (!exercisesOnly) {
  const failedExamples = listExamples().filter(
    (example) => run(`example ${example}`, 'tsx', [example], { CI: 'true' }) !== 0,
  );
  step('tutorial examples exit 0', failedExamples.length === 0, failedExamples);
  step('docs build', run('docs', 'typedoc', []) === 0);
}

console.log(`\n${solvedCount} exercise tests proven: each passes on its solution and fails on its starter.`);
console.log(`${mistakes.length} recorded mistakes proven caught: ${mistakeCounts(mistakes)}.`);
/** `chapter1 3, chapter2 5, …`: how many mistakes each chapter records. */
function mistakeCounts(list: RecordedMistake[]): string {
  const counts = new Map<string, number>();
  for (const m of list) {
    const chapter = m.starter.split('-')[0]!;
    counts.set(chapter, (counts.get(chapter) ?? 0) + 1);
  }
  return [...counts].map(([chapter, n]) => `${chapter} ${n}`).join(', ') || 'none yet';
}

for (const problem of problems) console.log(`FAILED ${problem}`);
console.log(`verify: ${checksPassed} passed, ${problems.length} failed`);
process.exit(problems.length === 0 ? 0 : 1);
