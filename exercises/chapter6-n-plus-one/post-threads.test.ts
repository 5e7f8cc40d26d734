import { expect, it } from 'vitest';
import { expectNoNPlusOne, expectQueries, watchQueries } from '../../src/queries/index.js';
import { reverseUnorderedReads, useTestEnv } from '../../test/harness.js';
import { listThreads } from './post-threads.js';
import { AUTHORS, writeBlog } from './test-data.js';

const env = useTestEnv();

it('loads posts, authors, comments and comment authors without an N+1', async () => {
  await writeBlog(env.db, { posts: 6, comments: (index) => index % 3 });
  await reverseUnorderedReads(env);
  const threads = await expectNoNPlusOne(() => listThreads(watchQueries(env.db)));
  expect(threads).toHaveLength(6);
  expect(threads[2]).toEqual({
    title: 'Post 3',
    author: AUTHORS[2],
    comments: [
      { body: 'Comment 1 on post 3', author: AUTHORS[3] },
      { body: 'Comment 2 on post 3', author: AUTHORS[0] },
    ],
  });
  expect(threads[3]).toEqual({ title: 'Post 4', author: AUTHORS[3], comments: [] });
});

it('runs at most 4 queries, one per table it reads, whatever the number of posts and comments', async () => {
  await writeBlog(env.db, { posts: 20, comments: () => 3 });
  const threads = await expectQueries({ atMost: 4 }, () => listThreads(watchQueries(env.db)));
  expect(threads.flatMap((t) => t.comments)).toHaveLength(60);
});
