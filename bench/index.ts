/**
 * `npm run bench`: what the query-counting helper costs.
 *
 * Runs the same 1,000-query loop (a `findUnique` per iteration, the N+1 shape the helper exists
 * to catch) on a throwaway SQLite file, with and without the helper, alternating rounds so that
 * both sides see the same machine, and prints the ratio of the medians. Target: at most 1.05.
 *
 * Two clocks: wall time, and this process's CPU time. On a busy machine (CI runners, a laptop
 * compiling something) wall time swings by tens of percent between identical rounds; CPU time
 * counts only the work this process did, so its ratio is the one to trust there.
 */
import { createDatabase, type Database } from '../src/db/client.js';
import { createScratchDatabase } from '../src/db/scratch.js';
import { queryLogOptions, runQueryScope, watchQueries } from '../src/queries/index.js';

const QUERIES = 1000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);

const scratch = await createScratchDatabase(queryLogOptions);
const plain = await createDatabase(scratch.url);
const base = scratch.db;
const watched = watchQueries(base);

try {
  const user = await plain.user.create({ data: { email: 'bench@example.com', name: 'Bench' } });
  const loop = async (db: Database) => {
    for (let n = 0; n < QUERIES; n++) await db.user.findUnique({ where: { id: user.id } });
  };
  const without = () => loop(plain);
  const withHelper = async () => {
    const { report } = await runQueryScope(() => loop(watched), { mode: 'collect' });
    if (report.statements.length !== QUERIES || report.problems.length !== 1) throw new Error('the helper missed queries');
  };

  interface Sample {
    wall: number;
    cpu: number;
  }
  const time = async (run: () => Promise<void>): Promise<Sample> => {
    const wallStart = process.hrtime.bigint();
    const cpuStart = process.cpuUsage();
    await run();
    const cpu = process.cpuUsage(cpuStart);
    return { wall: Number(process.hrtime.bigint() - wallStart) / 1e6, cpu: (cpu.user + cpu.system) / 1e3 };
  };
  for (let warm = 0; warm < 3; warm++) {
    await without(); // warm both clients and the JIT
    await withHelper();
  }

  // The same scope around the same listening client, without watchQueries' proxy: what
  // AsyncLocalStorage alone costs (on Node 20 it hooks every promise created inside a scope).
  const scopeOnly = async () => {
    await runQueryScope(() => loop(base), { mode: 'collect' });
  };

  const samples = { without: [] as Sample[], with: [] as Sample[], scopeOnly: [] as Sample[] };
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate the order, so no side always runs on a warmer (or busier) machine.
    const order: (keyof typeof samples)[] = round % 2 === 0 ? ['without', 'with', 'scopeOnly'] : ['scopeOnly', 'with', 'without'];
    for (const side of order) samples[side].push(await time({ without, with: withHelper, scopeOnly }[side]));
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const line = (clock: keyof Sample) => {
    const plainMs = median(samples.without.map((s) => s[clock]));
    const helperMs = median(samples.with.map((s) => s[clock]));
    const ratio = helperMs / plainMs;
    const verdict = ratio <= 1.05 ? 'within the 1.05 target' : 'OVER the 1.05 target';
    return `  ${clock.padEnd(4)} time: without ${plainMs.toFixed(1)} ms, with ${helperMs.toFixed(1)} ms -> ratio ${ratio.toFixed(3)} (${verdict})`;
  };
  console.log(`${QUERIES} findUnique calls on SQLite; with = watchQueries + runQueryScope + report; median of ${ROUNDS} rounds:`);
  console.log(line('wall'));
  console.log(line('cpu'));
  const scopeRatio = median(samples.scopeOnly.map((s) => s.cpu)) / median(samples.without.map((s) => s.cpu));
  console.log(`  of which the scope alone (AsyncLocalStorage, no proxy): cpu ratio ${scopeRatio.toFixed(3)} on Node ${process.versions.node}`);
} finally {
  await plain.$disconnect();
  await scratch.dispose();
}
