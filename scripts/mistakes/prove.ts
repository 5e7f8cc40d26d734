/**
 * Runs each exercise's tests against its recorded mistakes (built into `.mistakes/` first), and
 * says which tests each one fails. `npm run verify` requires at least one per mistake and checks
 * the names against the catalogue; `npm run mistake -- catalogue` writes them there.
 */
import { exerciseRun, testName } from '../exercise-run.js';
import type { RecordedMistake } from './recorded.js';

/** What one mistake did to its exercise's tests. */
export interface MistakeProof {
  /** The mistake. */
  mistake: RecordedMistake;
  /** The full names (`suite > test`) of the tests that failed on it, sorted. */
  failing: string[];
  /** Why it proves nothing: its tests did not run, or all of them passed. */
  problem?: string;
}

/**
 * Groups the mistakes into rounds, at most one per exercise in each, so one vitest run per round
 * proves them all: in a round, the named starters resolve to their mistakes and every other starter to
 * its solution.
 */
export function proveMistakes(mistakes: RecordedMistake[]): MistakeProof[] {
  const rounds: RecordedMistake[][] = [];
  for (const mistake of mistakes) {
    const round = rounds.find((r) => !r.some((other) => other.starter === mistake.starter));
    if (round) round.push(mistake);
    else rounds.push([mistake]);
  }
  return rounds.flatMap((round, index) => {
    const testFiles = round.map((m) => `exercises/${m.exercise}.test.ts`);
    const report = exerciseRun(`recorded mistakes, round ${index + 1} of ${rounds.length}`, {
      WORKBOOK_TARGET: 'mistakes',
      WORKBOOK_MISTAKES: JSON.stringify(Object.fromEntries(round.map((m) => [m.starter, m.built]))),
    }, testFiles);
    return round.map((mistake, i): MistakeProof => {
      const file = report.testResults.find((result) => result.name.endsWith(testFiles[i]!));
      if (!file || file.assertionResults.length === 0) {
        return { mistake, failing: [], problem: `${mistake.patchFile}: its tests did not run (${file?.message?.split('\n')[0] ?? 'no result'})` };
      }
      const failing = file.assertionResults.filter((t) => t.status === 'failed').map(testName).sort();
      if (failing.length > 0) return { mistake, failing };
      return { mistake, failing, problem: `${mistake.patchFile} ("${mistake.sentence}"): every test of ${testFiles[i]} passes on it` };
    });
  });
}
