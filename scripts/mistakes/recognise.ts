/**
 * Recognising a known mistake from a learner's run, by behaviour: when the tests that fail are
 * exactly the tests one recorded mistake fails (mistakes/catalogue.json), the run says which
 * mistake that looks like and where the chapter explains it. Exercism's analysers read the code
 * for this; here the tests have already said it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestModule } from 'vitest/node';
import { readCatalogue, type MistakeCatalogue } from './catalogue.js';
import { listMistakes, type RecordedMistake } from './recorded.js';

/** What one run of an exercise's test file did, as far as recognising a mistake goes. */
export interface RunOutcome {
  /** Full names (`suite > test`) of the tests that failed. */
  failed: string[];
  /** Full names of the tests that passed; the others were skipped (PostgreSQL's, without WORKBOOK_POSTGRES). */
  passed: string[];
  /** The failures' error messages. */
  messages: string[];
  /** Something failed outside the tests: the file did not load, a hook or an unhandled error failed. */
  brokeOutsideTests: boolean;
}

/** The {@link RunOutcome} of a finished test file; `unhandledErrors` counts the run's errors outside any file. */
export function outcomeOf(module: TestModule, unhandledErrors = 0): RunOutcome {
  const tests = [...module.children.allTests()];
  const failed = tests.filter((test) => test.result().state === 'failed');
  return {
    failed: failed.map((test) => test.fullName),
    passed: tests.filter((test) => test.result().state === 'passed').map((test) => test.fullName),
    messages: failed.flatMap((test) => test.result().errors?.map((error) => error.message ?? '') ?? []),
    brokeOutsideTests: tests.length === 0 || module.errors().length > 0 || unhandledErrors > 0,
  };
}

/** What every starter throws until the learner writes the code. */
const STARTER_TODO = /\bTODO\(chapter \d+\)/;

/** A recogniser names at most this many mistakes at once: beyond that a list is no help. */
const MOST_NAMED = 3;

/**
 * The recorded mistakes of `exercise` (`chapter2-first-job/register-user`) whose failing tests,
 * among those this run ran, are exactly the tests that failed. Empty for a run that passed,
 * did not load or broke outside its tests, for the starter's `TODO` error, and when more than
 * {@link MOST_NAMED} match.
 */
export function recogniseMistakes(exercise: string, outcome: RunOutcome, mistakes: readonly RecordedMistake[], catalogue: MistakeCatalogue): RecordedMistake[] {
  if (outcome.failed.length === 0 || outcome.brokeOutsideTests) return [];
  // The untouched starter throws `TODO(chapter N): …`: that is not a mistake yet.
  if (outcome.messages.some((message) => STARTER_TODO.test(message))) return [];
  const ran = new Set([...outcome.failed, ...outcome.passed]);
  const failed = new Set(outcome.failed);
  const matches = mistakes.filter((mistake) => {
    if (mistake.exercise !== exercise) return false;
    const expected = (catalogue[mistake.id] ?? []).filter((name) => ran.has(name));
    return expected.length === failed.size && expected.every((name) => failed.has(name));
  });
  return matches.length <= MOST_NAMED ? matches : [];
}

/** The lines a run prints about `found` (from {@link recogniseMistakes}); empty when it is empty. */
export function describeKnownMistakes(found: readonly RecordedMistake[]): string[] {
  const where = (mistake: RecordedMistake) => `"${mistake.explainedIn.section}" in ${mistake.explainedIn.tutorial}`;
  if (found.length === 0) return [];
  if (found.length === 1) {
    const [mistake] = found as [RecordedMistake];
    return [`This looks like a known mistake: ${mistake.sentence}.`, `Read ${where(mistake)}.`];
  }
  return [`This looks like one of ${found.length} known mistakes (the tests fail the same way for each):`, ...found.map((mistake) => `- ${mistake.sentence}. Read ${where(mistake)}.`)];
}

let loaded: { root: string; mistakes: RecordedMistake[]; catalogue: MistakeCatalogue } | undefined;

/**
 * {@link recogniseMistakes} against the workbook in `root`'s recorded mistakes and catalogue,
 * read once. Nothing is recognised while the learner's file still throws the starter's
 * `TODO(chapter N)` anywhere: a test can fail on it without its message saying so (a job that
 * failed, a route that answered 500). A recogniser that cannot read its files recognises nothing:
 * it must never break a run.
 */
export function recogniseInWorkbook(root: string, exercise: string, outcome: RunOutcome): RecordedMistake[] {
  if (outcome.failed.length === 0 || outcome.brokeOutsideTests) return [];
  try {
    const learnerFile = join(root, 'exercises', `${exercise}.ts`);
    if (!existsSync(learnerFile) || STARTER_TODO.test(readFileSync(learnerFile, 'utf8'))) return [];
    if (loaded?.root !== root) loaded = { root, mistakes: listMistakes(root).mistakes, catalogue: readCatalogue(root) };
    return recogniseMistakes(exercise, outcome, loaded.mistakes, loaded.catalogue);
  } catch {
    return [];
  }
}
