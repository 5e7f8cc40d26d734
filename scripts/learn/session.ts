/**
 * One vitest instance for `npm run learn`, built on vitest's Node API (`createVitest`): the
 * exercises project of vitest.config.ts, its globalSetup (Redis, the template database) started
 * once for the whole session, and the {@link ShortReporter} instead of vitest's own output.
 * Every finished run is stored in the learner's progress.
 */
import { spawnSync } from 'node:child_process';
import { join, relative, sep } from 'node:path';
import { createVitest, type Vitest } from 'vitest/node';
import { loadCatalogue, UsageError, type Exercise } from './exercises.js';
import { hashesOf, Progress, type FileHashes } from './progress.js';
import { ShortReporter, type Verdict } from './short-reporter.js';

/** What a session calls back. */
export interface SessionHandlers {
  /** A run of `exercise`'s test starts (also when vitest's watcher started it). */
  onRunStart?(exercise: Exercise | undefined, moduleId: string): void;
  /** `exercise`'s test finished; its result is already in the progress file. Not called once closing. */
  onVerdict?(verdict: Verdict, exercise: Exercise | undefined): void;
  /** Closing is taking long (a test stuck in a loop): its worker is about to be killed. */
  onForcedStop?(): void;
}

/** A running vitest for the exercises of the workbook in `root`. */
export interface Session {
  /** The vitest instance (for its watcher hooks). */
  readonly vitest: Vitest;
  /** Runs `exercise`'s test file once; resolves with its verdict, rejects with a {@link UsageError} when the tests cannot start. */
  run(exercise: Exercise): Promise<Verdict>;
  /** `true` once {@link Session.close} was called: a run that ends now was cut short. */
  readonly closing: boolean;
  /** Stops vitest and its globalSetup (the session's Redis); a test still running is stopped, by force after a few seconds. */
  close(): Promise<void>;
}

/**
 * Starts vitest on the exercises project. With `watch`, vitest's own file watcher reruns a test
 * when a file it imports is saved (the caller narrows that with `onFilterWatchedSpecification`).
 */
export async function openSession(root: string, progress: Progress, { watch, ...handlers }: SessionHandlers & { watch: boolean }): Promise<Session> {
  // Hashes are taken when a run starts, so a save during the run does not get the old result.
  const started = new Map<string, { exercise: Exercise | undefined; hashes: FileHashes | undefined }>();
  const waiting = new Map<string, (verdict: Verdict) => void>();
  let closing: Promise<void> | undefined;
  const exerciseOf = (moduleId: string) => {
    const test = relative(root, moduleId).split(sep).join('/');
    // Read afresh: a `git pull` during a watch session may add or rename exercises.
    return loadCatalogue(root).find((exercise) => exercise.test === test);
  };
  const reporter = new ShortReporter(root, {
    onRunStart(moduleIds) {
      for (const moduleId of moduleIds) {
        const exercise = exerciseOf(moduleId);
        started.set(moduleId, { exercise, hashes: exercise && hashesOf(root, exercise) });
        handlers.onRunStart?.(exercise, moduleId);
      }
    },
    onVerdict(verdict) {
      // A run cut short by closing is no result: it is neither stored nor shown.
      if (closing) return;
      const { exercise, hashes } = started.get(verdict.moduleId) ?? { exercise: exerciseOf(verdict.moduleId), hashes: undefined };
      if (exercise) progress.record(exercise, verdict.passed, hashes ?? hashesOf(root, exercise));
      handlers.onVerdict?.(verdict, exercise);
      waiting.get(verdict.moduleId)?.(verdict);
      waiting.delete(verdict.moduleId);
    },
  });
  const signals = ['SIGINT', 'SIGTERM'] as const;
  const before = signals.map((signal) => process.listeners(signal));
  const vitest = await createVitest('test', { root, watch, project: ['exercises'], reporters: [reporter] });
  // vitest's logger ends the process 1 ms after SIGINT or SIGTERM, without its globalSetup's
  // teardown (its CLI relies on the orphan guard for that). `npm run learn` closes vitest
  // itself first, so the session's Redis stops cleanly: the listeners vitest just added go.
  signals.forEach((signal, index) => {
    for (const listener of process.listeners(signal)) if (!before[index]!.includes(listener)) process.off(signal, listener);
  });
  return {
    vitest,
    get closing() {
      return closing !== undefined;
    },
    async run(exercise) {
      const moduleId = join(root, exercise.test);
      const verdict = new Promise<Verdict>((resolve) => waiting.set(moduleId, resolve));
      let result: Awaited<ReturnType<Vitest['runTestSpecifications']>>;
      try {
        result = await vitest.runTestSpecifications([vitest.getProjectByName('exercises').createSpecification(moduleId)]);
      } catch (error) {
        // The globalSetup failed (no redis-server, an unreachable REDIS_URL): its message says
        // what to do, and a stack trace through vitest's internals would only bury it.
        waiting.delete(moduleId);
        throw new UsageError(`The tests could not start: ${(error as Error).message}`);
      }
      if (waiting.has(moduleId)) {
        // No verdict means vitest could not even start the file (e.g. a crashed worker).
        waiting.delete(moduleId);
        const reason = result.unhandledErrors.map((error) => (error as { message?: string }).message ?? String(error)).join('; ');
        return { moduleId, passed: false, total: 0, failed: 0, passedTests: 0, errors: [{ title: 'running the test file', lines: [reason || 'vitest reported no result'] }], logs: [], durationMs: 0, knownMistakes: [] };
      }
      return verdict;
    },
    close() {
      closing ??= (async () => {
        const closed = vitest.close();
        // A test stuck in synchronous code (a learner's endless loop) never lets its worker
        // stop; after a grace period the worker is killed, so quitting always quits.
        if (await settlesWithin(closed, CLOSE_GRACE_MS)) return;
        handlers.onForcedStop?.();
        killWorkers();
        await settlesWithin(closed, 1500);
      })();
      return closing;
    },
  };
}

/** How long vitest gets to stop its workers before they are killed. */
const CLOSE_GRACE_MS = 2000;

/** `true` once `promise` settles, `false` if `ms` pass first. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  const settled = promise.then(
    () => true as const,
    () => true as const,
  );
  try {
    return await Promise.race([settled, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** SIGKILLs this process's vitest workers (its children running vitest's worker script). */
function killWorkers(): void {
  const listed = spawnSync('ps', ['-A', '-o', 'pid=,ppid=,args='], { encoding: 'utf8' });
  for (const line of listed.stdout?.split('\n') ?? []) {
    const [, pid, ppid, args] = /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line) ?? [];
    if (Number(ppid) === process.pid && /vitest[\\/]dist[\\/]workers[\\/]/.test(args ?? '')) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
  }
}
