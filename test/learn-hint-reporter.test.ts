import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TestModule, TestSpecification, Vitest } from 'vitest/node';
import { loadCatalogue } from '../scripts/learn/exercises.js';
import { Progress } from '../scripts/learn/progress.js';
import HintReporter from './hint-reporter.js';
import { fixtureWorkbook, TWO_CHAPTERS } from './learn-fixture.js';

const run = promisify(execFile);
const workbookRoot = join(import.meta.dirname, '..');

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

/** Runs the reporter over a made-up run of the fixture's exercises: `results` maps name → passed. */
function report(root: string, results: Record<string, boolean>) {
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  const reporter = new HintReporter();
  const catalogue = loadCatalogue(root);
  const moduleIdOf = (name: string) => join(root, catalogue.find((exercise) => exercise.name === name)!.test);
  reporter.onInit({ config: { root } } as Vitest);
  reporter.onTestRunStart(Object.keys(results).map((name) => ({ moduleId: moduleIdOf(name) }) as TestSpecification));
  reporter.onTestRunEnd(
    Object.entries(results).map(([name, passed]) => ({ moduleId: moduleIdOf(name), ok: () => passed, state: () => (passed ? 'passed' : 'failed'), children: { allTests: () => [] } }) as unknown as TestModule),
  );
  const statuses = Object.fromEntries(catalogue.map((exercise) => [exercise.name, Progress.load(root).statusOf(exercise).state]));
  return { printed: log.mock.calls.map((call) => String(call[0])).join('\n'), statuses };
}

describe('the hint reporter of npm test -- chapterN', () => {
  it('lists the failing exercises in teaching order with their hints, and stores every result in the progress', () => {
    const root = fixtureWorkbook(TWO_CHAPTERS);
    const { printed, statuses } = report(root, { third: false, second: true, first: false });
    expect(printed).toContain(
      '  exercises/chapter1-basics/first.ts  ->  hint: exercises/chapter1-basics/HINTS.md#first\n' +
        '  exercises/chapter2-more/third.ts  ->  hint: exercises/chapter2-more/HINTS.md#third',
    );
    expect(printed).toContain('npm run learn');
    expect(statuses).toEqual({ first: 'failing', second: 'done', third: 'failing' });
  });

  it('stores nothing when the run is on other files than the learner\'s (verify sets WORKBOOK_TARGET)', () => {
    const root = fixtureWorkbook(TWO_CHAPTERS);
    vi.stubEnv('WORKBOOK_TARGET', 'starters');
    expect(report(root, { first: true }).statuses).toEqual({ first: 'not-run', second: 'not-run', third: 'not-run' });
  });

  it('says why the tests could not start when the shared Redis cannot be had, not that no exercise matches', { timeout: 60_000 }, async () => {
    const result = await run(process.execPath, [join(workbookRoot, 'node_modules/vitest/vitest.mjs'), 'run', '--project', 'exercises', 'chapter1'], {
      cwd: workbookRoot,
      env: { ...process.env, REDIS_URL: 'redis://127.0.0.1:1', WORKBOOK_TARGET: '' },
      timeout: 50_000,
    }).then(
      () => ({ code: 0, stdout: '' }),
      (error: { code: number; stdout: string }) => error,
    );
    expect(result.stdout).toContain('The tests could not start: Cannot reach Redis at redis://127.0.0.1:1');
    expect(result.stdout).not.toContain('No exercise matches');
    expect(result.code).toBe(1);
  });
});
