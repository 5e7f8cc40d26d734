/**
 * The demo app's background job: log a task, like the seed tutorials' `TaskLoggerJob`.
 *
 * @module Demo app/Task job
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Job, JobsOptions, WorkerOptions } from 'bullmq';
import type { Database } from '../db/client.js';

/** Queue the demo app's task jobs go to. */
export const TASKS_QUEUE = 'tasks';

/** Job name for {@link logTask}. */
export const LOG_TASK_JOB = 'log-task';

/** Payload of a `log-task` job: the task's id, never the task itself. */
export interface LogTaskData {
  taskId: number;
}

/** What a `log-task` job returns; BullMQ keeps it as the job's `returnvalue`. */
export type LogTaskResult = { logged: true; logId: number } | { logged: false; reason: string };

/**
 * The job id of a task's job, `task-<id>`. One task, one id: BullMQ ignores a second `add` with
 * an id it still holds, so the route and the outbox sweeper can both deliver it safely.
 * (Custom ids must not be plain digits: BullMQ's own ids are.)
 */
export function taskJobId(taskId: number): string {
  return `task-${taskId}`;
}

/**
 * Options of every `log-task` job. BullMQ's default is one run and no retry; the demo retries 5
 * times over about 30 s (exponential backoff from 2 s), keeps finished jobs for a day for the
 * dashboard, and failed ones (the dead set) for 30 days so they can be retried from it.
 */
export const LOG_TASK_JOB_OPTIONS = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 2000 },
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: { age: 30 * 24 * 3600 },
} as const satisfies JobsOptions;

/**
 * The demo worker's stall settings, chosen instead of BullMQ's defaults (30 s lock, a check every
 * 30 s, one rescue), with which a job whose worker died runs again only after 30 to 60 s and a
 * second crash fails it for good.
 *
 * - `lockDuration` 10 s: the worker renews each job's lock every 5 s; a job whose worker stopped
 *   renewing (killed, frozen, cut off from Redis) counts as stalled 10 s later. A job that blocks
 *   the event loop for longer than that would be taken for stalled: the demo's never does.
 * - `stalledInterval` 5 s: how often each worker looks for stalled jobs and puts them back.
 *   So a job whose worker was killed runs again after 5 to 15 s.
 * - `maxStalledCount` 2: a job may be rescued twice; the third stall fails it ("job stalled more
 *   than allowable limit"). It then sits in the dead set, visible and retryable.
 */
export const TASK_WORKER_STALL_SETTINGS = {
  lockDuration: 10_000,
  stalledInterval: 5_000,
  maxStalledCount: 2,
} as const satisfies Partial<WorkerOptions>;

/** Options of {@link logTask}. */
export interface LogTaskOptions {
  /**
   * Milliseconds of pretend work before the write, standing in for a slow call (`DEMO_JOB_WORK_MS`).
   * The fault suite uses it to have jobs running when it kills or stops a worker.
   */
  workMs?: number;
  /** Aborts the pretend work (BullMQ's cancellation signal). */
  signal?: AbortSignal;
}

/**
 * Processes a `log-task` job: writes a TaskLog row and marks the task done, once, however many
 * times the job runs.
 *
 * A worker can die after the write and before BullMQ records the job as completed; the job then
 * runs again. So the write is chapter 4's claim: `UPDATE … WHERE status <> 'done'` and the log
 * row in one transaction. A second run finds nothing to claim and writes nothing.
 * A task deleted before its job ran is not an error worth retrying, so the job finishes
 * with `logged: false` instead of throwing (Sidekiq's `return unless task`).
 */
export async function logTask(job: Pick<Job<LogTaskData>, 'data' | 'id'>, db: Database, options: LogTaskOptions = {}): Promise<LogTaskResult> {
  const { taskId } = job.data;
  const task = await db.task.findUnique({ where: { id: taskId } });
  if (!task) return { logged: false, reason: `task ${taskId} no longer exists` };
  if (task.status === 'done') return { logged: false, reason: `task ${taskId} was already logged` };
  if (options.workMs) await sleep(options.workMs, undefined, { signal: options.signal });
  return db.$transaction(async (tx) => {
    const { count } = await tx.task.updateMany({ where: { id: taskId, status: { not: 'done' } }, data: { status: 'done' } });
    if (count === 0) return { logged: false, reason: `task ${taskId} was already logged` } as const;
    const log = await tx.taskLog.create({ data: { taskId, message: `Task "${task.title}" processed by job ${job.id}` } });
    return { logged: true, logId: log.id } as const;
  });
}
