/**
 * The helper at the edges of a unit of work: an express request and a BullMQ job, for real.
 */
import type { AddressInfo } from 'node:net';
import { Queue, QueueEvents, Worker } from 'bullmq';
import express from 'express';
import { describe, expect, it, vi } from 'vitest';
import { currentQueryScope, queryReportMiddleware, watchQueries, withQueryReport, type QueryReport } from '../../src/queries/index.js';
import { useTestEnv } from '../harness.js';
import { seedBlog } from './fixtures.js';

const env = useTestEnv();

describe('queryReportMiddleware', () => {
  async function serve(lines: string[]) {
    const db = watchQueries(env.db);
    const app = express();
    app.use(queryReportMiddleware({ log: (line) => lines.push(line), header: 'X-Query-Count' }));
    app.get('/feed', async (_req, res) => {
      const feed = [];
      for (const post of await db.post.findMany()) {
        feed.push({ title: post.title, author: (await db.user.findUnique({ where: { id: post.authorId } }))!.name });
      }
      res.json(feed);
    });
    app.get('/posts/:id', async (req, res) => {
      res.json(await db.post.findUnique({ where: { id: Number(req.params.id) }, include: { author: true } }));
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    env.track({ close: () => new Promise((resolve) => server.close(resolve)) });
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it('logs one line per request with its query count and problems, and sends the count as a header', async () => {
    await seedBlog(env.db, { posts: 4 });
    const lines: string[] = [];
    const base = await serve(lines);
    const response = await fetch(`${base}/feed`);
    expect(response.status).toBe(200);
    expect(await response.json()).toHaveLength(4);
    expect(response.headers.get('x-query-count')).toBe('5');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^GET \/feed 200: 5 queries in [\d.]+ ms, 1 problem\nN\+1 query: User\.findUnique ran 4 times/);
    expect(lines[0]).toContain('test/queries/integrations.test.ts:');
  });

  it('counts concurrent requests separately', async () => {
    const { postIds } = await seedBlog(env.db, { posts: 3 });
    const lines: string[] = [];
    const base = await serve(lines);
    const responses = await Promise.all([fetch(`${base}/feed`), fetch(`${base}/posts/${postIds[0]}`), fetch(`${base}/feed`)]);
    expect(responses.map((r) => r.headers.get('x-query-count'))).toEqual(['4', '2', '4']);
    expect(lines.filter((line) => line.startsWith('GET /feed 200: 4 queries'))).toHaveLength(2);
    expect(lines.filter((line) => line.startsWith(`GET /posts/${postIds[0]} 200: 2 queries`))).toHaveLength(1);
  });
});

describe('withQueryReport', () => {
  const authorsOfAllPosts = async () => {
    const db = watchQueries(env.db);
    for (const post of await db.post.findMany()) await db.user.findUnique({ where: { id: post.authorId } });
    return 'sent';
  };

  it('gives each job its own report', async () => {
    await seedBlog(env.db, { posts: 3 });
    const reports: [string, QueryReport][] = [];
    const queue = env.track(new Queue('digests', { connection: env.connection, prefix: env.prefix }));
    const events = env.track(new QueueEvents('digests', { connection: env.connection, prefix: env.prefix }));
    env.track(
      new Worker('digests', withQueryReport(authorsOfAllPosts, { mode: 'collect', onReport: (report, job) => reports.push([job.id!, report]) }), {
        connection: env.connection,
        prefix: env.prefix,
      }),
    );
    await events.waitUntilReady();
    const job = await queue.add('weekly', {});
    await expect(job.waitUntilFinished(events, 5000)).resolves.toBe('sent');
    expect(reports).toHaveLength(1);
    const [id, report] = reports[0]!;
    expect(id).toBe(job.id);
    expect(report.label).toBe(`digests:weekly#${job.id}`);
    expect(report.statements).toHaveLength(4);
    expect(report.problems.map((p) => p.kind)).toEqual(['n-plus-one']);
  });

  it('in raise mode fails the job with the N+1 report as its reason', async () => {
    await seedBlog(env.db, { posts: 3 });
    const queue = env.track(new Queue('digests', { connection: env.connection, prefix: env.prefix }));
    const events = env.track(new QueueEvents('digests', { connection: env.connection, prefix: env.prefix }));
    env.track(new Worker('digests', withQueryReport(authorsOfAllPosts, { mode: 'raise' }), { connection: env.connection, prefix: env.prefix }));
    await events.waitUntilReady();
    const job = await queue.add('weekly', {});
    await expect(job.waitUntilFinished(events, 5000)).rejects.toThrow(/N\+1 query: User\.findUnique ran 3 times/);
    expect((await queue.getJob(job.id!))!.failedReason).toContain('fix: ');
  });
});

describe('switched off (production)', () => {
  it('the middleware opens no scope, sets no header and logs nothing unless enabled', async () => {
    await seedBlog(env.db, { posts: 2 });
    const lines: string[] = [];
    const db = watchQueries(env.db);
    const app = express();
    app.use(queryReportMiddleware({ log: (line) => lines.push(line), header: 'X-Query-Count', enabled: false }));
    app.get('/feed', async (_req, res) => {
      const posts = await db.post.findMany();
      res.json({ posts: posts.length, scoped: currentQueryScope() !== undefined });
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    env.track({ close: () => new Promise((resolve) => server.close(resolve)) });
    const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/feed`);
    expect(await response.json()).toEqual({ posts: 2, scoped: false });
    expect(response.headers.get('x-query-count')).toBeNull();
    expect(lines).toEqual([]);
  });

  it('the job wrapper hands back the processor itself unless enabled', () => {
    const processor = async () => 'done';
    expect(withQueryReport(processor, { enabled: false })).toBe(processor);
  });

  it('both are off by default when NODE_ENV is production, and on otherwise', () => {
    const processor = async () => 'done';
    vi.stubEnv('NODE_ENV', 'production');
    try {
      expect(withQueryReport(processor)).toBe(processor);
      const next = vi.fn();
      queryReportMiddleware()({} as express.Request, {} as express.Response, next);
      expect(next).toHaveBeenCalledOnce();
    } finally {
      vi.unstubAllEnvs();
    }
    expect(withQueryReport(processor)).not.toBe(processor);
  });
});
