/**
 * The fault suite's tools: real processes (the demo, standalone workers, `redis-server` with an
 * append-only file), started the way a user starts them (`npm start`, `npm run worker`), each in
 * its own process group so that a test can kill exactly what it means to and `afterEach` can kill
 * everything it started, even after a failure.
 *
 * @module
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { LOG_TASK_JOB, LOG_TASK_JOB_OPTIONS, TASK_WORKER_STALL_SETTINGS, TASKS_QUEUE, taskJobId, type LogTaskData } from '../../src/app/task-jobs.js';
import { createDatabase, type Database } from '../../src/db/client.js';
import { applyMigrations } from '../../src/db/migrate.js';
import { commandLine, isAlive } from '../../src/process/orphan-guard.js';
import { workerConnectionOptions } from '../../src/redis/connection.js';
import { waitUntil } from '../harness.js';
import { freePort } from '../../src/process/free-port.js';

/** The project folder: where `npm start` runs. */
export const ROOT = join(import.meta.dirname, '..', '..');

/** The dashboard password every demo in the suite gets. */
export const DASHBOARD_PASSWORD = 'fault-suite-password';

/** A process the suite started, with its output kept line by line. */
export interface Started {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  /** Every line written to stdout and stderr so far. */
  readonly lines: string[];
  /** Resolves with the exit code (or signal) and the time of exit (`Date.now()`). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  /** `true` once it has exited. */
  hasExited(): boolean;
  /** Sends `signal` to this process only. */
  signal(signal: NodeJS.Signals): void;
  /** Sends `signal` to its whole process group (npm, node, and anything else they started in it). */
  signalGroup(signal: NodeJS.Signals): void;
  /** Resolves with the first line matching `pattern`, waiting up to `timeoutMs`. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
}

/** What one test file started: every process, temporary folder and client, for clean-up. */
export class Lab {
  private readonly started: Started[] = [];
  private readonly dirs: string[] = [];
  private readonly cleanups: (() => Promise<unknown> | unknown)[] = [];

  /** A temporary folder, removed by {@link cleanUp}. */
  tempDir(label: string): string {
    const dir = mkdtempSync(join(tmpdir(), `fault-suite-${label}-`));
    this.dirs.push(dir);
    return dir;
  }

  /** Registers something to run at clean-up (a client to close). */
  onCleanUp(step: () => Promise<unknown> | unknown): void {
    this.cleanups.push(step);
  }

  /** Starts `command` in a new process group with `env` added to a clean environment. */
  spawn(name: string, command: string, args: string[], env: Record<string, string> = {}): Started {
    const child = spawn(command, args, { cwd: ROOT, env: childEnv(env), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) {
        if (line === '') continue;
        lines.push(line);
        for (const waiter of waiters.splice(0)) {
          if (waiter.pattern.test(line)) waiter.resolve(line);
          else waiters.push(waiter);
        }
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    let exitedAt: number | undefined;
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) => {
      child.once('exit', (code, signal) => {
        exitedAt = Date.now();
        resolve({ code, signal, at: exitedAt });
      });
    });
    const started: Started = {
      name,
      child,
      pid: child.pid!,
      lines,
      exited,
      hasExited: () => exitedAt !== undefined,
      signal: (signal) => {
        if (exitedAt === undefined) child.kill(signal);
      },
      signalGroup: (signal) => {
        // Once the leader has exited, the kernel may give its pid to a new process (pid_max is
        // often 32768), and if that process leads a group of its own, such as another test's
        // orphan guard, a group signal would hit it. While any member of our group lives the
        // pid cannot be reused, so a live process under that pid means the group is gone.
        if (exitedAt !== undefined && existsSync(`/proc/${child.pid}`)) return;
        try {
          process.kill(-child.pid!, signal);
        } catch {
          // the group is gone already
        }
      },
      waitForLine(pattern, timeoutMs = 30_000) {
        const seen = lines.find((line) => pattern.test(line));
        if (seen) return Promise.resolve(seen);
        return new Promise((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`${name}: no line matching ${pattern} within ${timeoutMs} ms. Output:\n${lines.slice(-30).join('\n')}`)), timeoutMs);
          const done = (line: string) => {
            clearTimeout(timer);
            resolve(line);
          };
          waiters.push({ pattern, resolve: done });
          void exited.then(() => setImmediate(() => {
            if (waiters.some((waiter) => waiter.resolve === done)) {
              clearTimeout(timer);
              reject(new Error(`${name} exited before printing ${pattern}. Output:\n${lines.slice(-30).join('\n')}`));
            }
          }));
        });
      },
    };
    this.started.push(started);
    return started;
  }

  /**
   * Kills every process group this lab started (SIGCONT first, for a stopped Redis), waits for
   * them, runs the clean-up steps and removes the folders. Safe to call after a failure.
   */
  async cleanUp(): Promise<void> {
    for (const step of this.cleanups.splice(0).reverse()) {
      // A client's close() waits for a Redis the test may have killed: give each step 5 s, then
      // go on, so the processes below are always killed and the folders removed.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.resolve().then(step).catch(() => {}),
        new Promise((resolve) => (timer = setTimeout(resolve, 5000))),
      ]);
      clearTimeout(timer);
    }
    for (const started of this.started.splice(0)) {
      started.signalGroup('SIGCONT');
      started.signalGroup('SIGKILL');
      await Promise.race([started.exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
    }
    for (const dir of this.dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  }
}

function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(VITEST|REDIS_URL$|DATABASE_URL$|PORT$|WORKER_CONCURRENCY$|DASHBOARD_|SHUTDOWN_TIMEOUT$|DEMO_JOB_WORK_MS$|REDIS_DATA_DIR$|ALLOWED_HOSTS$|NODE_ENV$|npm_)/.test(key)) continue;
    env[key] = value;
  }
  return { ...env, LOG_LEVEL: 'info', DASHBOARD_PASSWORD, DASHBOARD_VIEWER_PASSWORD: DASHBOARD_PASSWORD, ...extra };
}

