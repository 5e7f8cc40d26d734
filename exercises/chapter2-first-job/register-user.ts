import type { Job, Queue } from 'bullmq';
import type { User } from '../../src/generated/sqlite/client.js';
import type { Database } from '../../src/db/client.js';
import type { OnboardUserData } from './onboard-user-job.js';

/** What a sign-up form sends. */
export interface Registration {
  email: string;
  name: string;
}

/** Thrown when the input cannot make a user; `message` is safe to show to the person signing up. */
export class RegistrationError extends Error {
  override name = 'RegistrationError';
}

/**
 * Creates the user, then enqueues `onboard-user` with `{ userId }` — Rails'
 * `after_create_commit :enqueue_onboarding`. Nothing is enqueued when the user is not created.
 *
 * @throws RegistrationError for a blank name, an email without `@`, or an email already registered.
 */
export async function registerUser(
  db: Database,
  queue: Queue<OnboardUserData>,
  registration: Registration,
): Promise<{ user: User; job: Job<OnboardUserData> }> {
  throw new Error('TODO(chapter 2): validate, create the user with db.user.create, and only then queue.add("onboard-user", { userId })');
}
