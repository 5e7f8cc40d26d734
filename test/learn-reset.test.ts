import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resetCommand, type CommandContext } from '../scripts/learn/commands.js';
import { loadCatalogue } from '../scripts/learn/exercises.js';
import { hashesOf, Progress } from '../scripts/learn/progress.js';
import { commitAll, fixtureWorkbook, terminal, TWO_CHAPTERS, writeFiles } from './learn-fixture.js';

const STARTER = 'exercises/chapter1-basics/first.ts';
const MINE = 'export const first = 42; // my work\n';

/** A committed fixture workbook where the learner has edited `first`, and a context whose stdin holds `answers`. */
function setUp(answers = '') {
  const root = fixtureWorkbook(TWO_CHAPTERS);
  commitAll(root);
  writeFiles(root, { [STARTER]: MINE, 'src/config.ts': 'mine too\n' });
  const io = terminal(answers);
  const context: CommandContext = { root, cwd: root, catalogue: loadCatalogue(root), progress: Progress.load(root), input: io.input, output: io.output };
  const file = (path: string) => readFileSync(join(root, path), 'utf8');
  return { root, context, io, file };
}

describe('npm run learn -- reset', () => {
  it('with --yes puts the starter back from git, keeps the learner\'s version in .learn/backup/, and forgets the result', async () => {
    const { root, context, io, file } = setUp();
    const [first] = context.catalogue;
    context.progress.record(first!, true, hashesOf(root, first!));

    expect(await resetCommand(context, 'first', true)).toBe(0);
    expect(file(STARTER)).toBe(TWO_CHAPTERS[STARTER]);
    const backups = readdirSync(join(root, '.learn/backup/chapter1-basics'));
    expect(backups).toEqual([expect.stringMatching(/^first\..*\.ts$/)]);
    expect(file(`.learn/backup/chapter1-basics/${backups[0]}`)).toBe(MINE);
    expect(context.progress.statusOf(first!)).toEqual({ state: 'not-run' });
    expect(io.text()).toMatch(/exercises\/chapter1-basics\/first\.ts is back to the starter/);
  });

  it('asks first: "y" resets, anything else (or no answer at all) changes nothing', async () => {
    for (const [answers, code, content] of [
      ['y\n', 0, TWO_CHAPTERS[STARTER]],
      ['n\n', 1, MINE],
      ['\n', 1, MINE],
      ['', 1, MINE],
    ] as const) {
      const { context, io, file } = setUp(answers);
      expect(await resetCommand(context, 'chapter1/first', false)).toBe(code);
      expect(io.text()).toMatch(/Put exercises\/chapter1-basics\/first\.ts back as git's HEAD has it\? .*\[y\/N\]/);
      expect(file(STARTER)).toBe(content);
    }
  });

  it('accepts the starter\'s path, and says so when there is nothing to reset', async () => {
    const { context, io } = setUp();
    expect(await resetCommand(context, STARTER, true)).toBe(0);
    expect(await resetCommand(context, STARTER, true)).toBe(0);
    expect(io.text()).toMatch(/is already as git's HEAD has it: nothing to reset/);
  });

  it.each([
    ['src/config.ts', /src\/config\.ts is not an exercise file/],
    ['exercises/chapter1-basics/first.test.ts', /reset only restores the file you edit \(exercises\/chapter1-basics\/first\.ts\), not the exercise's test file/],
    ['solutions/chapter1-basics/first.ts', /not the exercise's solution file/],
    ['../outside.ts', /outside the workbook/],
    ['exercises/chapter1-basics/HINTS.md', /is not an exercise file/],
    ['nope', /No exercise "nope"/],
  ])('refuses %s and touches nothing', async (arg, message) => {
    const { context, file } = setUp();
    await expect(resetCommand(context, arg, true)).rejects.toThrow(message);
    expect(file(STARTER)).toBe(MINE);
    expect(file('src/config.ts')).toBe('mine too\n');
  });

  it('refuses, with the reason, when git has no starter to restore', async () => {
    const { root, context } = setUp();
    writeFiles(root, { 'exercises/chapter2-more/new.test.ts': '', 'exercises/chapter2-more/new.ts': 'uncommitted\n' });
    context.catalogue = loadCatalogue(root);
    await expect(resetCommand(context, 'new', true)).rejects.toThrow(/exercises\/chapter2-more\/new\.ts is not in git's last commit \(HEAD\)/);
    expect(readFileSync(join(root, 'exercises/chapter2-more/new.ts'), 'utf8')).toBe('uncommitted\n');
  });

  it('restores a starter the learner deleted', async () => {
    const { root, context, file } = setUp();
    rmSync(join(root, STARTER));
    expect(await resetCommand(context, 'first', true)).toBe(0);
    expect(file(STARTER)).toBe(TWO_CHAPTERS[STARTER]);
    expect(existsSync(join(root, '.learn/backup'))).toBe(false); // nothing of the learner's to keep
  });
});
