/**
 * Issue 9, part 4: like Bullet's `Post => [:author]`, the fix names the parent model and the
 * relation, read from the schema Prisma generated into the client, and falls back to the generic
 * wording only when the schema cannot tell.
 */
import { describe, expect, it } from 'vitest';
import { runQueryScope, watchQueries, type QueryReport } from '../../src/queries/index.js';
import { DATABASE_KINDS, postgresSkipReason, useTestEnv } from '../harness.js';
import { seedBlog } from './fixtures.js';

for (const database of DATABASE_KINDS) {
  const skip = database === 'postgres' ? postgresSkipReason() : undefined;

  describe.skipIf(skip)(`on ${database}${skip ? ` (${skip})` : ''}`, () => {
    const env = useTestEnv({ database });
    const problemsOf = async (block: () => Promise<unknown>) => (await runQueryScope(block, { mode: 'collect' })).report.problems;
    const byModel = (problems: QueryReport['problems'], model: string) => problems.find((p) => p.model === model)!;

    it('belongs-to: names the parent query and the relation (Post => [:author])', async () => {
      await seedBlog(env.db, { posts: 4 });
      const db = watchQueries(env.db);
      const [problem, ...rest] = await problemsOf(async () => {
        for (const post of await db.post.findMany()) await db.user.findUnique({ where: { id: post.authorId } });
      });
      expect(rest).toEqual([]);
      expect(problem!.parent).toEqual({ model: 'Post', relation: 'author' });
      expect(problem!.suggestion).toContain('`post.findMany({ include: { author: true } })`');
      expect(problem!.suggestion).toContain('Post => [:author]');
    });

    it('has-many: the list relation on the parent (Post => [:comments])', async () => {
      await seedBlog(env.db, { posts: 4 });
      const db = watchQueries(env.db);
      const [problem] = await problemsOf(async () => {
        for (const post of await db.post.findMany()) await db.comment.findMany({ where: { postId: post.id } });
      });
      expect(problem!.parent).toEqual({ model: 'Post', relation: 'comments' });
      expect(problem!.suggestion).toContain('`post.findMany({ include: { comments: true } })`');
    });

    it('a count per row: _count of the relation on the parent query', async () => {
      await seedBlog(env.db, { posts: 4 });
      const db = watchQueries(env.db);
      const [problem] = await problemsOf(async () => {
        for (const post of await db.post.findMany()) await db.comment.count({ where: { postId: post.id } });
      });
      expect(problem!.kind).toBe('per-row-count');
      expect(problem!.suggestion).toContain('`post.findMany({ select: { _count: { select: { comments: true } } } })`');
    });

    it('nested: each level names its own parent', async () => {
      await seedBlog(env.db, { posts: 3, commentsPerPost: 2 });
      const db = watchQueries(env.db);
      const problems = await problemsOf(async () => {
        for (const post of await db.post.findMany()) {
          for (const comment of await db.comment.findMany({ where: { postId: post.id } })) {
            await db.user.findUnique({ where: { id: comment.authorId } });
          }
        }
      });
      expect(byModel(problems, 'Comment').suggestion).toContain('post.findMany({ include: { comments: true } })');
      expect(byModel(problems, 'User').suggestion).toContain('comment.findMany({ include: { author: true } })');
    });

    it('falls back to the generic wording when the schema cannot tell (a lookup by a non-key column)', async () => {
      await seedBlog(env.db, { posts: 4 });
      const db = watchQueries(env.db);
      const [problem] = await problemsOf(async () => {
        for (const post of await db.post.findMany()) await db.user.findFirst({ where: { name: `Writer ${post.id}` } });
      });
      expect(problem!.parent).toBeUndefined();
      expect(problem!.suggestion).toContain('include: { <relation>: true }');
    });
  });
}
