/**
 * The workbook's layout as code: where chapters, exercises, solutions, hints and examples live.
 * `npm run verify` uses it to check that every exercise is complete.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** `exercises/chapter3-scheduling` and friends, in chapter order. */
export function listChapterDirs(): string[] {
  return readdirSync('exercises', { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && /^chapter\d+-[a-z0-9-]+$/.test(entry.name))
    .map((entry) => entry.name)
    .sort((a, b) => chapterNumber(a) - chapterNumber(b));
}

/** The chapter number in `chapter3-scheduling` or `03-scheduling`. */
export function chapterNumber(dir: string): number {
  return Number(/(\d+)/.exec(dir)?.[1]);
}

/** Every `tutorials/NN-slug/example*.ts`, in chapter order. */
export function listExamples(): string[] {
  return readdirSync('tutorials', { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .flatMap((dir) =>
      readdirSync(join('tutorials', dir))
        .filter((file) => /^example.*\.ts$/.test(file))
        .sort()
        .map((file) => join('tutorials', dir, file)),
    );
}

/** The `## name` sections of a HINTS.md file, with their text. */
export function readHints(file: string): Map<string, string> {
  const hints = new Map<string, string>();
  if (!existsSync(file)) return hints;
  const sections = readFileSync(file, 'utf8').split(/^## /m).slice(1);
  for (const section of sections) {
    const [title = '', ...body] = section.split('\n');
    hints.set(title.trim(), body.join('\n').trim());
  }
  return hints;
}

/**
 * Checks that each exercise test `exercises/chapterN-x/name.test.ts` has its starter
 * `name.ts`, its solution `solutions/chapterN-x/name.ts`, a non-empty `## name` hint in the
 * chapter's HINTS.md, at least two recorded mistakes `mistakes/chapterN-x/name.*.ts`, and that
 * the chapter has a tutorial. Returns the problems found.
 */
export function checkManifest(): string[] {
  const problems: string[] = [];
  const tutorials = readdirSync('tutorials');
  for (const chapter of listChapterDirs()) {
    const dir = join('exercises', chapter);
    const hints = readHints(join(dir, 'HINTS.md'));
    const tests = readdirSync(dir).filter((file) => file.endsWith('.test.ts'));
    if (tests.length < 3 || tests.length > 6) problems.push(`${dir}: ${tests.length} exercises (a chapter has 3 to 6)`);
    const tutorial = tutorials.find((t) => chapterNumber(t) === chapterNumber(chapter));
    const readme = tutorial && join('tutorials', tutorial, 'README.md');
    if (!readme || !existsSync(readme)) {
      problems.push(`${dir}: no tutorials/NN-*/README.md for chapter ${chapterNumber(chapter)}`);
    } else if (!readFileSync(readme, 'utf8').startsWith(`---\ntitle: "${chapterNumber(chapter)}. `)) {
      // The docs site orders and names chapters by this front matter.
      problems.push(`${readme}: must start with front matter \`title: "${chapterNumber(chapter)}. <Title>"\``);
    }
    for (const test of tests) {
      const name = test.replace(/\.test\.ts$/, '');
      if (!existsSync(join(dir, `${name}.ts`))) problems.push(`${dir}/${name}.ts: starter missing`);
      if (!existsSync(join('solutions', chapter, `${name}.ts`))) problems.push(`solutions/${chapter}/${name}.ts: solution missing`);
      if (!hints.get(name)) problems.push(`${dir}/HINTS.md: no "## ${name}" section with a hint`);
      const mistakes = existsSync(join('mistakes', chapter)) ? readdirSync(join('mistakes', chapter)).filter((file) => file.startsWith(`${name}.`)) : [];
      if (mistakes.length < 2) problems.push(`mistakes/${chapter}/${name}.*.ts: ${mistakes.length} recorded mistakes (an exercise keeps at least 2)`);
    }
    for (const solution of existsSync(join('solutions', chapter)) ? readdirSync(join('solutions', chapter)) : []) {
      if (!existsSync(join(dir, solution))) problems.push(`solutions/${chapter}/${solution}: no such file in ${dir}`);
    }
  }
  return problems;
}

/** A known-wrong version of one exercise's starter, kept under mistakes/ for `npm run verify`. */
export interface RecordedMistake {
  /** `chapter2-first-job/register-user.ts`: the starter it stands in for. */
  starter: string;
  /** `chapter2-first-job/register-user.checks-then-inserts.ts`: the mistake, under mistakes/. */
  file: string;
  /** The mistake, as its first-line comment names it. */
  title: string;
}

/**
 * Every `mistakes/<chapter>/<exercise>.<mistake>.ts`, in chapter order, and the problems with
 * them: a mistake must stand in for an existing starter and name itself in a first-line comment.
 */
export function listMistakes(): { mistakes: RecordedMistake[]; problems: string[] } {
  const mistakes: RecordedMistake[] = [];
  const problems: string[] = [];
  if (!existsSync('mistakes')) return { mistakes, problems };
  for (const chapter of readdirSync('mistakes').sort((a, b) => chapterNumber(a) - chapterNumber(b))) {
    for (const file of readdirSync(join('mistakes', chapter)).sort()) {
      const match = /^([a-z0-9-]+)\.([a-z0-9-]+)\.ts$/.exec(file);
      const path = `mistakes/${chapter}/${file}`;
      if (!match) {
        problems.push(`${path}: name it <exercise>.<mistake-in-kebab-case>.ts`);
        continue;
      }
      const starter = `${chapter}/${match[1]}.ts`;
      if (!existsSync(join('exercises', chapter, `${match[1]}.test.ts`))) problems.push(`${path}: no exercise exercises/${chapter}/${match[1]}.test.ts`);
      const firstLine = readFileSync(join('mistakes', chapter, file), 'utf8').split('\n', 1)[0] ?? '';
      const title = /^\/\/\s*Mistake:\s*(.+)$/.exec(firstLine)?.[1]?.trim();
      if (!title) problems.push(`${path}: the first line must be \`// Mistake: <what the learner got wrong>\``);
      mistakes.push({ starter, file: `${chapter}/${file}`, title: title ?? file });
    }
  }
  return { mistakes, problems };
}
