/**
 * `npm run verify`: the maintainers' proof that the workbook works. CI runs exactly this.
 *
 * 1. typecheck of everything (src, tests, exercises, solutions, tutorials, scripts)
 * 2. the exercise manifest: every exercise test has a starter, a solution and a hint
 * 3. the toolkit's own tests, then the fault suite (real processes killed and stopped on purpose)
 * 4. every exercise test PASSES against its reference solution
 * 5. every exercise test FAILS against its starter (a test that passes unsolved proves nothing)
 * 6. every tutorial example runs and exits 0 by itself
 * 7. the docs site builds with no TypeDoc warning
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { checkManifest, listExamples } from './workbook-layout.js';

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

function exerciseRun(target: 'solutions' | 'starters'): JsonReport {
  const outputFile = `.vitest-results/${target}.json`;
  run(`exercise tests against the ${target}`, 'vitest', ['run', '--project', 'exercises', '--reporter=json', `--outputFile=${outputFile}`], {
    WORKBOOK_TARGET: target,
  });
  return JSON.parse(readFileSync(outputFile, 'utf8')) as JsonReport;
}

mkdirSync('.vitest-results', { recursive: true });

step('typecheck', run('typecheck', 'tsc', ['--noEmit']) === 0);

const manifestProblems = checkManifest();
console.log(`\n=== exercise manifest: ${manifestProblems.length === 0 ? 'complete' : 'incomplete'}`);
step('exercise manifest', manifestProblems.length === 0, manifestProblems);

step('toolkit tests', run('toolkit tests', 'vitest', ['run', '--project', 'toolkit']) === 0);

step('fault suite', run('fault suite', 'vitest', ['run', '--project', 'faults']) === 0);

const solved = exerciseRun('solutions');
const notPassing = solved.testResults.flatMap((file) =>
  file.assertionResults.length === 0
    ? [`${file.name}: no test ran (${file.message?.split('\n')[0] ?? 'load error'})`]
    : file.assertionResults.filter((t) => t.status !== 'passed').map((t) => `${file.name} > ${t.fullName}: ${t.status}`),
);
const solvedCount = solved.testResults.reduce((sum, file) => sum + file.assertionResults.length, 0);
step('exercise tests pass against the solutions', notPassing.length === 0 && solvedCount > 0, notPassing);

const unsolved = exerciseRun('starters');
const notFailing = unsolved.testResults.flatMap((file) =>
  file.assertionResults.length === 0
    ? [`${file.name}: the starter does not load, so no test can be seen failing on its own`]
    : file.assertionResults.filter((t) => t.status !== 'failed').map((t) => `${file.name} > ${t.fullName}: ${t.status} on the starter`),
);
step('exercise tests fail against the starters', notFailing.length === 0, notFailing);

const failedExamples = listExamples().filter(
  (example) => run(`example ${example}`, 'tsx', [example], { CI: 'true' }) !== 0,
);
step('tutorial examples exit 0', failedExamples.length === 0, failedExamples);

step('docs build', run('docs', 'typedoc', []) === 0);

console.log(`\n${solvedCount} exercise tests proven: each passes on its solution and fails on its starter.`);
for (const problem of problems) console.log(`FAILED ${problem}`);
console.log(`verify: ${checksPassed} passed, ${problems.length} failed`);
process.exit(problems.length === 0 ? 0 : 1);
