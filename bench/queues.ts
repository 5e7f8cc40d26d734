/**
 * `npm run bench -- queues`: BullMQ against the raw Redis ceiling and against real Sidekiq, in
 * one run on one private `redis-server` (always a fresh one started here, so nothing else runs on
 * it and Sidekiq's keys touch no Redis of yours).
 *
 * - enqueue: `add` awaited one at a time, `add` without waiting, `addBulk` 1,000 a call awaited
 *   in turn, and `addBulk` 1,000 a call with several calls in flight (chapter 8's recommendation);
 * - processing of no-op jobs by one Worker at concurrency 1, 10 and 50, from the first job started
 *   to the last `completed`;
 * - the ceiling: `redis-benchmark` LPUSH, one command per round trip and pipelined;
 * - Sidekiq, when Ruby and the sidekiq gem are installed: `push_bulk` (1,000 jobs a call, as
 *   Sidekiq 7 does) and `sidekiq -c 10` processing the same number of no-op jobs.
 *
 * `BENCH_JOBS` (default 20,000) sets the number of jobs, `BENCH_ROUNDS` (default 3) the rounds per
 * enqueue figure (the median is printed).
 */
import { spawn, spawnSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { enqueueMany } from '../src/jobs/enqueue-many.js';
import { workerConnectionOptions } from '../src/redis/connection.js';
import { startEmbeddedRedis } from '../src/redis/embedded-server.js';

const JOBS = Number(process.env.BENCH_JOBS ?? 20_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
if (!Number.isInteger(JOBS) || JOBS < 1000) throw new Error(`BENCH_JOBS must be a whole number of at least 1000, got ${process.env.BENCH_JOBS}`);
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) throw new Error(`BENCH_ROUNDS must be a whole number of at least 1, got ${process.env.BENCH_ROUNDS}`);
const SIDEKIQ_DIR = fileURLToPath(new URL('./sidekiq/', import.meta.url));
const SIDEKIQ_INSTALL = 'Debian/Ubuntu: sudo apt-get install ruby-sidekiq; elsewhere: gem install sidekiq';

const loadAtStart = loadavg()[0]!;
const redis = await startEmbeddedRedis();
const connection = workerConnectionOptions(redis.url);
const admin = new Redis(connection);
const port = new URL(redis.url).port;
let round = 0;

interface NoopData {
  index: number;
  /** Only in the "items per job" variant: the items one job carries. */
  items?: number[];
}
const jobs = (count: number) => Array.from({ length: count }, (_, index) => ({ name: 'noop', data: { index } as NoopData }));

/** Runs `enqueue` on a fresh queue; returns jobs per second, after checking every job arrived. */
async function enqueueRate(enqueue: (queue: Queue<NoopData>) => Promise<unknown>, { expected = JOBS } = {}): Promise<number> {
  const queue = new Queue<NoopData>('bench', { connection, prefix: `bench-${++round}` });
  await queue.waitUntilReady();
  try {
    const started = performance.now();
    await enqueue(queue);
    const seconds = (performance.now() - started) / 1000;
    const waiting = await queue.getWaitingCount();
    if (waiting !== expected) throw new Error(`expected ${expected} waiting jobs, found ${waiting}`);
    return JOBS / seconds;
  } finally {
    await queue.obliterate({ force: true });
    await queue.close();
  }
}

/** Microseconds of Redis time per call of `command` since the last CONFIG RESETSTAT. */
async function redisMicrosPerCall(command: string): Promise<number | undefined> {
  const line = (await admin.info('commandstats')).split('\n').find((entry) => entry.startsWith(`cmdstat_${command}:`));
  const value = line && /usec_per_call=([\d.]+)/.exec(line)?.[1];
  return value ? Number(value) : undefined;
}

async function medianRate(enqueue: (queue: Queue<NoopData>) => Promise<unknown>, options: { expected?: number } = {}): Promise<number> {
  const rates: number[] = [];
  for (let i = 0; i < ROUNDS; i++) rates.push(await enqueueRate(enqueue, options));
  return rates.sort((a, b) => a - b)[Math.floor(rates.length / 2)]!;
}

/** Jobs per second a Worker at `concurrency` completes, from the first start to the last `completed`. */
async function processRate(concurrency: number): Promise<number> {
  const prefix = `bench-${++round}`;
  const queue = new Queue<NoopData>('bench', { connection, prefix });
  await enqueueMany(queue, jobs(JOBS));
  let first = 0;
  let done = 0;
  let worker: Worker<NoopData> | undefined;
  try {
    const finished = new Promise<number>((resolve, reject) => {
      worker = new Worker<NoopData>(
        'bench',
        async () => {
          first ||= performance.now();
        },
        { connection, prefix, concurrency },
      );
      worker.on('completed', () => {
        if (++done === JOBS) resolve(performance.now());
      });
      worker.on('failed', (_job, error) => reject(error));
      setTimeout(() => reject(new Error(`concurrency ${concurrency}: only ${done} of ${JOBS} jobs done after 5 minutes`)), 300_000).unref();
    });
    const last = await finished;
    return JOBS / ((last - first) / 1000);
  } finally {
    await worker?.close();
    await queue.obliterate({ force: true });
    await queue.close();
  }
}

/** LPUSH requests per second from redis-benchmark, with `pipeline` commands per round trip. */
function redisBenchmark(pipeline: number): number | string {
  const result = spawnSync(
    'redis-benchmark',
    ['-h', '127.0.0.1', '-p', port, '-n', '200000', '-c', '50', '-P', String(pipeline), '-t', 'lpush', '--csv'],
    { encoding: 'utf8' },
  );
  if (result.error) return `skipped (${result.error.message}; it comes with Debian's redis-tools)`;
  const rps = /"LPUSH[^"]*","([\d.]+)"/.exec(result.stdout)?.[1];
  return rps ? Number(rps) : `skipped (unexpected output: ${result.stdout.slice(0, 200)} ${result.stderr.slice(0, 200)})`;
}

