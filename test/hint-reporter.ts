/**
 * A vitest reporter that ends an exercise run with the list of exercises still failing, in the
 * order the chapter teaches them, and where each one's hint is, the way rustlings points at `hint`.
 * It also stores each exercise's result in the learner's progress (`npm run learn -- list`), so
 * an exercise solved with `npm test -- chapterN` shows as done there too.
 */
import { relative, sep } from 'node:path';
import type { Reporter, TestModule, TestSpecification, Vitest } from 'vitest/node';
import { hashesOf, Progress, type FileHashes } from '../scripts/learn/progress.js';
import { chapterNumber, listChapterDirs, listExercises, type Exercise } from '../scripts/workbook-layout.js';
import { describeKnownMistakes, outcomeOf, recogniseInWorkbook } from '../scripts/mistakes/recognise.js';
import { takeSetupFailure } from './setup-failure.js';

export default class HintReporter implements Reporter {
  private root = process.cwd();
  private started = new Map<string, { exercise: Exercise; hashes: FileHashes }>();

  onInit(vitest: Vitest): void {
    this.root = vitest.config.root;
  }

  onTestRunStart(specifications: ReadonlyArray<TestSpecification>): void {
    // Only the learner's own files make a result (verify's runs set WORKBOOK_TARGET).
    if (process.env.WORKBOOK_TARGET) return;
    const byTest = new Map(listExercises(this.root).map((exercise) => [exercise.test, exercise]));
    for (const { moduleId } of specifications) {
      const exercise = byTest.get(this.relative(moduleId));
      // Hashed as the run starts, so a save during the run does not get this run's result.
      if (exercise) this.started.set(moduleId, { exercise, hashes: hashesOf(this.root, exercise) });
    }
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    // The shared Redis or database could not start (no redis-server, say): that, not "no tests".
    const setupFailure = takeSetupFailure();
    if (setupFailure) return console.log(`\nThe tests could not start: ${setupFailure}\n`);
    if (testModules.length === 0) return this.explainNoTests();
    if (process.env.WORKBOOK_TARGET === 'solutions' || process.env.WORKBOOK_TARGET === 'mistakes') return;
    this.recordProgress(testModules);
    this.explainSkippedPostgres(testModules);
    const failing = new Map(testModules.filter((module) => !module.ok()).map((module) => [this.relative(module.moduleId), module]));
    // listExercises gives the teaching order: chapter by chapter, then HINTS.md's order.
    const lines = listExercises(this.root)
      .filter((exercise) => failing.has(exercise.test))
      .flatMap((exercise) => {
        const known = recogniseInWorkbook(this.root, `${exercise.chapter.dir}/${exercise.name}`, outcomeOf(failing.get(exercise.test)!));
        return [`  ${exercise.starter}  ->  hint: ${exercise.hints}#${exercise.name}`, ...describeKnownMistakes(known).map((line) => `      ${line}`)];
      });
    if (lines.length === 0) return;
    console.log(`\nExercises still to solve, in order (edit the file, then run the same command again):\n${lines.join('\n')}\n`);
    console.log('One at a time, rerun on every save, with hints: npm run learn\n');
  }

  /** Race tests on PostgreSQL are skipped unless asked for: say so, and how to run them. */
  private explainSkippedPostgres(testModules: ReadonlyArray<TestModule>): void {
    const skipped = testModules.flatMap((module) =>
      [...module.children.allTests()]
        .filter((test) => test.result().state === 'skipped' && /\bon postgres\b/i.test(test.fullName))
        .map(() => /exercises\/(chapter\d+)-/.exec(module.moduleId)?.[1] ?? 'chapterN'),
    );
    if (skipped.length === 0) return;
    console.log(`\n${skipped.length} tests on PostgreSQL were skipped to keep this run fast. Where a race is the lesson, SQLite can hide it:` +
      `\nrun WORKBOOK_POSTGRES=1 npm test -- ${[...new Set(skipped)].join(' ')} once your solution passes (needs PostgreSQL installed).`);
  }

  /** `npm test -- chapter9` found nothing: say which chapters there are, rather than only "no test files". */
  private explainNoTests(): void {
    const chapters = listChapterDirs();
    // The CLI's file filters: `npm test -- chapter9` ends with `chapter9`.
    const filters = process.argv.slice(2).filter((arg) => !arg.startsWith('-') && arg !== 'run' && arg !== 'exercises');
    const asked = filters.filter((filter) => /^chapter\d+$/.test(filter));
    const missing = asked.filter((filter) => !chapters.some((dir) => chapterNumber(dir) === chapterNumber(filter)));
    const list = chapters.map((dir) => `  npm test -- chapter${chapterNumber(dir)}   (${dir.replace(/^chapter\d+-/, '').replace(/-/g, ' ')})`);
    const first = missing.length > 0 ? `There is no ${missing.map((m) => `chapter ${chapterNumber(m)}`).join(' or ')} in this workbook.` : `No exercise matches ${filters.join(' ')}.`;
    console.log(`\n${first} The chapters are:\n${list.join('\n')}\n`);
  }

  private recordProgress(testModules: ReadonlyArray<TestModule>): void {
    if (this.started.size === 0) return;
    try {
      const progress = Progress.load(this.root);
      for (const module of testModules) {
        const run = this.started.get(module.moduleId);
        // An interrupted file (Ctrl-C, a bail) is no result.
        if (run && ['passed', 'failed'].includes(module.state())) progress.record(run.exercise, module.state() === 'passed', run.hashes);
      }
    } catch (error) {
      // Progress is a convenience: a read-only checkout must not fail the test run.
      console.warn(`Could not store progress in .learn/: ${(error as Error).message}`);
    } finally {
      this.started.clear();
    }
  }

  private relative(moduleId: string): string {
    return relative(this.root, moduleId).split(sep).join('/');
  }
}
