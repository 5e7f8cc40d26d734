/**
 * The one-shot commands of `npm run learn`: list, hint, run, solution, mistakes and reset. Each returns the
 * process's exit code; mistakes in what was typed throw {@link UsageError}.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { listMistakes } from '../mistakes/recorded.js';
import { qualifiedName, resolveExercise, UsageError, type Exercise } from './exercises.js';
import type { Progress } from './progress.js';
import { openSession } from './session.js';
import { formatVerdict, paintFor, type Paint, type Verdict } from './short-reporter.js';
import { formatHint, formatList, nextUnsolved } from './views.js';

/** What every command gets. */
export interface CommandContext {
  /** The workbook's folder. */
  root: string;
  /** Where relative path arguments start (the folder the learner typed the command in). */
  cwd: string;
  /** The exercises, in teaching order. */
  catalogue: Exercise[];
  /** The learner's progress. */
  progress: Progress;
  /** Where answers to questions come from. */
  input: NodeJS.ReadStream;
  /** Where output goes. */
  output: NodeJS.WriteStream;
}

/** The help text, listing the commands. */
export const HELP = `npm run learn: the workbook's exercises one at a time, rerun on every save.

  npm run learn                     watch mode: runs the first exercise not done yet, runs it again
                                    each time you save, and moves on when it passes.
                                    Keys: h hint, l list, r run again, q quit (Ctrl-C too)
  npm run learn -- watch NAME       the same, starting at NAME
  npm run learn -- list             every chapter and exercise: done or not
  npm run learn -- hint NAME        the hint for NAME
  npm run learn -- run NAME         runs NAME's tests once (exit code 0 when they pass)
  npm run learn -- solution NAME    the reference solution and how yours differs (once yours passes)
  npm run learn -- mistakes NAME    the mistakes learners make in NAME, each as a diff against the
                                    reference solution (once yours passes)
  npm run learn -- reset NAME       puts NAME's file back as it is in git (asks first; --yes does not)
  npm run learn -- help             this text

NAME is an exercise: producer-queue, chapter1/producer-queue, chapter1-setup/producer-queue, or its
file, exercises/chapter1-setup/producer-queue.ts. Progress is kept in .learn/progress.json.
The whole chapter at once, as before: npm test -- chapter1`;

/** Writes `text` and a newline. */
export function say(context: Pick<CommandContext, 'output'>, text = ''): void {
  context.output.write(`${text}\n`);
}

/** `list`: every chapter and exercise, done or not, from the stored results. */
export function listCommand(context: CommandContext): number {
  say(context, formatList(context.catalogue, context.progress, paintFor(context.output)));
  return 0;
}

/** `hint NAME`: the exercise's section of HINTS.md. */
export function hintCommand(context: CommandContext, name: string | undefined): number {
  const { exercise } = resolveExercise(context.catalogue, required(name, 'hint'), context.root, context.cwd);
  say(context, formatHint(context.root, exercise, paintFor(context.output)));
  return 0;
}

/** Runs one exercise once, prints its short verdict, records it; resolves with the verdict. */
export async function runOnce(context: CommandContext, exercise: Exercise): Promise<Verdict> {
  const paint = paintFor(context.output);
  say(context, paint.dim(`Running ${exercise.test} …`));
  const session = await openSession(context.root, context.progress, { watch: false });
  // Ctrl-C during the run: stop vitest (and its Redis) before leaving.
  const onSignal = (signal: NodeJS.Signals) => void session.close().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const verdict = await session.run(exercise);
    // Cut short by Ctrl-C: no verdict to show; the signal handler exits.
    if (!session.closing) say(context, formatVerdict(verdict, qualifiedName(exercise), paint));
    return verdict;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await session.close();
  }
}

/** `run NAME`: runs the exercise's test once; 0 when it passes, 1 otherwise. */
export async function runCommand(context: CommandContext, name: string | undefined): Promise<number> {
  const { exercise } = resolveExercise(context.catalogue, required(name, 'run'), context.root, context.cwd);
  const verdict = await runOnce(context, exercise);
  if (verdict.passed) {
    const next = nextUnsolved(context.catalogue, context.progress, exercise);
    say(context, next ? `Next: ${qualifiedName(next)} (${next.starter})` : 'Every exercise is done.');
  } else {
    say(context, `Edit ${exercise.starter}. Stuck? npm run learn -- hint ${exercise.name}`);
  }
  return verdict.passed ? 0 : 1;
}

/**
 * `solution NAME`: runs the exercise first, and only when it passes shows the reference solution
 * and the difference from the learner's file (`git diff --no-index`).
 */
