import { describe, expect, it } from 'vitest';
import { formatVerdict, paintFor, type ShortError, type Verdict } from '../scripts/learn/short-reporter.js';
import { terminal } from './learn-fixture.js';

const plain = paintFor(terminal().output);
const todo: Omit<ShortError, 'title'> = {
  lines: ['TODO(chapter 1): return a Queue'],
  location: { file: 'exercises/chapter1-setup/producer-queue.ts', line: 8, column: 9, source: "throw new Error('TODO(chapter 1): return a Queue');" },
};
const verdict = (overrides: Partial<Verdict>): Verdict => ({
  moduleId: '/w/exercises/chapter1-setup/producer-queue.test.ts',
  passed: false,
  total: 3,
  failed: 0,
  passedTests: 3,
  errors: [],
  logs: [],
  durationMs: 420,
  knownMistakes: [],
  ...overrides,
});

describe('the short verdict of npm run learn', () => {
  it('is one line when the exercise passes', () => {
    expect(formatVerdict(verdict({ passed: true }), 'producer-queue', plain)).toBe('✓ producer-queue passes: 3 of 3 tests (0.4 s)');
  });

  it('shows an error once for the tests that share it, with the learner\'s line', () => {
    const errors = [{ title: 'a > first', ...todo }, { title: 'a > second', ...todo }];
    expect(formatVerdict(verdict({ failed: 2, errors }), 'producer-queue', plain).split('\n')).toEqual([
      '✗ producer-queue: 2 of 3 tests fail (0.4 s)',
      '  ✗ a > first',
      '  ✗ a > second',
      '      TODO(chapter 1): return a Queue',
      '      at exercises/chapter1-setup/producer-queue.ts:8:9',
      "      8 | throw new Error('TODO(chapter 1): return a Queue');",
    ]);
  });

  it('shows three different errors in full, counts the rest, and points at the full report', () => {
    const errors = [1, 2, 3, 4, 5].map((n) => ({ title: `test ${n}`, lines: [`expected ${n} to be 0`] }));
    const text = formatVerdict(verdict({ total: 5, failed: 5, errors }), 'producer-queue', plain);
    expect(text).toContain('expected 3 to be 0');
    expect(text).not.toContain('expected 4 to be 0');
    expect(text).toMatch(/…and 2 more \(the full report: npm test -- chapter1\)$/);
  });

  it('ends with the last ten lines the code printed', () => {
    const logs = Array.from({ length: 12 }, (_, n) => `line ${n + 1}`);
    const text = formatVerdict(verdict({ failed: 1, errors: [{ title: 't', lines: ['boom'] }], logs }), 'x', plain);
    expect(text).toMatch(/console output \(last 10 of 12 lines\):\n {4}line 3\n/);
    expect(text).toMatch(/line 12$/);
  });

  it('says so when the test file did not load, or when something failed outside the tests', () => {
    expect(formatVerdict(verdict({ total: 0, passedTests: 0, errors: [{ title: 'loading or setting up the test file', lines: ['Transform failed'] }] }), 'x', plain)).toMatch(
      /^✗ x: the test file did not run/,
    );
    expect(formatVerdict(verdict({ errors: [{ title: 'an error outside the tests', lines: ['Unhandled'] }] }), 'x', plain)).toMatch(
      /^✗ x: its 3 tests pass, but something else failed/,
    );
    expect(formatVerdict(verdict({ passedTests: 1, errors: [{ title: 'an error outside the tests', lines: ['Worker exited'] }] }), 'x', plain)).toMatch(
      /^✗ x: 2 of 3 tests did not finish/,
    );
  });
});
