import { Router } from 'express';
import type { Queue } from 'bullmq';
import type { Database } from '../../src/db/client.js';
import type { OnboardUserData } from './onboard-user-job.js';
import { registerUser, RegistrationError } from './register-user.js';

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
  router.post('/signups', async (req, res) => {
    const { email, name } = req.body ?? {};
    if (typeof email !== 'string' || typeof name !== 'string') {
      res.status(400).json({ error: 'email and name must be strings' });
      return;
    }
    try {
      const { user, job } = await registerUser(db, queue, { email, name });
      res.status(202).json({ userId: user.id, jobId: job.id });
    } catch (error) {
      if (!(error instanceof RegistrationError)) throw error; // express 5 turns it into a 500
      // The code, not the wording: messages are for people and get reworded.
      res.status(error.code === 'EMAIL_TAKEN' ? 409 : 400).json({ error: error.message });
    }
  });
  return router;
}
