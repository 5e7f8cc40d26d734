/**
 * The exercise catalogue of `npm run learn`, and how a learner names an exercise on the command
 * line: `producer-queue`, `chapter1/producer-queue`, `chapter1-setup/producer-queue`,
 * `1/producer-queue` or a path such as `exercises/chapter1-setup/producer-queue.ts`.
 */
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { listExercises, type Exercise } from '../workbook-layout.js';

export type { Exercise } from '../workbook-layout.js';

/**
 * A problem the learner can fix (a mistake in what they typed, or their set-up, such as no
 * redis-server): printed as it is, without a stack trace.
 */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The exercises of the workbook in `root`, in teaching order (see {@link listExercises}). */
export function loadCatalogue(root: string): Exercise[] {
  return listExercises(root);
}

/** `chapter1/producer-queue`: the short, unambiguous name `npm run learn` prints. */
export function qualifiedName(exercise: Exercise): string {
  return `chapter${exercise.chapter.number}/${exercise.name}`;
}

/** Which of an exercise's files a path argument named, or `name` when it was not a path. */
export type NamedBy = 'name' | 'starter' | 'test' | 'solution';

/** An exercise found from a command-line argument. */
export interface Resolved {
  /** The exercise. */
  exercise: Exercise;
  /** What the argument named: the exercise itself or one of its files. */
  namedBy: NamedBy;
}

/**
 * Finds the exercise `arg` names. `cwd` is where relative paths start (npm's `INIT_CWD`, the
 * folder the learner typed the command in). Throws {@link UsageError} with the close matches
 * when nothing or more than one exercise fits.
 */
export function resolveExercise(catalogue: readonly Exercise[], arg: string, root: string, cwd = root): Resolved {
  const typed = arg.trim();
  if (typed === '') throw new UsageError('Name an exercise, e.g. producer-queue (npm run learn -- list shows them all).');
  if (looksLikePath(typed)) return resolvePath(catalogue, typed, root, cwd);

  const slash = typed.replace(/\\/g, '/');
  const parts = slash.split('/');
  if (parts.length > 2) throw new UsageError(`"${typed}" is not an exercise name. ${suggest(catalogue, parts.at(-1) ?? typed)}`);
  const [chapterPart, name] = parts.length === 2 ? [parts[0]!, parts[1]!] : [undefined, parts[0]!];
  const matches = catalogue.filter(
    (exercise) => exercise.name === name && (chapterPart === undefined || chapterMatches(exercise, chapterPart)),
  );
  if (matches.length === 1) return { exercise: matches[0]!, namedBy: 'name' };
  if (matches.length > 1) {
    throw new UsageError(`"${typed}" is in more than one chapter; say which: ${matches.map(qualifiedName).join(', ')}.`);
  }
  if (chapterPart !== undefined && !catalogue.some((exercise) => chapterMatches(exercise, chapterPart))) {
    const chapters = [...new Set(catalogue.map((exercise) => `chapter${exercise.chapter.number}`))];
    throw new UsageError(`There is no chapter "${chapterPart}". The chapters are ${chapters.join(', ')}.`);
  }
  throw new UsageError(`No exercise "${typed}". ${suggest(catalogue, name)}`);
}

/** `chapter1`, `chapter1-setup` and `1` all name chapter 1. */
function chapterMatches(exercise: Exercise, typed: string): boolean {
  return typed === exercise.chapter.dir || typed === `chapter${exercise.chapter.number}` || typed === String(exercise.chapter.number);
}

/** Paths end in `.ts`, or start where only a path can (`./`, `/`, `exercises/`, `solutions/`, …). */
function looksLikePath(typed: string): boolean {
  return /\.tsx?$|\.md$/.test(typed) || /^(\.{1,2}[\\/]|[\\/]|~)/.test(typed) || typed.replace(/\\/g, '/').split('/').length > 2 || isAbsolute(typed);
}

function resolvePath(catalogue: readonly Exercise[], typed: string, root: string, cwd: string): Resolved {
  const inRoot = relative(root, resolve(cwd, typed));
  const path = inRoot.split(sep).join('/');
  for (const exercise of catalogue) {
    if (path === exercise.starter) return { exercise, namedBy: 'starter' };
    if (path === exercise.test) return { exercise, namedBy: 'test' };
    if (path === exercise.solution) return { exercise, namedBy: 'solution' };
  }
  const outside = path.startsWith('../') || isAbsolute(inRoot);
  throw new UsageError(
    `${typed} is not an exercise file${outside ? ' (it is outside the workbook)' : ''}: exercises are exercises/chapterN-*/<name>.ts. ` +
      suggest(catalogue, path.split('/').at(-1)!.replace(/(\.test)?\.tsx?$/, '')),
  );
}

/** "Did you mean …?" from the names closest to `typed`, or where to find the list. */
export function suggest(catalogue: readonly Exercise[], typed: string): string {
  const scored = catalogue
    .map((exercise) => ({ exercise, distance: closeness(typed.toLowerCase(), exercise.name) }))
    .filter(({ distance }) => distance <= Math.max(2, Math.floor(typed.length / 3)))
    .sort((a, b) => a.distance - b.distance)
    .slice(0, 5);
  const list = 'npm run learn -- list shows every exercise.';
  return scored.length === 0 ? list : `Did you mean ${scored.map(({ exercise }) => qualifiedName(exercise)).join(', ')}? (${list})`;
}

/** Edit distance, except that a name containing what was typed (`queue` → `producer-queue`) counts as close. */
function closeness(typed: string, name: string): number {
  if (typed.length >= 3 && name.includes(typed)) return 1;
  const previous = Array.from({ length: name.length + 1 }, (_, j) => j);
  for (let i = 1; i <= typed.length; i++) {
    let diagonal = previous[0]!;
    previous[0] = i;
    for (let j = 1; j <= name.length; j++) {
      const above = previous[j]!;
      previous[j] = Math.min(above + 1, previous[j - 1]! + 1, diagonal + (typed[i - 1] === name[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return previous[name.length]!;
}