export async function solutionCommand(context: CommandContext, name: string | undefined): Promise<number> {
  const { exercise } = resolveExercise(context.catalogue, required(name, 'solution'), context.root, context.cwd);
  const verdict = await runOnce(context, exercise);
  if (!verdict.passed) {
    say(context, `\nThe reference solution is shown once your version passes: solve it first (npm run learn -- hint ${exercise.name}).`);
    return 1;
  }
  const paint = paintFor(context.output);
  say(context, `\n${paint.bold(`Reference solution: ${exercise.solution}`)}\n`);
  say(context, readFileSync(join(context.root, exercise.solution), 'utf8').trimEnd());
  say(context, `\n${paint.bold('Your version against it')} ${paint.dim(`(- ${exercise.starter}, + ${exercise.solution})`)}\n`);
  const diff = spawnSync('git', ['--no-pager', 'diff', '--no-index', `--color=${context.output.isTTY ? 'always' : 'never'}`, '--', exercise.starter, exercise.solution], {
    cwd: context.root,
    encoding: 'utf8',
  });
  if (diff.error || (diff.status ?? 2) > 1) say(context, `(no diff: git is not available: ${diff.error?.message ?? diff.stderr.trim()})`);
  else if (diff.status === 0) say(context, 'Your file is the same as the reference solution.');
  else say(context, diff.stdout.trimEnd());
  return 0;
}

/**
 * `mistakes NAME`: runs the exercise first, and only when it passes shows its recorded mistakes,
 * each as its sentence, where the chapter explains it, and its diff against the reference solution.
 */
export async function mistakesCommand(context: CommandContext, name: string | undefined): Promise<number> {
  const { exercise } = resolveExercise(context.catalogue, required(name, 'mistakes'), context.root, context.cwd);
  const verdict = await runOnce(context, exercise);
  if (!verdict.passed) {
    say(context, `\nThe mistakes others made are shown once your version passes: solve it first (npm run learn -- hint ${exercise.name}).`);
    return 1;
  }
  const paint = paintFor(context.output);
  const mistakes = listMistakes(context.root).mistakes.filter((mistake) => mistake.exercise === `${exercise.chapter.dir}/${exercise.name}`);
  say(context, `\n${paint.bold(`${mistakes.length} mistakes learners make in ${qualifiedName(exercise)}`)}, each against ${exercise.solution}; the tests catch every one.`);
  for (const [index, mistake] of mistakes.entries()) {
    const { tutorial, section } = mistake.explainedIn;
    say(context, `\n${paint.bold(`${index + 1}. ${mistake.sentence}.`)}\n${paint.dim(`Read "${section}" in ${tutorial}.`)}\n`);
    say(context, colourDiff(mistake.diff.trimEnd(), paint));
  }
  return 0;
}

/** A unified diff with removed lines red and added lines green (plain without a terminal). */
function colourDiff(diff: string, paint: Paint): string {
  return diff
    .split('\n')
    .map((line) => (line.startsWith('---') || line.startsWith('+++') || line.startsWith('@@') ? paint.dim(line) : line.startsWith('-') ? paint.bad(line) : line.startsWith('+') ? paint.good(line) : line))
    .join('\n');
}

/**
 * `reset NAME [--yes]`: puts the exercise's file back as git's HEAD has it, after asking. Refuses
 * anything but an exercise's own file under exercises/. The learner's version is kept in
 * `.learn/backup/` first, so even a mistaken "y" loses nothing.
 */
export async function resetCommand(context: CommandContext, name: string | undefined, yes: boolean): Promise<number> {
  const { exercise, namedBy } = resolveExercise(context.catalogue, required(name, 'reset'), context.root, context.cwd);
  if (namedBy !== 'name' && namedBy !== 'starter') {
    throw new UsageError(`reset only restores the file you edit (${exercise.starter}), not the exercise's ${namedBy} file.`);
  }
  const git = spawnSync('git', ['show', `HEAD:${exercise.starter}`], { cwd: context.root });
  if (git.error) throw new UsageError(`reset needs git, which did not run: ${git.error.message}`);
  if (git.status !== 0) {
    throw new UsageError(`${exercise.starter} is not in git's last commit (HEAD), so there is no starter to restore: ${git.stderr.toString().trim()}`);
  }
  const file = join(context.root, exercise.starter);
  const current = existsSync(file) ? readFileSync(file) : undefined;
  if (current?.equals(git.stdout)) {
    say(context, `${exercise.starter} is already as git's HEAD has it: nothing to reset.`);
    return 0;
  }
  if (!yes && !(await confirm(context, `Put ${exercise.starter} back as git's HEAD has it? Your version is kept in .learn/backup/. [y/N] `))) {
    say(context, 'Nothing changed.');
    return 1;
  }
  if (current) {
    const backup = join(context.root, '.learn', 'backup', exercise.chapter.dir, `${exercise.name}.${new Date().toISOString().replace(/[:.]/g, '-')}.ts`);
    mkdirSync(dirname(backup), { recursive: true });
    copyFileSync(file, backup);
    say(context, `Your version is in ${backup.slice(context.root.length + 1)}.`);
  }
  writeFileSync(file, git.stdout);
  context.progress.forget(exercise);
  say(context, `${exercise.starter} is back to the starter (git's HEAD).`);
  return 0;
}

/** Asks a yes/no question on `input`; anything but y/yes (or the input ending) is no. */
async function confirm(context: CommandContext, question: string): Promise<boolean> {
  const lines = createInterface({ input: context.input, output: context.output, terminal: Boolean(context.input.isTTY) });
  try {
    const answer = await new Promise<string>((resolve) => {
      lines.once('close', () => resolve(''));
      lines.question(question, resolve);
    });
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    lines.close();
  }
}

function required(name: string | undefined, command: string): string {
  if (!name) throw new UsageError(`Which exercise? e.g. npm run learn -- ${command} producer-queue (npm run learn -- list shows them all).`);
  return name;
}