/** A real `redis-server` with an append-only file (fsync every second), restartable on the same port. */
export interface RedisProcess {
  readonly url: string;
  readonly port: number;
  /** The current server process. */
  readonly process: Started;
  /** Starts the server again on the same port and folder (after a kill), once it is ready. */
  restart(): Promise<void>;
}

/** Starts a `redis-server` as production runs it: `appendonly yes`, `appendfsync everysec`. */
export async function startRedis(lab: Lab): Promise<RedisProcess> {
  const dir = lab.tempDir('redis');
  const port = await freePort();
  const launch = async () => {
    const server = lab.spawn('redis-server', 'redis-server', [
      '--port', String(port), '--bind', '127.0.0.1', '--dir', dir,
      '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '',
    ]);
    await server.waitForLine(/Ready to accept connections/, 15_000);
    return server;
  };
  let current = await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    get process() {
      return current;
    },
    async restart() {
      current = await launch();
    },
  };
}

/** A migrated, empty SQLite file in a temporary folder, and a client on it for the test's checks. */
export async function scratchDatabase(lab: Lab): Promise<{ url: string; db: Database }> {
  const url = `file:${join(lab.tempDir('db'), 'demo.db')}`;
  await applyMigrations(url, ROOT);
  const db = await createDatabase(url);
  lab.onCleanUp(() => db.$disconnect());
  return { url, db };
}

/**
 * The longest a killed worker's job can take to run again with the demo's stall settings: lock
 * expiry plus one stall check (5 to 15 s), plus starting the next worker on a busy machine.
 */
export const STALL_PICKUP_LIMIT_MS = TASK_WORKER_STALL_SETTINGS.lockDuration + TASK_WORKER_STALL_SETTINGS.stalledInterval + 10_000;

/** Creates tasks and their jobs the way POST /tasks does (row, then `add` with the task's job id). */
export async function enqueueTasks(db: Database, queue: Queue<LogTaskData>, count: number, label: string): Promise<number[]> {
  const ids: number[] = [];
  for (let n = 0; n < count; n++) {
    const task = await db.task.create({ data: { title: `${label} ${n}` } });
    await queue.add(LOG_TASK_JOB, { taskId: task.id }, { ...LOG_TASK_JOB_OPTIONS, jobId: taskJobId(task.id) });
    ids.push(task.id);
  }
  return ids;
}

/** A Queue on the demo's `tasks` queue, for the test to read job states; closed at clean-up. */
export function tasksQueue(lab: Lab, redisUrl: string): Queue<LogTaskData> {
  // Waits out a Redis restart (the worker's options): the suite reads states across its own kills.
  const queue = new Queue<LogTaskData>(TASKS_QUEUE, { connection: workerConnectionOptions(redisUrl) });
  queue.on('error', () => {}); // the suite kills this Redis on purpose
  lab.onCleanUp(() => queue.close());
  return queue;
}

