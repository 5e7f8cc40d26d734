import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { Queue, Worker } from 'bullmq';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { createLogger, withJobLogging } from '../../src/monitoring/job-logging.js';
import { serverTiming } from '../../src/monitoring/server-timing.js';
import { watchQueries } from '../../src/queries/watch.js';
import { useTestEnv, waitUntil } from '../harness.js';

const env = useTestEnv();

describe('serverTiming', () => {
  it('reports total time, database time and the query count of each request', async () => {
    const db = watchQueries(env.db);
    await db.task.create({ data: { title: 'one' } });
    let clock = 0;
    const app = express();
    app.use(serverTiming({ now: () => clock }));
    app.get('/three', async (_req, res) => {
      for (let id = 1; id <= 3; id++) await db.task.findUnique({ where: { id } });
      clock += 42;
      res.json({ ok: true });
    });
    app.get('/none', (_req, res) => {
      res.status(204).end();
    });
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    env.track({ close: () => new Promise((resolve) => server.close(resolve)) });
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const header = (await fetch(`${base}/three`)).headers.get('server-timing');
    expect(header).toMatch(/^total;dur=42\.0, db;dur=\d+(\.\d)?;desc="3 queries"$/);
    expect((await fetch(`${base}/none`)).headers.get('server-timing')).toBe('total;dur=0.0, db;dur=0.0;desc="0 queries"');
  });
});

describe('withJobLogging', () => {
  it('writes JSON lines for start, finish and failure with queue, name, id, attempt and duration', async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(JSON.parse(String(chunk)));
        done();
      },
    });
    let clock = 0;
    const processor = withJobLogging(
      async (job) => {
        clock += 25;
        if (job.name === 'flaky' && job.attemptsMade === 0) throw new Error('first try fails');
        return 'done';
      },
      { logger: createLogger('test', sink), now: () => clock },
    );
    const options = { connection: env.connection, prefix: env.prefix };
    const queue = env.track(new Queue('mailer', options));
    env.track(new Worker('mailer', processor, options));
    const job = await queue.add('flaky', { to: 'a@example.com' }, { attempts: 2 });
    await waitUntil(async () => (await queue.getJobState(job.id!)) === 'completed', { message: 'the job to complete on its second try' });
    await waitUntil(() => lines.length === 4, { message: 'four log lines' });

    const base = { name: 'test', queue: 'mailer', job: 'flaky', jobId: job.id, attempts: 2 };
    expect(lines).toEqual([
      expect.objectContaining({ ...base, level: 30, msg: 'job started', attempt: 1 }),
      expect.objectContaining({ ...base, level: 50, msg: 'job failed', attempt: 1, durationMs: 25, err: expect.objectContaining({ message: 'first try fails' }) }),
      expect.objectContaining({ ...base, level: 30, msg: 'job started', attempt: 2 }),
      expect.objectContaining({ ...base, level: 30, msg: 'job finished', attempt: 2, durationMs: 25 }),
    ]);
    expect(typeof lines[0]!.time).toBe('string');
  });
});
