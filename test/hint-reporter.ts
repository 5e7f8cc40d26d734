/**
 * A vitest reporter that ends an exercise run with the list of exercises still failing, in the
 * order the chapter teaches them, and where each one's hint is, the way rustlings points at `hint`.
 */
import { relative } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';
import { listExercises } from '../scripts/workbook-layout.js';

export default class HintReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    if (process.env.WORKBOOK_TARGET === 'solutions') return;
    const failing = new Set(testModules.filter((module) => !module.ok()).map((module) => relative(process.cwd(), module.moduleId)));
    // listExercises gives the teaching order: chapter by chapter, then HINTS.md's order.
    const lines = listExercises()
      .filter((exercise) => failing.has(exercise.test))
      .map((exercise) => `  ${exercise.starter}  ->  hint: ${exercise.hints}#${exercise.name}`);
    if (lines.length === 0) return;
    console.log(`\nExercises still to solve, in order (edit the file, then run the same command again):\n${lines.join('\n')}\n`);
    console.log('One at a time, rerun on every save, with hints: npm run learn\n');
  }
}
