/**
 * `npm run bench -- queries` (and the first part of `npm run bench`): what the query-counting helper costs, on and off.
 *
 * The same 1,000-query loop (a `findUnique` per iteration for different rows: the N+1 the helper
 * exists to catch) on a throwaway SQLite file. Each cycle is a fresh process (bench/measure.ts)
 * that first, before any scope exists in it, measures the baseline (a plain client) and `off`
 * (production: the express middleware and the job wrapper switched off), and then a watched
 * client outside any scope (`idle`) and the helper: AsyncLocalStorage alone (`hooks`), plus Prisma's query
 * events (`events`), plus the helper's recording, call sites and detection, and the helper end to
 * end (`on`). The baseline must come from a process that has never opened a scope: up to Node 22,
 * once AsyncLocalStorage has been enabled its hooks may run for every promise of the process.
 *
 * Ratios are taken inside each process (so processes that happen to run faster or slower do not
 * skew them) and the printed ratio is the median over the cycles. The clock is the process's CPU
 * time: on a shared machine wall time swings by tens of percent between identical rounds, while
 * CPU time counts only this process's work. Targets: at most 1.10 with the helper on, at most
 * 1.01 with it switched off.
 */
import { execFileSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

const CYCLES = Number(process.env.BENCH_CYCLES ?? 5);
const QUERIES = 1000;
const measure = fileURLToPath(new URL('./measure.ts', import.meta.url));

interface Sample {
  cpu: number;
  wall: number;
}
interface Result {
  samples: Record<string, Sample[]>;
  extra: Record<string, number[]>;
}

const samples: Record<string, Sample[]> = {};
const extra: Record<string, number[]> = {};
const perCycle: Record<string, number>[] = [];
const loadAtStart = loadavg()[0]!;
for (let cycle = 0; cycle < CYCLES; cycle++) {
  const output = execFileSync(process.execPath, ['--import', 'tsx', measure], { encoding: 'utf8', env: process.env });
  const result = JSON.parse(output.trim().split('\n').at(-1)!) as Result;
  const medians: Record<string, number> = {};
  for (const [mode, values] of Object.entries(result.samples)) {
    (samples[mode] ??= []).push(...values);
    medians[mode] = medianOf(values.map((s) => s.cpu));
  }
  for (const [part, values] of Object.entries(result.extra)) (extra[part] ??= []).push(...values);
  perCycle.push(medians);
}

function medianOf(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}

const median = medianOf;
const cpu = (mode: string) => median(samples[mode]!.map((s) => s.cpu));
const wall = (mode: string) => median(samples[mode]!.map((s) => s.wall));
const ms = (value: number) => `${value.toFixed(1).padStart(6)} ms`;
const plus = (value: number) => `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(1).padStart(4)} ms  (${((value * 1000) / QUERIES).toFixed(2)} µs per query)`;
// A benchmark reports: it says where the figure stands against the target, without alarm.
const verdict = (ratio: number, target: number) => `target ≤ ${target.toFixed(2)}: ${ratio <= target ? 'within it' : 'above it'}`;

const base = cpu('baseline');
const on = median(perCycle.map((c) => c.on! / c.baseline!));
const off = median(perCycle.map((c) => c.off! / c.baseline!));
const rounds = samples.baseline!.length;
console.log(
  `N+1 helper overhead: ${QUERIES.toLocaleString('en')} findUnique calls for different rows on SQLite, Node ${process.versions.node}, ` +
    `${availableParallelism()} CPUs, load average ${loadAtStart.toFixed(1)} at start and ${loadavg()[0]!.toFixed(1)} at the end.`,
);
console.log(
  `Medians of ${rounds} rounds per figure (process CPU time; ${CYCLES} fresh processes); ` +
    `each ratio is taken within a process, and the median over the ${CYCLES} is printed:`,
);
console.log(`  baseline  plain client, in a process that never opened a scope          ${ms(base)}`);
console.log(`  off       production: middleware and job wrapper switched off           ${ms(cpu('off'))}  ratio ${off.toFixed(3)}  (${verdict(off, 1.01)})`);
console.log(`  on        watchQueries + runQueryScope + report, the N+1 found           ${ms(cpu('on'))}  ratio ${on.toFixed(3)}  (${verdict(on, 1.1)})`);
const recording = median(extra.recordingLoop!) - cpu('events');
const sites = median(extra.callSites!);
const detection = median(extra.detection!);
console.log(`Where the helper's time goes (on − baseline = ${plus(cpu('on') - base)}):`);
console.log(`  hooks       AsyncLocalStorage: a scope around a plain client             ${plus(cpu('hooks') - base)}`);
console.log(`  events      Prisma's query events (log: [{ emit: 'event' }])              ${plus(cpu('events') - cpu('hooks'))}`);
console.log(`  recording   watchQueries: request hooks, one statement recorded per query ${plus(recording)}`);
console.log(`  call sites  reading back the stacks of the repeated calls                 ${plus(sites)}`);
console.log(`  detection   grouping the statements, naming the relation, the report       ${plus(detection)}`);
console.log(`  the rest    garbage collection of what the report keeps, timed in none above ${plus(cpu('on') - cpu('events') - recording - sites - detection)}`);
console.log(
  `Also: a watched client with query events on but no scope open costs ratio ${median(perCycle.map((c) => c.idle! / c.baseline!)).toFixed(3)} ` +
    `(Prisma's events: create the client without queryLogOptions in production).`,
);
console.log(
  `Per-cycle ratios: on ${perCycle.map((c) => (c.on! / c.baseline!).toFixed(3)).join(', ')}; ` +
    `off ${perCycle.map((c) => (c.off! / c.baseline!).toFixed(3)).join(', ')}.`,
);
console.log(`Wall-time ratios, for comparison (noisier on a shared machine): on ${(wall('on') / wall('baseline')).toFixed(3)}, off ${(wall('off') / wall('baseline')).toFixed(3)}.`);
