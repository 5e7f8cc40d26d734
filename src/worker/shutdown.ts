/**
 * Graceful shutdown for worker processes: what Sidekiq does on TERM.
 *
 * `worker.close()` stops taking new jobs and waits for the running ones to finish, so a deploy
 * or Ctrl-C never cuts a job in half. A second signal means "now": exit at once.
 *
 * @module
 */

/** Something to close on shutdown: a Worker, a Queue, an HTTP server wrapper, a Prisma client… */
export type CloseStep = () => Promise<unknown>;

/** The parts of `process` that shutdown uses; tests pass a stand-in. */
export interface SignalSource {
  /** Calls `listener` the next time `signal` arrives. */
  once(signal: NodeJS.Signals, listener: () => void): unknown;
  /** Ends the process with `code`. */
  exit(code: number): void;
}

/**
 * On the first SIGINT or SIGTERM, runs `steps` in order (close workers first, then the queues and
 * the database they use) and exits 0; exits 1 if a step fails or a second signal arrives.
 */
export function closeOnSignals(steps: CloseStep[], source: SignalSource = process, log: (line: string) => void = console.log): void {
  let closing = false;
  const onSignal = (signal: NodeJS.Signals) => () => {
    if (closing) {
      log(`${signal} again: exiting without waiting`);
      source.exit(1);
      return;
    }
    closing = true;
    log(`${signal} received: finishing running jobs, then exiting (send it again to exit now)`);
    source.once('SIGINT', onSignal('SIGINT'));
    source.once('SIGTERM', onSignal('SIGTERM'));
    steps
      .reduce<Promise<unknown>>((previous, step) => previous.then(step), Promise.resolve())
      .then(
        () => source.exit(0),
        (error: unknown) => {
          log(`Shutdown failed: ${error instanceof Error ? error.message : String(error)}`);
          source.exit(1);
        },
      );
  };
  source.once('SIGINT', onSignal('SIGINT'));
  source.once('SIGTERM', onSignal('SIGTERM'));
}
