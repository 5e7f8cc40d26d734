/**
 * `npm start` restarted with accepted tasks still waiting: its private Redis keeps them in an
 * append-only file, so none is lost, whether the app was stopped (SIGTERM) or killed with
 * everything in its process group (SIGKILL: no handler runs, the guard stops Redis).
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readOwner } from '../../src/process/orphan-guard.js';
import { TASK_WORKER_STALL_SETTINGS } from '../../src/app/task-jobs.js';
import { waitUntil } from '../harness.js';
import { appPid, exitTime, figure, Lab, lostAndDoubled, postTask, scratchDatabase, startDemo, waitForExit } from './processes.js';

const lab = new Lab();
afterEach(() => lab.cleanUp());

// Lock expiry plus one stall check (5 to 15 s), plus starting the next worker on a busy machine.
const STALL_PICKUP_LIMIT_MS = TASK_WORKER_STALL_SETTINGS.lockDuration + TASK_WORKER_STALL_SETTINGS.stalledInterval + 10_000;

async function acceptTasks(base: string, count: number, label: string): Promise<number[]> {
  const ids: number[] = [];
  for (let n = 0; n < count; n++) {
    const answer = await postTask(base, `${label} ${n}`);
    expect(answer.status).toBe(202);
    ids.push(answer.body.taskId!);
  }
  return ids;
}

describe('npm start restarted with accepted tasks waiting', () => {
  it('loses none of them, after a SIGTERM and after a SIGKILL of its whole process group', async () => {
    const dataDir = join(lab.tempDir('redis-data'), 'redis');
    const { url: databaseUrl, db } = await scratchDatabase(lab);
    const slow = { REDIS_DATA_DIR: dataDir, DATABASE_URL: databaseUrl, SHUTDOWN_TIMEOUT: '1', DEMO_JOB_WORK_MS: '60000' };

    // 1. Stopped with SIGTERM: 5 jobs running (handed back at the deadline), 25 waiting.
    const first = await startDemo(lab, slow);
    const ids = await acceptTasks(first.base, 30, 'restart A');
    const firstRedis = readOwner(dataDir)!.pid!;
    const node = appPid(first.demo);
    const stoppedAt = Date.now();
    process.kill(node, 'SIGTERM');
    const exitedAt = await exitTime(node, 10_000, 'npm start to stop');
    figure('npm start, SIGTERM with 5 running and 25 waiting: exit after (s)', ((exitedAt - stoppedAt) / 1000).toFixed(1));
    await waitForExit(firstRedis, 10_000, 'its private Redis to stop');

    const second = await startDemo(lab, { ...slow, DEMO_JOB_WORK_MS: '0' });
    await waitUntil(async () => (await lostAndDoubled(db, ids)).lost === 0, { timeoutMs: 30_000, message: 'the 30 tasks to be logged' });
    const afterStop = await lostAndDoubled(db, ids);
    figure('restart after SIGTERM: accepted / lost / doubled', { accepted: ids.length, lost: afterStop.lost, doubled: afterStop.doubled });
    expect(afterStop).toMatchObject({ lost: 0, doubled: 0 });

    // The real server, not only the toolkit tests, refuses ids that Number() would bend.
    for (const id of ['0x10', '1e20', '99999999999999999999', '0', '1.5']) {
      expect((await fetch(`${second.base}/tasks/${id}`)).status, `/tasks/${id}`).toBe(400);
    }
    process.kill(appPid(second.demo), 'SIGTERM');
    await second.demo.exited;

    // 2. Killed with SIGKILL, npm and node together: no handler runs anywhere.
    const third = await startDemo(lab, slow);
    const moreIds = await acceptTasks(third.base, 30, 'restart B');
    const thirdRedis = readOwner(dataDir)!.pid!;
    const killedAt = Date.now();
    third.demo.signalGroup('SIGKILL');
    await waitForExit(thirdRedis, 10_000, 'the guard to stop the private Redis');
    figure('npm start SIGKILLed: its private Redis stopped by the guard after (s)', ((Date.now() - killedAt) / 1000).toFixed(1));

    await startDemo(lab, { ...slow, DEMO_JOB_WORK_MS: '0' });
    const all = [...ids, ...moreIds];
    const restartedAt = Date.now();
    // The 5 jobs that were running stall: they run again after the lock expires.
    await waitUntil(async () => (await lostAndDoubled(db, all)).lost === 0, { timeoutMs: STALL_PICKUP_LIMIT_MS + 20_000, message: 'all 60 tasks to be logged' });
    figure('restart after SIGKILL: all 60 logged after (s)', ((Date.now() - restartedAt) / 1000).toFixed(1));
    const afterKill = await lostAndDoubled(db, all);
    figure('restart after SIGKILL: accepted / lost / doubled', { accepted: all.length, lost: afterKill.lost, doubled: afterKill.doubled });
    expect(afterKill).toMatchObject({ lost: 0, doubled: 0 });
  });
});
