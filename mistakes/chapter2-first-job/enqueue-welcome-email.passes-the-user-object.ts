// Mistake: puts the whole user in the job data instead of its id, as if BullMQ were ActiveJob with GlobalID
import type { Job, Queue } from 'bullmq';

/** The payload of a `welcome-email` job: ids, not objects. */
export interface WelcomeEmailData {
  userId: number;
}

/**
 * Enqueues a `welcome-email` job for `user`, like `WelcomeEmailJob.perform_async(user.id)`.
 */
export async function enqueueWelcomeEmail(queue: Queue, user: { id: number; email: string }): Promise<Job<WelcomeEmailData>> {
  return queue.add('welcome-email', { user } as unknown as WelcomeEmailData);
}
