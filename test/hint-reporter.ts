/**
 * A vitest reporter that ends an exercise run with the list of exercises still failing, in the
 * order the chapter teaches them, and where each one's hint is, the way rustlings points at `hint`.
 */
import { relative } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';
import { readHints } from '../scripts/workbook-layout.js';

export default class HintReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    if (process.env.WORKBOOK_TARGET === 'solutions' || process.env.WORKBOOK_TARGET === 'mistakes') return;
    const failing = testModules
      .filter((module) => !module.ok())
      .map((module) => /^exercises\/([^/]+)\/(.+)\.test\.ts$/.exec(relative(process.cwd(), module.moduleId)))
      .filter((match) => match !== null)
      .map(([, chapterDir, name]) => {
        const hints = `exercises/${chapterDir}/HINTS.md`;
        // HINTS.md lists the exercises in teaching order; unknown ones go last.
        const order = [...readHints(hints).keys()].indexOf(name!);
        return { chapterDir: chapterDir!, order: order < 0 ? Infinity : order, line: `  exercises/${chapterDir}/${name}.ts  ->  hint: ${hints}#${name}` };
      })
      .sort((a, b) => a.chapterDir.localeCompare(b.chapterDir, 'en', { numeric: true }) || a.order - b.order);
    const skippedOnPostgres = testModules
      .flatMap((module) => [...module.children.allTests()])
      .filter((test) => test.result().state === 'skipped' && /\bon postgres\b/i.test(test.fullName)).length;
    if (skippedOnPostgres > 0) {
      console.log(`\n${skippedOnPostgres} tests on PostgreSQL were skipped to keep this run fast. Where a race is the lesson, SQLite can hide it:` +
        `\nrun WORKBOOK_POSTGRES=1 npm test -- chapterN once your solution passes (needs PostgreSQL installed).`);
    }
    if (failing.length === 0) return;
    console.log(`\nExercises still to solve, in order (edit the file, then run the same command again):\n${failing.map((f) => f.line).join('\n')}\n`);
  }
}
