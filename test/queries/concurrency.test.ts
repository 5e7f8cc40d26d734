/**
 * Issue 9, part 2: every scope sees the statements its own code caused, also when Prisma merges
 * `findUnique` calls of different scopes, made in the same tick, into one statement. Proven with
 * plain scopes, an express server under parallel requests and a Worker with `concurrency` > 1, on
 * SQLite and (when the run has one) PostgreSQL.
 */
import type { AddressInfo } from 'node:net';
import { Queue, QueueEvents, Worker } from 'bullmq';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { queryReportMiddleware, runQueryScope, watchQueries, withQueryReport, type QueryReport } from '../../src/queries/index.js';
import { DATABASE_KINDS, postgresSkipReason, useTestEnv } from '../harness.js';
import { barrier, seedBlog } from './fixtures.js';

for (const database of DATABASE_KINDS) {
  const skip = database === 'postgres' ? postgresSkipReason() : undefined;

  describe.skipIf(skip)(`on ${database}${skip ? ` (${skip})` : ''}`, () => {
    const env = useTestEnv({ database });

    it('ten scopes running findUnique loops in step each count their own statements', async () => {
      const { userIds } = await seedBlog(env.db);
      const db = watchQueries(env.db);
      const start = barrier(10);
      const scopes = Array.from({ length: 10 }, (_, n) =>
        runQueryScope(
          async () => {
            await start.arrive();
            for (let i = 0; i < 4; i++) await db.user.findUnique({ where: { id: userIds[(n + i) % userIds.length]! } });
          },
          { mode: 'collect', label: `scope ${n}` },
        ),
      );
      const reports = (await Promise.all(scopes)).map((outcome) => outcome.report);
      expect(reports.map((report) => report.statements.length)).toEqual(Array(10).fill(4));
      expect(reports.map((report) => report.problems.map((p) => [p.kind, p.count]))).toEqual(Array(10).fill([['n-plus-one', 4]]));
      // Each scope saw the statements that answered its own calls.
      reports.forEach((report, n) => {
        report.statements.forEach((statement, i) => {
          expect(JSON.parse(statement.params)).toContain(userIds[(n + i) % userIds.length]);
        });
      });
    });

    it('a lookup of another model started in the same tick by another scope is credited to that scope', async () => {
      const { userIds, postIds } = await seedBlog(env.db);
      const db = watchQueries(env.db);
      const start = barrier(2);
      const [users, posts] = await Promise.all([
        runQueryScope(async () => {
          await start.arrive();
          return db.user.findUnique({ where: { id: userIds[0]! } });
        }, { mode: 'collect' }),
        runQueryScope(async () => {
          await start.arrive();
          return db.post.findUnique({ where: { id: postIds[0]! } });
        }, { mode: 'collect' }),
      ]);
      expect(users.report.statements.map((s) => s.operation?.model)).toEqual(['User']);
      expect(posts.report.statements.map((s) => s.operation?.model)).toEqual(['Post']);
    });

    it('an outer scope counts a statement shared by two inner scopes once', async () => {
      const { userIds } = await seedBlog(env.db);
      const db = watchQueries(env.db);
      const start = barrier(2);
      const inner = (id: number) =>
        runQueryScope(
          async () => {
            await start.arrive();
            for (let i = 0; i < 3; i++) await db.user.findUnique({ where: { id } });
          },
          { mode: 'collect' },
        );
      const { value, report } = await runQueryScope(() => Promise.all([inner(userIds[0]!), inner(userIds[1]!)]), { mode: 'collect' });
      expect(value.map((outcome) => outcome.report.statements.length)).toEqual([3, 3]);
      expect(report.statements).toHaveLength(3);
    });

    describe('an express server under parallel requests', () => {
      async function serve(lines: string[], parties: number) {
        const db = watchQueries(env.db);
        const start = barrier(parties);
        const app = express();
        app.use(queryReportMiddleware({ log: (line) => lines.push(line), header: 'X-Query-Count', enabled: true }));
        app.get('/feed', async (_req, res) => {
          const posts = await db.post.findMany();
          await start.arrive(); // every request is now inside its loop at the same time
          const feed = [];
          for (const post of posts) feed.push((await db.user.findUnique({ where: { id: post.authorId } }))!.name);
          res.json(feed);
        });
        const server = app.listen(0, '127.0.0.1');
        await new Promise((resolve) => server.once('listening', resolve));
        env.track({ close: () => new Promise((resolve) => server.close(resolve)) });
        return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      }

      it('gives every request its own count and its own N+1', async () => {
        await seedBlog(env.db, { posts: 4 });
        const lines: string[] = [];
        const base = await serve(lines, 4);
        const responses = await Promise.all(Array.from({ length: 4 }, () => fetch(`${base}/feed`)));
        expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200]);
        expect(responses.map((r) => r.headers.get('x-query-count'))).toEqual(['5', '5', '5', '5']);
        expect(lines).toHaveLength(4);
        for (const line of lines) {
          expect(line).toMatch(/^GET \/feed 200: 5 queries in [\d.]+ ms, 1 problem\nN\+1 query: User\.findUnique ran 4 times/);
        }
      });
    });

    describe('a Worker with concurrency > 1', () => {
      it('gives every job its own report', async () => {
        await seedBlog(env.db, { posts: 3 });
        const db = watchQueries(env.db);
        const start = barrier(4);
        const reports = new Map<string, QueryReport>();
        const queue = env.track(new Queue('digests', { connection: env.connection, prefix: env.prefix }));
        const events = env.track(new QueueEvents('digests', { connection: env.connection, prefix: env.prefix }));
        const processor = async () => {
          const posts = await db.post.findMany();
          await start.arrive();
          for (const post of posts) await db.user.findUnique({ where: { id: post.authorId } });
          return 'sent';
        };
        env.track(
          new Worker('digests', withQueryReport(processor, { mode: 'collect', enabled: true, onReport: (report, job) => reports.set(job.id!, report) }), {
            connection: env.connection,
            prefix: env.prefix,
            concurrency: 4,
          }),
        );
        await events.waitUntilReady();
        const jobs = await queue.addBulk(Array.from({ length: 4 }, (_, n) => ({ name: 'weekly', data: { n } })));
        await Promise.all(jobs.map((job) => expect(job.waitUntilFinished(events, 10_000)).resolves.toBe('sent')));
        expect(reports.size).toBe(4);
        for (const report of reports.values()) {
          expect(report.statements).toHaveLength(4);
          expect(report.problems.map((p) => [p.kind, p.model, p.count])).toEqual([['n-plus-one', 'User', 3]]);
        }
      });
    });
  });
}
