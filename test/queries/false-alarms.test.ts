/**
 * Issue 9, part 1: the helper must not flag the fixes it teaches (pagination, batched writes),
 * must group problems by shape *and* call site, and must tell a row read again and again apart
 * from an N+1. On SQLite and (when the run has one) PostgreSQL.
 */
import { describe, expect, it } from 'vitest';
import { runQueryScope, watchQueries, type QueryReport } from '../../src/queries/index.js';
import { DATABASE_KINDS, postgresSkipReason, useTestEnv } from '../harness.js';
import { seedBlog, seedProducts } from './fixtures.js';

const THIS_FILE = 'test/queries/false-alarms.test.ts';

for (const database of DATABASE_KINDS) {
  const skip = database === 'postgres' ? postgresSkipReason() : undefined;

  describe.skipIf(skip)(`on ${database}${skip ? ` (${skip})` : ''}`, () => {
    const env = useTestEnv({ database });
    const collect = async <T>(block: () => Promise<T>, options = {}): Promise<{ value: T; report: QueryReport }> =>
      runQueryScope(block, { mode: 'collect', ...options });

    describe('pagination is batched reading, not an N+1', () => {
      it('take + cursor (find_in_batches)', async () => {
        const ids = await seedProducts(env.db, 23);
        const db = watchQueries(env.db);
        const { value, report } = await collect(async () => {
          const seen: number[] = [];
          let cursor: number | undefined;
          for (;;) {
            const batch = await db.product.findMany({
              take: 4,
              orderBy: { id: 'asc' },
              ...(cursor === undefined ? {} : { cursor: { id: cursor }, skip: 1 }),
            });
            seen.push(...batch.map((p) => p.id));
            if (batch.length < 4) return seen;
            cursor = batch.at(-1)!.id;
          }
        });
        expect(value).toEqual(ids);
        expect(report.statements.length).toBeGreaterThanOrEqual(6);
        expect(report.problems).toEqual([]);
      });

      it('take + skip (offset pages)', async () => {
        const ids = await seedProducts(env.db, 23);
        const db = watchQueries(env.db);
        const { value, report } = await collect(async () => {
          const seen: number[] = [];
          for (let page = 0; ; page++) {
            const batch = await db.product.findMany({ take: 4, skip: page * 4, orderBy: { id: 'asc' } });
            seen.push(...batch.map((p) => p.id));
            if (batch.length < 4) return seen;
          }
        });
        expect(value).toEqual(ids);
        expect(report.problems).toEqual([]);
      });

      it('keyset: where id > last, with take', async () => {
        const ids = await seedProducts(env.db, 23);
        const db = watchQueries(env.db);
        const { value, report } = await collect(async () => {
          const seen: number[] = [];
          let last = 0;
          for (;;) {
            const batch = await db.product.findMany({ where: { id: { gt: last } }, take: 4, orderBy: { id: 'asc' } });
            seen.push(...batch.map((p) => p.id));
            if (batch.length === 0) return seen;
            last = batch.at(-1)!.id;
          }
        });
        expect(value).toEqual(ids);
        expect(report.problems).toEqual([]);
      });

      it('but a lookup per row that happens to use take and skip is still an N+1', async () => {
        await seedBlog(env.db, { posts: 4, commentsPerPost: 2 });
        const db = watchQueries(env.db);
        const { report } = await collect(async () => {
          for (const post of await db.post.findMany()) {
            await db.comment.findMany({ where: { postId: post.id }, orderBy: { id: 'desc' }, take: 1, skip: 0 });
          }
        });
        expect(report.problems.map((p) => [p.kind, p.model, p.count])).toEqual([['n-plus-one', 'Comment', 4]]);
      });
    });

    describe('batched writes are the fix for a write loop, not a write loop', () => {
      it('updates sent together in $transaction([...])', async () => {
        await seedBlog(env.db, { posts: 5 });
        const db = watchQueries(env.db);
        const posts = await db.post.findMany();
        const { report } = await collect(() =>
          db.$transaction(posts.map((post) => db.post.update({ where: { id: post.id }, data: { title: `${post.title}!` } }))),
        );
        expect(report.statements.filter((s) => /^\s*UPDATE/i.test(s.sql))).toHaveLength(5);
        expect(report.problems).toEqual([]);
      });

      it('createMany, even when Prisma splits its rows over several INSERT statements', async () => {
        const db = watchQueries(env.db);
        const { report } = await collect(() =>
          db.user.createMany({ data: Array.from({ length: 3000 }, (_, n) => ({ email: `u${n}@example.com`, name: `U${n}` })) }),
        );
        expect(report.problems).toEqual([]);
        expect(await env.db.user.count()).toBe(3000);
      });

      it('while a loop of single updates is still a write loop', async () => {
        await seedBlog(env.db, { posts: 4 });
        const db = watchQueries(env.db);
        const posts = await db.post.findMany();
        const { report } = await collect(async () => {
          for (const post of posts) await db.post.update({ where: { id: post.id }, data: { title: 'x' } });
        });
        expect(report.problems.map((p) => [p.kind, p.operation, p.count])).toEqual([['write-loop', 'update', 4]]);
      });
    });

    describe('problems are grouped by shape and call site', () => {
      it('three lookups of one shape from three different lines are not an N+1', async () => {
        const { userIds } = await seedBlog(env.db);
        const db = watchQueries(env.db);
        const { report } = await collect(async () => {
          const viewer = await db.user.findUnique({ where: { id: userIds[0]! } });
          const owner = await db.user.findUnique({ where: { id: userIds[1]! } });
          const editor = await db.user.findUnique({ where: { id: userIds[2]! } });
          return [viewer, owner, editor];
        });
        expect(report.statements).toHaveLength(3);
        expect(report.problems).toEqual([]);
      });

      it('the same shape from two loops is two problems, each naming its own loop', async () => {
        await seedBlog(env.db, { posts: 4, commentsPerPost: 2 });
        const db = watchQueries(env.db);
        async function postAuthors() {
          for (const post of await db.post.findMany()) await db.user.findUnique({ where: { id: post.authorId } });
        }
        async function commentAuthors() {
          for (const comment of await db.comment.findMany()) await db.user.findUnique({ where: { id: comment.authorId } });
        }
        const { report } = await collect(async () => {
          await postAuthors();
          await commentAuthors();
        });
        const lookups = report.problems.filter((p) => p.model === 'User');
        expect(lookups.map((p) => p.count)).toEqual([4, 8]);
        expect(lookups[0]!.callSite).toMatch(new RegExp(`^${THIS_FILE}:\\d+:\\d+ \\(postAuthors\\)$`));
        expect(lookups[1]!.callSite).toMatch(new RegExp(`^${THIS_FILE}:\\d+:\\d+ \\(commentAuthors\\)$`));
        expect(lookups[0]!.shape).toBe(lookups[1]!.shape);
      });
    });

    describe('the same row read again and again', () => {
      it('is its own problem, with its own advice, not the include advice', async () => {
        const { userIds } = await seedBlog(env.db);
        const db = watchQueries(env.db);
        const { report } = await collect(async () => {
          for (let n = 0; n < 5; n++) await db.user.findUnique({ where: { id: userIds[0]! } });
        });
        expect(report.problems).toHaveLength(1);
        const [problem] = report.problems;
        expect(problem).toMatchObject({ kind: 'repeated-read', model: 'User', operation: 'findUnique', count: 5 });
        expect(problem!.suggestion).toContain('the same row read 5 times: read it once and reuse it');
        expect(problem!.suggestion).not.toContain('include');
        expect(problem!.callSite).toContain(THIS_FILE);
      });

      it('also when the reads come from different lines', async () => {
        const { userIds } = await seedBlog(env.db);
        const db = watchQueries(env.db);
        const settings = () => db.user.findUnique({ where: { id: userIds[0]! } });
        const { report } = await collect(async () => {
          await db.user.findUnique({ where: { id: userIds[0]! } });
          await settings();
          await db.user.findUnique({ where: { id: userIds[0]! } });
        });
        expect(report.problems.map((p) => [p.kind, p.count])).toEqual([['repeated-read', 3]]);
      });

      it('while the same lookup for different rows stays an N+1', async () => {
        await seedBlog(env.db, { posts: 6 });
        const db = watchQueries(env.db);
        const { report } = await collect(async () => {
          for (const post of await db.post.findMany()) await db.user.findUnique({ where: { id: post.authorId } });
        });
        expect(report.problems.map((p) => [p.kind, p.count])).toEqual([['n-plus-one', 6]]);
      });
    });
  });
}
