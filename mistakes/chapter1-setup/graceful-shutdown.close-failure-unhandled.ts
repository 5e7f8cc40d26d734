// Mistake: awaits worker.close() in the signal listener without a catch: when close() fails, the rejection is unhandled and the process never exits non-zero
import type { Worker } from 'bullmq';
import type { SignalSource } from '../../src/worker/shutdown.js';

/**
 * Makes the process shut down like Sidekiq on TERM: on SIGTERM or SIGINT, stop taking jobs,
 * let the running ones finish, then exit with code 0.
 *
 * @param source `process` in real use; tests pass a stand-in that records exit codes.
 */
export function shutdownGracefully(worker: Worker, source: SignalSource = process): void {
  const shutdown = async () => {
    // close() stops fetching new jobs and resolves once the active ones have finished.
    await worker.close();
    source.exit(0);
  };
  source.once('SIGTERM', shutdown);
  source.once('SIGINT', shutdown);
}
