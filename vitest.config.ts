import { existsSync } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import { configDefaults, defineConfig, type Plugin } from 'vitest/config';

const root = import.meta.dirname;
const exercisesDir = resolve(root, 'exercises') + sep;
const solutionsDir = resolve(root, 'solutions') + sep;

/**
 * With WORKBOOK_TARGET=solutions, an exercise test's relative imports of its starter files
 * resolve to the same files under solutions/. There is one copy of each test, and it runs
 * unchanged against the starter (where it must fail) and the solution (where it must pass).
 */
function useSolutions(): Plugin {
  return {
    name: 'workbook-use-solutions',
    enforce: 'pre',
    resolveId(source, importer) {
      if (process.env.WORKBOOK_TARGET !== 'solutions') return null;
      if (!importer?.startsWith(exercisesDir) || !source.startsWith('.')) return null;
      const starter = resolve(dirname(importer), source).replace(/\.js$/, '.ts');
      if (!starter.startsWith(exercisesDir)) return null;
      const solution = solutionsDir + starter.slice(exercisesDir.length);
      return existsSync(solution) ? solution : null;
    },
  };
}

export default defineConfig({
  plugins: [useSolutions()],
  test: {
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 15_000,
    hookTimeout: 15_000,
    reporters: ['default', './test/hint-reporter.ts'],
    projects: [
      { extends: true, test: { name: 'toolkit', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, 'test/faults/**'] } },
      { extends: true, test: { name: 'exercises', include: ['exercises/**/*.test.ts'] } },
      // `npm run test:faults`: real processes (npm start, npm run worker, redis-server) killed and
      // stopped on purpose. Each file starts its own, so no shared Redis or database here. Most
      // of the time is spent waiting for BullMQ's stall checks, so two files run at once.
      {
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
