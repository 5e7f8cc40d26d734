/**
 * A BullMQ processor wrapper: one query scope per job, like Bullet watching each Sidekiq job.
 *
 * @module N+1 queries/Per-job scope
 */
import type { Job, Processor } from 'bullmq';
import { reportingByDefault } from './enabled.js';
import type { QueryReport } from './report.js';
import { runQueryScope, type QueryScopeOptions } from './scope.js';

/** Options of {@link withQueryReport}. */
export interface JobQueryReportOptions extends Omit<QueryScopeOptions, 'label'> {
  /**
   * Whether to report at all. Defaults to `true` unless `NODE_ENV` is `production`; when `false`
   * {@link withQueryReport} returns the processor itself.
   */
  enabled?: boolean;
  /** Called with each job's report, e.g. to store or measure it. */
  onReport?: (report: QueryReport, job: Job) => void;
}

/**
 * Wraps a processor so that each job runs in its own query scope, labelled
 * `queue:name#id`. In `warn` mode (the default) problems are logged; in `raise` mode the job
 * fails with an `NPlusOneError`, which BullMQ records as the failure reason (use it in tests).
 * Off in production unless `enabled: true`: then the processor is returned unchanged.
 *
 * @example
 * ```ts
 * new Worker('reports', withQueryReport(buildReport), { connection });
 * ```
 */
export function withQueryReport<T, R, N extends string>(
  processor: Processor<T, R, N>,
  options: JobQueryReportOptions = {},
): Processor<T, R, N> {
  if (!(options.enabled ?? reportingByDefault())) return processor;
  return async (job, token, signal) => {
    const { value, report } = await runQueryScope(() => processor(job, token, signal), {
      ...options,
      mode: options.mode ?? 'warn',
      label: `${job.queueName}:${job.name}#${job.id}`,
    });
    options.onReport?.(report, job as Job);
    return value;
  };
}
