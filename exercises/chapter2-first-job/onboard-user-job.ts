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
  throw new Error('TODO(chapter 2): find the user by job.data.userId, then create one Task per STARTER_TASKS title for them');
}
