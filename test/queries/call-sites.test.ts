/**
 * Issue 9, part 3: every problem points at the user's line, whatever the Prisma call (model
 * methods beyond the fifth call, raw queries, fluent relation calls, `$extends`, `$transaction`
 * arrays, interactive transactions), and says accurately why when it truly cannot.
 */
import { describe, expect, it } from 'vitest';
import { createDatabase } from '../../src/db/client.js';
import { runQueryScope, watchQueries, type QueryProblem, type QueryReport } from '../../src/queries/index.js';
import { DATABASE_KINDS, postgresSkipReason, useTestEnv } from '../harness.js';
import { seedBlog } from './fixtures.js';

const THIS_FILE = 'test/queries/call-sites.test.ts';
const AT_THIS_FILE = new RegExp(`^${THIS_FILE.replace(/[./]/g, '\\$&')}:\\d+:\\d+`);

function only(report: QueryReport): QueryProblem {
  expect(report.problems).toHaveLength(1);
  return report.problems[0]!;
}

for (const database of DATABASE_KINDS) {
  const skip = database === 'postgres' ? postgresSkipReason() : undefined;

  describe.skipIf(skip)(`on ${database}${skip ? ` (${skip})` : ''}`, () => {
    const env = useTestEnv({ database });
    const collect = <T>(block: () => Promise<T>) => runQueryScope(block, { mode: 'collect' });

    it('a loop after many earlier calls of the same method still has its call site', async () => {
      const { userIds } = await seedBlog(env.db, { posts: 4 });
      const db = watchQueries(env.db);
      async function authorsLoop() {
        for (const post of await db.post.findMany()) await db.user.findUnique({ where: { id: post.authorId } });
      }
      const { report } = await collect(async () => {
        // Six single lookups from six lines first: the first version captured call sites only for
        // the first five calls of each method in a scope.
        await db.user.findUnique({ where: { id: userIds[0]! } });
        await db.user.findUnique({ where: { id: userIds[1]! } });
        await db.user.findUnique({ where: { id: userIds[2]! } });
        await db.user.findFirst({ where: { id: userIds[0]! } });
        await db.user.findFirst({ where: { id: userIds[1]! } });
        await db.user.count();
        await authorsLoop();
      });
      const problem = only(report);
      expect(problem).toMatchObject({ model: 'User', operation: 'findUnique', count: 4 });
      expect(problem.callSite).toMatch(AT_THIS_FILE);
      expect(problem.callSite).toContain('(authorsLoop)');
    });

    it('raw queries ($queryRaw, $executeRaw) in a loop', async () => {
      await seedBlog(env.db, { posts: 3 });
      const db = watchQueries(env.db);
      const { report } = await collect(async () => {
        for (const post of await db.post.findMany()) {
          await db.$queryRaw`SELECT COUNT(*) AS n FROM "Comment" WHERE "postId" = ${post.id}`;
          await db.$executeRaw`UPDATE "Post" SET "title" = ${post.title} WHERE "id" = ${post.id}`;
        }
      });
      const byOperation = Object.fromEntries(report.problems.map((p) => [p.operation, p]));
      expect(Object.keys(byOperation).sort()).toEqual(['$executeRaw', '$queryRaw']);
      expect(byOperation.$queryRaw).toMatchObject({ kind: 'per-row-count', count: 3 });
      expect(byOperation.$executeRaw).toMatchObject({ kind: 'write-loop', count: 3 });
      for (const problem of report.problems) expect(problem.callSite).toMatch(AT_THIS_FILE);
    });

    it('fluent relation calls: db.comment.findUnique(...).author()', async () => {
      await seedBlog(env.db, { posts: 2, commentsPerPost: 2 });
      const db = watchQueries(env.db);
      const { value, report } = await collect(async () => {
        const names = [];
        for (const comment of await db.comment.findMany()) {
          names.push((await db.comment.findUnique({ where: { id: comment.id } }).author())!.name);
        }
        return names;
      });
      expect(value).toHaveLength(4);
      const problem = only(report);
      expect(problem).toMatchObject({ kind: 'n-plus-one', model: 'Comment', operation: 'findUnique', count: 4 });
      expect(problem.callSite).toMatch(AT_THIS_FILE);
      expect(problem.suggestion).toContain('comment.findMany({ include: { author: true } })');
    });

    it('a client extended with $extends on a watched client', async () => {
      await seedBlog(env.db, { posts: 4 });
      const db = watchQueries(env.db).$extends({
        result: { user: { label: { needs: { name: true }, compute: (user) => `@${user.name}` } } },
      });
      const { value, report } = await collect(async () => {
        const labels = [];
        for (const post of await db.post.findMany()) labels.push((await db.user.findUnique({ where: { id: post.authorId } }))!.label);
        for (const post of await db.post.findMany()) await db.$queryRaw`SELECT "name" FROM "User" WHERE "id" = ${post.authorId}`;
        return labels;
      });
      expect(value[0]).toMatch(/^@Writer/);
      expect(report.problems.map((p) => p.operation)).toEqual(['findUnique', '$queryRaw']);
      for (const problem of report.problems) expect(problem.callSite).toMatch(AT_THIS_FILE);
    });

    it('$transaction([...]) arrays: each statement has its method and call site', async () => {
      await seedBlog(env.db, { posts: 3 });
      const db = watchQueries(env.db);
      const posts = await db.post.findMany();
      const { report } = await collect(() => db.$transaction(posts.map((post) => db.comment.count({ where: { postId: post.id } }))));
      const problem = only(report);
      expect(problem).toMatchObject({ kind: 'per-row-count', model: 'Comment', operation: 'count', count: 3 });
      expect(problem.callSite).toMatch(AT_THIS_FILE);
      const { report: mixed } = await collect(() => db.$transaction([db.user.count(), db.post.count(), db.$queryRaw`SELECT 1`]));
      expect(mixed.statements.map((s) => s.operation && `${s.operation.model ?? ''}.${s.operation.operation}`)).toEqual([
        'User.count',
        'Post.count',
        '.$queryRaw',
      ]);
      for (const statement of mixed.statements) expect(statement.operation!.callSite.frames[0]).toMatch(AT_THIS_FILE);
    });

    it('interactive transactions', async () => {
      await seedBlog(env.db, { posts: 3 });
      const db = watchQueries(env.db);
      const { report } = await collect(() =>
        db.$transaction(async (tx) => {
          for (const post of await tx.post.findMany()) await tx.user.findUnique({ where: { id: post.authorId } });
        }),
      );
      expect(only(report).callSite).toMatch(AT_THIS_FILE);
    });

    it('says why when Prisma took no stack: a client created with errorFormat "minimal"', async () => {
      await seedBlog(env.db, { posts: 3 });
      const minimal = await createDatabase(env.databaseUrl, {
        log: [{ emit: 'event', level: 'query' }],
        errorFormat: 'minimal',
      });
      try {
        const db = watchQueries(minimal);
        const { report } = await collect(async () => {
          for (const post of await db.post.findMany()) await db.user.findUnique({ where: { id: post.authorId } });
        });
        const problem = only(report);
        expect(problem.callSite).toContain("errorFormat: 'minimal'");
        expect(problem.callSite).not.toContain('interactive transaction');
        expect(problem.stack).toEqual([]);
      } finally {
        await minimal.$disconnect();
      }
    });
  });
}

