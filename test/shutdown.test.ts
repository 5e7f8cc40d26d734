import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { closeOnSignals, type SignalSource } from '../src/worker/shutdown.js';
import { waitUntil } from './harness.js';

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
