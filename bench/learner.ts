/**
 * `npm run bench -- learner`: how long a learner waits.
 *
 * 1. `npm test -- chapterN` for every chapter, on the starters: wall time from the command to its
 *    exit, median of BENCH_ROUNDS runs (5 by default). Target: 3 s.
 * 2. Watch mode (`npm run learn`): from saving the exercise's file to the verdict line, median of
 *    BENCH_ROUNDS saves of chapter 1's first exercise (its starter, so the verdict is a failure),
 *    then one save of its solution (the verdict is a pass). Target: 1.5 s.
 *
 * Everything runs in a throwaway copy of the workbook (scripts/workbook-copy.ts), so the
 * learner's files and progress are never touched.
 */
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { copyWorkbook } from '../scripts/workbook-copy.js';
import { listChapters, listExercises } from '../scripts/workbook-layout.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CHAPTER_TARGET_S = 3;
const RERUN_TARGET_S = 1.5;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
// A benchmark reports where a figure stands against its target, without alarm.
const against = (seconds: number, target: number) => `target ≤ ${target} s: ${seconds <= target ? 'within it' : 'above it'}`;
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

const root = join(import.meta.dirname, '..');
const copy = copyWorkbook(root);
const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', CI: '' };
delete env.FORCE_COLOR;
delete env.WORKBOOK_TARGET;
try {
  // The targets are for an idle machine: say how busy this one is.
  const load = loadavg().map((value) => value.toFixed(1)).join(', ');
  console.log(`${availableParallelism()} cores; load average ${load} (1, 5, 15 min) at the start`);
  console.log(`\nnpm test -- chapterN on the starters: median of ${ROUNDS} runs each (the tests fail, as they should)`);
  for (const chapter of listChapters(copy.root)) {
    const walls: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const started = performance.now();
      spawnSync('npm', ['test', '--', `chapter${chapter.number}`], { cwd: copy.root, env, stdio: 'ignore' });
      walls.push(performance.now() - started);
    }
    const wall = median(walls);
    console.log(`  chapter${chapter.number}  ${s(wall)}  (runs: ${walls.map(s).join(', ')})  ${against(wall / 1000, CHAPTER_TARGET_S)}`);
  }

  const [exercise] = listExercises(copy.root);
  if (!exercise) throw new Error('no exercises');
  console.log(`\nnpm run learn (watch mode) on ${exercise.starter}: from saving the file to the verdict line`);
  const watch = await startWatch(copy.root, exercise.name);
  try {
    const started = performance.now();
    await watch.verdict();
    console.log(`  start-up to the first verdict (vitest, Redis, the template database): ${s(performance.now() - started)}`);
    const failing: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const saved = performance.now();
      appendFileSync(join(copy.root, exercise.starter), `\n// saved by the benchmark, round ${round}\n`);
      await watch.verdict();
      failing.push(performance.now() - saved);
    }
    const rerun = median(failing);
    console.log(`  save → verdict, starter (fails): ${s(rerun)} median (saves: ${failing.map(s).join(', ')})  ${against(rerun / 1000, RERUN_TARGET_S)}`);
    const saved = performance.now();
    copyFileSync(join(copy.root, exercise.solution), join(copy.root, exercise.starter));
    await watch.verdict();
    const solving = performance.now() - saved;
    console.log(`  save → verdict, solution (passes, its tests really run): ${s(solving)}  ${against(solving / 1000, RERUN_TARGET_S)}`);
  } finally {
    await watch.quit();
  }
} finally {
  copy.remove();
}

/** `npm run learn -- watch NAME` in `cwd`, read line by line. */
async function startWatch(cwd: string, name: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/learn.ts', 'watch', name], { cwd, env, stdio: ['pipe', 'pipe', 'inherit'] });
  let output = '';
  let seen = 0;
  let check = () => {};
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.once('exit', () => check());
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
    check();
  });
  // The verdict line of short-reporter.ts's formatVerdict: "✗ name: …" or "✓ name passes: …".
  const verdictLine = new RegExp(`^[✓✗] ${name}\\b`, 'gm');
  return {
    /** Resolves at the next verdict line after the last one seen. */
    verdict(timeoutMs = 120_000): Promise<void> {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`watch mode gave no verdict in ${timeoutMs} ms:\n${output}`)), timeoutMs);
        check = () => {
          verdictLine.lastIndex = seen;
          const match = verdictLine.exec(output);
          if (match) {
            seen = match.index + match[0].length;
            clearTimeout(timer);
            resolve();
          } else if (child.exitCode !== null) {
            clearTimeout(timer);
            reject(new Error(`watch mode exited (${child.exitCode}) before its verdict:\n${output}`));
          }
        };
        check();
      });
    },
    async quit(): Promise<void> {
      if (child.exitCode === null) child.stdin.write('q\n');
      const timer = setTimeout(() => child.kill('SIGTERM'), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
