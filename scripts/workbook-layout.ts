/**
 * The workbook's layout as code: where chapters, exercises, solutions, hints and examples live.
 * `npm run verify` uses it to check that every exercise is complete, the hint reporter and
 * `npm run learn` to put the exercises in teaching order.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** `exercises/chapter3-scheduling` and friends, in chapter order. `root` is the workbook's folder. */
export function listChapterDirs(root = '.'): string[] {
  const exercises = join(root, 'exercises');
  if (!existsSync(exercises)) return [];
  return readdirSync(exercises, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && /^chapter\d+-[a-z0-9-]+$/.test(entry.name))
    .map((entry) => entry.name)
    .sort((a, b) => chapterNumber(a) - chapterNumber(b));
}

/** The chapter number in `chapter3-scheduling` or `03-scheduling`. */
export function chapterNumber(dir: string): number {
  return Number(/(\d+)/.exec(dir)?.[1]);
}

/** One chapter of the workbook, as `npm run learn` shows it. Paths are relative to the workbook's root. */
export interface Chapter {
  /** The chapter number: `3` is scheduling, whatever the folder's slug. */
  number: number;
  /** `chapter3-scheduling`: the folder under `exercises/` and `solutions/`. */
  dir: string;
  /** `Scheduling`, from the tutorial's front matter (`title: "3. Scheduling"`), or the folder's slug. */
  title: string;
  /** `tutorials/03-scheduling/README.md`, or `undefined` while the chapter has no tutorial. */
  tutorial: string | undefined;
}

/** One exercise and where its files are. Paths are relative to the workbook's root and use `/`. */
export interface Exercise {
  /** The chapter it belongs to. */
  chapter: Chapter;
  /** `daily-report`: the file name without `.ts`, and the `## daily-report` section of HINTS.md. */
  name: string;
  /** `exercises/chapter3-scheduling/daily-report.ts`: the file the learner edits. */
  starter: string;
  /** `exercises/chapter3-scheduling/daily-report.test.ts`. */
  test: string;
  /** `solutions/chapter3-scheduling/daily-report.ts`. */
  solution: string;
  /** `exercises/chapter3-scheduling/HINTS.md`. */
  hints: string;
}

/** Every chapter that has an `exercises/chapterN-*` folder, in chapter order. */
export function listChapters(root = '.'): Chapter[] {
  const tutorials = existsSync(join(root, 'tutorials')) ? readdirSync(join(root, 'tutorials')).sort() : [];
  return listChapterDirs(root).map((dir) => {
    const number = chapterNumber(dir);
    const tutorialDir = tutorials.find((t) => /^\d+-/.test(t) && chapterNumber(t) === number);
    const readme = tutorialDir && `tutorials/${tutorialDir}/README.md`;
    const tutorial = readme && existsSync(join(root, readme)) ? readme : undefined;
    const frontMatterTitle = tutorial && /^title: "\d+\. (.+)"$/m.exec(readFileSync(join(root, tutorial), 'utf8'))?.[1];
    return { number, dir, title: frontMatterTitle || dir.replace(/^chapter\d+-/, '').replace(/-/g, ' '), tutorial };
  });
}

/**
 * Every exercise (each `<name>.test.ts` in a chapter folder of `exercises/`), in the order the workbook teaches
 * them: chapter by chapter, and within a chapter in the order of HINTS.md's `## name` sections.
 * Exercises without a hint section come last in their chapter, by name.
 */
export function listExercises(root = '.'): Exercise[] {
  return listChapters(root).flatMap((chapter) => {
    const hints = `exercises/${chapter.dir}/HINTS.md`;
    const order = [...readHints(join(root, hints)).keys()];
    const rank = (name: string) => (order.includes(name) ? order.indexOf(name) : Infinity);
    return readdirSync(join(root, 'exercises', chapter.dir))
      .filter((file) => file.endsWith('.test.ts'))
      .map((file) => file.slice(0, -'.test.ts'.length))
      .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
      .map((name) => ({
        chapter,
        name,
        starter: `exercises/${chapter.dir}/${name}.ts`,
        test: `exercises/${chapter.dir}/${name}.test.ts`,
        solution: `solutions/${chapter.dir}/${name}.ts`,
        hints,
      }));
  });
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
 * chapter's HINTS.md, at least two recorded mistakes `mistakes/chapterN-x/name.*.patch`, and that
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
      const mistakes = existsSync(join('mistakes', chapter)) ? readdirSync(join('mistakes', chapter)).filter((file) => file.startsWith(`${name}.`) && file.endsWith('.patch')) : [];
      if (mistakes.length < 2) problems.push(`mistakes/${chapter}/${name}.*.patch: ${mistakes.length} recorded mistakes (an exercise keeps at least 2)`);
    }
    for (const solution of existsSync(join('solutions', chapter)) ? readdirSync(join('solutions', chapter)) : []) {
      if (!existsSync(join(dir, solution))) problems.push(`solutions/${chapter}/${solution}: no such file in ${dir}`);
    }
  }
  return problems;
}