interface SidekiqResult {
  version: string;
  /** Redis microseconds per LPUSH of 1,000 jobs. */
  lpushMicros: number | undefined;
  pushBulk: number;
  processing: number;
}

/** Real Sidekiq on the same Redis, or why it was skipped. */
async function sidekiq(): Promise<SidekiqResult | string> {
  const probe = spawnSync('ruby', ['-e', 'require "sidekiq"; print Sidekiq::VERSION'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) return `skipped: Ruby with the sidekiq gem is not installed (${SIDEKIQ_INSTALL})`;
  if (spawnSync('sidekiq', ['--help'], { encoding: 'utf8' }).error) return `skipped: no sidekiq command on PATH (${SIDEKIQ_INSTALL})`;
  const env = { ...process.env, REDIS_URL: redis.url, BENCH_JOBS: String(JOBS) };

  const pushes: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    await admin.flushdb();
    await admin.config('RESETSTAT');
    const push = spawnSync('ruby', ['push_bulk.rb'], { cwd: SIDEKIQ_DIR, env, encoding: 'utf8' });
    const seconds = /SIDEKIQ_PUSH_BULK ([\d.]+)/.exec(push.stdout)?.[1];
    if (!seconds) throw new Error(`push_bulk.rb failed:\n${push.stdout}\n${push.stderr}`);
    pushes.push(JOBS / Number(seconds));
  }
  const lpushMicros = await redisMicrosPerCall('lpush');
  const queued = await admin.llen('queue:default');
  if (queued !== JOBS) throw new Error(`expected ${JOBS} jobs in Sidekiq's queue, found ${queued}`);

  // The jobs of the last push are waiting: start Sidekiq and time it from the first perform to the last.
  const server = spawn('sidekiq', ['-r', './noop_job.rb', '-c', '10', '-t', '1', '-q', 'default'], {
    cwd: SIDEKIQ_DIR,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  let output = '';
  try {
    const seconds = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Sidekiq did not finish within 5 minutes:\n${output.slice(-2000)}`)), 300_000);
      server.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const done = /SIDEKIQ_DONE ([\d.]+)/.exec(output)?.[1];
        if (done) {
          clearTimeout(timer);
          resolve(Number(done));
        }
      });
      server.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      server.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`sidekiq exited (${code}) before finishing:\n${output.slice(-2000)}`));
      });
    });
    return { version: probe.stdout.trim(), lpushMicros, pushBulk: pushes.sort((a, b) => a - b)[Math.floor(pushes.length / 2)]!, processing: JOBS / seconds };
  } finally {
    server.kill('SIGTERM');
    const killer = setTimeout(() => server.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(killer);
    await admin.flushdb();
  }
}

try {
  const redisVersion = /redis_version:(\S+)/.exec(await admin.info('server'))?.[1];
  console.log(
    `Queues: ${JOBS.toLocaleString('en')} no-op jobs, one private Redis ${redisVersion}, Node ${process.versions.node}, ` +
      `${availableParallelism()} CPUs, load average ${loadAtStart.toFixed(1)} at start.`,
  );

  const enqueue: [string, number][] = [
    ['add, awaited one at a time', await medianRate(async (queue) => {
      for (const job of jobs(JOBS)) await queue.add(job.name, job.data);
    })],
    ['add, all at once (Promise.all)', await medianRate((queue) => Promise.all(jobs(JOBS).map((job) => queue.add(job.name, job.data))))],
    ['addBulk 1,000 a call, one call at a time', await medianRate(async (queue) => {
      const all = jobs(JOBS);
      for (let i = 0; i < all.length; i += 1000) await queue.addBulk(all.slice(i, i + 1000));
    })],
    ['enqueueMany: addBulk 1,000 a call, 8 in flight', await medianRate((queue) => enqueueMany(queue, jobs(JOBS)))],
  ];
  const best = Math.max(...enqueue.map(([, rate]) => rate));
  // Where the time goes: Redis's own count of microseconds per addJob script.
  await admin.config('RESETSTAT');
  await enqueueRate((queue) => enqueueMany(queue, jobs(JOBS)));
  const luaMicros = await redisMicrosPerCall('evalsha');
  // Not the same thing, for scale: a job per 100 items (the processor loops), so 1/100 of the scripts.
  const itemsPerJob = 100;
  const batchedItems = await medianRate((queue) =>
    enqueueMany(
      queue,
      Array.from({ length: JOBS / itemsPerJob }, (_, job) => ({
        name: 'noop-batch',
        data: { index: job, items: Array.from({ length: itemsPerJob }, (_, item) => job * itemsPerJob + item) } as NoopData,
      })),
    ),
  { expected: JOBS / itemsPerJob });

  const processing: [number, number][] = [];
  for (const concurrency of [1, 10, 50]) processing.push([concurrency, await processRate(concurrency)]);

  const ceiling = [redisBenchmark(1), redisBenchmark(16)] as const;
  const ruby = await sidekiq();

  const rate = (value: number) => `${Math.round(value).toLocaleString('en').padStart(9)} jobs/s`;
  const ratio = (value: number, base: number | undefined) => (base ? `${(value / base).toFixed(2)}x` : '');
  const sidekiqPush = typeof ruby === 'string' ? undefined : ruby.pushBulk;
  const sidekiqRun = typeof ruby === 'string' ? undefined : ruby.processing;
  const sidekiqLpush = typeof ruby === 'string' ? undefined : ruby.lpushMicros;
  const row = (label: string, value: string, ...notes: string[]) => console.log(`  ${label.padEnd(52)} ${value}  ${notes.filter(Boolean).join('  ')}`);

  console.log(`\nEnqueue (median of ${ROUNDS} rounds)${sidekiqPush ? '                                     vs Sidekiq push_bulk' : ''}`);
  for (const [label, value] of enqueue) row(`BullMQ ${label}`, rate(value), ratio(value, sidekiqPush));
  if (sidekiqPush) row(`Sidekiq ${(ruby as SidekiqResult).version} push_bulk, 1,000 a call`, rate(sidekiqPush), '1.00x');
  row(
    `not the same: ${itemsPerJob} items per BullMQ job`,
    rate(batchedItems).replace('jobs/s', 'items/s'),
    ratio(batchedItems, sidekiqPush),
    '(one retry, one state for all its items)',
  );
  if (luaMicros) {
    console.log(
      `  Redis time per BullMQ job added: ${luaMicros.toFixed(1)} µs of Lua (addJob script), a ceiling of about ` +
        `${Math.round(1e6 / luaMicros).toLocaleString('en')} jobs/s on one Redis however the client sends them.`,
    );
  }
  if (sidekiqLpush) {
    console.log(`  Redis time per Sidekiq job pushed: ${(sidekiqLpush / 1000).toFixed(2)} µs (one LPUSH of 1,000 payloads takes ${sidekiqLpush.toFixed(0)} µs).`);
  }

  console.log(`\nProcessing no-op jobs (first start to last completed)${sidekiqRun ? '                   vs Sidekiq -c 10' : ''}`);
  for (const [concurrency, value] of processing) row(`BullMQ Worker, concurrency ${concurrency}`, rate(value), ratio(value, sidekiqRun));
  if (sidekiqRun) row(`Sidekiq ${(ruby as SidekiqResult).version}, -c 10`, rate(sidekiqRun), '1.00x');

  console.log('\nThe ceiling: redis-benchmark LPUSH (50 clients)');
  for (const [label, value] of [['one command per round trip', ceiling[0]], ['pipelined, 16 per round trip', ceiling[1]]] as const) {
    if (typeof value === 'string') row(label, value);
    else row(label, rate(value).replace('jobs/s', 'ops/s '), `BullMQ's best enqueue is ${ratio(best, value)} of it`);
  }

  if (typeof ruby === 'string') {
    console.log(`\nSidekiq ${ruby}`);
  } else {
    const bestProcessing = Math.max(...processing.map(([, value]) => value));
    const at10 = processing.find(([concurrency]) => concurrency === 10)![1];
    // A benchmark reports: where the figure stands against its target, without alarm. Judged on
    // the ratio as printed, so a printed 0.50x is never "below" a target of 0.50x.
    const verdict = (value: number, base: number, target: number) =>
      `target ≥ ${target.toFixed(2)}x: ${Number((value / base).toFixed(2)) >= target ? 'within it' : 'below it'}`;
    console.log(
      `\nRatios to Sidekiq: enqueue ${ratio(best, ruby.pushBulk)} (fastest BullMQ way; ${verdict(best, ruby.pushBulk, 0.5)}), ` +
        `processing ${ratio(at10, ruby.processing)} at the same concurrency of 10 and ${ratio(bestProcessing, ruby.processing)} at BullMQ's best ` +
        `(${verdict(bestProcessing, ruby.processing, 2)}).`,
    );
  }
  console.log(`Load average ${loadavg()[0]!.toFixed(1)} at the end: on a shared machine, figures move by tens of percent between runs.`);
} finally {
  admin.disconnect();
  await redis.stop();
}
