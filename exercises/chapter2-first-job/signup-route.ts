import { Router } from 'express';
import type { Queue } from 'bullmq';
import type { Database } from '../../src/db/client.js';
import type { OnboardUserData } from './onboard-user-job.js';
import type { RegistrationError } from './register-user.js';

/**
 * `POST /signups` with a JSON body `{ "email": "…", "name": "…" }`:
 * - 202 Accepted with `{ "userId": 1, "jobId": "1" }` once the user is written and onboarding enqueued
 *   (the request does not wait for the job: that is the point of a background job)
 * - 400 with `{ "error": "…" }` for invalid input, 409 (same body) for an email already registered,
 *   also when two sign-ups for one email arrive at the same moment; never a 500 for either.
 *   `registerUser` says which by the `code` of its {@link RegistrationError}.
 *
 * The app mounts it with `app.use(express.json(), createSignupRouter({ db, queue }))`.
 */
export function createSignupRouter({ db, queue }: { db: Database; queue: Queue<OnboardUserData> }): Router {
  const router = Router();
  router.post('/signups', (_req, res) => {
    res.status(501).json({ error: 'TODO(chapter 2): register the user (see register-user.ts) and answer 202 with userId and jobId, 409 for a RegistrationError with code EMAIL_TAKEN' });
  });
  return router;
}
