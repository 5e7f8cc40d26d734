/**
 * `around_perform` for BullMQ: a processor wrapper that writes one structured log line when a
 * job starts and one when it finishes or fails, with its duration.
 *
 * @module Monitoring/Job logging
 */
import type { Job, Processor } from 'bullmq';
import { pino, type Logger } from 'pino';

/** Options of {@link withJobLogging}. */
export interface JobLoggingOptions {
  /** A pino logger; each job gets a child with its queue, name, id and attempt. */
  logger: Logger;
  /** Monotonic milliseconds for durations; tests pass a fake clock. */
  now?: () => number;
}

/**
 * Wraps `processor` so every run logs, as JSON lines:
 * - `job started` (info) with `queue`, `job` (the name), `jobId`, `attempt` (1 on the first run)
 *   and `attempts` (how many runs it may have);
 * - then `job finished` (info) with `durationMs`, or `job failed` (error) with `durationMs` and
 *   `err` (pino's serialized error: type, message, stack).
 *
 * The processor's result and error pass through unchanged, so retries work as before.
 */
export function withJobLogging<T, R, N extends string>(
  processor: Processor<T, R, N>,
  { logger, now = () => performance.now() }: JobLoggingOptions,
): Processor<T, R, N> {
  return async (job, token, signal) => {
    const log = logger.child(jobFields(job));
    const started = now();
    log.info('job started');
    try {
      const result = await processor(job, token, signal);
      log.info({ durationMs: round(now() - started) }, 'job finished');
      return result;
    } catch (error) {
      log.error({ durationMs: round(now() - started), err: error }, 'job failed');
      throw error;
    }
  };
}

/** The fields that identify one run of a job in a log line. */
export function jobFields(job: Pick<Job, 'queueName' | 'name' | 'id' | 'attemptsMade' | 'opts'>): Record<string, unknown> {
  return { queue: job.queueName, job: job.name, jobId: job.id, attempt: job.attemptsMade + 1, attempts: job.opts.attempts || 1 };
}

/**
 * The workbook's JSON logger: one JSON object per line on stdout (or `destination`), with an
 * ISO time, as log collectors expect. Set `LOG_LEVEL` to change the level (default `info`).
 */
export function createLogger(name: string, destination?: pino.DestinationStream): Logger {
  return pino({ name, level: process.env.LOG_LEVEL ?? 'info', timestamp: pino.stdTimeFunctions.isoTime }, destination);
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
