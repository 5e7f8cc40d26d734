/**
 * A vitest reporter that ends an exercise run with the list of exercises still failing, in the
 * order the chapter teaches them, and where each one's hint is, the way rustlings points at `hint`.
 * It also stores each exercise's result in the learner's progress (`npm run learn -- list`), so
 * an exercise solved with `npm test -- chapterN` shows as done there too.
 */
import { relative, sep } from 'node:path';
import type { Reporter, TestModule, TestSpecification, Vitest } from 'vitest/node';
import { hashesOf, Progress, type FileHashes } from '../scripts/learn/progress.js';
import { listExercises, type Exercise } from '../scripts/workbook-layout.js';

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
    if (process.env.WORKBOOK_TARGET === 'solutions') return;
    this.recordProgress(testModules);
    const failing = new Set(testModules.filter((module) => !module.ok()).map((module) => this.relative(module.moduleId)));
    // listExercises gives the teaching order: chapter by chapter, then HINTS.md's order.
    const lines = listExercises(this.root)
      .filter((exercise) => failing.has(exercise.test))
      .map((exercise) => `  ${exercise.starter}  ->  hint: ${exercise.hints}#${exercise.name}`);
    if (lines.length === 0) return;
    console.log(`\nExercises still to solve, in order (edit the file, then run the same command again):\n${lines.join('\n')}\n`);
    console.log('One at a time, rerun on every save, with hints: npm run learn\n');
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