/** Starts `npm start` on a free port and resolves once `/health` answers 200. */
export async function startDemo(lab: Lab, env: Record<string, string>): Promise<{ base: string; demo: Started }> {
  const port = await freePort();
  const demo = lab.spawn('npm start', 'npm', ['start'], { PORT: String(port), ...env });
  const base = `http://127.0.0.1:${port}`;
  await demo.waitForLine(/^Demo app on /, 60_000);
  await waitUntil(async () => (await fetch(`${base}/health`).catch(() => undefined))?.status === 200, { timeoutMs: 15_000, message: 'the demo to be healthy' });
  return { base, demo };
}

/** Starts `npm run worker` and resolves once it says it started. */
export async function startWorker(lab: Lab, env: Record<string, string>): Promise<Started> {
  const worker = lab.spawn('npm run worker', 'npm', ['run', 'worker'], env);
  await worker.waitForLine(/worker started/, 60_000);
  return worker;
}

/** Children of `pid` (Linux and macOS `pgrep`). */
export function childPids(pid: number): number[] {
  const result = spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' });
  return result.stdout.split('\n').filter(Boolean).map(Number);
}

/**
 * The Node process running the app under `npm` (npm → sh → node): the one whose command line
 * names `src/app/`. Signals to npm and deadlines are measured on this process.
 */
export function appPid(started: Started): number {
  const queue = [started.pid];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    if (pid !== started.pid && /^\S*node\b.*src\/app\//.test(commandLine(pid))) return pid;
    queue.push(...childPids(pid));
  }
  throw new Error(`${started.name}: no app process under pid ${started.pid}`);
}

/** Resolves with the time (`Date.now()`) at which `pid` was first seen gone. */
export async function exitTime(pid: number, timeoutMs: number, message: string): Promise<number> {
  await waitUntil(() => !isAlive(pid), { timeoutMs, message });
  return Date.now();
}

/** Resolves once `pid` no longer exists, or rejects after `timeoutMs`. */
export function waitForExit(pid: number, timeoutMs: number, message = `process ${pid} to exit`): Promise<unknown> {
  return waitUntil(() => !isAlive(pid), { timeoutMs, message });
}

/** POSTs a task to the demo; returns the status, the body and how long the answer took. */
export async function postTask(base: string, title: string): Promise<{ status: number; body: { taskId?: number; jobId?: string; error?: string }; ms: number }> {
  const started = performance.now();
  const response = await fetch(`${base}/tasks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ title }),
    signal: AbortSignal.timeout(30_000),
  });
  const body = (await response.json()) as { taskId?: number; error?: string };
  return { status: response.status, body, ms: performance.now() - started };
}

/** How many log rows each task has: the numbers behind "lost" (0 rows) and "doubled" (2 or more). */
export async function logCounts(db: Database): Promise<Map<number, number>> {
  const rows = await db.$queryRaw<{ id: number | bigint; n: number | bigint }[]>`
    SELECT t."id" AS id, COUNT(l."id") AS n FROM "Task" t LEFT JOIN "TaskLog" l ON l."taskId" = t."id" GROUP BY t."id"`;
  return new Map(rows.map((row) => [Number(row.id), Number(row.n)]));
}

/** Lost and doubled effects among `taskIds`: tasks with no log row, and tasks with more than one. */
export async function lostAndDoubled(db: Database, taskIds: number[]): Promise<{ lost: number; doubled: number; done: number }> {
  const counts = await logCounts(db);
  let lost = 0;
  let doubled = 0;
  for (const id of taskIds) {
    const n = counts.get(id) ?? 0;
    if (n === 0) lost++;
    if (n > 1) doubled++;
  }
  return { lost, doubled, done: taskIds.length - lost };
}

/** Prints one of the suite's figures, for the record (CI logs, the report). */
export function figure(name: string, value: unknown): void {
  console.log(`[fault figure] ${name}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);
}

/** A TCP proxy in front of Redis that can stop passing on what clients send. */
export interface RedisProxy {
  /** `redis://127.0.0.1:<proxy port>` */
  readonly url: string;
  /** From now on, drop what clients send (Redis never sees it); replies still flow back. */
  hold(): void;
}

/**
 * Starts a proxy to `target`. With it a test can have a worker's database write land and its
 * "job completed" never reach Redis, as when a worker dies between the two. (Freezing Redis
 * does not do it: commands already sent are still run once it wakes.)
 */
export async function startRedisProxy(lab: Lab, target: RedisProcess): Promise<RedisProxy> {
  let held = false;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(target.port, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.on('data', (chunk) => {
      if (!held) upstream.write(chunk);
    });
    upstream.on('data', (chunk) => client.write(chunk));
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  lab.onCleanUp(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  return {
    url: `redis://127.0.0.1:${port}`,
    hold: () => {
      held = true;
    },
  };
}
