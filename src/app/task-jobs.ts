/**
 * The demo app's background job: log a task, like the seed tutorials' `TaskLoggerJob`.
 *
 * @module
 */
import type { Job } from 'bullmq';
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
 * Processes a `log-task` job: writes a TaskLog row and marks the task done.
 *
 * A task deleted before its job ran is not an error worth retrying, so the job finishes
 * with `logged: false` instead of throwing (Sidekiq's `return unless task`).
 */
export async function logTask(job: Pick<Job<LogTaskData>, 'data' | 'id'>, db: Database): Promise<LogTaskResult> {
  const task = await db.task.findUnique({ where: { id: job.data.taskId } });
  if (!task) return { logged: false, reason: `task ${job.data.taskId} no longer exists` };
  const [log] = await db.$transaction([
    db.taskLog.create({ data: { taskId: task.id, message: `Task "${task.title}" processed by job ${job.id}` } }),
    db.task.update({ where: { id: task.id }, data: { status: 'done' } }),
  ]);
  return { logged: true, logId: log.id };
}
