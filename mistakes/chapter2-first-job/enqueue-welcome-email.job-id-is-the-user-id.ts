// Mistake: uses the user id as the job id to avoid duplicates; BullMQ refuses a custom job id made only of digits
import type { Job, Queue } from 'bullmq';

/** The payload of a `welcome-email` job: ids, not objects. */
export interface WelcomeEmailData {
  userId: number;
}

/**
 * Enqueues a `welcome-email` job for `user`, like `WelcomeEmailJob.perform_async(user.id)`.
 */
export async function enqueueWelcomeEmail(queue: Queue, user: { id: number; email: string }): Promise<Job<WelcomeEmailData>> {
  return queue.add('welcome-email', { userId: user.id }, { jobId: String(user.id) });
}
