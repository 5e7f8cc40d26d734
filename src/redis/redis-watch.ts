/**
 * One view of "is Redis there?" for a process: for `/health`, for one log line per outage, and
 * for knowing when to sweep the outbox.
 *
 * Every ioredis client reconnects on its own and reports each failed attempt as an `error`
 * event: a Worker, its blocking connection, a Queue and the cache each do, every few hundred
 * milliseconds. Logged as they come, a ten-second outage is dozens of stack traces. So the
 * clients' own connection errors are quieted ({@link logRedisErrors}), and a watch with its own
 * small connection says when Redis went away and when it came back.
 *
 * @module Redis/Outage watch
 */
import { EventEmitter } from 'node:events';
import { isNotConnectionError } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { redisOptionsFromUrl } from './connection.js';

/** Options of {@link RedisWatch}. */
export interface RedisWatchOptions {
  /** Where the outage lines go. */
  logger: Pick<Logger, 'info' | 'error'>;
  /** How often to ping, to notice a Redis that hangs rather than refuses (default 2 s). */
  pingEveryMs?: number;
  /** A ping slower than this counts as Redis down (default 1 s). */
  timeoutMs?: number;
}

/** Result of {@link RedisWatch.check}. */
export type RedisCheck = { ok: true; latencyMs: number } | { ok: false; error: string };

/**
 * Watches one Redis. Emits `down` (with the reason) once when it becomes unreachable and `up`
 * once when it answers again, logging one line for each.
 */
export class RedisWatch extends EventEmitter<{ down: [reason: string]; up: [downForMs: number] }> {
  private readonly client: Redis;
  private readonly timer: NodeJS.Timeout;
  private downSince: number | undefined;
  private readonly timeoutMs: number;

  /** Connects to `url` (in the background) and starts watching. Call {@link close} when done. */
  constructor(
    readonly url: string,
    private readonly options: RedisWatchOptions,
  ) {
    super();
    this.timeoutMs = options.timeoutMs ?? 1000;
    this.client = new Redis({
      ...redisOptionsFromUrl(url),
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: this.timeoutMs,
      commandTimeout: this.timeoutMs,
      retryStrategy: (attempt) => Math.min(attempt * 200, 1000),
    });
    this.client.on('error', (error: Error) => this.markDown(error.message));
    this.client.on('close', () => this.markDown('connection closed'));
    this.client.on('ready', () => this.markUp());
    this.timer = setInterval(() => void this.check(), options.pingEveryMs ?? 2000).unref();
  }

  /** `true` while the last thing heard from Redis was good. */
  get isUp(): boolean {
    return this.downSince === undefined && this.client.status === 'ready';
  }

  /** Pings Redis now, within the watch's time limit. */
  async check(): Promise<RedisCheck> {
    const started = performance.now();
    try {
      await this.client.ping();
      this.markUp();
      return { ok: true, latencyMs: Math.round((performance.now() - started) * 10) / 10 };
    } catch (error) {
      const reason = (error as Error).message;
      this.markDown(reason);
      return { ok: false, error: reason };
    }
  }

  /** Stops watching and drops the connection. */
  close(): void {
    clearInterval(this.timer);
    this.client.disconnect();
  }

  private markDown(reason: string): void {
    if (this.downSince !== undefined || this.client.status === 'end') return;
    this.downSince = Date.now();
    this.options.logger.error({ redis: this.url, reason }, 'Redis unreachable: jobs wait until it is back; retrying in the background');
    this.emit('down', reason);
  }

  private markUp(): void {
    if (this.downSince === undefined) return;
    const downForMs = Date.now() - this.downSince;
    this.downSince = undefined;
    this.options.logger.info({ redis: this.url, downForMs }, 'Redis is back');
    this.emit('up', downForMs);
  }
}

/**
 * An `error` listener for a Queue, Worker or QueueEvents: connection errors go to `debug` (the
 * {@link RedisWatch} reports the outage once), anything else to `error` with its stack.
 */
export function logRedisErrors(logger: Pick<Logger, 'debug' | 'error'>, source: string): (error: Error) => void {
  return (error) => {
    if (isConnectionError(error)) logger.debug({ source, reason: error.message }, 'Redis connection error');
    else logger.error({ source, err: error }, `${source} error`);
  };
}

/** `true` for the errors ioredis and BullMQ report while Redis is unreachable or hanging. */
export function isConnectionError(error: Error & { code?: string }): boolean {
  return (
    !isNotConnectionError(error) ||
    ['ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ECONNABORTED'].includes(error.code ?? '') ||
    /Connection is closed|Stream isn't writeable|Command timed out|ECONNRESET|ETIMEDOUT|EPIPE/i.test(error.message)
  );
}
