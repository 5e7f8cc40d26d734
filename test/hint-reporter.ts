/**
 * A vitest reporter that ends an exercise run with the list of exercises still failing and
 * where each one's hint is, the way rustlings points at `hint`.
 */
import { relative } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';

export default class HintReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    if (process.env.WORKBOOK_TARGET === 'solutions') return;
    const failing = testModules
      .map((module) => relative(process.cwd(), module.moduleId))
      .filter((file, index) => file.startsWith('exercises/') && !testModules[index]!.ok());
    if (failing.length === 0) return;
    const lines = failing.map((file) => {
      const [, chapterDir, name] = /^exercises\/([^/]+)\/(.+)\.test\.ts$/.exec(file) ?? [];
      return `  ${file.replace(/\.test\.ts$/, '.ts')}  ->  hint: exercises/${chapterDir}/HINTS.md#${name}`;
    });
    console.log(`\nExercises still to solve (edit the file, then run the same command again):\n${lines.join('\n')}\n`);
  }
}
