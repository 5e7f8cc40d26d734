import type { Job, Queue } from 'bullmq';
import { Prisma, type User } from '../../src/generated/sqlite/client.js';
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
  const email = registration.email?.trim().toLowerCase() ?? '';
  const name = registration.name?.trim() ?? '';
  if (!email.includes('@')) throw new RegistrationError('email must be an email address');
  if (!name) throw new RegistrationError('name must not be blank');

  let user: User;
  try {
    user = await db.user.create({ data: { email, name } });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
      throw new RegistrationError(`${email} is already registered`);
    }
    throw error;
  }
  // After the write succeeded, never before: the job must find the row.
  const job = await queue.add('onboard-user', { userId: user.id });
  return { user, job };
}
