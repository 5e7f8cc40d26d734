/**
 * Redis goes away under the demo: frozen (SIGSTOP, the hang a network partition gives), then
 * killed. POST /tasks must answer 503 within about 2 s, keep no task without a job, and every
 * task it accepted must be logged once Redis is back; /health must say which part is down; the
 * log must carry one line for the outage, not a stack trace per reconnect attempt.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../harness.js';
import { figure, Lab, lostAndDoubled, postTask, scratchDatabase, startDemo, startRedis, tasksQueue, type RedisProcess } from './processes.js';

const lab = new Lab();
afterEach(() => lab.cleanUp());

describe('Redis outage under npm start', () => {
  it('answers 503 within ~2 s, keeps no task without a job, reports it once, and loses nothing', async () => {
    const redis: RedisProcess = await startRedis(lab);
    const { url: databaseUrl, db } = await scratchDatabase(lab);
    const { base, demo } = await startDemo(lab, { REDIS_URL: redis.url, DATABASE_URL: databaseUrl });
    const accepted: number[] = [];

    // Before: accepted and logged.
    for (let n = 0; n < 5; n++) {
      const answer = await postTask(base, `before ${n}`);
      expect(answer.status).toBe(202);
      accepted.push(answer.body.taskId!);
    }

    // Frozen Redis: the connection stays open and nothing answers.
    redis.process.signal('SIGSTOP');
    const frozen = await postTask(base, 'while Redis is frozen');
    figure('POST /tasks answer time, Redis frozen (ms)', Math.round(frozen.ms));
    expect(frozen.status).toBe(503);
    expect(frozen.ms).toBeLessThan(3000);
    expect(frozen.body.error).toMatch(/Redis.*unavailable.*try again/);
    const healthFrozen = await fetch(`${base}/health`);
    expect(healthFrozen.status).toBe(503);
    expect(await healthFrozen.json()).toMatchObject({ ok: false, redis: { ok: false }, database: { ok: true } });
    redis.process.signal('SIGCONT');
    await waitUntil(async () => (await fetch(`${base}/health`)).status === 200, { timeoutMs: 15_000, message: 'health after SIGCONT' });
    // The add of the POST answered 503 was already on the wire and may reach Redis now. Let its job
    // finish before the kill: a kill while it runs would cut off its completion, which is a
    // different fault (the one worker-crash.test.ts injects), not the outage this test is about.
    const queue = tasksQueue(lab, redis.url);
    await waitUntil(async () => Object.values(await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized')).every((n) => n === 0), {
      timeoutMs: 15_000,
      message: 'the queue to be idle before the kill',
    });

    // Killed Redis: refused connections, many requests during the outage.
    redis.process.signal('SIGKILL');
    await redis.process.exited;
    const during: number[] = [];
    let refused = 0;
    for (let n = 0; n < 20; n++) {
      const answer = await postTask(base, `during ${n}`);
      during.push(answer.ms);
      if (answer.status === 503) refused++;
      else if (answer.status === 202) accepted.push(answer.body.taskId!);
    }
    figure('POST /tasks during the outage: 503s of 20', refused);
    figure('POST /tasks answer time during the outage, max (ms)', Math.round(Math.max(...during)));
    expect(refused).toBe(20);
    expect(Math.max(...during)).toBeLessThan(3000);
    const healthDown = await fetch(`${base}/health`);
    expect(healthDown.status).toBe(503);
    expect(await healthDown.json()).toMatchObject({ redis: { ok: false }, database: { ok: true } });
    // Several seconds of reconnect attempts have passed by now (20 requests, two health checks).
    await demo.waitForLine(/Redis unreachable/, 10_000);

    await redis.restart();
    await demo.waitForLine(/Redis is back/, 20_000);
    await waitUntil(async () => (await fetch(`${base}/health`)).status === 200, { timeoutMs: 15_000, message: 'health after the restart' });
    for (let n = 0; n < 5; n++) {
      const answer = await postTask(base, `after ${n}`);
      expect(answer.status).toBe(202);
      accepted.push(answer.body.taskId!);
    }

    // Every accepted task logged once; no task row without a job (a refused POST keeps nothing).
    await waitUntil(async () => (await lostAndDoubled(db, accepted)).lost === 0, { timeoutMs: 30_000, message: 'every accepted task to be logged' });
    const { lost, doubled } = await lostAndDoubled(db, accepted);
    const tasks = await db.task.count();
    const outboxLeft = await db.outboxJob.count();
    figure('outage: accepted / lost / doubled / task rows / outbox rows left', { accepted: accepted.length, lost, doubled, tasks, outboxLeft });
    expect({ lost, doubled, tasks, outboxLeft }).toEqual({ lost: 0, doubled: 0, tasks: accepted.length, outboxLeft: 0 });
    // A request that timed out against the frozen Redis may still have reached it: that job then
    // ran for a task that was never kept, and finished without an effect.
    const jobs = await queue.getJobs(['completed', 'failed', 'waiting', 'active', 'delayed']);
    const strays = jobs.filter((job) => !accepted.includes(job.data.taskId));
    figure('outage: jobs whose POST was answered 503 (ran without effect)', strays.length);
    expect(jobs.filter((job) => accepted.includes(job.data.taskId)).length).toBe(accepted.length);
    for (const stray of strays) expect(stray.returnvalue).toMatchObject({ logged: false });

    // One line per outage, no stack traces.
    const outageLines = demo.lines.filter((line) => /Redis unreachable/.test(line));
    const stackLines = demo.lines.filter((line) => /^\s+at /.test(line) || /"stack":/.test(line));
    figure('log lines: "Redis unreachable" / stack traces', { unreachable: outageLines.length, stackTraces: stackLines.length });
    expect(stackLines).toEqual([]);
    // One for the freeze (noticed by the watch's ping), one for the kill.
    expect(outageLines.length).toBeLessThanOrEqual(2);
    expect(demo.lines.filter((line) => /Redis is back/.test(line)).length).toBe(outageLines.length);
  });
});
