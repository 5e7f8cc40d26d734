/**
 * The helper's promises, each a test, on SQLite and (when the run has one) PostgreSQL:
 * what it must flag, what it must not, its modes, safelist and scoping.
 */
import { describe, expect, it, vi } from 'vitest';
import { createDatabase } from '../../src/db/client.js';
import {
  NPlusOneError,
  runQueryScope,
  watchQueries,
  type QueryProblem,
  type QueryReport,
} from '../../src/queries/index.js';
import { DATABASE_KINDS, postgresSkipReason, useTestEnv } from '../harness.js';
import { seedBlog } from './fixtures.js';

const THIS_FILE = 'test/queries/detection.test.ts';

function only(report: QueryReport): QueryProblem {
  expect(report.problems).toHaveLength(1);
  return report.problems[0]!;
}

for (const database of DATABASE_KINDS) {
  const skip = database === 'postgres' ? postgresSkipReason() : undefined;

  describe.skipIf(skip)(`on ${database}${skip ? ` (${skip})` : ''}`, () => {
    const env = useTestEnv({ database });
    const collect = <T>(block: () => Promise<T>, options = {}) => runQueryScope(block, { mode: 'collect', ...options });

    describe('must flag', () => {
      it('a belongs-to lookup per row (findUnique in a for…await loop), with the call site in the code', async () => {
        await seedBlog(env.db, { posts: 6 });
        const db = watchQueries(env.db);
        const { report } = await collect(async () => {
          for (const post of await db.post.findMany()) {
            await db.user.findUnique({ where: { id: post.authorId } });
          }
        });
        const problem = only(report);
        expect(problem).toMatchObject({ kind: 'n-plus-one', model: 'User', operation: 'findUnique', count: 6 });
        expect(problem.shape).toMatch(/FROM User WHERE/);
        expect(problem.callSite).toContain(THIS_FILE);
        expect(problem.suggestion).toContain('include');
        expect(problem.suggestion).toContain('user.findMany({ where: { id: { in: ids } } })');
      });

      it('a has-many lookup per row (findMany per parent)', async () => {
        await seedBlog(env.db, { posts: 4 });
        const db = watchQueries(env.db);
        const { report } = await collect(async () => {
          for (const post of await db.post.findMany()) {
            await db.comment.findMany({ where: { postId: post.id } });
          }
        });
        const problem = only(report);
        expect(problem).toMatchObject({ kind: 'n-plus-one', model: 'Comment', operation: 'findMany', count: 4 });
        expect(problem.suggestion).toContain('comment.findMany({ where: { postId: { in: parentIds } } })');
      });

      it('nested loops (posts -> comments -> comment author), each level on its own', async () => {
        await seedBlog(env.db, { posts: 3, commentsPerPost: 2 });
        const db = watchQueries(env.db);
        const { report } = await collect(async () => {
          for (const post of await db.post.findMany()) {
            for (const comment of await db.comment.findMany({ where: { postId: post.id } })) {
              await db.user.findUnique({ where: { id: comment.authorId } });
            }
          }
        });
        const found = report.problems.map((p) => [p.model, p.operation, p.count]);
        expect(found).toEqual(expect.arrayContaining([['Comment', 'findMany', 3], ['User', 'findUnique', 6]]));
        expect(found).toHaveLength(2);
      });

      it('a count per row, with _count as the fix', async () => {
        await seedBlog(env.db, { posts: 5 });
        const db = watchQueries(env.db);
        const { report } = await collect(async () => {
          for (const post of await db.post.findMany()) await db.comment.count({ where: { postId: post.id } });
        });
        const problem = only(report);
        expect(problem).toMatchObject({ kind: 'per-row-count', model: 'Comment', operation: 'count', count: 5 });
        expect(problem.suggestion).toContain('_count');
      });

      it('an INSERT per row and an UPDATE per row, as write loops with createMany / updateMany as the fix', async () => {
        const db = watchQueries(env.db);
        const { report } = await collect(async () => {
          for (let n = 1; n <= 4; n++) await db.user.create({ data: { email: `u${n}@example.com`, name: `U${n}` } });
          for (const user of await db.user.findMany()) await db.user.update({ where: { id: user.id }, data: { name: 'Renamed' } });
        });
        const loops = report.problems.filter((p) => p.kind === 'write-loop');
        expect(loops.map((p) => p.operation).sort()).toEqual(['create', 'update']);
        expect(loops.find((p) => p.operation === 'create')!.suggestion).toContain('createMany');
        expect(loops.find((p) => p.operation === 'update')!.suggestion).toContain('updateMany');
        expect(report.problems.filter((p) => p.kind !== 'write-loop')).toEqual([]);
      });

      it('an include whose relation the code never reads, when unusedIncludes is on', async () => {
        await seedBlog(env.db, { posts: 3 });
        const db = watchQueries(env.db);
        const { value, report } = await collect(
          async () => {
            const posts = await db.post.findMany({ include: { author: true, comments: true } });
            return posts.map((post) => `${post.title} by ${post.author.name}`);
          },
          { unusedIncludes: true },
        );
        expect(value).toHaveLength(3);
        const problem = only(report);
        expect(problem).toMatchObject({ kind: 'unused-include', model: 'Post', shape: 'include: { comments: … }', count: 3 });
        expect(problem.callSite).toContain(THIS_FILE);
      });
    });

    describe('must not flag', () => {
      it('include: the parents and their relations in a fixed number of statements', async () => {
        await seedBlog(env.db, { posts: 8 });
        const db = watchQueries(env.db);
        const { value, report } = await collect(
          async () => {
            const posts = await db.post.findMany({ include: { author: true, comments: { include: { author: true } } } });
            return posts.map((p) => [p.author.name, p.comments.map((c) => c.author.name)]);
          },
          { unusedIncludes: true },
        );
        expect(value).toHaveLength(8);
        expect(report.problems).toEqual([]);
        expect(report.statements.length).toBeLessThanOrEqual(4);
      });

      it('Promise.all of findUnique, which Prisma batches into one IN (...) statement', async () => {
        const { postIds } = await seedBlog(env.db, { posts: 6 });
        const db = watchQueries(env.db);
        const { value, report } = await collect(() => Promise.all(postIds.map((id) => db.post.findUnique({ where: { id } }))));
        expect(value.map((post) => post?.id)).toEqual(postIds);
        expect(report.statements).toHaveLength(1);
        expect(report.statements[0]!.sql).toMatch(/ IN \(/);
        expect(report.problems).toEqual([]);
      });

      it('repeated statements below the threshold (and flags them once the threshold is lowered)', async () => {
        const { userIds } = await seedBlog(env.db);
        const db = watchQueries(env.db);
        // One loop of two lookups (two lookups from two different lines are never an N+1).
        const twoLookups = async () => {
          for (const id of userIds.slice(0, 2)) await db.user.findUnique({ where: { id } });
        };
        expect((await collect(twoLookups)).report.problems).toEqual([]);
        expect((await collect(twoLookups, { threshold: 2 })).report.problems).toHaveLength(1);
      });

      it('the same statement in two different scopes', async () => {
        const { userIds } = await seedBlog(env.db);
        const db = watchQueries(env.db);
        const lookup = (id: number) => db.user.findUnique({ where: { id } }).then(() => undefined);
        const first = await collect(async () => {
          await lookup(userIds[0]!);
          await lookup(userIds[1]!);
        });
        const second = await collect(async () => {
          await lookup(userIds[2]!);
          await lookup(userIds[0]!);
        });
        expect([first.report.problems, second.report.problems]).toEqual([[], []]);
        expect([first.report.statements.length, second.report.statements.length]).toEqual([2, 2]);
      });
    });

    it('keeps two scopes running at the same time apart', async () => {
      const { userIds } = await seedBlog(env.db);
      const db = watchQueries(env.db);
      // findUnique: Prisma merges the calls of both scopes made in the same tick into one
      // statement, and each scope must still see the statements that answered its own calls.
      const worker = (id: number, times: number) =>
        collect(async () => {
          for (let n = 0; n < times; n++) {
            await db.user.findUnique({ where: { id } });
            await new Promise((resolve) => setImmediate(resolve)); // let the other scope run in between
          }
        });
      const [a, b] = await Promise.all([worker(userIds[0]!, 5), worker(userIds[1]!, 2)]);
      expect(a.report.statements).toHaveLength(5);
      expect(b.report.statements).toHaveLength(2);
      expect(a.report.statements.every((s) => JSON.parse(s.params).includes(userIds[0]))).toBe(true);
      expect(b.report.statements.every((s) => JSON.parse(s.params).includes(userIds[1]))).toBe(true);
      expect(a.report.problems).toHaveLength(1);
      expect(b.report.problems).toEqual([]);
    });

    it('counts statements inside an interactive transaction, without BEGIN/COMMIT', async () => {
      await seedBlog(env.db, { posts: 3 });
      const db = watchQueries(env.db);
      const { report } = await collect(() =>
        db.$transaction(async (tx) => {
          for (const post of await tx.post.findMany()) await tx.user.findUnique({ where: { id: post.authorId } });
        }),
      );
      expect(report.statements).toHaveLength(4);
      expect(only(report)).toMatchObject({ model: 'User', operation: 'findUnique', count: 3 });
    });

    describe('modes and safelist', () => {
      const nPlusOne = (db: typeof env.db) => async () => {
        for (const post of await db.post.findMany()) await db.user.findUnique({ where: { id: post.authorId } });
        return 'done';
      };

      it('raise (the default): an NPlusOneError whose message shows the shape, count, call site and fix', async () => {
        await seedBlog(env.db, { posts: 4 });
        const error = await runQueryScope(nPlusOne(watchQueries(env.db)), { label: 'feed' }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(NPlusOneError);
        const message = (error as NPlusOneError).message;
        expect(message).toContain('N+1 query: User.findUnique ran 4 times');
        expect(message).toMatch(/SELECT … FROM User WHERE/);
        expect(message).toContain(`call site: ${THIS_FILE}:`);
        expect(message).toContain('fix: ');
        expect(message.split('\n')[0]).toMatch(/^feed: 5 queries in [\d.]+ ms, 1 problem$/);
      });

      it('warn: logs the same report and carries on', async () => {
        await seedBlog(env.db, { posts: 4 });
        const log = vi.fn();
        const { value, report } = await runQueryScope(nPlusOne(watchQueries(env.db)), { mode: 'warn', log });
        expect(value).toBe('done');
        expect(report.problems).toHaveLength(1);
        expect(log).toHaveBeenCalledOnce();
        expect(log.mock.calls[0]![0]).toContain('N+1 query: User.findUnique ran 4 times');
      });

      it('collect: returns the report and neither throws nor logs', async () => {
        await seedBlog(env.db, { posts: 4 });
        const log = vi.fn();
        const { report } = await runQueryScope(nPlusOne(watchQueries(env.db)), { mode: 'collect', log });
        expect(report.problems).toHaveLength(1);
        expect(log).not.toHaveBeenCalled();
      });

      it('a safelist by model or by call site silences exactly what it names', async () => {
        await seedBlog(env.db, { posts: 4 });
        const block = nPlusOne(watchQueries(env.db));
        expect((await collect(block, { safelist: [{ model: 'user' }] })).report.problems).toEqual([]);
        expect((await collect(block, { safelist: [{ callSite: THIS_FILE }] })).report.problems).toEqual([]);
        expect((await collect(block, { safelist: [{ callSite: /elsewhere\.ts/ }] })).report.problems).toHaveLength(1);
        expect((await collect(block, { safelist: [{ model: 'Post' }] })).report.problems).toHaveLength(1);
      });
    });

    it('refuses a client that does not emit its queries, saying how to create one', async () => {
      const url = database === 'postgres' ? 'postgres://nobody@127.0.0.1:1/none' : 'file::memory:';
      const quiet = await createDatabase(url);
      try {
        expect(() => watchQueries(quiet)).toThrow(/log: \[\{ emit: "event", level: "query" \}\]/);
      } finally {
        await quiet.$disconnect();
      }
    });
  });
}
