// First: on a too-old Node the native SQLite driver crashes instead of failing.
import './src/process/node-version.js';
// Then: a folder this user cannot write is refused with a sentence, not a permission error.
import './src/process/writable-checkout.js';
import { existsSync } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import { configDefaults, defineConfig, type Plugin } from 'vitest/config';

const root = import.meta.dirname;
const exercisesDir = resolve(root, 'exercises') + sep;
const solutionsDir = resolve(root, 'solutions') + sep;
// Built from mistakes/*.patch by scripts/mistakes/recorded.ts.
const mistakesDir = resolve(root, '.mistakes') + sep;

/**
 * Points an exercise test at another version of the files it tests, with no copy of the test:
 *
 * - `WORKBOOK_TARGET=solutions`: a relative import of a starter file under exercises/ resolves to
 *   the same file under solutions/. The test must pass there, and fail on the starter.
 * - `WORKBOOK_TARGET=mistakes` with `WORKBOOK_MISTAKES={"chapter2-first-job/register-user.ts":
 *   "chapter2-first-job/register-user.checks-then-inserts.ts", …}`: the named starters resolve to
 *   those recorded mistakes, as built under .mistakes/, and every other starter to its solution, so exactly
 *   one file is wrong. `npm run verify` proves each exercise's test fails on each of its mistakes.
 */
function chooseTarget(): Plugin {
  const mistakes: Record<string, string> = JSON.parse(process.env.WORKBOOK_MISTAKES || '{}');
  return {
    name: 'workbook-target',
    enforce: 'pre',
    // vitest 5 keeps transformed files on disk between runs, and a transformed file holds the
    // paths its imports resolved to: a file under exercises/ transformed for the solutions must
    // not be reused for the starters. Each mistakes run redirects differently, so it caches none.
    configureVitest({ defineCacheKeyGenerator }) {
      defineCacheKeyGenerator(({ id }) => {
        const target = process.env.WORKBOOK_TARGET;
        if (!id.startsWith(exercisesDir) && !id.startsWith(mistakesDir)) return undefined;
        if (target === 'mistakes') return false;
        return target === 'solutions' ? 'solutions' : undefined;
      });
    },
    resolveId(source, importer) {
      const target = process.env.WORKBOOK_TARGET;
      if ((target !== 'solutions' && target !== 'mistakes') || !importer || !source.startsWith('.')) return null;
      // A mistake imports its sibling files as the starter would; read them from exercises/.
      const from = importer.startsWith(mistakesDir) ? exercisesDir + importer.slice(mistakesDir.length) : importer;
      if (!from.startsWith(exercisesDir)) return null;
      const starter = resolve(dirname(from), source).replace(/\.js$/, '.ts');
      if (!starter.startsWith(exercisesDir)) return null;
      const relativePath = starter.slice(exercisesDir.length).split(sep).join('/');
      const mistake = target === 'mistakes' ? mistakes[relativePath] : undefined;
      if (mistake) return mistakesDir + mistake;
      const solution = solutionsDir + relativePath;
      return existsSync(solution) ? solution : null;
    },
  };
}

export default defineConfig({
  plugins: [chooseTarget()],
  test: {
    testTimeout: 15_000,
    hookTimeout: 15_000,
    reporters: ['default', './test/hint-reporter.ts'],
    projects: [
      // The shared Redis and databases are set up per project, not at the root: a root-level
      // globalSetup also runs for the root project itself, starting a second set nobody uses.
      {
        extends: true,
        test: { name: 'toolkit', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, 'test/faults/**'], globalSetup: ['test/global-setup.ts'] },
      },
      // A learner reruns a chapter many times, so its files share one worker's loaded modules
      // (Prisma, BullMQ) instead of importing them again per file; each file still gets its own
      // Redis prefix and database from the harness.
      { extends: true, test: { name: 'exercises', include: ['exercises/**/*.test.ts'], isolate: false, globalSetup: ['test/global-setup.ts'] } },
      // `npm run test:faults`: real processes (npm start, npm run worker, redis-server) killed and
      // stopped on purpose. Each file starts its own, so no shared Redis or database here. Most
      // of the time is spent waiting for BullMQ's stall checks, so two files run at once. It does
      // not inherit the root's timeouts or the target plugin (vitest 5 inherits unless told).
      {
        extends: false,
        test: {
          name: 'faults',
          include: ['test/faults/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 60_000,
          maxWorkers: 2,
        },
      },
    ],
  },
});
