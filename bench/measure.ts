/**
 * One process of `npm run bench` (see bench/index.ts). It prints its samples as one JSON line.
 *
 * Phase 1, before any scope exists in the process: 30 rounds of the plain loop to warm up (until
 * then later rounds run faster than earlier ones, which would flatter whatever runs second), then
 * the baseline and `off` round by round in turn, with only the plain client in use. The script
 * checks that AsyncLocalStorage was never enabled during this phase.
 * Phase 2: a watched client outside any scope (`idle`), the helper's parts added one at a time
 * (`hooks`, `events`, `recording`) and the helper end to end (`on`), round by round in turn after
 * a few rounds of warm-up each.
 */
import type { Job } from 'bullmq';
import type { NextFunction, Request, Response } from 'express';
import { createDatabase, type Database } from '../src/db/client.js';
import { createScratchDatabase } from '../src/db/scratch.js';
import { callSiteKeys } from '../src/queries/call-site.js';
import {
  openScopeCount,
  queryLogOptions,
  queryReportMiddleware,
  QueryScope,
  runQueryScope,
  watchQueries,
  withQueryReport,
} from '../src/queries/index.js';
import { queryContext } from '../src/queries/scope.js';

const QUERIES = 1000;
const USERS = 100;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const WARM_UP = 30;

/** CPU and wall time of one run, in milliseconds. */
interface Sample {
  cpu: number;
  wall: number;
}
const samples: Record<string, Sample[]> = {};
const extra: Record<string, number[]> = {};

async function time(run: () => Promise<unknown>): Promise<Sample> {
  const wallStart = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  await run();
  const cpu = process.cpuUsage(cpuStart);
  return { cpu: (cpu.user + cpu.system) / 1000, wall: Number(process.hrtime.bigint() - wallStart) / 1e6 };
}

/** Runs `modes` round by round in turn (the order alternating), `warmUp` rounds unrecorded first. */
async function inTurn(modes: Record<string, () => Promise<unknown>>, warmUp: number): Promise<void> {
  const names = Object.keys(modes);
  for (let round = 0; round < warmUp + ROUNDS; round++) {
    for (const name of round % 2 === 0 ? names : [...names].reverse()) {
      const sample = await time(modes[name]!);
      if (round >= warmUp) (samples[name] ??= []).push(sample);
    }
  }
}

const scratch = await createScratchDatabase();
const plain = scratch.db;
const withEvents = await createDatabase(scratch.url, queryLogOptions);
const eventsOnly = await createDatabase(scratch.url, queryLogOptions);
try {
  await plain.user.createMany({ data: Array.from({ length: USERS }, (_, n) => ({ email: `bench${n}@example.com`, name: `Bench ${n}` })) });
  const ids = (await plain.user.findMany({ select: { id: true } })).map((user) => user.id);
  // The N+1 the helper exists to catch: one lookup per row, for different rows.
  const loop = async (db: Database) => {
    for (let n = 0; n < QUERIES; n++) await db.user.findUnique({ where: { id: ids[n % USERS]! } });
  };
  const watched = watchQueries(withEvents);

  // Phase 1: no scope, ever.
  for (let round = 0; round < WARM_UP; round++) await loop(plain);
  // Production: the same handler and job code, with the integrations switched off.
  const middleware = queryReportMiddleware({ enabled: false });
  const processor = withQueryReport(async (_job: Job) => loop(plain), { enabled: false });
  await inTurn(
    {
      baseline: () => loop(plain),
      off: () =>
        new Promise<void>((resolve, reject) => {
          const next: NextFunction = () => void processor({} as Job, 'token').then(resolve, reject);
          middleware({} as Request, {} as Response, next);
        }),
    },
    2,
  );
  // `enabled` is Node's own flag: true once AsyncLocalStorage has been enabled in this process.
  if (openScopeCount() !== 0 || (queryContext as unknown as { enabled?: boolean }).enabled === true) {
    throw new Error('the baseline phase enabled AsyncLocalStorage');
  }

  // Phase 2: the helper, a part at a time, then whole.
  (eventsOnly as unknown as { $on(event: 'query', listener: () => void): void }).$on('query', () => {});
  await inTurn(
    {
      // A watched client outside any scope: what production pays if it keeps the query events on.
      idle: () => loop(watched),
      hooks: () => runQueryScope(() => loop(plain), { mode: 'collect' }),
      events: () => runQueryScope(() => loop(eventsOnly), { mode: 'collect' }),
      recording: async () => {
        // Recording alone, then its call sites and its detection, timed apart inside the round.
        const scope = new QueryScope({ mode: 'collect' }, undefined);
        (extra.recordingLoop ??= []).push((await time(() => queryContext.run({ scope }, () => loop(watched)))).cpu);
        scope.close();
        const sites = await time(async () => callSiteKeys(scope.statements.map((statement) => statement.operation?.callSite)));
        const detection = await time(async () => {
          if (scope.report().problems.length !== 1) throw new Error('the helper missed the N+1');
        });
        (extra.callSites ??= []).push(sites.cpu);
        (extra.detection ??= []).push(detection.cpu);
      },
      on: async () => {
        const { report } = await runQueryScope(() => loop(watched), { mode: 'collect' });
        if (report.statements.length !== QUERIES || report.problems.length !== 1) throw new Error('the helper missed queries');
      },
    },
    3,
  );
  // Warm-up rounds of the recording mode are not part of its figures.
  for (const key of Object.keys(extra)) extra[key] = extra[key]!.slice(-ROUNDS);
  console.log(JSON.stringify({ samples, extra }));
} finally {
  await eventsOnly.$disconnect();
  await withEvents.$disconnect();
  await scratch.dispose();
}
