/**
 * Recorded mistakes as a learner meets them: real `npm run learn` and `npm test` runs in a
 * throwaway copy of the workbook, with a recorded mistake, the solution or the starter as the
 * learner's file. Also the patches themselves: they build the wrong file, and one that no longer
 * applies says which mistake to review.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recogniseMistakes, type RunOutcome } from '../scripts/mistakes/recognise.js';
import { buildMistake, formatMistakePatch, listMistakes, OutdatedMistakeError, type RecordedMistake } from '../scripts/mistakes/recorded.js';
import { copyWorkbook, type WorkbookCopy } from '../scripts/workbook-copy.js';
import { fixtureWorkbook, runLearn, SLOW } from './learn-fixture.js';

const EXERCISE = 'exercises/chapter1-setup/producer-queue.ts';
const SOLUTION = 'solutions/chapter1-setup/producer-queue.ts';
const MISTAKE = 'chapter1-setup/producer-queue.queue-waits-for-redis';

let copy: WorkbookCopy;
let mistake: RecordedMistake;
beforeAll(() => {
  copy = copyWorkbook(join(import.meta.dirname, '..'));
  mistake = listMistakes(copy.root).mistakes.find((m) => m.id === MISTAKE)!;
});
afterAll(() => copy?.remove());

const learn = (args: string[]) => runLearn(copy.root, args).finished();

describe('a known mistake, recognised from the tests it fails', () => {
  it('run NAME on a recorded mistake names it and the section to read', { timeout: SLOW }, async () => {
    writeFileSync(join(copy.root, EXERCISE), buildMistake(copy.root, mistake));
    const { code, output } = await learn(['run', 'producer-queue']);
    expect(code).toBe(1);
    expect(output).toContain(`This looks like a known mistake: ${mistake.sentence}.`);
    expect(output).toContain(`Read "${mistake.explainedIn.section}" in ${mistake.explainedIn.tutorial}.`);
  });

  it('npm test names it under the exercise\'s hint', { timeout: SLOW }, async () => {
    writeFileSync(join(copy.root, EXERCISE), buildMistake(copy.root, mistake));
    const env: NodeJS.ProcessEnv = { ...process.env, CI: '', NO_COLOR: '1' };
    for (const name of ['WORKBOOK_TARGET', 'WORKBOOK_POSTGRES', 'FORCE_COLOR']) delete env[name];
    const run = spawnSync(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', '--project', 'exercises', 'exercises/chapter1-setup/producer-queue.test.ts'], {
      cwd: copy.root,
      env,
      encoding: 'utf8',
      timeout: SLOW,
    });
    expect(run.stdout).toMatch(new RegExp(`producer-queue\\.ts {2}->  hint: [^\\n]+\\n {6}This looks like a known mistake: ${escape(mistake.sentence)}\\.`));
  });

  it('names nothing for the untouched starter (its TODO) or a file that does not load', { timeout: 2 * SLOW }, async () => {
    spawnSync('git', ['checkout', '--', EXERCISE], { cwd: copy.root });
    const starter = await learn(['run', 'producer-queue']);
    expect(starter.output).toMatch(/TODO\(chapter 1\)/);
    expect(starter.output).not.toContain('known mistake');

    writeFileSync(join(copy.root, EXERCISE), 'export const broken = ;\n');
    const broken = await learn(['run', 'producer-queue']);
    expect(broken.code).toBe(1);
    expect(broken.output).not.toContain('known mistake');
  });

  it('mistakes NAME waits for a passing exercise, then shows each mistake as its sentence and diff', { timeout: 2 * SLOW }, async () => {
    spawnSync('git', ['checkout', '--', EXERCISE], { cwd: copy.root });
    const before = await learn(['mistakes', 'producer-queue']);
    expect(before.code).toBe(1);
    expect(before.output).toMatch(/solve it first/);
    expect(before.output).not.toContain(mistake.sentence);

    copyFileSync(join(copy.root, SOLUTION), join(copy.root, EXERCISE));
    const after = await learn(['mistakes', 'producer-queue']);
    expect(after.code, after.output).toBe(0);
    expect(after.output).not.toContain('known mistake');
    const recorded = listMistakes(copy.root).mistakes.filter((m) => m.exercise === 'chapter1-setup/producer-queue');
    for (const each of recorded) expect(after.output).toContain(`${each.sentence}.`);
    expect(after.output).toContain(`--- ${SOLUTION}`);
    // Plain in a pipe: no colour codes around the diff's lines.
    expect(after.output).not.toMatch(/\u001b\[/);
  });
});

describe('recognising from the tests that failed', () => {
  const known = (id: string, exercise = 'chapter9-x/thing') => ({ id, exercise, sentence: id }) as RecordedMistake;
  const mistakes = [known('chapter9-x/thing.a'), known('chapter9-x/thing.b'), known('chapter9-x/thing.c'), known('chapter9-x/other.a', 'chapter9-x/other')];
  const catalogue = {
    'chapter9-x/thing.a': ['t > one'],
    'chapter9-x/thing.b': ['t > two', 't > two on postgres'],
    'chapter9-x/thing.c': ['t > two', 't > two on postgres'],
    'chapter9-x/other.a': ['t > one'],
  };
  const outcome = (failed: string[], passed: string[], more: Partial<RunOutcome> = {}): RunOutcome => ({ failed, passed, messages: [], brokeOutsideTests: false, ...more });
  const names = (found: RecordedMistake[]) => found.map((m) => m.id);

  it('names the mistake of this exercise whose failing tests are exactly those, among the tests that ran', () => {
    expect(names(recogniseMistakes('chapter9-x/thing', outcome(['t > one'], ['t > two']), mistakes, catalogue))).toEqual(['chapter9-x/thing.a']);
    // PostgreSQL's tests were skipped: they are not held against the match.
    expect(names(recogniseMistakes('chapter9-x/thing', outcome(['t > two'], ['t > one']), mistakes, catalogue))).toEqual(['chapter9-x/thing.b', 'chapter9-x/thing.c']);
  });

  it('names nothing for more or fewer failures, a pass, a load failure or a TODO', () => {
    expect(recogniseMistakes('chapter9-x/thing', outcome(['t > one', 't > two'], []), mistakes, catalogue)).toEqual([]);
    expect(recogniseMistakes('chapter9-x/thing', outcome([], ['t > one', 't > two']), mistakes, catalogue)).toEqual([]);
    expect(recogniseMistakes('chapter9-x/thing', outcome(['t > one'], [], { brokeOutsideTests: true }), mistakes, catalogue)).toEqual([]);
    expect(recogniseMistakes('chapter9-x/thing', outcome(['t > one'], ['t > two'], { messages: ['TODO(chapter 9): write it'] }), mistakes, catalogue)).toEqual([]);
  });

  it('names nothing when more than three mistakes fail alike', () => {
    const many = ['d', 'e', 'f', 'g'].map((slug) => known(`chapter9-x/thing.${slug}`));
    const alike = Object.fromEntries(many.map((m) => [m.id, ['t > one']]));
    expect(recogniseMistakes('chapter9-x/thing', outcome(['t > one'], []), many, alike)).toEqual([]);
  });
});

describe('a mistake as a patch of its solution', () => {
  const files = (solution: string, patch: string) => ({
    'exercises/chapter1-basics/greet.test.ts': '// test\n',
    'exercises/chapter1-basics/greet.ts': 'export const greet = 0;\n',
    'solutions/chapter1-basics/greet.ts': solution,
    'mistakes/chapter1-basics/greet.shouts.patch': patch,
    'tutorials/01-basics/README.md': '---\ntitle: "1. Basics"\n---\n## Saying hello\n',
  });
  const solution = 'export function greet(name: string): string {\n  return `Hello, ${name}`;\n}\n';
  const wrong = solution.replace('Hello', 'HELLO');
  const patch = formatMistakePatch({ sentence: 'shouts the greeting', explainedIn: { tutorial: 'tutorials/01-basics/README.md', section: 'Saying hello' } }, 'solutions/chapter1-basics/greet.ts', solution, 'greet.shouts', wrong);

  it('builds the wrong file from the solution, and reads its header back', () => {
    const root = fixtureWorkbook(files(solution, patch));
    const { mistakes, problems } = listMistakes(root);
    expect(problems).toEqual([]);
    expect(mistakes).toMatchObject([{ id: 'chapter1-basics/greet.shouts', sentence: 'shouts the greeting', explainedIn: { section: 'Saying hello' } }]);
    expect(buildMistake(root, mistakes[0]!)).toBe(wrong);
  });

  it('no longer applying once the solution changed, says which mistake to review', () => {
    const root = fixtureWorkbook(files(solution.replace('Hello', 'Good day'), patch));
    const [recorded] = listMistakes(root).mistakes;
    expect(() => buildMistake(root, recorded!)).toThrow(OutdatedMistakeError);
    expect(() => buildMistake(root, recorded!)).toThrow(/greet\.shouts\.patch \("shouts the greeting"\) no longer applies/);
  });

  it('names a section the tutorial does not have', () => {
    const root = fixtureWorkbook(files(solution, patch.replace('"Saying hello"', '"Saying goodbye"')));
    expect(listMistakes(root).problems).toEqual([expect.stringMatching(/has no section "Saying goodbye"/)]);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
