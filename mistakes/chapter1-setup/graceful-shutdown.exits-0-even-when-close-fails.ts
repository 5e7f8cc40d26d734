// Mistake: exits 0 in a finally block, so a shutdown whose close() failed looks like a clean one
import type { Worker } from 'bullmq';
import type { SignalSource } from '../../src/worker/shutdown.js';

/**
 * Makes the process shut down like Sidekiq on TERM: on SIGTERM or SIGINT, stop taking jobs,
 * let the running ones finish, then exit with code 0. When closing the worker fails (Redis
 * gone, a job that throws while closing), log the error and exit with code 1, so the failed
 * shutdown is seen by whoever stopped the process.
 *
 * @param source `process` in real use; tests pass a stand-in that records exit codes.
 */
export function shutdownGracefully(worker: Worker, source: SignalSource = process): void {
  const shutdown = async () => {
    try {
      // close() stops fetching new jobs and resolves once the active ones have finished.
      await worker.close();
    } catch (error) {
      console.error('Shutdown failed: could not close the worker', error);
    } finally {
      source.exit(0);
    }
  };
  source.once('SIGTERM', shutdown);
  source.once('SIGINT', shutdown);
}
