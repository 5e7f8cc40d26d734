import type { Worker } from 'bullmq';
import type { SignalSource } from '../../src/worker/shutdown.js';

/**
 * Makes the process shut down like Sidekiq on TERM: on SIGTERM or SIGINT, stop taking jobs,
 * let the running ones finish, then exit with code 0.
 *
 * @param source `process` in real use; tests pass a stand-in that records exit codes.
 */
export function shutdownGracefully(worker: Worker, source: SignalSource = process): void {
  throw new Error('TODO(chapter 1): on SIGTERM and SIGINT, await worker.close() and then call source.exit(0)');
}
