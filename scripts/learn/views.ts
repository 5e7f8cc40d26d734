/**
 * What `npm run learn` prints about exercises: the progress list, a hint, and which exercise
 * comes next. Shared by the one-shot commands and watch mode.
 */
import { join } from 'node:path';
import { readHints } from '../workbook-layout.js';
import { qualifiedName, type Exercise } from './exercises.js';
import type { ExerciseStatus, Progress } from './progress.js';
import type { Paint } from './short-reporter.js';

/** The first exercise in teaching order that is not done (on the files as they are now). */
export function firstUnsolved(catalogue: readonly Exercise[], progress: Progress): Exercise | undefined {
  return catalogue.find((exercise) => !progress.isDone(exercise));
}

/** The next exercise after `current` that is not done, else the first one before it; `undefined` when all are done. */
export function nextUnsolved(catalogue: readonly Exercise[], progress: Progress, current: Exercise): Exercise | undefined {
  const index = catalogue.findIndex((exercise) => exercise.test === current.test);
  const ordered = [...catalogue.slice(index + 1), ...catalogue.slice(0, Math.max(index, 0))];
  return ordered.find((exercise) => exercise.test !== current.test && !progress.isDone(exercise));
}

/** `done`, `not done`, … as the list shows it, with its mark. */
export function describeStatus(status: ExerciseStatus, paint: Paint): { mark: string; text: string } {
  switch (status.state) {
    case 'done':
      return { mark: paint.good('✓'), text: 'done' };
    case 'failing':
      return { mark: paint.bad('✗'), text: 'not done' };
    case 'not-run':
      return { mark: paint.dim('·'), text: paint.dim('not done (not run yet)') };
    case 'changed': {
      const what = { file: 'you edited it', test: 'its test was updated', both: 'you edited it and its test was updated' }[status.what];
      return { mark: paint.warn('~'), text: paint.warn(`changed since last run: ${what} (it ${status.result.passed ? 'passed' : 'failed'} then)`) };
    }
  }
}

/**
 * Every chapter and exercise with its status, then how many are done and what is next.
 * `current` (watch mode's exercise) is marked with ▶.
 */
export function formatList(catalogue: readonly Exercise[], progress: Progress, paint: Paint, current?: Exercise): string {
  const out: string[] = [];
  const width = Math.max(...catalogue.map((exercise) => exercise.name.length));
  let done = 0;
  let changed = 0;
  for (const [index, exercise] of catalogue.entries()) {
    const chapter = exercise.chapter;
    if (catalogue[index - 1]?.chapter.dir !== chapter.dir) {
      const inChapter = catalogue.filter((other) => other.chapter.dir === chapter.dir);
      const chapterDone = inChapter.filter((other) => progress.isDone(other)).length;
      out.push('', `${paint.bold(`Chapter ${chapter.number}: ${chapter.title}`)}  ${paint.dim(`${chapterDone}/${inChapter.length} done`)}`);
    }
    const status = progress.statusOf(exercise);
    if (status.state === 'done') done++;
    if (status.state === 'changed') changed++;
    const { mark, text } = describeStatus(status, paint);
    const pointer = current?.test === exercise.test ? '▶' : ' ';
    out.push(`${pointer} ${mark} ${exercise.name.padEnd(width)}  ${text}`);
  }
  out.push('', `${done} of ${catalogue.length} exercises done.`);
  if (changed > 0) out.push(paint.dim('~ results older than the files: `npm run learn` runs them again when it gets there, or run one now with `npm run learn -- run NAME`.'));
  const next = current ?? firstUnsolved(catalogue, progress);
  if (next && !current) out.push(`Next: ${qualifiedName(next)} (${next.starter}). Start with: npm run learn`);
  return out.join('\n').replace(/^\n/, '');
}

/** The `## name` section of the chapter's HINTS.md, with a heading that says where it is. */
export function formatHint(root: string, exercise: Exercise, paint: Paint): string {
  const hint = readHints(join(root, exercise.hints)).get(exercise.name);
  const heading = paint.bold(`Hint for ${qualifiedName(exercise)}`) + paint.dim(` (${exercise.hints})`);
  const tutorial = exercise.chapter.tutorial ? `\n\n${paint.dim(`The chapter explains the ideas: ${exercise.chapter.tutorial}`)}` : '';
  if (!hint) return `${heading}\nThis exercise has no hint yet.${tutorial}`;
  return `${heading}\n\n${hint}${tutorial}`;
}
