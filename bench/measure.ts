/**
 * One process of `npm run bench` (see bench/index.ts): runs one way of doing the same 1,000-query
 * loop, some rounds to warm up and then the measured ones, and prints its samples as one JSON
 * line. Each mode gets a fresh process, so no mode pays for another's heap or hooks:
 * - `baseline`, `off` and `idle` never open a scope (the script checks that AsyncLocalStorage
 *   was never enabled), as a production process with the helper switched off would not;
 * - `hooks`, `events`, `recording` and `on` add the helper's parts one at a time.
 */
import type { Job } from 'bullmq';
import type { NextFunction, Request, Response } from 'express';
import { createDatabase, type Database } from '../src/db/client.js';
import { createScratchDatabase } from '../src/db/scratch.js';
import {
  openScopeCount,
  queryLogOptions,
  queryReportMiddleware,
  QueryScope,
  runQueryScope,
  watchQueries,
  withQueryReport,
} from '../src/queries/index.js';
import { callSiteKeys } from '../src/queries/call-site.js';
import { queryContext } from '../src/queries/scope.js';

const QUERIES = 1000;
const USERS = 100;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const WARM_UP = 4;
const MODES = ['baseline', 'off', 'idle', 'hooks', 'events', 'recording', 'on'] as const;
const mode = process.argv[2] as (typeof MODES)[number];
if (!MODES.includes(mode)) throw new Error(`usage: measure.ts ${MODES.join('|')}`);

const scratch = await createScratchDatabase();
const plain = scratch.db;
const withEvents = await createDatabase(scratch.url, queryLogOptions);

/** CPU and wall time of one run, in milliseconds. */
interface Sample {
  cpu: number;
  wall: number;
}
const samples: Sample[] = [];
const extra: Record<string, number[]> = {};

async function time(run: () => Promise<void>): Promise<Sample> {
  const wallStart = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  await run();
  const cpu = process.cpuUsage(cpuStart);
  return { cpu: (cpu.user + cpu.system) / 1000, wall: Number(process.hrtime.bigint() - wallStart) / 1e6 };
}

try {
  await plain.user.createMany({ data: Array.from({ length: USERS }, (_, n) => ({ email: `bench${n}@example.com`, name: `Bench ${n}` })) });
  const ids = (await plain.user.findMany({ select: { id: true } })).map((user) => user.id);
  // The N+1 the helper exists to catch: one lookup per row, for different rows.
  const loop = async (db: Database) => {
    for (let n = 0; n < QUERIES; n++) await db.user.findUnique({ where: { id: ids[n % USERS]! } });
  };

  const runs: Record<(typeof MODES)[number], () => Promise<() => Promise<void>>> = {
    baseline: async () => () => loop(plain),
    // Production: the same handler and job code, with the integrations switched off.
    off: async () => {
      const middleware = queryReportMiddleware({ enabled: false });
      const processor = withQueryReport(async (_job: Job) => loop(plain), { enabled: false });
      return () =>
        new Promise<void>((resolve, reject) => {
          const next: NextFunction = () => void processor({} as Job, 'token').then(resolve, reject);
          middleware({} as Request, {} as Response, next);
        });
    },
    idle: async () => {
      const idle = watchQueries(withEvents);
      return () => loop(idle);
    },
    hooks: async () => async () => {
      await runQueryScope(() => loop(plain), { mode: 'collect' });
    },
    events: async () => {
      (withEvents as unknown as { $on(event: 'query', listener: () => void): void }).$on('query', () => {});
      return async () => {
        await runQueryScope(() => loop(withEvents), { mode: 'collect' });
      };
    },
    recording: async () => {
      const watched = watchQueries(withEvents);
      return async () => {
        // The helper's recording alone; its call sites and detection are timed apart.
        const scope = new QueryScope({ mode: 'collect' }, undefined);
        const recorded = await time(() => queryContext.run({ scope }, () => loop(watched)));
        scope.close();
        const sites = await time(async () => {
          callSiteKeys(scope.statements.map((statement) => statement.operation?.callSite));
        });
        const detection = await time(async () => {
          if (scope.report().problems.length !== 1) throw new Error('the helper missed the N+1');
        });
        (extra.recordingLoop ??= []).push(recorded.cpu);
        (extra.callSites ??= []).push(sites.cpu);
        (extra.detection ??= []).push(detection.cpu);
      };
    },
    on: async () => {
      const watched = watchQueries(withEvents);
      return async () => {
        const { report } = await runQueryScope(() => loop(watched), { mode: 'collect' });
        if (report.statements.length !== QUERIES || report.problems.length !== 1) throw new Error('the helper missed queries');
      };
    },
  };
  const run = await runs[mode]();

  for (let round = 0; round < WARM_UP + ROUNDS; round++) {
    if (round === WARM_UP) for (const key of Object.keys(extra)) extra[key] = [];
    const sample = await time(run);
    if (round >= WARM_UP) samples.push(sample);
  }
  // Never enabled here: not a scope opened, not a hook installed (`enabled` is Node's own flag).
  const enabled = (queryContext as unknown as { enabled?: boolean }).enabled === true;
  if (['baseline', 'off', 'idle'].includes(mode) && (openScopeCount() !== 0 || enabled)) {
    throw new Error(`the ${mode} process enabled AsyncLocalStorage`);
  }
  console.log(JSON.stringify({ mode, samples, extra }));
} finally {
  await withEvents.$disconnect();
  await scratch.dispose();
}
