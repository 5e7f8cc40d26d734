/**
 * `npm run learn` as a learner runs it: real commands in a throwaway copy of the workbook
 * (scripts/workbook-copy.ts), with real vitest runs of chapter 1's first exercise.
 */
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyWorkbook, type WorkbookCopy } from '../scripts/workbook-copy.js';
import { runLearn, SLOW } from './learn-fixture.js';

const EXERCISE = 'exercises/chapter1-setup/producer-queue.ts';
const SOLUTION = 'solutions/chapter1-setup/producer-queue.ts';

let copy: WorkbookCopy;
beforeAll(() => {
  copy = copyWorkbook(join(import.meta.dirname, '..'));
});
afterAll(() => copy?.remove());

const learn = (args: string[], input = '', extraEnv: NodeJS.ProcessEnv = {}) => runLearn(copy.root, args, input, extraEnv);

const progress = () => JSON.parse(readFileSync(join(copy.root, '.learn/progress.json'), 'utf8')) as { exercises: Record<string, { passed: boolean }> };

describe('npm run learn, end to end', () => {
  it('run NAME: a short verdict pointing at the learner\'s line, exit code 1, the result kept', { timeout: SLOW }, async () => {
    const { code, output } = await learn(['run', 'producer-queue']).finished();
    expect(code).toBe(1);
    expect(output).toMatch(/^✗ chapter1\/producer-queue: (\d+) of \1 tests fail/m);
    expect(output).toMatch(/at exercises\/chapter1-setup\/producer-queue\.ts:(\d+):9\n\s+\1 \| throw new Error\('TODO\(chapter 1\)/);
    expect(output.split('\n').length).toBeLessThan(25);
    expect(progress().exercises['chapter1-setup/producer-queue']).toMatchObject({ passed: false });
  });

  it('run NAME passes with the solution in place (exit 0), and solution NAME then shows it and the diff', { timeout: 2 * SLOW }, async () => {
    copyFileSync(join(copy.root, SOLUTION), join(copy.root, EXERCISE));
    const run = await learn(['run', 'chapter1/producer-queue']).finished();
    expect(run.code, run.output).toBe(0);
    expect(run.output).toMatch(/^✓ chapter1\/producer-queue passes: (\d+) of \1 tests/m);
    expect(run.output).toMatch(/Next: chapter1\/start-workers/);

    const list = await learn(['list']).finished();
    expect(list.output).toMatch(/^ {2}✓ producer-queue +done$/m);
    expect(list.output).toMatch(/^ {2}· start-workers +not done \(not run yet\)$/m);

    const solution = await learn(['solution', 'producer-queue']).finished();
    expect(solution.code, solution.output).toBe(0);
    expect(solution.output).toContain(`Reference solution: ${SOLUTION}`);
    expect(solution.output).toContain('Your file is the same as the reference solution.');
  });

  it('solution NAME refuses while the exercise fails, and reset NAME --yes puts the starter back', { timeout: 2 * SLOW }, async () => {
    const reset = await learn(['reset', 'producer-queue', '--yes']).finished();
    expect(reset.code, reset.output).toBe(0);
    expect(readFileSync(join(copy.root, EXERCISE), 'utf8')).toMatch(/TODO\(chapter 1\)/);

    const solution = await learn(['solution', 'producer-queue']).finished();
    expect(solution.code).toBe(1);
    expect(solution.output).toMatch(/shown once your version passes/);
    expect(solution.output).not.toContain('Reference solution:');
  });

  it('an unknown name gets the close matches and exit code 1, never a stack trace', { timeout: SLOW }, async () => {
    const { code, output } = await learn(['run', 'producer-queu']).finished();
    expect(code).toBe(1);
    expect(output.trim()).toBe('No exercise "producer-queu". Did you mean chapter1/producer-queue? (npm run learn -- list shows every exercise.)');
  });

  it('watch mode without a terminal: verdict, "solved — next" on save, the next exercise, h and q', { timeout: 3 * SLOW }, async () => {
    const watch = learn([]);
    let at = await watch.waitFor(/^✗ producer-queue: (\d+) of \1 tests fail/m);
    expect(watch.output()).toMatch(/stdin is not a terminal: type h, l, r or q and Enter/);

    copyFileSync(join(copy.root, SOLUTION), join(copy.root, EXERCISE));
    at = await watch.waitFor(/^✓ producer-queue passes[^\n]*\nsolved — next: chapter1\/start-workers/m, at);
    at = await watch.waitFor(/^✗ start-workers: (\d+) of \1 tests fail/m, at);

    watch.child.stdin.write('h\n');
    at = await watch.waitFor(/Hint for chapter1\/start-workers/, at);
    watch.child.stdin.write('q\n');
    const { code } = await watch.finished(30_000);
    expect(code).toBe(0);
    expect(progress().exercises['chapter1-setup/producer-queue']).toMatchObject({ passed: true });
  });

  it('watch mode under CI says it needs someone saving files, instead of waiting for ever', { timeout: SLOW }, async () => {
    const { code, output } = await learn([], '', { CI: 'true' }).finished();
    expect(code).toBe(1);
    expect(output).toMatch(/never happens under CI/);
  });
});
