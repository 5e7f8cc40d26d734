import type { Job, Queue } from 'bullmq';
import type { User } from '../../src/generated/sqlite/client.js';
import type { Database } from '../../src/db/client.js';
import type { OnboardUserData } from './onboard-user-job.js';

/** What a sign-up form sends. */
export interface Registration {
  email: string;
  name: string;
}

/** Why a registration was refused: input that cannot make a user, or an email that already has one. */
export type RegistrationErrorCode = 'INVALID_INPUT' | 'EMAIL_TAKEN';

/**
 * Thrown when the input cannot make a user. `code` says why, for code to act on (the sign-up
 * route answers 409 for `EMAIL_TAKEN`, 400 otherwise); `message` is safe to show to the person
 * signing up, and may be reworded at any time.
 */
export class RegistrationError extends Error {
  override name = 'RegistrationError';

  constructor(
    /** Why the registration was refused. */
    readonly code: RegistrationErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Creates the user, then enqueues `onboard-user` with `{ userId }` — Rails'
 * `after_create_commit :enqueue_onboarding`: the job is added only once the user is committed,
 * so a worker that takes it at once finds the user. Nothing is enqueued when the user is not created.
 *
 * @throws RegistrationError with code `INVALID_INPUT` for a blank name or an email without `@`,
 * and `EMAIL_TAKEN` for an email already registered, including by another sign-up for the same
 * email written at the same moment.
 */
export async function registerUser(
  db: Database,
  queue: Queue<OnboardUserData>,
  registration: Registration,
): Promise<{ user: User; job: Job<OnboardUserData> }> {
  throw new Error('TODO(chapter 2): validate, create the user with db.user.create, and only then queue.add("onboard-user", { userId }); throw RegistrationError with a code');
}
