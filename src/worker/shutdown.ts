/**
 * Graceful shutdown for worker processes: what Sidekiq does on TERM, deadline included.
 *
 * `worker.close()` stops taking new jobs and waits for the running ones to finish, so a deploy
 * or Ctrl-C never cuts a job in half. But it waits as long as a job takes, and for ever while
 * Redis is down. Sidekiq bounds the wait (`-t 25`): jobs still running after 25 s are pushed
 * back to their queue and the process exits. {@link closeOnSignals} does the same with
 * `timeoutMs` and `onTimeout`, and {@link handBackOnShutdown} is the part that pushes jobs back.
 * A second signal means "now": exit at once.
 *
 * @module Jobs/Worker shutdown
 */
import { WaitingError, type Job, type Processor, type Worker } from 'bullmq';

/** Something to close on shutdown: a Worker, a Queue, an HTTP server wrapper, a Prisma client… */
export type CloseStep = () => Promise<unknown>;

/** The parts of `process` that shutdown uses; tests pass a stand-in. */
export interface SignalSource {
  /** Calls `listener` the next time `signal` arrives. */
  once(signal: NodeJS.Signals, listener: () => void): unknown;
  /** Ends the process with `code`. */
  exit(code: number): void;
}

/** Sidekiq's default shutdown timeout (`-t 25`), in milliseconds. */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 25_000;

/** Options of {@link closeOnSignals}. */
export interface ShutdownOptions {
  /**
   * How long running jobs may take to finish after the signal (default: none, wait as long as
   * they take). When it passes, `onTimeout` runs, and the process exits 1 at the latest
   * `graceMs` later, whatever is still pending (a Redis that is down never answers).
   */
  timeoutMs?: number;
  /** Called once `timeoutMs` has passed: hand the running jobs back (see {@link handBackOnShutdown}). */
  onTimeout?: () => void;
  /** How long the steps may still take after `onTimeout` (default 3 s). */
  graceMs?: number;
}

/**
 * On the first SIGINT or SIGTERM, runs `steps` in order (close workers first, then the queues and
 * the database they use) and exits 0; exits 1 if a step fails or a second signal arrives, or
 * when `timeoutMs` plus `graceMs` pass before the steps are done.
 *
 * @returns a function that starts the same shutdown without a signal (e.g. when the parent
 *   process is gone), with the reason to log; called during a shutdown, it changes nothing
 */
export function closeOnSignals(
  steps: CloseStep[],
  source: SignalSource = process,
  log: (line: string) => void = console.log,
  { timeoutMs, onTimeout, graceMs = 3000 }: ShutdownOptions = {},
): (reason: string) => void {
  let closing = false;
  const timers: NodeJS.Timeout[] = [];
  const exit = (code: number) => {
    for (const timer of timers) clearTimeout(timer);
    source.exit(code);
  };
  const begin = (reason: string, escalate = true) => {
    if (closing) {
      if (!escalate) return;
      log(`${reason} again: exiting without waiting`);
      exit(1);
      return;
    }
    closing = true;
    const limit = timeoutMs === undefined ? '' : ` for up to ${timeoutMs / 1000} s`;
    log(`${reason}: finishing running jobs${limit}, then exiting (send the signal again to exit now)`);
    source.once('SIGINT', () => begin('SIGINT'));
    source.once('SIGTERM', () => begin('SIGTERM'));
    if (timeoutMs !== undefined) {
      timers.push(
        setTimeout(() => {
          log(`Shutdown deadline of ${timeoutMs / 1000} s reached: handing the jobs still running back to the queue`);
          onTimeout?.();
          timers.push(
            setTimeout(() => {
              log(`Still not closed ${graceMs / 1000} s after the deadline (is Redis down?): exiting now; BullMQ will find the jobs stalled and run them again`);
              exit(1);
            }, graceMs),
          );
        }, timeoutMs),
      );
    }
    steps
      .reduce<Promise<unknown>>((previous, step) => previous.then(step), Promise.resolve())
      .then(
        () => exit(0),
        (error: unknown) => {
          log(`Shutdown failed: ${error instanceof Error ? error.message : String(error)}`);
          exit(1);
        },
      );
  };
  source.once('SIGINT', () => begin('SIGINT received'));
  source.once('SIGTERM', () => begin('SIGTERM received'));
  return (reason) => begin(reason, false);
}

/** The reason {@link handBackOnShutdown} looks for in a job's abort signal. */
export const SHUTDOWN_REASON = 'worker shutting down';

/**
 * Wraps `processor` so that a job cancelled with {@link SHUTDOWN_REASON}
 * (`worker.cancelAllJobs(SHUTDOWN_REASON)`, see {@link handBackRunningJobs}) goes back to
 * *waiting* at once, without using up an attempt, for another worker to run: Sidekiq's requeue
 * at the end of `-t`. The processor may still be running when the job is handed back, so it
 * must be idempotent (it has to be anyway).
 */
export function handBackOnShutdown<T, R, N extends string>(processor: Processor<T, R, N>): Processor<T, R, N> {
  return async (job, token, signal) => {
    if (!signal) return processor(job, token, signal);
    let onAbort = () => {};
    const handedBack = new Promise<never>((_, reject) => {
      onAbort = () => {
        if (signal.reason !== SHUTDOWN_REASON) return;
        (job as Job<T, R, N>).moveToWait(token).then(
          () => reject(new WaitingError()),
          (error: unknown) => reject(error),
        );
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
    handedBack.catch(() => {}); // awaited below when needed; unneeded otherwise
    const shuttingDown = () => signal.aborted && signal.reason === SHUTDOWN_REASON;
    try {
      // Once handed back, the job's outcome is the hand-back, whatever the processor does next
      // (its pretend work rejects with an AbortError, which must not count as a failed attempt).
      const run = processor(job, token, signal).then(
        (result) => (shuttingDown() ? handedBack : result),
        (error: unknown) => {
          if (shuttingDown()) return handedBack;
          throw error;
        },
      );
      return await Promise.race([run, handedBack]);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  };
}

/** Cancels `worker`'s running jobs with {@link SHUTDOWN_REASON}, so {@link handBackOnShutdown} requeues them. */
export function handBackRunningJobs(worker: Worker): void {
  worker.cancelAllJobs(SHUTDOWN_REASON);
}
