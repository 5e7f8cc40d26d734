/**
 * `npm run mistake`: the maintainers' commands for recorded mistakes (see CONTRIBUTING.md).
 *
 *   npm run mistake -- new EXERCISE SLUG FILE   FILE, an edited copy of the solution, becomes
 *                                               mistakes/<chapter>/<exercise>.<SLUG>.patch
 *   npm run --silent mistake -- show ID         the wrong file, with its two header comments
 *   npm run mistake -- try ID                   runs the exercise's tests on it
 *   npm run mistake -- catalogue                proves every mistake and writes mistakes/catalogue.json
 *
 * ID is `chapter2-first-job/register-user.checks-then-inserts` (or `register-user.checks-then-inserts`).
 */
// First: on a too-old Node the native SQLite driver crashes instead of failing.
import '../src/process/node-version.js';
// Then: a folder this user cannot write is refused with a sentence, not a permission error.
import '../src/process/writable-checkout.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { runTitled } from './exercise-run.js';
import { resolveExercise, UsageError } from './learn/exercises.js';
import { catalogueOf, CATALOGUE_FILE, REFRESH_CATALOGUE, writeCatalogue } from './mistakes/catalogue.js';
import { proveMistakes } from './mistakes/prove.js';
import { buildMistake, BUILT_MISTAKES_DIR, formatMistakePatch, listMistakes, writeBuiltMistakes, type RecordedMistake } from './mistakes/recorded.js';
import { listExercises } from './workbook-layout.js';

const root = resolve(import.meta.dirname, '..');
const cwd = process.env.INIT_CWD ?? process.cwd();
process.chdir(root);

const USAGE = `npm run mistake -- new EXERCISE SLUG FILE | show ID | try ID | catalogue (see CONTRIBUTING.md, "Recorded mistakes")`;

/** The two comment lines a mistake's file starts with, for `new` to read and `show` to write. */
const SENTENCE_LINE = /^\/\/ Mistake: (.+)$/;
const SECTION_LINE = /^\/\/ Explained in: (\S+\.md), "(.+)"$/;

function newMistake(exerciseName: string, slug: string, file: string): number {
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(slug)) throw new UsageError(`SLUG is the mistake in kebab-case, e.g. checks-then-inserts; got "${slug}".`);
  const { exercise } = resolveExercise(listExercises(root), exerciseName, root, cwd);
  const [first = '', second = '', ...rest] = readFileSync(resolve(cwd, file), 'utf8').split('\n');
  const sentence = SENTENCE_LINE.exec(first)?.[1];
  const where = SECTION_LINE.exec(second);
  if (!sentence || !where) {
    throw new UsageError(`${file} must start with two comment lines:\n  // Mistake: <what is wrong, and why it matters>\n  // Explained in: ${exercise.chapter.tutorial ?? 'tutorials/NN-topic/README.md'}, "<section heading>"`);
  }
  const patchFile = `mistakes/${exercise.chapter.dir}/${exercise.name}.${slug}.patch`;
  const patch = formatMistakePatch(
    { sentence, explainedIn: { tutorial: where[1]!, section: where[2]! } },
    exercise.solution,
    readFileSync(exercise.solution, 'utf8'),
    `${exercise.name}.${slug}`,
    rest.join('\n'),
  );
  writeFileSync(patchFile, patch);
  const problem = listMistakes(root).problems.find((p) => p.startsWith(patchFile));
  if (problem) throw new UsageError(`Wrote ${patchFile}, but: ${problem}`);
  console.log(`Wrote ${patchFile}:\n\n${patch}\nNext: npm run mistake -- try ${exercise.chapter.dir}/${exercise.name}.${slug}, then ${REFRESH_CATALOGUE}.`);
  return 0;
}

function findMistake(id: string | undefined): RecordedMistake {
  const { mistakes } = listMistakes(root);
  const found = mistakes.filter((m) => m.id === id || m.id.endsWith(`/${id}`));
  if (found.length === 1) return found[0]!;
  const near = mistakes.filter((m) => id && m.id.includes(id.split('.')[0]!)).map((m) => `  ${m.id}`);
  throw new UsageError(`${id ? `No single recorded mistake "${id}".` : 'Which mistake?'}${near.length ? ` Its exercise has:\n${near.join('\n')}` : ''}`);
}

function showMistake(id: string | undefined): number {
  const mistake = findMistake(id);
  const { tutorial, section } = mistake.explainedIn;
  process.stdout.write(`// Mistake: ${mistake.sentence}\n// Explained in: ${tutorial}, "${section}"\n${buildMistake(root, mistake)}`);
  return 0;
}

function tryMistake(id: string | undefined): number {
  const mistake = findMistake(id);
  writeBuiltMistakes(root, [mistake]);
  const status = runTitled(`the tests on ${mistake.id}`, 'vitest', ['run', '--project', 'exercises', `exercises/${mistake.exercise}.test.ts`], {
    WORKBOOK_TARGET: 'mistakes',
    WORKBOOK_POSTGRES: '1',
    WORKBOOK_MISTAKES: JSON.stringify({ [mistake.starter]: mistake.built }),
  });
  console.log(status === 0 ? `Every test passes on ${mistake.id}: the tests do not catch it yet. Tighten the test, not the mistake.` : `Caught: the tests fail on ${mistake.id} (above).`);
  return status === 0 ? 1 : 0;
}

function refreshCatalogue(): number {
  const { mistakes, problems } = listMistakes(root);
  problems.push(...writeBuiltMistakes(root, mistakes));
  if (problems.length > 0) throw new UsageError(`Fix these first:\n  ${problems.join('\n  ')}`);
  const proofs = proveMistakes(mistakes);
  writeCatalogue(root, catalogueOf(proofs));
  const uncaught = proofs.flatMap((proof) => proof.problem ?? []);
  console.log(`\nWrote ${CATALOGUE_FILE}: ${proofs.length} mistakes (built in ${BUILT_MISTAKES_DIR}/).`);
  for (const problem of uncaught) console.log(`NOT CAUGHT ${problem}`);
  return uncaught.length === 0 ? 0 : 1;
}

const [command, ...args] = process.argv.slice(2);
let code = 1;
try {
  if (command === 'new' && args.length === 3) code = newMistake(args[0]!, args[1]!, args[2]!);
  else if (command === 'show' && args.length <= 1) code = showMistake(args[0]);
  else if (command === 'try' && args.length <= 1) code = tryMistake(args[0]);
  else if (command === 'catalogue' && args.length === 0) code = refreshCatalogue();
  else throw new UsageError(USAGE);
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  console.error(error.message);
}
process.exit(code);
