import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalogue, resolveExercise, UsageError } from '../scripts/learn/exercises.js';
import { listChapters } from '../scripts/workbook-layout.js';
import { fixtureWorkbook, TWO_CHAPTERS } from './learn-fixture.js';

const workbook = join(import.meta.dirname, '..');

describe('the catalogue of npm run learn', () => {
  it('puts the exercises in teaching order: chapter by chapter, then in the order of HINTS.md', () => {
    const root = fixtureWorkbook({
      ...TWO_CHAPTERS,
      // HINTS.md puts zeta before alpha: that order wins over the alphabet.
      'exercises/chapter10-late/HINTS.md': '## zeta\nz\n\n## alpha\na\n',
      'exercises/chapter10-late/alpha.test.ts': '',
      'exercises/chapter10-late/zeta.test.ts': '',
      // No hint section: after the ones with hints.
      'exercises/chapter10-late/beta.test.ts': '',
      'exercises/chapter10-late/helper.ts': '// not an exercise: no test',
    });
    const names = loadCatalogue(root).map((exercise) => `${exercise.chapter.number}/${exercise.name}`);
    expect(names).toEqual(['1/first', '1/second', '2/third', '10/zeta', '10/alpha', '10/beta']);
  });

  it('names each exercise\'s files and its chapter\'s title and tutorial', () => {
    const [first] = loadCatalogue(fixtureWorkbook(TWO_CHAPTERS));
    expect(first).toEqual({
      chapter: { number: 1, dir: 'chapter1-basics', title: 'The basics', tutorial: 'tutorials/01-basics/README.md' },
      name: 'first',
      starter: 'exercises/chapter1-basics/first.ts',
      test: 'exercises/chapter1-basics/first.test.ts',
      solution: 'solutions/chapter1-basics/first.ts',
      hints: 'exercises/chapter1-basics/HINTS.md',
    });
  });

  it('copes with a chapter that has no tutorial yet, and with no exercises at all', () => {
    const root = fixtureWorkbook({ 'exercises/chapter9-future-work/soon.test.ts': '' });
    expect(listChapters(root)).toEqual([{ number: 9, dir: 'chapter9-future-work', title: 'future work', tutorial: undefined }]);
    expect(loadCatalogue(fixtureWorkbook({ 'README.md': '' }))).toEqual([]);
  });

  it('starts the real workbook with chapter 1 in the order its HINTS.md teaches', () => {
    const catalogue = loadCatalogue(workbook);
    expect(catalogue.slice(0, 3).map((exercise) => exercise.name)).toEqual(['producer-queue', 'start-workers', 'graceful-shutdown']);
    expect(catalogue.map((exercise) => exercise.chapter.number)).toEqual([...catalogue.map((exercise) => exercise.chapter.number)].sort((a, b) => a - b));
  });
});

describe('naming an exercise', () => {
  const root = join(import.meta.dirname, '..');
  const catalogue = loadCatalogue(root);
  const resolve = (arg: string, cwd = root) => resolveExercise(catalogue, arg, root, cwd);

  it.each(['producer-queue', 'chapter1/producer-queue', 'chapter1-setup/producer-queue', '1/producer-queue'])('accepts %s', (arg) => {
    expect(resolve(arg)).toMatchObject({ exercise: { starter: 'exercises/chapter1-setup/producer-queue.ts' }, namedBy: 'name' });
  });

  it('accepts the exercise\'s files, relative to the folder the command was typed in', () => {
    expect(resolve('exercises/chapter1-setup/producer-queue.ts')).toMatchObject({ namedBy: 'starter' });
    expect(resolve('producer-queue.test.ts', join(root, 'exercises/chapter1-setup'))).toMatchObject({ namedBy: 'test' });
    expect(resolve('./solutions/chapter1-setup/producer-queue.ts')).toMatchObject({ namedBy: 'solution' });
    expect(resolve(join(root, 'exercises/chapter1-setup/producer-queue.ts'))).toMatchObject({ namedBy: 'starter' });
  });

  it('answers an unknown name with the close matches, as a UsageError (printed without a stack)', () => {
    expect(() => resolve('producer-queu')).toThrow(UsageError);
    expect(() => resolve('producer-queu')).toThrow(/No exercise "producer-queu"\. Did you mean chapter1\/producer-queue\?/);
    expect(() => resolve('shutdown')).toThrow(/Did you mean chapter1\/graceful-shutdown/);
    expect(() => resolve('xyzzy')).toThrow(/No exercise "xyzzy"\. npm run learn -- list shows every exercise/);
  });

  it('says which chapters exist when the chapter is wrong, and which chapter has the name when it is elsewhere', () => {
    expect(() => resolve('chapter99/producer-queue')).toThrow(/There is no chapter "chapter99"\. The chapters are chapter1, chapter2/);
    expect(() => resolve('chapter2/producer-queue')).toThrow(/Did you mean chapter1\/producer-queue/);
  });

  it('refuses files that are not an exercise\'s, and paths outside the workbook', () => {
    expect(() => resolve('src/config.ts')).toThrow(/src\/config\.ts is not an exercise file/);
    expect(() => resolve('exercises/chapter5-caching/test-cache.ts')).toThrow(/is not an exercise file/);
    expect(() => resolve('../../etc/passwd.ts')).toThrow(/outside the workbook/);
    expect(() => resolve('')).toThrow(/Name an exercise/);
  });

  it('asks which chapter when a name is in two', () => {
    const fixture = fixtureWorkbook({ ...TWO_CHAPTERS, 'exercises/chapter2-more/first.test.ts': '' });
    expect(() => resolveExercise(loadCatalogue(fixture), 'first', fixture)).toThrow(/in more than one chapter; say which: chapter1\/first, chapter2\/first/);
    expect(resolveExercise(loadCatalogue(fixture), 'chapter2/first', fixture).exercise.starter).toBe('exercises/chapter2-more/first.ts');
  });
});
