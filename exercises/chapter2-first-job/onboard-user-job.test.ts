import { describe, expect, it } from 'vitest';
import { useTestEnv } from '../../test/harness.js';
import { onboardUser, STARTER_TASKS } from './onboard-user-job.js';

const env = useTestEnv();

// Like `OnboardUserJob.new.perform(user.id)` in RSpec: call the processor, no queue, no worker.
describe('onboardUser, called directly', () => {
  it('writes the starter tasks for the user', async () => {
    const user = await env.db.user.create({ data: { email: 'ada@example.com', name: 'Ada' } });
    const result = await onboardUser({ data: { userId: user.id } }, env.db);

    const tasks = await env.db.task.findMany({ where: { userId: user.id }, orderBy: { id: 'asc' } });
    expect(tasks.map((task) => task.title)).toEqual(STARTER_TASKS);
    expect(result).toEqual({ onboarded: true, taskIds: tasks.map((task) => task.id) });
  });

  it('finishes without an error, and writes nothing, when the user no longer exists', async () => {
    const result = await onboardUser({ data: { userId: 4242 } }, env.db);
    // The doc promises a reason, not its wording.
    expect(result).toEqual({ onboarded: false, reason: expect.stringMatching(/\S/) });
    expect(await env.db.task.count()).toBe(0);
  });
});
