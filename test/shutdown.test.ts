import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { Queue, Worker } from 'bullmq';
import { closeOnSignals, handBackOnShutdown, handBackRunningJobs, type SignalSource } from '../src/worker/shutdown.js';
import { useTestEnv, waitUntil } from './harness.js';

/** A stand-in for `process`: signals are emitted by the test, exit codes recorded. */
function fakeProcess(): SignalSource & EventEmitter & { exitCodes: number[] } {
  const emitter = new EventEmitter() as SignalSource & EventEmitter & { exitCodes: number[] };
  emitter.exitCodes = [];
  emitter.exit = (code: number) => void emitter.exitCodes.push(code);
  return emitter;
}

describe('closeOnSignals', () => {
  it('runs every close step in order on SIGTERM, then exits 0', async () => {
    const source = fakeProcess();
    const closed: string[] = [];
    closeOnSignals([async () => closed.push('worker'), async () => closed.push('queue')], source, () => {});
    source.emit('SIGTERM');
    await waitUntil(() => source.exitCodes.length > 0, { message: 'exit' });
    expect(closed).toEqual(['worker', 'queue']);
    expect(source.exitCodes).toEqual([0]);
  });

  it('exits 1 at once on a second signal while the first is still closing', async () => {
    const source = fakeProcess();
    let finishClosing = () => {};
    closeOnSignals([() => new Promise<void>((resolve) => (finishClosing = resolve))], source, () => {});
    source.emit('SIGINT');
    source.emit('SIGINT');
    expect(source.exitCodes).toEqual([1]);
    finishClosing();
  });

  it('exits 1 when a close step fails', async () => {
    const source = fakeProcess();
    closeOnSignals([() => Promise.reject(new Error('boom'))], source, () => {});
    source.emit('SIGTERM');
    await waitUntil(() => source.exitCodes.length > 0, { message: 'exit' });
    expect(source.exitCodes).toEqual([1]);
  });
});

describe('closeOnSignals with a deadline', () => {
  it('calls onTimeout when the steps outlast the deadline, and exits 1 after the grace period', async () => {
    const source = fakeProcess();
    const lines: string[] = [];
    let timedOut = 0;
    closeOnSignals([() => new Promise(() => {})], source, (line) => lines.push(line), { timeoutMs: 30, graceMs: 30, onTimeout: () => timedOut++ });
    source.emit('SIGTERM');
    await waitUntil(() => source.exitCodes.length > 0, { message: 'exit' });
    expect(timedOut).toBe(1);
    expect(source.exitCodes).toEqual([1]);
    expect(lines.join('\n')).toMatch(/deadline of 0.03 s reached/);
  });

  it('exits 0 without calling onTimeout when the steps finish in time', async () => {
    const source = fakeProcess();
    let timedOut = 0;
    closeOnSignals([async () => {}], source, () => {}, { timeoutMs: 1000, onTimeout: () => timedOut++ });
    source.emit('SIGINT');
    await waitUntil(() => source.exitCodes.length > 0, { message: 'exit' });
    expect(source.exitCodes).toEqual([0]);
    expect(timedOut).toBe(0);
  });

  it('starts the same shutdown when asked (parent gone), and asking again changes nothing', async () => {
    const source = fakeProcess();
    let finishClosing: (() => void) | undefined;
    const shutdown = closeOnSignals([() => new Promise<void>((resolve) => (finishClosing = resolve))], source, () => {});
    shutdown('parent process gone');
    shutdown('parent process gone');
    await waitUntil(() => finishClosing, { message: 'the close step to start' });
    expect(source.exitCodes).toEqual([]);
    finishClosing!();
    await waitUntil(() => source.exitCodes.length > 0, { message: 'exit' });
    expect(source.exitCodes).toEqual([0]);
  });
});

describe('handBackOnShutdown', () => {
  const env = useTestEnv();

  it('puts a running job back to waiting, with no attempt used, when its worker is shutting down', async () => {
    const queue = env.track(new Queue('hand-back', { connection: env.connection, prefix: env.prefix }));
    const job = await queue.add('slow', {}, { attempts: 3 });
    const processor = handBackOnShutdown(async (_job, _token, signal) => {
      await new Promise((_, reject) => signal?.addEventListener('abort', () => reject(new Error('aborted'))));
    });
    const worker = env.track(new Worker('hand-back', processor, { connection: env.connection, prefix: env.prefix }));
    await waitUntil(async () => (await job.getState()) === 'active', { message: 'the job to start' });
    handBackRunningJobs(worker);
    await worker.close();
    const after = (await queue.getJob(job.id!))!;
    expect(await after.getState()).toBe('waiting');
    expect(after.attemptsMade).toBe(0);
  });
});
