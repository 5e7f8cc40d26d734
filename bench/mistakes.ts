/**
 * `npm run bench -- mistakes`: how well a learner's run recognises a known mistake. In a
 * throwaway copy of the workbook, each recorded mistake is put in place as the learner's file
 * (every other exercise solved, as a learner who got that far has it), and `npm test` runs as a
 * learner runs it: SQLite only, no WORKBOOK_TARGET. What the hint reporter then prints under the
 * exercise is compared with the mistake. The reference solutions and the starters get the same
 * run, and must never be named as a mistake.
 */
import '../src/process/node-version.js';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildMistake, listMistakes, type RecordedMistake } from '../scripts/mistakes/recorded.js';
import { copyWorkbook } from '../scripts/workbook-copy.js';
import { listExercises } from '../scripts/workbook-layout.js';

const root = join(import.meta.dirname, '..');
const copy = copyWorkbook(root);
const exercises = listExercises(copy.root);
const { mistakes } = listMistakes(copy.root);

/** `npm test` in the copy, as a learner runs it: per failing exercise's starter path, the sentences named under it. */
function learnerRun(): Map<string, string[]> {
  const env: NodeJS.ProcessEnv = { ...process.env, CI: '', NO_COLOR: '1' };
  for (const name of ['WORKBOOK_TARGET', 'WORKBOOK_POSTGRES', 'WORKBOOK_MISTAKES', 'FORCE_COLOR']) delete env[name];
  const result = spawnSync(process.execPath, [join(copy.root, 'node_modules/vitest/vitest.mjs'), 'run', '--project', 'exercises'], { cwd: copy.root, env, encoding: 'utf8', maxBuffer: 1 << 28 });
  const named = new Map<string, string[]>();
  let current: string | undefined;
  for (const line of result.stdout.split('\n')) {
    const exercise = /^ {2}(exercises\/\S+\.ts) {2}->/.exec(line)?.[1];
    if (exercise) {
      current = exercise;
      named.set(exercise, []);
    }
    const single = /^ {6}This looks like a known mistake: (.+)\.$/.exec(line)?.[1];
    const several = /^ {6}- (.+)\. Read "/.exec(line)?.[1];
    const sentence = single ?? several;
    if (current && sentence) named.get(current)!.push(sentence);
  }
  return named;
}

function putSolutionsInPlace(): void {
  for (const exercise of exercises) writeFileSync(join(copy.root, exercise.starter), readFileSync(join(copy.root, exercise.solution)));
}

const started = Date.now();
try {
  const startersNamed = learnerRun();
  putSolutionsInPlace();
  const solutionsNamed = learnerRun();

  const rounds: RecordedMistake[][] = [];
  for (const mistake of mistakes) {
    const round = rounds.find((r) => !r.some((other) => other.exercise === mistake.exercise));
    if (round) round.push(mistake);
    else rounds.push([mistake]);
  }
  const verdicts = { correct: [] as string[], ambiguous: [] as string[], wrong: [] as string[], none: [] as string[], passes: [] as string[] };
  for (const [index, round] of rounds.entries()) {
    console.log(`round ${index + 1} of ${rounds.length}: ${round.length} mistakes in place`);
    putSolutionsInPlace();
    for (const mistake of round) writeFileSync(join(copy.root, 'exercises', mistake.starter), buildMistake(copy.root, mistake));
    const named = learnerRun();
    for (const mistake of round) {
      const sentences = named.get(`exercises/${mistake.starter}`);
      if (!sentences) {
        verdicts.passes.push(mistake.id);
        continue;
      }
      const kind = sentences.length === 0 ? 'none' : !sentences.includes(mistake.sentence) ? 'wrong' : sentences.length === 1 ? 'correct' : 'ambiguous';
      verdicts[kind].push(sentences.length > 1 ? `${mistake.id} (named with ${sentences.length - 1} other)` : mistake.id);
    }
  }
  const claimed = (map: Map<string, string[]>) => [...map].filter(([, sentences]) => sentences.length > 0).map(([file]) => file);
  const count = (map: Map<string, string[]>) => `${claimed(map).length}${claimed(map).length ? ` (${claimed(map).join(', ')})` : ''}`;
  console.log(`\nOf ${mistakes.length} recorded mistakes, each in place as the learner's file (SQLite only, as npm test runs):`);
  console.log(`  named correctly:        ${verdicts.correct.length}`);
  console.log(`  named with others:      ${verdicts.ambiguous.length}${verdicts.ambiguous.length ? `\n    ${verdicts.ambiguous.join('\n    ')}` : ''}`);
  console.log(`  named wrongly:          ${verdicts.wrong.length}${verdicts.wrong.length ? `\n    ${verdicts.wrong.join('\n    ')}` : ''}`);
  console.log(`  not named:              ${verdicts.none.length}${verdicts.none.length ? `\n    ${verdicts.none.join('\n    ')}` : ''}`);
  console.log(`  passes without PostgreSQL (only its race tests catch it, and a passing run names nothing): ${verdicts.passes.length}${verdicts.passes.length ? `\n    ${verdicts.passes.join('\n    ')}` : ''}`);
  console.log(`Reference solutions named as a mistake: ${count(solutionsNamed)}; starters named as a mistake: ${count(startersNamed)}.`);
  console.log(`(${rounds.length + 2} runs of npm test in ${((Date.now() - started) / 1000).toFixed(0)} s)`);
} finally {
  copy.remove();
}
