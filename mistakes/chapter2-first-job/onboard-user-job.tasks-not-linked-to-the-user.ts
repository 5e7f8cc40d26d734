// Mistake: creates the starter tasks without their userId, so they belong to nobody
import type { Job } from 'bullmq';
import type { Database } from '../../src/db/client.js';

/** Payload of an `onboard-user` job. */
export interface OnboardUserData {
  userId: number;
}

/** What the job returns (BullMQ stores it as the job's `returnvalue`). */
export type OnboardUserResult = { onboarded: true; taskIds: number[] } | { onboarded: false; reason: string };

/** The tasks every new user starts with. */
export const STARTER_TASKS = ['Complete your profile', 'Invite a teammate'];

/**
 * The `onboard-user` job's processor, like `OnboardUserJob#perform(user_id)`: creates the
 * {@link STARTER_TASKS} for the user. A user deleted before the job ran is not an error: the job
 * finishes with `onboarded: false` and a reason.
 */
export async function onboardUser(job: Pick<Job<OnboardUserData>, 'data'>, db: Database): Promise<OnboardUserResult> {
  // Load the record now: the job may run long after it was enqueued.
  const user = await db.user.findUnique({ where: { id: job.data.userId } });
  if (!user) return { onboarded: false, reason: `user ${job.data.userId} not found` };
  const tasks = await db.$transaction(STARTER_TASKS.map((title) => db.task.create({ data: { title } })));
  return { onboarded: true, taskIds: tasks.map((task) => task.id) };
}
