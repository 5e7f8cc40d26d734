/**
 * `npm run verify`: the maintainers' proof that the workbook works. CI runs exactly this.
 *
 * 1. typecheck of everything (src, tests, exercises, solutions, the built mistakes, tutorials, scripts)
 * 2. the exercise manifest: every exercise test has a starter, a solution and a hint
 * 3. the toolkit's own tests, then the fault suite (real processes killed and stopped on purpose)
 * 4. every exercise test PASSES against its reference solution
 * 5. every exercise test FAILS against its starter (a test that passes unsolved proves nothing)
 * 6. every exercise's tests FAIL against each of its recorded mistakes (mistakes/*.patch: the
 *    wrong solutions learners really write, built from the solution and the patch), so the tests
 *    catch more than an untouched starter, and mistakes/catalogue.json names the tests each fails
 * 7. every tutorial example runs and exits 0 by itself
 * 8. the concept map (docs/rails-to-typescript.md) has a row for every idiom a chapter cites, and
 *    its links resolve; the docs site builds with no TypeDoc warning, and every internal link and
 *    #anchor of every page lands (scripts/site-links.ts)
 * 9. a report (not a check): dependencies behind the newest version their range allows
 *
 * `npm run verify -- --exercises` runs steps 2, 4, 5 and 6 only: CI uses it to prove the exercises
 * again on a second Node version.
 */
// First: on a too-old Node the native SQLite driver crashes instead of failing.
import '../src/process/node-version.js';
// Then: a folder this user cannot write is refused with a sentence, not a permission error.
import '../src/process/writable-checkout.js';
import { spawnSync } from 'node:child_process';
import { checkConceptMap } from './concept-map.js';
import { brokenLinks } from './site-links.js';
import { checkManifest, listExamples } from './workbook-layout.js';
import { exerciseRun, runTitled as run } from './exercise-run.js';
import { catalogueDifferences, catalogueOf, CATALOGUE_FILE, readCatalogue, REFRESH_CATALOGUE } from './mistakes/catalogue.js';
import { proveMistakes } from './mistakes/prove.js';
import { listMistakes, writeBuiltMistakes, type RecordedMistake } from './mistakes/recorded.js';

const problems: string[] = [];
let checksPassed = 0;

function step(title: string, ok: boolean, detail: string[] = []): void {
  if (ok) {
    checksPassed++;
  } else {
    problems.push(`${title}${detail.length ? `:\n    ${detail.join('\n    ')}` : ''}`);
  }
}


const exercisesOnly = process.argv.includes('--exercises');
console.log(`verify on Node ${process.version}${exercisesOnly ? ': the exercise proofs only' : ''}`);

// Built first, so the typecheck covers the wrong files too: a mistake compiles, and nearly works.
const { mistakes, problems: mistakeProblems } = listMistakes();
const notApplying = writeBuiltMistakes('.', mistakes);
console.log(`\n=== recorded mistakes: ${mistakes.length} patches, ${notApplying.length === 0 ? 'all apply' : `${notApplying.length} no longer apply`}`);
step('recorded mistakes apply to their solutions', mistakeProblems.length === 0 && notApplying.length === 0, [...mistakeProblems, ...notApplying]);

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

const proofs = proveMistakes(mistakes.filter((mistake) => !notApplying.some((problem) => problem.startsWith(mistake.patchFile))));
const uncaught = proofs.flatMap((proof) => proof.problem ?? []);
step('exercise tests fail against every recorded mistake', uncaught.length === 0, uncaught);
// The learner's runs recognise a mistake by the tests it fails: the catalogue must say what they are now.
// (Only when every patch applied: otherwise the catalogue cannot be compared, and verify fails above.)
if (notApplying.length === 0) {
  const stale = catalogueDifferences(readCatalogue(), catalogueOf(proofs));
  if (stale.length > 0) stale.push(`refresh it with: ${REFRESH_CATALOGUE}`);
  step(`${CATALOGUE_FILE} is current`, stale.length === 0, stale);
}

if (!exercisesOnly) {
  const failedExamples = listExamples().filter(
    (example) => run(`example ${example}`, 'tsx', [example], { CI: 'true' }) !== 0,
  );
  step('tutorial examples exit 0', failedExamples.length === 0, failedExamples);
  const mapProblems = checkConceptMap();
  console.log(`\n=== concept map: ${mapProblems.length === 0 ? 'every idiom the chapters cite has its row, and every link resolves' : `${mapProblems.length} problems`}`);
  step('concept map (docs/rails-to-typescript.md)', mapProblems.length === 0, mapProblems);
  const built = run('docs', 'typedoc', ['--options', 'docs/typedoc.json']) === 0;
  step('docs build', built);
  const broken = built ? brokenLinks('docs/site') : ['the site did not build'];
  console.log(`\n=== docs site links: ${broken.length === 0 ? 'every internal link and #anchor lands' : `${broken.length} broken`}`);
  step('docs site links', broken.length === 0, broken);
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

if (!exercisesOnly) reportOutdated();
/**
 * One line per dependency behind the newest version its package.json range allows: a report for
 * the maintainers (`npm update` takes them), never a failure. npm asks the registry; offline, it says so.
 */
function reportOutdated(): void {
  const outdated = spawnSync('npm', ['outdated', '--json'], { encoding: 'utf8' });
  let found: Record<string, { current?: string; wanted?: string; latest?: string }>;
  try {
    found = JSON.parse(outdated.stdout || '{}');
  } catch {
    console.log('\nDependencies: could not ask the npm registry what is newer (offline?).');
    return;
  }
  const behind = Object.entries(found).filter(([, v]) => v.current && v.wanted && v.current !== v.wanted);
  console.log(`\nDependencies behind the newest version their range allows: ${behind.length === 0 ? 'none' : behind.length}`);
  for (const [name, v] of behind) console.log(`  ${name} ${v.current} installed, ${v.wanted} allowed (npm update ${name})`);
}

for (const problem of problems) console.log(`FAILED ${problem}`);
console.log(`verify: ${checksPassed} passed, ${problems.length} failed`);
process.exit(problems.length === 0 ? 0 : 1);
