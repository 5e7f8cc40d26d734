/**
 * A private `redis-server` that keeps its data: AOF on, in a folder that outlives the process.
 *
 * Chapter 8 uses it to show what Redis persistence buys a job queue: crash the server, start it
 * again on the same folder, and the acknowledged jobs are still there. (The workbook's embedded
 * default, src/redis/embedded-server.ts, runs with persistence off on purpose: tests need speed,
 * not durability.)
 *
 * @module Redis/Persistent Redis
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { REDIS_NOT_INSTALLED } from '../redis/embedded-server.js';
import { freePort } from '../process/free-port.js';

/** Redis's `appendfsync` choices: how often the AOF is flushed to disk. */
export type AppendFsync = 'always' | 'everysec' | 'no';

/** Options of {@link startPersistentRedis}. */
export interface PersistentRedisOptions {
  /** Folder for the AOF (and nodes of it): the same folder on a restart finds the same data. */
  dir: string;
  /** `everysec` (Redis's default with AOF on) unless told. */
  appendfsync?: AppendFsync;
  /** `false` runs the same server with persistence off, to compare. Default `true`. */
  aof?: boolean;
  /** Port to listen on; a free one when left out. A restart reuses it. */
  port?: number;
  /** The `redis-server` binary; `redis-server` on PATH by default. */
  binary?: string;
}

/** A running {@link startPersistentRedis} server. */
export interface PersistentRedis {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** Kills the server with SIGKILL, as a crash would: no clean shutdown, no final write. */
  crash(): Promise<void>;
  /** Stops the server cleanly (SIGTERM: Redis flushes the AOF first). Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts `redis-server` on 127.0.0.1 with `appendonly yes` (unless `aof: false`) and the given `appendfsync`, RDB
 * snapshots off, and resolves once it accepts connections (after loading any AOF in `dir`).
 *
 * @throws Error with {@link REDIS_NOT_INSTALLED} when the binary is missing.
 */
export async function startPersistentRedis(options: PersistentRedisOptions): Promise<PersistentRedis> {
  const port = options.port ?? (await freePort());
  const child = spawn(
    options.binary ?? 'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', options.dir, '--save', '',
      '--appendonly', options.aof === false ? 'no' : 'yes', '--appendfsync', options.appendfsync ?? 'everysec'],
    { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await ready(child);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const end = async (signal: NodeJS.Signals) => {
    process.off('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return { url: `redis://127.0.0.1:${port}`, port, crash: () => end('SIGKILL'), stop: () => end('SIGTERM') };
}

function ready(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`redis-server did not start within 10 s:\n${output}`)), 10_000);
    child.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(error.code === 'ENOENT' ? new Error(REDIS_NOT_INSTALLED) : error);
    });
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with code ${code}:\n${output}`));
    };
    child.once('exit', onExit);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        child.off('exit', onExit);
        child.stdout?.removeAllListeners('data');
        child.stdout?.resume();
        child.stderr?.resume();
        resolve();
      }
    });
  });
}

