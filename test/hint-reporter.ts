/**
 * A vitest reporter that ends an exercise run with the list of exercises still failing, in the
 * order the chapter teaches them, and where each one's hint is, the way rustlings points at `hint`.
 */
import { relative } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';
import { chapterNumber, listChapterDirs, readHints } from '../scripts/workbook-layout.js';

export default class HintReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    if (testModules.length === 0) return this.explainNoTests();
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
    const skippedOnPostgres = testModules.flatMap((module) =>
      [...module.children.allTests()]
        .filter((test) => test.result().state === 'skipped' && /\bon postgres\b/i.test(test.fullName))
        .map(() => /exercises\/(chapter\d+)-/.exec(module.moduleId)?.[1] ?? 'chapterN'),
    );
    if (skippedOnPostgres.length > 0) {
      const chapters = [...new Set(skippedOnPostgres)].join(' ');
      console.log(`\n${skippedOnPostgres.length} tests on PostgreSQL were skipped to keep this run fast. Where a race is the lesson, SQLite can hide it:` +
        `\nrun WORKBOOK_POSTGRES=1 npm test -- ${chapters} once your solution passes (needs PostgreSQL installed).`);
    }
    if (failing.length === 0) return;
    console.log(`\nExercises still to solve, in order (edit the file, then run the same command again):\n${failing.map((f) => f.line).join('\n')}\n`);
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
}
