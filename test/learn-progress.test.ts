import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalogue, type Exercise } from '../scripts/learn/exercises.js';
import { hashesOf, Progress, PROGRESS_FILE } from '../scripts/learn/progress.js';
import { paintFor } from '../scripts/learn/short-reporter.js';
import { firstUnsolved, formatList, nextUnsolved } from '../scripts/learn/views.js';
import { fixtureWorkbook, terminal, TWO_CHAPTERS, writeFiles } from './learn-fixture.js';

/** A fixture workbook, its catalogue by name, and a way to record a run as it is now. */
function setUp() {
  const root = fixtureWorkbook(TWO_CHAPTERS);
  const catalogue = loadCatalogue(root);
  const byName = Object.fromEntries(catalogue.map((exercise) => [exercise.name, exercise])) as Record<'first' | 'second' | 'third', Exercise>;
  const warnings: string[] = [];
  const load = () => Progress.load(root, (message) => warnings.push(message));
  const record = (progress: Progress, exercise: Exercise, passed: boolean) => progress.record(exercise, passed, hashesOf(root, exercise));
  return { root, catalogue, ...byName, warnings, load, record };
}

describe('progress of npm run learn', () => {
  it('is "not run" at first, then the last real result, kept in .learn/progress.json between runs', () => {
    const { root, first, second, load, record, warnings } = setUp();
    const progress = load();
    expect(progress.statusOf(first)).toEqual({ state: 'not-run' });
    record(progress, first, true);
    record(progress, second, false);

    const later = load();
    expect(later.statusOf(first).state).toBe('done');
    expect(later.statusOf(second).state).toBe('failing');
    expect(JSON.parse(readFileSync(join(root, PROGRESS_FILE), 'utf8'))).toMatchObject({ version: 1, exercises: { 'chapter1-basics/first': { passed: true } } });
    expect(warnings).toEqual([]);
  });

  it('shows a result as "changed since last run" once the learner\'s file or the test differs from what ran', () => {
    const { root, first, second, load, record } = setUp();
    const progress = load();
    record(progress, first, true);
    record(progress, second, true);

    writeFiles(root, { [first.starter]: 'export const first = 1; // edited\n', [second.test]: '// a newer test from git pull\n' });
    expect(progress.statusOf(first)).toMatchObject({ state: 'changed', what: 'file', result: { passed: true } });
    expect(progress.statusOf(second)).toMatchObject({ state: 'changed', what: 'test' });
    expect(progress.isDone(first)).toBe(false);
    // Back to exactly the files that passed: done again.
    writeFiles(root, { [first.starter]: TWO_CHAPTERS[first.starter]! });
    expect(progress.isDone(first)).toBe(true);
  });

  it('survives a newer workbook: added exercises are not run, renamed ones start over, the rest keep their result', () => {
    const { root, first, second, load, record, warnings } = setUp();
    record(load(), first, true);
    record(load(), second, true);
    // What a git pull might do: rename `second`, add `fourth`.
    renameSync(join(root, second.test), join(root, 'exercises/chapter1-basics/second-renamed.test.ts'));
    renameSync(join(root, second.starter), join(root, 'exercises/chapter1-basics/second-renamed.ts'));
    writeFiles(root, { 'exercises/chapter2-more/fourth.test.ts': '', 'exercises/chapter2-more/fourth.ts': '' });

    const progress = load();
    const statuses = Object.fromEntries(loadCatalogue(root).map((exercise) => [exercise.name, progress.statusOf(exercise).state]));
    expect(statuses).toEqual({ first: 'done', 'second-renamed': 'not-run', third: 'not-run', fourth: 'not-run' });
    expect(warnings).toEqual([]);
  });

  it.each([
    ['not JSON', '{"version": 1, "exercises": {', /not valid JSON/],
    ['another version', '{"version": 99, "exercises": {}}', /version 99, this workbook reads version 1/],
    ['a malformed result', '{"version": 1, "exercises": {"chapter1-basics/first": {"passed": "yes"}}}', /not a progress file/],
    ['null', 'null', /not a progress file/],
  ])('starts fresh, with a message, from a file that is %s, and keeps that file aside', (_, content, reason) => {
    const { root, first, load, record, warnings } = setUp();
    writeFiles(root, { [PROGRESS_FILE]: content });
    const progress = load();
    expect(progress.statusOf(first)).toEqual({ state: 'not-run' });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(reason);
    expect(warnings[0]).toMatch(/Starting fresh; the old file is now \.learn\/progress\.unreadable-.*\.json\. Your exercise files are untouched/);
    const aside = readdirSync(join(root, '.learn')).filter((file) => file.startsWith('progress.unreadable-'));
    expect(aside).toHaveLength(1);
    expect(readFileSync(join(root, '.learn', aside[0]!), 'utf8')).toBe(content);

    record(progress, first, true);
    expect(load().isDone(first)).toBe(true);
  });

  it('does not lose another process\'s result: each record starts from the file on disk', () => {
    const { first, third, load, record } = setUp();
    const watchSession = load();
    const otherTerminal = load();
    record(watchSession, first, true);
    record(otherTerminal, third, true);
    const progress = load();
    expect([progress.isDone(first), progress.isDone(third)]).toEqual([true, true]);
  });

  it('forgets a result (after reset)', () => {
    const { first, load, record } = setUp();
    const progress = load();
    record(progress, first, true);
    progress.forget(first);
    expect(load().statusOf(first)).toEqual({ state: 'not-run' });
  });

  it('reads a missing learner file as a change, not a crash', () => {
    const { root, first, load, record } = setUp();
    const progress = load();
    record(progress, first, false);
    rmSync(join(root, first.starter));
    expect(progress.statusOf(first)).toMatchObject({ state: 'changed', what: 'file' });
    expect(existsSync(join(root, PROGRESS_FILE))).toBe(true);
  });
});

describe('what comes next, and the list', () => {
  it('picks the first exercise not done, and after a pass the next one not done, wrapping round', () => {
    const { catalogue, first, second, third, load, record } = setUp();
    const progress = load();
    expect(firstUnsolved(catalogue, progress)).toBe(first);
    record(progress, second, true);
    expect(nextUnsolved(catalogue, progress, first)).toBe(third);
    record(progress, third, true);
    expect(nextUnsolved(catalogue, progress, third)).toBe(first);
    record(progress, first, true);
    expect(nextUnsolved(catalogue, progress, first)).toBeUndefined();
    expect(firstUnsolved(catalogue, progress)).toBeUndefined();
  });

  it('lists every chapter and exercise with done / not done / changed, and what is next', () => {
    const { root, catalogue, first, second, load, record } = setUp();
    const progress = load();
    record(progress, first, true);
    record(progress, second, false);
    writeFiles(root, { [second.starter]: 'export const second = 2;\n' });
    const list = formatList(catalogue, progress, paintFor(terminal().output));
    expect(list.split('\n')).toEqual([
      'Chapter 1: The basics  1/2 done',
      '  ✓ first   done',
      '  ~ second  changed since last run: you edited it (it failed then)',
      '',
      'Chapter 2: More  0/1 done',
      '  · third   not done (not run yet)',
      '',
      '1 of 3 exercises done.',
      expect.stringMatching(/^~ results older than the files/),
      'Next: chapter1/second (exercises/chapter1-basics/second.ts). Start with: npm run learn',
    ]);
  });
});
