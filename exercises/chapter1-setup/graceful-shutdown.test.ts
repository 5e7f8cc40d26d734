import { EventEmitter } from 'node:events';
import { Queue, Worker } from 'bullmq';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SignalSource } from '../../src/worker/shutdown.js';
import { useTestEnv, waitUntil } from '../../test/harness.js';
import { shutdownGracefully } from './graceful-shutdown.js';

const env = useTestEnv();

/** A stand-in for `process`: the test emits signals and reads the exit codes. */
function fakeProcess() {
  const source = new EventEmitter() as EventEmitter & SignalSource & { exitCodes: number[] };
  source.exitCodes = [];
  source.exit = (code) => void source.exitCodes.push(code);
  return source;
}

describe.each(['SIGTERM', 'SIGINT'] as const)('shutdownGracefully on %s', (signal) => {
  it('lets the running job finish, takes no new job, then exits 0', async () => {
    const queue = env.track(new Queue('imports', { connection: env.connection, prefix: env.prefix }));
    let finishImport = () => {};
    const importRunning = new Promise<void>((resolve) => (finishImport = resolve));
    const worker = env.track(new Worker('imports', () => importRunning, { connection: env.connection, prefix: env.prefix }));
    const source = fakeProcess();
    shutdownGracefully(worker, source);

    const running = await queue.add('import', { file: 'a.csv' });
    await waitUntil(async () => (await running.getState()) === 'active', { message: 'the job to start' });
    source.emit(signal);
    const later = await queue.add('import', { file: 'b.csv' });

    expect(source.exitCodes).toEqual([]); // not while a job is still running
    finishImport();
    await waitUntil(() => source.exitCodes.length > 0, { message: 'the process to exit' });
    expect(source.exitCodes).toEqual([0]);
    expect(await running.getState()).toBe('completed');
    expect(await later.getState()).toBe('waiting');
  });
});

describe('shutdownGracefully when the worker cannot be closed', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('exits 1, with no unhandled rejection, so the failed shutdown is seen', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {}); // the solution may log there; keep the output clean
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      // A Worker whose close() fails, as it does when Redis has gone away.
      const worker = { close: async () => Promise.reject(new Error('Connection is closed.')) } as unknown as Worker;
      const source = fakeProcess();
      shutdownGracefully(worker, source);

      source.emit('SIGTERM');
      await waitUntil(() => source.exitCodes.length > 0, { timeoutMs: 2000, message: 'the process to exit after close() failed' });
      expect(source.exitCodes).toEqual([1]);
      await new Promise((resolve) => setImmediate(resolve)); // unhandled rejections are reported a tick later
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
