import { describe, expect, it } from 'vitest';
import { expectNoNPlusOne, expectNoQueries, expectQueries, NPlusOneError, QueryBudgetError, watchQueries } from '../../src/queries/index.js';
import { DATABASE_KINDS, postgresSkipReason, useTestEnv } from '../harness.js';
import { seedBlog } from './fixtures.js';

for (const database of DATABASE_KINDS) {
  const skip = database === 'postgres' ? postgresSkipReason() : undefined;

  describe.skipIf(skip)(`query budgets on ${database}${skip ? ` (${skip})` : ''}`, () => {
    const env = useTestEnv({ database });
    const authorsOneByOne = async () => {
      const db = watchQueries(env.db);
      const names: string[] = [];
      for (const post of await db.post.findMany()) names.push((await db.user.findUnique({ where: { id: post.authorId } }))!.name);
      return names;
    };
    const authorsIncluded = async () => {
      const posts = await watchQueries(env.db).post.findMany({ include: { author: true } });
      return posts.map((post) => post.author.name);
    };

    it('passes a block within budget and resolves to its value', async () => {
      await seedBlog(env.db, { posts: 5 });
      await expect(expectQueries({ atMost: 2 }, authorsIncluded)).resolves.toHaveLength(5);
      await expect(expectQueries(2, authorsIncluded)).resolves.toHaveLength(5);
      await expect(expectQueries({ atLeast: 1, tables: ['Post', 'User'] }, authorsIncluded)).resolves.toHaveLength(5);
    });

    it('fails a block over budget, listing every statement with its call site', async () => {
      await seedBlog(env.db, { posts: 5 });
      const error = await expectQueries({ atMost: 2 }, authorsOneByOne).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(QueryBudgetError);
      const message = (error as QueryBudgetError).message;
      expect(message.split('\n')[0]).toBe('Expected at most 2 queries, but 6 ran:');
      expect(message).toMatch(/^ {2}1\. SELECT … FROM Post .*\(Post\.findMany\) at test\/queries\/budget\.test\.ts:\d+:\d+/m);
      expect(message).toMatch(/^ {2}2-6\. SELECT … FROM User WHERE .*\(User\.findUnique\) ×5 at test\/queries\/budget\.test\.ts:\d+:\d+/m);
      expect(message).toContain('N+1 query: User.findUnique ran 5 times');
    });

    it('fails on exactly / atLeast mismatches and on statements against other tables', async () => {
      await seedBlog(env.db, { posts: 2 });
      await expect(expectQueries(1, authorsIncluded)).rejects.toThrow('Expected exactly 1 query, but 2 ran:');
      await expect(expectQueries({ atLeast: 3 }, authorsIncluded)).rejects.toThrow('Expected at least 3 queries, but 2 ran:');
      await expect(expectQueries({ tables: ['Post'] }, authorsIncluded)).rejects.toThrow(
        'Expected queries on Post only, but 1 touched User:',
      );
    });

    it('expectNoQueries passes a block that only uses what it already has, and fails one that queries', async () => {
      const posts = await env.db.post.findMany();
      await expect(expectNoQueries(() => posts.length)).resolves.toBe(0);
      await expect(expectNoQueries(() => watchQueries(env.db).post.count())).rejects.toThrow('Expected exactly 0 queries, but 1 ran');
    });

    it('expectNoNPlusOne raises on an N+1 and passes the eager version', async () => {
      await seedBlog(env.db, { posts: 4 });
      await expect(expectNoNPlusOne(authorsOneByOne)).rejects.toBeInstanceOf(NPlusOneError);
      await expect(expectNoNPlusOne(authorsIncluded)).resolves.toHaveLength(4);
    });

    it('rejects a budget that states nothing or a negative count', async () => {
      await expect(expectQueries({}, () => 1)).rejects.toThrow('A query budget needs exactly, atMost, atLeast or tables');
      await expect(expectQueries(-1, () => 1)).rejects.toThrow(/whole numbers of 0 or more, got -1/);
    });
  });
}
